import { cpus, totalmem } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function machine(): Record<string, string | number> {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

const RESULTS_DIR = join(__dirname, '..', '..', 'bench', 'results');
const RESULTS_MD = join(__dirname, '..', '..', 'bench', 'RESULTS.md');

/** Writes bench/results/<name>.json and replaces the section <name> of bench/RESULTS.md. */
export function report(
  name: string,
  title: string,
  data: Record<string, unknown>,
  table: string[][],
  notes: string[],
): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const measuredAt = new Date().toISOString();
  writeFileSync(
    join(RESULTS_DIR, `${name}.json`),
    `${JSON.stringify({ name, measuredAt, machine: machine(), ...data }, null, 2)}\n`,
  );
  const [header, ...rows] = table;
  const md = [
    `<!-- bench:${name}:start -->`,
    `## ${title}`,
    '',
    `Measured ${measuredAt.slice(0, 10)} on ${machine().cpus} × ${machine().cpuModel}, ${machine().memoryGiB} GiB, Node ${process.version}.`,
    '',
    `| ${header!.join(' | ')} |`,
    `| ${header!.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    ...notes.map((n) => `- ${n}`),
    `<!-- bench:${name}:end -->`,
  ].join('\n');
  const existing = existsSync(RESULTS_MD)
    ? readFileSync(RESULTS_MD, 'utf8')
    : '# Benchmark results\n\nRun with `npm run bench` (all) or `npm run bench -- <name>`. Figures are medians over the repeated runs stated in each section.\n';
  const start = existing.indexOf(`<!-- bench:${name}:start -->`);
  const end = existing.indexOf(`<!-- bench:${name}:end -->`);
  const next =
    start >= 0 && end > start
      ? existing.slice(0, start) + md + existing.slice(end + `<!-- bench:${name}:end -->`.length)
      : `${existing.trimEnd()}\n\n${md}\n`;
  writeFileSync(RESULTS_MD, next);
  process.stdout.write(`${md}\n`);
}
