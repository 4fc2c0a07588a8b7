import 'reflect-metadata';
import { SmtpMailer } from '@parley/mail';
import { runServiceProcess } from '@parley/platform';
import { gatewayExportCommand } from './export/export-service-command';
import { gatewayService } from './gateway.service';
import { gatewayImportCommand } from './imports/import-command';
import { gatewayPrivacyCommand } from './privacy/privacy-service-command';

void runServiceProcess(
  'gateway',
  (config) =>
    gatewayService({
      services: config.services,
      auth: config.auth,
      publicBaseUrl: config.publicBaseUrl,
      mail: { mailer: new SmtpMailer(config.smtp.url), from: config.smtp.from },
      cors: config.cors,
      trustProxy: config.trustProxy,
      rateLimits: config.rateLimits,
      liveStreams: config.liveStreams,
      imports: config.imports,
      internal: { host: config.http.host, port: config.internal.port },
    }),
  { import: gatewayImportCommand, export: gatewayExportCommand, privacy: gatewayPrivacyCommand },
);
