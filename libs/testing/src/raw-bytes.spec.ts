import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findInRawBytes } from './raw-bytes';

describe('finding texts in the raw bytes of a folder', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'raw-bytes-'));
    mkdirSync(join(dir, 'nested', 'deeper'), { recursive: true });
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a text in a nested binary file and says where, and nothing that is not there', async () => {
    writeFileSync(
      join(dir, 'nested', 'deeper', 'segment.log'),
      Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from('{"email":"ann@example.com"}')]),
    );
    writeFileSync(join(dir, 'other.json'), '{"name":"Bob"}');
    const found = await findInRawBytes([dir], ['ann@example.com', 'carol@example.com']);
    expect(found).toEqual([
      {
        file: join(dir, 'nested', 'deeper', 'segment.log'),
        text: 'ann@example.com',
        around: expect.stringContaining('"email":"ann@example.com"'),
      },
    ]);
  });

  it('finds a text as JSON escapes it', async () => {
    writeFileSync(join(dir, 'doc.json'), JSON.stringify({ name: 'Zoë "Z" Quill' }));
    const found = await findInRawBytes([dir], ['Zoë "Z" Quill']);
    expect(found.map((f) => f.text)).toEqual(['Zoë "Z" Quill']);
  });
});
