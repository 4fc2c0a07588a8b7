import {
  type DynamicModule,
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { BaseConfig } from '@parley/config';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { ReadinessService } from '../health/readiness.service';
import { createKafka, kafkaReadiness } from './kafka';
import { connectMongo, mongoReadiness } from './mongo';
import { APP_LOGGER, KAFKA_CLIENT, MONGO_CONNECTION } from './tokens';

const KAFKA_READINESS = Symbol('KAFKA_READINESS');

@Injectable()
class InfrastructureLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly readiness: ReadinessService,
    @Inject(MONGO_CONNECTION) private readonly mongo: Connection,
    @Inject(KAFKA_READINESS) private readonly kafkaCheck: ReturnType<typeof kafkaReadiness>,
  ) {}

  onModuleInit(): void {
    this.readiness.register(mongoReadiness(this.mongo));
    this.readiness.register(this.kafkaCheck);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.kafkaCheck.close();
    await this.mongo.close();
  }
}

/** Kafka and MongoDB for an app that runs as its own process. */
export class DistributedInfrastructureModule {
  static forRoot(config: BaseConfig, logger: Logger): DynamicModule {
    const kafkaOptions = { clientId: config.kafka.clientId, brokers: config.kafka.brokers };
    return {
      module: DistributedInfrastructureModule,
      global: true,
      providers: [
        { provide: APP_LOGGER, useValue: logger },
        { provide: MONGO_CONNECTION, useFactory: () => connectMongo(config.mongo.uri) },
        { provide: KAFKA_CLIENT, useFactory: () => createKafka(kafkaOptions, logger) },
        { provide: KAFKA_READINESS, useFactory: () => kafkaReadiness(kafkaOptions, logger) },
        InfrastructureLifecycle,
      ],
      exports: [APP_LOGGER, MONGO_CONNECTION, KAFKA_CLIENT],
    };
  }
}
