import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotFile } from './snapshot-file';

describe('SnapshotFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-snapshot-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the latest of many overlapping saves and leaves no temporary file', async () => {
    const file = new SnapshotFile(join(dir, 'offsets.json'));
    await Promise.all(Array.from({ length: 50 }, (_, i) => file.save(JSON.stringify({ i }))));
    expect(JSON.parse(await readFile(join(dir, 'offsets.json'), 'utf8'))).toEqual({ i: 49 });
    expect(await readdir(dir)).toEqual(['offsets.json']);
  });

  it('fails the saves a write could not carry, and writes again on the next save', async () => {
    const path = join(dir, 'groups', 'offsets.json');
    await writeFile(join(dir, 'groups'), '');
    const file = new SnapshotFile(path);
    await expect(file.save('{"a":1}')).rejects.toThrow();
    await rm(join(dir, 'groups'));
    await file.save('{"a":2}');
    expect(await readFile(path, 'utf8')).toBe('{"a":2}');
  });
});
