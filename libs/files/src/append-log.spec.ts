import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppendLog, type LinePlace } from './append-log';

describe('AppendLog', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-log-'));
    path = join(dir, 'log.jsonl');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const scanAll = async (file: string) => {
    const lines: { line: string; place: LinePlace }[] = [];
    const log = await AppendLog.scan(file, (line, place) => {
      lines.push({ line: line.toString('utf8'), place });
      return true;
    });
    return { log, lines };
  };

  it('reads back every line by the place it was given, before and after it is on disk and after a reopen', async () => {
    const first = await AppendLog.scan(path, () => true);
    // Several-byte characters, lines longer than a block, and many short ones.
    const records = [
      { n: 0, text: 'é'.repeat(40_000) },
      ...Array.from({ length: 3_000 }, (_, n) => ({ n: n + 1, text: `ligne ${n} ✓` })),
      { n: 3_001, text: '漢'.repeat(200_000) },
    ];
    const appended = records.map((r) => first.appendPlaced(r));
    // Not yet written: read from what waits to be.
    expect(JSON.parse(await first.read(appended[5]!.place))).toEqual(records[5]);
    await Promise.all(appended.map((a) => a.written));
    for (const i of [0, 1, 1_500, 3_000, 3_001])
      expect(JSON.parse(await first.read(appended[i]!.place))).toEqual(records[i]);
    await first.close();

    const { log, lines } = await scanAll(path);
    expect(lines.map((l) => JSON.parse(l.line) as unknown)).toEqual(records);
    expect(lines.map((l) => l.place)).toEqual(appended.map((a) => a.place));
    // Out of order, through the cache of blocks.
    for (const i of [3_001, 2, 2_999, 0, 2])
      expect(JSON.parse(await log.read(lines[i]!.place))).toEqual(records[i]);
    await log.close();
  });

  it('cuts off a torn last line, and everything from the first line the reader refuses', async () => {
    await writeFile(path, '{"a":1}\n{"a":2}\n{"a":3}\n{"a":');
    const torn = await scanAll(path);
    expect(torn.lines.map((l) => l.line)).toEqual(['{"a":1}', '{"a":2}', '{"a":3}']);
    await torn.log.append({ a: 4 });
    await torn.log.close();
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n{"a":3}\n{"a":4}\n');

    const refused = await AppendLog.scan(path, (line) => line.toString() !== '{"a":3}');
    await refused.close();
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
  });

  it('gives every line of a log longer than the pieces it is read in, lines longer than a piece too', async () => {
    const line = JSON.stringify({ text: 'x'.repeat(300_000) });
    const long = JSON.stringify({ text: 'y'.repeat(2_500_000) });
    const written = [...Array<string>(6).fill(line), long, ...Array<string>(6).fill(line)];
    await writeFile(path, written.map((l) => `${l}\n`).join(''));
    const { log, lines } = await scanAll(path);
    expect(lines.map((l) => l.line)).toEqual(written);
    let position = 0;
    for (const [i, l] of lines.entries()) {
      expect(l.place).toEqual({ position, length: written[i]!.length + 1 });
      position += written[i]!.length + 1;
    }
    expect(await log.read(lines[6]!.place)).toBe(long);
    await log.close();
  });
});
