#!/usr/bin/env node
// npm run rebuild -- <service> <projection…|all> [--drop-previous]
// Rebuilds a service's read models from its topics, with the service's environment
// (KAFKA_BROKERS, MONGODB_URI, …), while the service keeps running.
import { builtMain, runAndExit } from './built-main.mjs';

const [service, ...args] = process.argv.slice(2);
const services = ['posts', 'comments', 'notifications', 'gateway'];
if (!services.includes(service)) {
  process.stderr.write(
    `usage: npm run rebuild -- <${services.join('|')}> <projection…|all> [--drop-previous]\n`,
  );
  process.exit(64);
}
runAndExit(builtMain(service), 'rebuild', args);
