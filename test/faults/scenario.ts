import {
  MailCatcher,
  PrivateKafka,
  PrivateMongo,
  describeInfra,
  sleep,
  testInfra,
  uniqueName,
} from '@parley/testing';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Conversation } from './conversation';
import { type App, APPS, FaultStack } from './fault-stack';
import { type InvariantOptions, rebuiltReadModelsDiffer, settle } from './invariants';

const OUTPUT = join(__dirname, '..', '..', 'test-output', 'faults');

export interface FaultContext {
  stack: FaultStack;
  smtp: MailCatcher;
  conversation: Conversation;
  /** The scenario's own Mongo-compatible server. */
  mongo: PrivateMongo;
  /** The scenario's own broker, when it asked for one. */
  kafka: PrivateKafka | undefined;
}

export interface FaultScenario extends InvariantOptions {
  /** How the test output names it: "kill -9 of each service". */
  name: string;
  /**
   * Port of the scenario's own Mongo-compatible server: the services' load and the faults
   * stay away from the shared one (and the other tests' load away from this one).
   */
  mongoPort: number;
  /** Port of a broker of the scenario's own, for a scenario that stops it; else the shared one. */
  kafkaPort?: number;
  env?: Partial<Record<App, Record<string, string>>>;
  /** Does the faults while the conversation goes on; answers how many it did, and what. */
  inject(context: FaultContext): Promise<{ faults: number; what: string }>;
  /** Milliseconds of conversation before and after the faults. */
  calmMs?: number;
}

/**
 * One fault-injection scenario: the four services as processes, a steady conversation
 * through the gateway, the faults, then the invariants once everything has caught up: the
 * threads, the notifications owed (in the app and by mail), the dead-letter topics and the
 * read models rebuilt from the topics. One line of counts goes to the test output.
 */
export function faultScenario(scenario: FaultScenario): void {
  describeInfra(`fault injection: ${scenario.name}`, () => {
    const smtp = new MailCatcher();
    let stack: FaultStack | undefined;
    let conversation: Conversation;

    const phases: string[] = [];
    let phaseStart = Date.now();
    const phase = (name: string) => {
      phases.push(`${name} ${((Date.now() - phaseStart) / 1000).toFixed(1)} s`);
      process.stderr.write(`PHASE ${phases.at(-1)}\n`);
      phaseStart = Date.now();
    };

    const mongo = new PrivateMongo(`faults-${scenario.mongoPort}`, scenario.mongoPort);
    const kafka = scenario.kafkaPort
      ? new PrivateKafka(`faults-${scenario.kafkaPort}`, scenario.kafkaPort)
      : undefined;

    beforeAll(async () => {
      phaseStart = Date.now();
      await Promise.all([mongo.up(), kafka?.up(), smtp.start()]);
      stack = await FaultStack.start({
        kafkaBrokers: kafka?.brokers ?? testInfra().kafkaBrokers,
        mongoUri: (label) => mongo.uri(uniqueName(label).replace(/[^a-zA-Z0-9_]/g, '_')),
        smtpUrl: smtp.url,
        topicPrefix: uniqueName('faults').replace(/[^a-zA-Z0-9._-]/g, '-'),
        ...(scenario.env ? { env: scenario.env } : {}),
      });
      const running = stack;
      phase('boot');
      conversation = new Conversation({ url: () => running.url, smtp, seed: 20261124 });
      await conversation.setUp();
      phase('cast');
    });

    afterAll(async () => {
      await conversation?.stop();
      await stack?.stop();
      await stack?.dropDatabases().catch(() => undefined);
      await Promise.all([smtp.stop(), mongo.down(), kafka?.down()]);
      setTimeout(() => {
        process.stderr.write(`RESOURCES ${process.getActiveResourcesInfo().join(', ')}\n`);
      }, 2000).unref();
    });

    /** Every line the services logged goes to test-output/faults/<scenario>/. */
    function keepLogs(): string {
      const dir = join(OUTPUT, scenario.name.replace(/[^a-zA-Z0-9]+/g, '-').toLowerCase());
      mkdirSync(dir, { recursive: true });
      for (const app of APPS)
        writeFileSync(join(dir, `${app}.log`), stack?.logs(app).join('\n') ?? '');
      return dir;
    }

    it('keeps every answered comment, owed notification and read model', async () => {
      const running = stack!;
      try {
        await check(running);
      } catch (error) {
        console.log(
          `[faults] ${scenario.name}: the services' logs are in ${keepLogs()}; warnings and errors:\n  ` +
            `${running.problems().join('\n  ')}\n${running.errors().join('\n')}`,
        );
        throw error;
      }
      keepLogs();
    });

    async function check(running: FaultStack): Promise<void> {
      const calm = scenario.calmMs ?? 3_000;
      conversation.start();
      await sleep(calm);
      const injected = await scenario.inject({ stack: running, smtp, conversation, mongo, kafka });
      await sleep(calm);
      await conversation.stop();
      running.assertAlive();
      phase('conversation');
      await conversation.untilDone();
      phase('unfinished work');
      const requests = { ...conversation.requests };

      const findings = await settle(running, conversation, smtp, scenario);
      phase('settle and check');
      if (findings.failures.length > 0)
        console.log(`[faults] ${scenario.name}: unsettled:\n  ${findings.failures.join('\n  ')}`);
      const rebuild = await rebuiltReadModelsDiffer(running);
      phase('rebuild');
      console.log(phases.join(', '));
      const events = await running.eventCount();
      const c = findings.counts;
      console.log(
        `[faults] ${scenario.name}: ${injected.faults} faults (${injected.what}); ` +
          `${requests.total} requests (${requests.ok} ok, ${requests.clientError} 4xx, ${requests.serverError} 5xx, ${requests.noAnswer} unanswered); ` +
          `${c.commentsAnswered} comments answered 201, ${c.commentsUnanswered} unanswered (${c.unansweredCreated} of them created), ` +
          `${c.approvals} approvals, ${c.likes} likes, ${c.subscriptions} subscriptions, ${c.posts} posts; ` +
          `${events} events; ${smtp.mails.length} mails received; ` +
          `owed ${c.inAppOwed} in-app and ${c.emailOwed} email notifications, ${c.uncertain} uncertain, ${c.interrupted} sends cut off by a crash; ` +
          `DLQ empty; ` +
          `${rebuild.rebuilt} read models rebuilt, ${rebuild.differences.length} differences`,
      );
      expect([
        ...findings.failures,
        ...rebuild.differences.map((d) => `rebuilt read model differs: ${d}`),
      ]).toEqual([]);
    }
  });
}
