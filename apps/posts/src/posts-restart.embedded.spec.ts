import { restartScenario } from './testing/restart-scenario';

restartScenario('embedded');
