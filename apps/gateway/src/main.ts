import 'reflect-metadata';
import { runService } from '@parley/platform';
import { GatewayAppModule } from './gateway-app.module';

void runService('gateway', (config, logger) => GatewayAppModule.forRoot(config, logger));
