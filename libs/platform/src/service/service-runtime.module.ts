import {
  type DynamicModule,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { topicOfType } from '@parley/contracts';
import { Relay } from '@parley/messaging';
import { metrics } from '@parley/observability';
import { HealthModule } from '../health/health.module';
import { ReadinessService } from '../health/readiness.service';
import { APP_LOGGER } from '../infra/tokens';
import type { ServiceInfrastructure } from './service-infrastructure';
import {
  CLOCK,
  EVENT_STORE,
  LEASES,
  MESSAGE_BUS,
  PERSON_KEYS,
  READ_MODELS,
  SERVICE_INFRASTRUCTURE,
} from './tokens';

/** Starts the relay with the app and, at shutdown, stops it after the consumers, then closes the infrastructure. */
@Injectable()
export class ServiceLifecycle
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  readonly relay: Relay;

  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) private readonly infra: ServiceInfrastructure,
    private readonly readiness: ReadinessService,
  ) {
    this.relay = new Relay(infra.eventStore, infra.bus.publisher(), infra.leases, {
      name: `relay:${infra.service}`,
      topicFor: (type) => {
        const key = topicOfType(type);
        return key ? infra.topicName(key) : undefined;
      },
      pollMs: infra.relayPollMs,
      logger: infra.logger,
      clock: infra.clock,
      onPublished: (events, lagMs) => {
        metrics.relayPublished.inc({ service: infra.service }, events);
        metrics.relayLag.set({ service: infra.service }, lagMs);
      },
    });
    this.stopCounting = infra.eventStore.onAppended((commit) => {
      for (const event of commit.events)
        metrics.eventsAppended.inc({ service: infra.service, type: event.type });
    });
  }

  private readonly stopCounting: () => void;

  onModuleInit(): void {
    for (const check of this.infra.readiness) this.readiness.register(check);
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    // Consumers have drained by now (Nest closes microservices first); stop() publishes what they appended.
    await this.relay.stop();
    this.stopCounting();
    await this.infra.close();
  }
}

/** Provides a service's ports (event store, bus, read models, clock) to its feature modules. */
export class ServiceRuntimeModule {
  static forRoot(infra: ServiceInfrastructure): DynamicModule {
    return {
      module: ServiceRuntimeModule,
      global: true,
      imports: [HealthModule],
      providers: [
        { provide: SERVICE_INFRASTRUCTURE, useValue: infra },
        { provide: EVENT_STORE, useValue: infra.eventStore },
        { provide: LEASES, useValue: infra.leases },
        { provide: MESSAGE_BUS, useValue: infra.bus },
        { provide: READ_MODELS, useValue: infra.readModels },
        { provide: PERSON_KEYS, useValue: infra.personKeys },
        { provide: CLOCK, useValue: infra.clock },
        { provide: APP_LOGGER, useValue: infra.logger },
        ServiceLifecycle,
      ],
      exports: [
        SERVICE_INFRASTRUCTURE,
        EVENT_STORE,
        LEASES,
        MESSAGE_BUS,
        READ_MODELS,
        PERSON_KEYS,
        CLOCK,
        APP_LOGGER,
        ServiceLifecycle,
      ],
    };
  }
}
