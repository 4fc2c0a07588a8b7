// Waits until a Kafka broker answers a metadata request, or a Mongo-compatible
// server answers a ping. Usage: wait-ready.mjs kafka|mongo ADDRESS TIMEOUT_MS
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [kind, address, timeoutArg] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutArg ?? 60000);

async function kafkaReady() {
  const { Kafka, logLevel } = require('kafkajs');
  const admin = new Kafka({
    clientId: 'parley-wait',
    brokers: [address],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function mongoReady() {
  const mongoose = require('mongoose');
  const connection = mongoose.createConnection(address, { serverSelectionTimeoutMS: 1000 });
  try {
    await connection.asPromise();
    await connection.db.admin().ping();
    return true;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

const probe = kind === 'kafka' ? kafkaReady : kind === 'mongo' ? mongoReady : null;
if (!probe) {
  console.error('usage: wait-ready.mjs kafka|mongo ADDRESS TIMEOUT_MS');
  process.exit(2);
}
let lastError = 'no attempt';
while (Date.now() < deadline) {
  try {
    if (await probe()) process.exit(0);
  } catch (error) {
    lastError = error instanceof Error ? error.message : String(error);
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
console.error(`${kind} at ${address} not ready: ${lastError}`);
process.exit(1);
