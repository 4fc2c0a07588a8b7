import { commentsScenario } from './testing/comments-scenario';

commentsScenario('embedded');
