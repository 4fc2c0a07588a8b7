// The WordPress peer, side by side: the same workloads as the http benchmark against WordPress
// from Debian's packages (Apache 2 + mod_php + MariaDB on 127.0.0.1, set up and seeded by
// bench/wordpress/setup.sh), with each Parley figure of the same `npm run bench` beside it.
// Without a WordPress set up, says how to set it up and stops without failing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type autocannon, type LoadFigure, loadAverage, measureLoad } from './stack';
import { report, round } from './support';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROOT = join(__dirname, '..', '..');
const STATE = join(ROOT, 'bench', 'wordpress', '.state');
const RESULTS = join(ROOT, 'bench', 'results');

interface State {
  url: string;
  posts: { '50': number; '500': number; writes: number };
}

interface Figure extends Omit<LoadFigure, 'non2xx' | 'timeouts'> {
  failed: number;
}

async function measure(options: Parameters<typeof autocannon>[0]): Promise<Figure> {
  const { non2xx, timeouts, ...figure } = await measureLoad(RUNS, options);
  return { ...figure, failed: non2xx + timeouts };
}

type Modes = { mode: string; [key: string]: unknown }[];
function parley(name: string): { measuredAt: string; modes: Modes } | null {
  const file = join(RESULTS, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as never) : null;
}

async function main(): Promise<void> {
  if (!existsSync(STATE)) {
    process.stdout.write(
      'WordPress is not set up: run `sudo bash bench/wordpress/setup.sh` (Debian packages, 127.0.0.1 only), then `npm run bench -- http wordpress`.\n',
    );
    return;
  }
  const state = JSON.parse(readFileSync(STATE, 'utf8')) as State;
  const load = { start: loadAverage(), end: '' };

  const writes = await measure({
    url: `${state.url}/index.php?rest_route=/wp/v2/comments`,
    method: 'POST',
    connections: 16,
    seconds: SECONDS,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      post: state.posts.writes,
      author_name: 'Reader',
      author_email: 'reader@bench.example',
      content: 'A comment under load, number [<id>], with a little markdown.',
    }),
  });
  process.stdout.write(`writes: ${JSON.stringify(writes)}\n`);
  // The REST API answers at most 100 comments per request.
  const thread = await measure({
    url: `${state.url}/index.php?rest_route=/wp/v2/comments&post=${state.posts['500']}&per_page=100`,
    connections: 50,
    seconds: SECONDS,
  });
  process.stdout.write(`thread: ${JSON.stringify(thread)}\n`);
  const pages: Record<string, Figure> = {};
  for (const size of ['50', '500'] as const)
    for (const connections of [4, 16]) {
      pages[`${size}@${connections}`] = await measure({
        url: `${state.url}/?p=${state.posts[size]}`,
        connections,
        seconds: SECONDS,
      });
      process.stdout.write(
        `page ${size}@${connections}: ${JSON.stringify(pages[`${size}@${connections}`])}\n`,
      );
    }
  load.end = loadAverage();

  const ours = {
    thread: parley('thread'),
    page: parley('page'),
    writes: parley('writes'),
  };
  const modes = ['embedded', 'distributed'];
  const pick = (name: keyof typeof ours, mode: string, path: (m: never) => number | undefined) => {
    const entry = ours[name]?.modes.find((m) => m.mode === mode);
    return entry ? path(entry as never) : undefined;
  };
  const cell = (value: number | undefined, theirs: number) =>
    value === undefined ? '—' : `${value} (${round(value / theirs, 2)}×)`;
  const rows: string[][] = [
    [
      'Comments posted through the API, accepted/s (16 connections)',
      String(writes.requestsPerSecond),
      ...modes.map((mode) =>
        cell(
          pick(
            'writes',
            mode,
            (m: { writes: { unlimited: { acceptedPerSecond: number } } }) =>
              m.writes.unlimited.acceptedPerSecond,
          ),
          writes.requestsPerSecond,
        ),
      ),
    ],
    [
      '500-comment thread, comments delivered/s (50 connections; WordPress 100 per answer, Parley 500)',
      String(thread.requestsPerSecond * 100),
      ...modes.map((mode) => {
        const rps = pick(
          'thread',
          mode,
          (m: { thread: Record<string, { requestsPerSecond: number }> }) =>
            m.thread['500']?.requestsPerSecond,
        );
        return cell(rps === undefined ? undefined : rps * 500, thread.requestsPerSecond * 100);
      }),
    ],
    ...Object.entries(pages).map(([key, f]) => [
      `Post page, ${key.replace('@', ' comments @ ')} connections, pages/s`,
      String(f.requestsPerSecond),
      ...modes.map((mode) =>
        cell(
          pick(
            'page',
            mode,
            (m: { page: Record<string, { requestsPerSecond: number }> }) =>
              m.page[key]?.requestsPerSecond,
          ),
          f.requestsPerSecond,
        ),
      ),
    ]),
  ];
  report(
    'wordpress',
    'WordPress peer: the same workloads, side by side',
    {
      runs: RUNS,
      secondsPerRun: SECONDS,
      loadAverage: load,
      wordpress: { writes, thread, pages },
      parleyMeasuredAt: Object.fromEntries(
        Object.entries(ours).map(([k, v]) => [k, v?.measuredAt ?? null]),
      ),
    },
    [
      [
        'Workload',
        'WordPress',
        'Parley embedded (× WordPress)',
        'Parley distributed (× WordPress)',
      ],
      ...rows,
    ],
    [
      "WordPress 6.1 from Debian 12 packages: Apache 2.4 (mpm_prefork) + mod_php 8.2 + MariaDB 10.11, no page or object cache, installed and seeded by `bench/wordpress/setup.sh` on 127.0.0.1; anonymous REST comments allowed and approved at once, no flood or duplicate checks (a must-use plugin), as in Parley's benchmark settings.",
      `WordPress p99: writes ${writes.p99} ms, thread ${thread.p99} ms (${thread.bytes} bytes per answer), ${Object.entries(
        pages,
      )
        .map(([k, f]) => `page ${k} ${f.p99} ms`)
        .join(', ')}. Failed requests: writes ${writes.failed}, thread ${thread.failed}.`,
      `Medians of ${RUNS} autocannon runs of ${SECONDS} s each. Parley figures are those of the http benchmark of the same run (bench/results/{thread,page,writes}.json).`,
      `Load average (1, 5, 15 min) at start → end: ${load.start} → ${load.end}.`,
      'Command: `sudo bash bench/wordpress/setup.sh` once, then `npm run bench -- http wordpress`.',
    ],
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
