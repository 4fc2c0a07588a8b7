import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Actor } from '@parley/contracts';
import {
  CommentsPersonalDataClient,
  LocalPersonalDataOpener,
  PERSONAL_DATA_OPENER,
  routedOpener,
  type ServiceDefinition,
  ServiceRuntimeModule,
} from '@parley/platform';
import { PersonalDataCipher } from '@parley/privacy';
import { AuthenticationGuard } from './auth/authentication.guard';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options';
import { CommentPosting } from './comments/comment-posting';
import { CommentsController } from './comments/comments.controller';
import { ClientKeys } from './http/client-key';
import { DEV_MAILBOX, DevMailboxController } from './dev/dev-mailbox.controller';
import { ExportsController } from './export/exports.controller';
import { addApiLinks } from './http/api-links';
import { withBodyLimitProblems } from './http/api-docs';
import { AsyncApiController } from './http/asyncapi.controller';
import { registerIdempotency } from './http/idempotency';
import { registerRateLimits } from './http/rate-limits';
import { registerSecurityHeaders } from './http/security-headers';
import { accountResealers } from './identity/account-resealers';
import { startInternalListener } from './identity/internal-listener';
import { ACCOUNTS_DIRECTORY } from './identity/accounts.projection';
import { STAFF_NAMES } from './identity/staff-names.projection';
import { AuthController } from './identity/auth.controller';
import {
  ENDED_SESSIONS,
  ENDED_SESSIONS_OPTIONS,
  endedSessionsKeptMs,
  EndedSessions,
  EndedSessionsConsumer,
} from './identity/ended-sessions';
import { ImportJobs } from './imports/import-jobs';
import { ImportsController } from './imports/imports.controller';
import { registerUploadParser } from './imports/upload';
import { ACCOUNT_NAMES, AccountNamesConsumer, LiveAccountNames } from './live/account-names';
import { LIVE, LiveFeedConsumer } from './live/live-feed.consumer';
import { LiveHub } from './live/live-hub';
import { LiveController } from './live/live.controller';
import { NotificationsController } from './notifications/notifications.controller';
import { BlogSettingsController } from './posts/blog-settings.controller';
import { LegacyLinksController } from './posts/legacy-links.controller';
import { PostsController } from './posts/posts.controller';
import { ErasureController } from './privacy/erasure.controller';
import { PersonalDataErasure } from './privacy/personal-data-erasure.service';
import { PersonalDataController } from './privacy/personal-data.controller';
import { SERVICE_CLIENTS, createServiceClients, serviceTransports } from './proxy/service-clients';
import { FeedsController } from './web/feeds.controller';
import { NotFoundPageFilter } from './web/not-found.filter';
import { BlogIdentity } from './web/blog-identity';
import { PageRenderer } from './web/page-renderer';
import { PublicApi } from './web/public-api';
import { WebDeskController } from './web/web-desk.controller';
import { WebManageController } from './web/web-manage.controller';
import { WebPrivacyController } from './web/web-privacy.controller';
import { WebController } from './web/web.controller';
import { WordpressController } from './wordpress/wordpress.controller';
import { registerWordpressDiscovery } from './wordpress/wordpress-index';
import {
  IDENTITY_OPTIONS,
  type IdentityOptions,
  IdentityService,
} from './identity/identity.service';

/** Who the gateway is when it asks comments to open a guest's name for the live feed. */
const GATEWAY_CALLER: Actor = {
  accountId: 'parley-gateway',
  displayName: 'Parley gateway',
  roles: ['admin'],
};

export { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options';

/** The OpenAPI description of the public API, built from the routes and their schemas. */
export function buildOpenApiDocument(app: NestFastifyApplication) {
  const config = new DocumentBuilder()
    .setTitle('Parley API')
    .setDescription(
      'The public API of Parley: identity, posts, threaded comments, likes, moderation, notifications and subscriptions. ' +
        'Errors are RFC 9457 application/problem+json. Every POST accepts an Idempotency-Key header. ' +
        'The events on the Kafka topics are described by the [AsyncAPI document](/api/asyncapi.yaml) ([JSON](/api/asyncapi.json)).',
    )
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return withBodyLimitProblems(addApiLinks(SwaggerModule.createDocument(app, config)));
}

/** The gateway: the one public door. Identity lives here; everything else is forwarded to the services. */
export function gatewayService(options: GatewayOptions): ServiceDefinition {
  const identityOptions: IdentityOptions = {
    jwtSecret: options.auth.jwtSecret,
    accessTtlSeconds: options.auth.accessTtlSeconds,
    refreshTtlDays: options.auth.refreshTtlDays,
    publicBaseUrl: options.publicBaseUrl,
    mailer: options.mail.mailer,
    mailFrom: options.mail.from,
  };
  return {
    name: 'gateway',
    produces: ['accounts'],
    resealers: accountResealers,
    personalData: (infra) => new LocalPersonalDataOpener(new PersonalDataCipher(infra.personKeys)),
    projections: [ACCOUNTS_DIRECTORY, STAFF_NAMES],
    consumers: [
      // Every gateway instance needs every live event for the streams it holds open.
      {
        name: 'live',
        transportId: LIVE,
        topics: ['comments', 'notifications'],
        perInstance: true,
        fromBeginning: false,
      },
      // Every instance keeps the names the live feed shows current, from the account events
      // written since it started (older names are read from the account directory).
      {
        name: 'account-names',
        transportId: ACCOUNT_NAMES,
        topics: ['accounts'],
        perInstance: true,
        fromBeginning: false,
      },
      // Every instance refuses the access tokens of a session that ended on any of them: it
      // reads the sessions that ended within an access token's lifetime, not the whole topic.
      {
        name: 'ended-sessions',
        transportId: ENDED_SESSIONS,
        topics: ['accounts'],
        perInstance: true,
        fromBeginning: true,
        fromTime: () => new Date(Date.now() - endedSessionsKeptMs(options.auth.accessTtlSeconds)),
      },
    ],
    // Room for the largest body the document allows, even written as \u escapes, so that a body
    // breaking a documented length is refused by field (400), not unread (413).
    bodyLimit: 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    module: (infra): DynamicModule => {
      @Module({
        imports: [ServiceRuntimeModule.forRoot(infra)],
        controllers: [
          AuthController,
          WebController,
          WebManageController,
          WebDeskController,
          WebPrivacyController,
          FeedsController,
          AsyncApiController,
          PostsController,
          BlogSettingsController,
          LegacyLinksController,
          ExportsController,
          PersonalDataController,
          CommentsController,
          WordpressController,
          NotificationsController,
          ErasureController,
          ImportsController,
          LiveController,
          LiveFeedConsumer,
          AccountNamesConsumer,
          EndedSessionsConsumer,
          ...(options.devMailbox ? [DevMailboxController] : []),
        ],
        providers: [
          { provide: IDENTITY_OPTIONS, useValue: identityOptions },
          { provide: GATEWAY_OPTIONS, useValue: options },
          ...(options.devMailbox ? [{ provide: DEV_MAILBOX, useValue: options.devMailbox }] : []),
          {
            provide: SERVICE_CLIENTS,
            useValue: createServiceClients(options.services, infra.logger),
          },
          {
            provide: PERSONAL_DATA_OPENER,
            useValue: routedOpener({
              comments: new CommentsPersonalDataClient(
                serviceTransports(options.services).comments,
                GATEWAY_CALLER,
                options.services.timeoutMs,
              ),
              accounts: new LocalPersonalDataOpener(new PersonalDataCipher(infra.personKeys)),
            }),
          },
          { provide: ClientKeys, useValue: new ClientKeys(options.auth.jwtSecret) },
          {
            provide: ENDED_SESSIONS_OPTIONS,
            useValue: { accessTtlSeconds: options.auth.accessTtlSeconds },
          },
          EndedSessions,
          LiveAccountNames,
          IdentityService,
          PersonalDataErasure,
          ImportJobs,
          PublicApi,
          CommentPosting,
          BlogIdentity,
          PageRenderer,
          LiveHub,
          { provide: APP_GUARD, useClass: AuthenticationGuard },
          NotFoundPageFilter,
        ],
      })
      class GatewayModule {}
      return { module: GatewayModule };
    },
    async configure(app, infra) {
      const tokens = app.get(IdentityService).tokens;
      // Root hooks first: plugins registered before them would not see them.
      registerIdempotency(app, infra.documents, tokens, infra.clock, infra.logger);
      await app.register(cookie);
      registerUploadParser(app);
      // The author pages' import form: one file, its size checked by the import as it streams.
      await app.register(multipart, {
        limits: {
          files: 1,
          fields: 5,
          fieldSize: 1024,
          fileSize: app.get(ImportJobs).maxBytes + 1,
        },
      });
      await registerSecurityHeaders(app);
      // After the problem filter, so that it is asked first (an APP_FILTER would come before it).
      app.useGlobalFilters(app.get(NotFoundPageFilter));
      app.enableCors({
        origin: options.cors.origins.length > 0 ? options.cors.origins : false,
        methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowedHeaders: [
          'authorization',
          'content-type',
          'idempotency-key',
          'last-event-id',
          'x-correlation-id',
        ],
        // WordPress clients in a browser page through lists with these.
        exposedHeaders: [
          'x-correlation-id',
          'retry-after',
          'location',
          'x-wp-total',
          'x-wp-totalpages',
          'link',
        ],
        maxAge: 600,
      });
      await registerRateLimits(
        app,
        options.rateLimits,
        app.get(IdentityService).tokens,
        infra.clock,
      );
      registerWordpressDiscovery(app);
      if (options.internal) {
        const internal = await startInternalListener({
          ...options.internal,
          opener: new LocalPersonalDataOpener(new PersonalDataCipher(infra.personKeys)),
          logger: infra.logger,
        });
        app
          .getHttpAdapter()
          .getInstance()
          .addHook('onClose', () => internal.close());
      }
      const document = buildOpenApiDocument(app);
      SwaggerModule.setup('api/docs', app, document, {
        jsonDocumentUrl: 'api/openapi.json',
        yamlDocumentUrl: 'api/openapi.yaml',
      });
    },
  };
}
