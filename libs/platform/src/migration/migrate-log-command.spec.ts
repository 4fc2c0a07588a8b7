import { parseMigrateLogArgs, targetMongoUri } from './migrate-log-command';

describe('migrate-log arguments', () => {
  it('takes --to and an optional --service, and names what is wrong otherwise', () => {
    expect(parseMigrateLogArgs(['--service', 'comments', '--to', 'parley_comments_2'])).toEqual({
      service: 'comments',
      to: 'parley_comments_2',
    });
    expect(parseMigrateLogArgs(['--to', 'data-2'])).toEqual({ to: 'data-2', service: undefined });
    expect(parseMigrateLogArgs([])).toEqual({ error: '--to is missing: where the new log goes' });
    expect(parseMigrateLogArgs(['--to'])).toEqual({ error: '--to needs a value' });
    expect(parseMigrateLogArgs(['--to', '--service'])).toEqual({ error: '--to needs a value' });
    expect(parseMigrateLogArgs(['--from', 'x'])).toEqual({ error: 'unknown argument --from' });
    expect(parseMigrateLogArgs(['--to', 'a', '--to', 'b'])).toEqual({
      error: '--to is given twice',
    });
  });

  it('puts a database name on the server of the service’s own URI, keeping its options', () => {
    const own = 'mongodb://user:pw@db1:27017,db2:27017/parley_comments?replicaSet=rs0';
    expect(targetMongoUri(own, 'parley_comments_2')).toBe(
      'mongodb://user:pw@db1:27017,db2:27017/parley_comments_2?replicaSet=rs0',
    );
    expect(targetMongoUri('mongodb://127.0.0.1:27017', 'next')).toBe(
      'mongodb://127.0.0.1:27017/next',
    );
    expect(targetMongoUri(own, 'mongodb://elsewhere/x')).toBe('mongodb://elsewhere/x');
    expect(targetMongoUri(own, 'not a name')).toBeUndefined();
  });
});
