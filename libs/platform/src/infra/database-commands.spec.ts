import { EventEmitter } from 'node:events';
import { runWithCorrelation } from '@parley/observability';
import type { mongo } from 'mongoose';
import { DatabaseCommandMonitor } from './database-commands';

function started(databaseName: string, command: Record<string, unknown>): unknown {
  return { databaseName, commandName: Object.keys(command)[0], command };
}

describe('the round trips of a connection', () => {
  it('counts each command by name and collection, leaving out health pings, until reset', () => {
    const client = new EventEmitter();
    const monitor = new DatabaseCommandMonitor('comments');
    monitor.attach(client as unknown as mongo.MongoClient);
    client.emit('commandStarted', started('blog', { find: 'threads', filter: { _id: 'p' } }));
    client.emit('commandStarted', started('blog', { find: 'threads', filter: { _id: 'q' } }));
    client.emit('commandStarted', started('blog', { getMore: 7, collection: 'threads' }));
    client.emit('commandStarted', started('admin', { ping: 1 }));
    expect(monitor.byCommand()).toEqual({ 'find threads': 2, 'getMore threads': 1 });
    expect(monitor.total()).toBe(3);
    monitor.reset();
    expect(monitor.total()).toBe(0);
  });

  it('keeps, while recording, each command with the request or event it ran for', () => {
    const client = new EventEmitter();
    const monitor = new DatabaseCommandMonitor('comments');
    monitor.attach(client as unknown as mongo.MongoClient);
    client.emit('commandStarted', started('blog', { find: 'threads', filter: {} }));
    monitor.startRecording();
    runWithCorrelation({ correlationId: 'request-1' }, () =>
      client.emit('commandStarted', started('blog', { insert: 'commits', documents: [] })),
    );
    runWithCorrelation({ correlationId: 'request-1', causationId: 'event-1' }, () =>
      client.emit(
        'commandStarted',
        started('blog', { update: 'threads', updates: [{ q: { postId: 'p' } }] }),
      ),
    );
    expect(monitor.commandsFor('request-1')).toEqual([
      {
        command: 'insert',
        collection: 'commits',
        correlationId: 'request-1',
        causationId: undefined,
        shapes: [],
      },
      {
        command: 'update',
        collection: 'threads',
        correlationId: 'request-1',
        causationId: 'event-1',
        shapes: [
          { collection: 'threads', command: 'update', equality: ['postId'], range: [], sort: [] },
        ],
      },
    ]);
    expect(monitor.stopRecording()).toHaveLength(2);
    expect(monitor.commands()).toEqual([]);
  });
});
