export * from './mailer.port';
export * from './smtp-mailer';
export * from './memory-mailbox';
