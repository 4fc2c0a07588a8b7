import { configTableMarkdown } from '@parley/config';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const README = join(__dirname, '..', 'README.md');
const START = '<!-- config-table:start (generated from libs/config; npm run docs:config) -->';
const END = '<!-- config-table:end -->';

describe('README', () => {
  it('documents every configuration variable exactly as the schema defines it', () => {
    const text = readFileSync(README, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    const expected = `${START}\n${configTableMarkdown()}\n${END}`;
    if (process.env.UPDATE_README === '1') {
      writeFileSync(README, text.slice(0, start) + expected + text.slice(end + END.length));
      return;
    }
    expect(text.slice(start, end + END.length)).toBe(expected);
  });

  it('gives the two commands first: run Parley, run every test', () => {
    const text = readFileSync(README, 'utf8');
    const firstCode = text.indexOf('```');
    const block = text.slice(firstCode, text.indexOf('```', firstCode + 3));
    expect(block).toContain('npm ci && npm start');
    expect(block).toContain('npm test');
  });
});
