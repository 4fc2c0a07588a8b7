import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedEventStore, EmbeddedLeaseStore } from '@parley/eventstore';
import { relayContract } from './testing/relay.contract';

relayContract('embedded (JSON-lines log)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-relay-'));
  const store = await EmbeddedEventStore.open('/parley/test', join(dir, 'events.jsonl'));
  return {
    store,
    leases: new EmbeddedLeaseStore(),
    async close() {
      await store.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
});
