// The public HTTP surface under load, on embedded mode and on the distributed services
// (Kafka + FerretDB), side by side in one run: thread reads (baseline: a bare Fastify
// returning a static JSON of the same size), the server-rendered post page, comment
// writes while the read models keep up, and each process's resident memory.
// Load comes from autocannon in a child process. Writes bench/results/{thread,page,writes,footprint}.json.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { type Blog, type SeededPost, seedPost, signInReader, startBlog } from './seed';
import {
  type LoadFigure,
  type Mode,
  type RunningStack,
  type ServiceName,
  autocannon,
  cpuMs,
  loadAverage,
  hasWrk,
  measureLoad,
  measureWrk,
  quiesce,
  rssMiB,
  sleep,
  startStack,
  startStaticServer,
} from './stack';
import { report, round } from './support';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const MODES = (process.env.BENCH_MODES ?? 'embedded,distributed').split(',') as Mode[];
const SIZES = (process.env.BENCH_THREADS ?? '50,500,5000').split(',').map(Number);
/** FerretDB scans whole collections: seeding runs at a few comments/s there, so 5,000 is left out by default. */
const DISTRIBUTED_MAX = Number(process.env.BENCH_DISTRIBUTED_MAX_THREAD ?? 500);
const SERVICES: ServiceName[] = ['gateway', 'posts', 'comments', 'notifications'];
type Workload = 'thread' | 'page' | 'writes';
/** Compressed answers are read with wrk (see `measureWrk`), when it is installed. */
const WRK = hasWrk();

/** The workloads measured; the sections of the others keep the figures of the run that measured them. */
const WORKLOADS = (process.env.BENCH_WORKLOADS ?? 'thread,page,writes').split(',') as Workload[];
const measures = (workload: Workload) => WORKLOADS.includes(workload);

type Figure = LoadFigure;

/** Runs autocannon RUNS times; medians of requests/s and percentiles. */
const measure = (options: Parameters<typeof autocannon>[0]): Promise<Figure> =>
  measureLoad(RUNS, options);

type Rss = Record<ServiceName, number>;
const rssOf = (stack: RunningStack): Rss =>
  Object.fromEntries(SERVICES.map((s) => [s, rssMiB(stack.pids[s])])) as Rss;

/** Samples resident memory every 250 ms while `work` runs; the peak per service. */
async function peakRss<T>(stack: RunningStack, work: () => Promise<T>): Promise<[T, Rss]> {
  const peak = rssOf(stack);
  const timer = setInterval(() => {
    const now = rssOf(stack);
    for (const s of SERVICES) peak[s] = Math.max(peak[s], now[s]);
  }, 250);
  try {
    return [await work(), peak];
  } finally {
    clearInterval(timer);
  }
}

interface WriteFigure {
  offeredRate: number | null;
  acceptedPerSecond: number;
  p50: number;
  p99: number;
  catchUpMs: number;
  refused: number;
  /** CPU time of the server processes per accepted comment, load and catch-up together. */
  cpuMsPerComment: number;
}

/**
 * Comments posted through the API for SECONDS at `rate` (unset: as fast as it answers), then
 * the time until the thread read model and the post's comment count show every accepted one.
 */
async function writeRun(
  blog: Blog,
  post: SeededPost,
  pids: readonly number[],
  rate?: number,
): Promise<WriteFigure> {
  const guest = blog.api.as();
  const thread = async () =>
    (await blog.api.must(() => guest.comments.thread({ params: { id: post.id } }))).totals.comments;
  const postCount = async () =>
    (await blog.api.must(() => guest.posts.get({ params: { idOrSlug: post.id } }))).commentCount;
  const before = await thread();
  const cpuBefore = cpuMs(pids);
  const result = await autocannon({
    url: `${blog.api.base}/api/v1/posts/${post.id}/comments`,
    method: 'POST',
    connections: 16,
    seconds: SECONDS,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${blog.reader.accessToken}`,
    },
    body: JSON.stringify({
      body: 'A comment under load, number [<id>], with a little **markdown**.',
    }),
    ...(rate !== undefined ? { rate } : {}),
  });
  const ended = performance.now();
  const accepted = result.total - result.non2xx;
  const deadline = Date.now() + 300_000;
  while ((await thread()) < before + accepted || (await postCount()) < before + accepted) {
    if (Date.now() > deadline) break;
    await sleep(20);
  }
  return {
    offeredRate: rate ?? null,
    acceptedPerSecond: Math.round(accepted / SECONDS),
    p50: result.p50,
    p99: result.p99,
    catchUpMs: Math.round(performance.now() - ended),
    refused: result.non2xx + result.errors,
    cpuMsPerComment: accepted > 0 ? round((cpuMs(pids) - cpuBefore) / accepted, 1) : 0,
  };
}

interface ModeResult {
  mode: Mode;
  loadAverage: { start: string; end: string };
  seedSeconds: Record<number, number>;
  thread: Record<
    number,
    Figure & {
      bytes: number;
      baseline: Figure;
      gzip?: Figure & { bytes: number; baseline: Figure };
    }
  >;
  page: Record<string, Figure>;
  writes: { unlimited: WriteFigure; sustained: WriteFigure | null; seeded: WriteFigure };
  rss: { idle: Rss; threadLoad: Rss; writeLoad: Rss };
}

async function runMode(mode: Mode, smtpUrl: string): Promise<ModeResult> {
  const loadStart = loadAverage();
  const stack = await startStack(mode, { smtpUrl });
  try {
    await sleep(3000);
    const idle = rssOf(stack);
    const blog = await startBlog(stack.url);
    // Writes first, on a blog with no comments yet; again below once the threads are seeded.
    const target = await seedPost(blog, 'Writes under load', 0);
    await quiesce(Object.values(stack.pids));
    const [unlimited, writeLoad] = await peakRss(stack, () =>
      writeRun(blog, target, Object.values(stack.pids)),
    );
    process.stdout.write(`${mode}: writes unlimited: ${JSON.stringify(unlimited)}\n`);
    // Lower the offered rate until the read models catch up within a second of the load ending.
    let sustained: WriteFigure | null = unlimited.catchUpMs < 1000 ? unlimited : null;
    let rate = Math.max(1, Math.floor(unlimited.acceptedPerSecond * 0.7));
    for (let attempt = 0; sustained === null && attempt < 4; attempt++) {
      await quiesce(Object.values(stack.pids));
      const figure = await writeRun(blog, target, Object.values(stack.pids), rate);
      process.stdout.write(`${mode}: writes at ${rate}/s: ${JSON.stringify(figure)}\n`);
      if (figure.catchUpMs < 1000) sustained = figure;
      rate = Math.max(1, Math.floor(rate * 0.5));
    }
    const posts: Record<number, SeededPost> = {};
    const seedSeconds: Record<number, number> = {};
    for (const size of SIZES) {
      if (mode === 'distributed' && size > DISTRIBUTED_MAX) continue;
      const started = performance.now();
      posts[size] = await seedPost(blog, `Thread of ${size}`, size);
      seedSeconds[size] = round((performance.now() - started) / 1000, 1);
      process.stdout.write(`${mode}: seeded ${size} comments in ${seedSeconds[size]} s\n`);
    }

    await quiesce(Object.values(stack.pids));
    const thread: ModeResult['thread'] = {};
    const [, threadLoad] = await peakRss(stack, async () => {
      for (const size of measures('thread') ? Object.keys(posts).map(Number) : []) {
        const ours = await measure({
          url: `${stack.url}/api/v1/posts/${posts[size]!.id}/comments`,
          connections: 50,
          seconds: SECONDS,
        });
        const answer = await fetch(`${stack.url}/api/v1/posts/${posts[size]!.id}/comments`);
        const bytes = (await answer.arrayBuffer()).byteLength;
        const staticServer = await startStaticServer(bytes);
        const baseline = await measure({
          url: staticServer.url,
          connections: 50,
          seconds: SECONDS,
        });
        await staticServer.close();
        thread[size] = { ...ours, bytes, baseline };
        // As a browser asks for it: compressed, beside a bare server sending the same bytes.
        if (WRK) {
          const gzipped = await compressedAnswer(
            `${stack.url}/api/v1/posts/${posts[size]!.id}/comments`,
          );
          const gzip = await measureWrk(RUNS, {
            url: `${stack.url}/api/v1/posts/${posts[size]!.id}/comments`,
            connections: 50,
            seconds: SECONDS,
            headers: { 'accept-encoding': 'gzip' },
          });
          const staticGzip = await startStaticServer({ file: gzipped.file, encoding: 'gzip' });
          const gzipBaseline = await measureWrk(RUNS, {
            url: staticGzip.url,
            connections: 50,
            seconds: SECONDS,
          });
          await staticGzip.close();
          rmSync(dirname(gzipped.file), { recursive: true, force: true });
          thread[size].gzip = { ...gzip, bytes: gzipped.bytes, baseline: gzipBaseline };
        }
        process.stdout.write(`${mode}: thread ${size}: ${JSON.stringify(thread[size])}\n`);
      }
    });

    await quiesce(Object.values(stack.pids));
    const page: ModeResult['page'] = {};
    // The reader who wrote half of each thread's comments, signed in (a login of its own here).
    const signedIn = measures('page') ? await signInReader(blog) : null;
    for (const size of measures('page') ? [50, 500] : []) {
      if (!posts[size]) continue;
      const runs: [string, number, Record<string, string>][] = [
        [`${size}@4`, 4, {}],
        [`${size}@16`, 16, {}],
        [`${size}@16 signed in`, 16, { cookie: `parley_access=${signedIn!.accessToken}` }],
      ];
      for (const [key, connections, headers] of runs) {
        page[key] = await measure({
          url: `${stack.url}/posts/${posts[size].slug}`,
          connections,
          seconds: SECONDS,
          headers,
        });
        process.stdout.write(`${mode}: page ${key}: ${JSON.stringify(page[key])}\n`);
      }
    }

    await quiesce(Object.values(stack.pids));
    const [seeded, writeLoadSeeded] = await peakRss(stack, () =>
      writeRun(blog, target, Object.values(stack.pids)),
    );
    for (const service of SERVICES)
      writeLoad[service] = Math.max(writeLoad[service], writeLoadSeeded[service]);
    process.stdout.write(`${mode}: writes with the threads seeded: ${JSON.stringify(seeded)}\n`);
    return {
      mode,
      loadAverage: { start: loadStart, end: loadAverage() },
      seedSeconds,
      thread,
      page,
      writes: { unlimited, sustained, seeded },
      rss: { idle, threadLoad, writeLoad },
    };
  } finally {
    await stack.close();
  }
}

/** A mode measured by an earlier run, from the JSON it reported (to rerun one mode alone). */
function previous(mode: Mode): ModeResult | undefined {
  const read = <T>(name: string): T | undefined => {
    const file = join(__dirname, '..', '..', 'bench', 'results', `${name}.json`);
    if (!existsSync(file)) return undefined;
    const json = JSON.parse(readFileSync(file, 'utf8')) as { modes?: (T & { mode: Mode })[] };
    return json.modes?.find((m) => m.mode === mode);
  };
  const thread = read<Pick<ModeResult, 'loadAverage' | 'seedSeconds' | 'thread'>>('thread');
  const page = read<Pick<ModeResult, 'page'>>('page');
  const writes = read<Pick<ModeResult, 'writes'>>('writes');
  const footprint = read<{ rssMiB: ModeResult['rss'] }>('footprint');
  if (!thread || !page || !writes || !footprint) return undefined;
  return { mode, ...thread, ...page, ...writes, rss: footprint.rssMiB };
}

async function main(): Promise<void> {
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => callback());
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  const results: ModeResult[] = [];
  for (const mode of MODES) {
    results.push(await runMode(mode, smtpUrl));
    // Written after each mode, so that a failure later keeps what was measured; a mode not
    // measured in this run keeps its figures from the last run that measured it.
    const kept = (['embedded', 'distributed'] as const).flatMap((m) =>
      MODES.includes(m) ? results.filter((r) => r.mode === m) : (previous(m) ?? []),
    );
    writeReports(kept);
  }
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
}

const ms = (v: number) => `${round(v, 1)} ms`;
/** autocannon counts only answers that complete within the run. */
const rps = (f: Figure) =>
  f.requestsPerSecond > 0 ? String(f.requestsPerSecond) : `0 (no answer within ${SECONDS} s)`;
const by = (results: ModeResult[], mode: Mode) => results.find((r) => r.mode === mode);
const loadNote = (results: ModeResult[]) =>
  `Load average (1, 5, 15 min) at start → end: ${results.map((r) => `${r.mode} ${r.loadAverage.start} → ${r.loadAverage.end}`).join('; ')} (the machine is shared with other workloads).`;

function writeReports(results: ModeResult[]): void {
  const common = { runs: RUNS, secondsPerRun: SECONDS };
  if (measures('thread')) reportThread(results, common);
  if (measures('page')) reportPage(results, common);
  if (measures('writes')) reportWrites(results, common);
  // Peak memory under thread reads is one of its columns.
  if (measures('thread')) reportFootprint(results);
}

/** The command as run, with the knobs that were set. */
function commandLine(): string {
  const knobs = Object.entries(process.env)
    .filter(([name]) => /^BENCH_(MODES|RUNS|SECONDS|THREADS|WORKLOADS)$/.test(name))
    .map(([name, value]) => `${name}=${value}`)
    .sort();
  return `\`${[...knobs, 'npm run bench -- http'].join(' ')}\``;
}

interface Common {
  runs: number;
  secondsPerRun: number;
}

/** Whether Remark42's figure can be reached here at all: the bare server's figure at 500 comments. */
function bareNote(results: ModeResult[]): string {
  const bare = results.map((r) => r.thread['500']?.baseline.requestsPerSecond).find(Boolean);
  if (!bare) return 'The 500-comment thread was not measured in this run.';
  return `The bare server reaches ${bare} answers/s at the 500-comment size on this shared 2-core machine (about 410 KB per answer)${bare < 4500 ? ": Remark42's 4,500/s cannot be met here by any server sending the whole thread in one answer, the half of the bare server can" : ''}.`;
}

/** The thread's targets: half of a bare server sending the same bytes, and Remark42's 4,500/s. */
function threadTarget(parley: number, bare: number): string {
  const half = parley >= bare / 2 ? 'met' : 'missed';
  const remark = parley >= 4500 ? 'met' : 'missed';
  return `≥ 0.5× bare: ${half}; ≥ 4,500/s: ${remark}`;
}

/** An anonymous answer as the server sends it to a client that accepts gzip, kept in a file. */
async function compressedAnswer(url: string): Promise<{ file: string; bytes: number }> {
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': 'gzip' } }, (response) => {
      if (response.headers['content-encoding'] !== 'gzip')
        reject(new Error(`${url} was not sent compressed`));
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
  const file = join(mkdtempSync(join(tmpdir(), 'parley-bench-gzip-')), 'answer.json.gz');
  writeFileSync(file, bytes);
  return { file, bytes: bytes.length };
}

function reportThread(results: ModeResult[], common: Common): void {
  report(
    'thread',
    'Thread read: GET /api/v1/posts/{id}/comments at 50 connections',
    {
      ...common,
      modes: results.map((r) => ({
        mode: r.mode,
        loadAverage: r.loadAverage,
        seedSeconds: r.seedSeconds,
        thread: r.thread,
      })),
    },
    [
      [
        'Mode',
        'Comments',
        'Bytes',
        'Parley req/s',
        'Parley p99',
        'Failed (non-2xx / timeouts)',
        'Static JSON req/s',
        'Static p99',
        'Ratio',
        'Target',
      ],
      ...results.flatMap((r) =>
        Object.entries(r.thread).flatMap(([size, plain]) =>
          [
            [size, plain] as const,
            ...(plain.gzip ? [[`${size}, gzip`, plain.gzip] as const] : []),
          ].map(([label, f]) => [
            r.mode,
            label,
            String(f.bytes),
            rps(f),
            f.requestsPerSecond > 0 ? ms(f.p99) : '—',
            `${f.non2xx} / ${f.timeouts}`,
            String(f.baseline.requestsPerSecond),
            ms(f.baseline.p99),
            `${round(f.requestsPerSecond / f.baseline.requestsPerSecond, 3)}×`,
            size === '500' ? threadTarget(f.requestsPerSecond, f.baseline.requestsPerSecond) : '',
          ]),
        ),
      ),
    ],
    [
      `Medians of ${RUNS} autocannon runs of ${SECONDS} s each (autocannon in its own process, 50 connections); the whole thread is one answer (one top-level comment in ten, nine replies under each; 500 threads per page).`,
      'Baseline: a bare Node http server answering a static JSON body of the same size, kept as bytes (the ceiling of a read), measured right after on the same machine.',
      WRK
        ? 'Rows marked gzip: the same reads with `Accept-Encoding: gzip`, as every browser asks (browsers ask for brotli too over HTTPS). The gateway compresses a kept answer once, off the event loop, and sends the compressed bytes to every reader who accepts them until the thread changes; their baseline is the bare server sending those same compressed bytes with `Content-Encoding: gzip`. Both are read with wrk (one thread, 50 connections, medians of the same number of runs): autocannon decodes every answer body as text, which holds it to about 200 MB/s of compressed bytes here, so its figures would measure the load generator.'
        : 'Compressed answers were not measured: wrk is not installed (`apt install wrk`).',
      "Path per request for an anonymous reader: gateway (auth, validation, rate limit) asks the comments service (in process on embedded, over keep-alive HTTP across processes) with If-None-Match of the answer it kept → comments service reads the post's status, the settings (kept folded, only their changes read) and the thread's version (a count of changes the thread projection moves, read without the rest of its document) and answers 304 while they are unchanged; the gateway then sends the bytes it kept (or 304 to a client that has them). On a change, the service builds the page once from the thread read model, keeps it serialized, and the gateway keeps the new bytes. A signed-in reader's thread is built per request.",
      "What limits it (profile with --cpu-prof, embedded, after the answers are kept): at 500 comments, writing the 410 KB answers to the sockets (writev about 16 % self, the bare server pays the same); at 50 comments, the fixed cost of each request, spread over two Fastify/Nest pipelines (the gateway's with its security headers about 6 %, rate limit, authentication and validation; the comments service's, reached in process through light-my-request), about 0.6 ms a request. Before this run the version check copied and summed a document holding the version of every comment of the post on every read (about 23 % at 500 comments), and the service built a not-found problem (with its stack) for every read it then did not throw. Compressed, every size answers at about the rate of the 50-comment thread (1,600 to 1,800/s, against 166/s for the 5,000-comment thread sent whole): what is left is that fixed cost, while the bare server sends the same compressed bytes 30,000 to 67,000 times a second. wrk also shows a tail the percentiles of autocannon hide: p50 27 ms but p99 about 400 ms at 50 connections (100 ms at 10); garbage collection pauses stay under 20 ms (--trace-gc), and the gateway's own time per request (request start to response finish, from Node's diagnostics channels) is p50 0.5 ms, p99 2.2 ms. A bare Node http server spending 0.5 ms of CPU per request shows the same tail under wrk at 50 connections (p50 27 ms, p99 409 ms): it is how a saturated event loop shares itself among many connections, not a cost in Parley.",
      bareNote(results),
      loadNote(results),
      'Command: `npm run bench -- http` (BENCH_MODES, BENCH_RUNS, BENCH_SECONDS, BENCH_THREADS, BENCH_WORKLOADS to change the matrix).',
    ],
  );
}

function reportPage(results: ModeResult[], common: Common): void {
  report(
    'page',
    'Reader page: the server-rendered post page',
    {
      ...common,
      modes: results.map((r) => ({ mode: r.mode, loadAverage: r.loadAverage, page: r.page })),
    },
    [
      [
        'Mode',
        'Comments @ connections',
        'Bytes',
        'Pages/s',
        'p50',
        'p99',
        'Failed (non-2xx / timeouts)',
        'Target',
      ],
      ...results.flatMap((r) =>
        Object.entries(r.page).map(([key, f]) => [
          r.mode,
          key.replace('@', ' @ '),
          String(f.bytes),
          rps(f),
          f.requestsPerSecond > 0 ? ms(f.p50) : '—',
          f.requestsPerSecond > 0 ? ms(f.p99) : '—',
          `${f.non2xx} / ${f.timeouts}`,
          !key.startsWith('500@')
            ? ''
            : key.endsWith('signed in')
              ? `≥ 300/s: ${f.requestsPerSecond >= 300 ? 'met' : 'missed'}`
              : `≥ 1,000/s: ${f.requestsPerSecond >= 1000 ? 'met' : 'missed'}`,
        ]),
      ),
    ],
    [
      `Medians of ${RUNS} autocannon runs of ${SECONDS} s each; GET /posts/{slug} as an anonymous reader (the post, its thread, counts, rendered to HTML by the gateway), and as the signed-in reader who wrote half of the comments ("signed in": each of their comments carries its delete action).`,
      "The page reads the post, its thread and a signed-in visitor's like from their services through the gateway's client, checked by the route table's schemas and access rules (no second pass through the gateway's own pipeline), and the thread and like at the same time. For an anonymous visitor the comments' markup is kept as bytes per thread answer (the visitor's CSRF token put between its parts at serve time) and the page is sent as bytes with them in place: never joined into a string, measured or encoded again; the post's Markdown is rendered once per text, dates through one cached Intl.DateTimeFormat.",
      "What limits it (profile with --cpu-prof, embedded, 16 connections): at 500 comments the page's 985 KB: writing it to the socket (writev about 11 %) and putting the kept parts together (Buffer.concat about 6 %), then garbage collection (5 %); at 50 comments the fixed cost of the request (the gateway's pipeline, the three service calls through light-my-request and the services' pipelines). Before this run the page was one string of the whole thread with the visitor's token joined in per request, which Fastify measured (Buffer.byteLength) and encoded on every send: about 40 % of the samples. A signed-in reader's page (31 pages/s at 500 comments before this run) reads the thread every reader shares, with what the thread shows that reader alone (their likes on the post, how many of their comments are held: GET /api/v1/posts/{id}/comments/mine) in parallel, and is put together from kept markup: each comment is kept in the few ways it shows (to a stranger, to its writer with their actions, liked by the one looking), so the half of the comments this reader wrote come from kept markup too; only a reader with a held comment on the post gets a thread built for them. Its access token's signature is checked once until it expires. What limits it now: the same writev and Buffer.concat of the 1.1 MB page (about 15 %), then the five service calls of a signed-in page (post, shared thread, what is the reader's, the post's like, the unread count) through light-my-request.",
      loadNote(results),
      'Command: `npm run bench -- http`.',
    ],
  );
}

function reportWrites(results: ModeResult[], common: Common): void {
  report(
    'writes',
    'Write throughput: comments posted through the public API while the read models keep up',
    {
      ...common,
      modes: results.map((r) => ({ mode: r.mode, loadAverage: r.loadAverage, writes: r.writes })),
    },
    [
      [
        'Mode',
        'Store',
        'Offered',
        'Accepted comments/s',
        '201 p50',
        '201 p99',
        'Read models caught up after',
        'Server CPU per comment',
        'Target',
      ],
      ...results.flatMap((r) =>
        [
          { w: r.writes.unlimited, store: 'fresh blog' },
          ...(r.writes.sustained && r.writes.sustained !== r.writes.unlimited
            ? [{ w: r.writes.sustained, store: 'fresh blog' }]
            : []),
          {
            w: r.writes.seeded,
            store: `threads seeded (${Object.keys(r.seedSeconds).reduce((sum, k) => sum + Number(k), 0)} comments)`,
          },
        ].map(({ w, store }) => [
          r.mode,
          store,
          w.offeredRate === null ? 'as fast as answered (16 connections)' : `${w.offeredRate}/s`,
          String(w.acceptedPerSecond),
          ms(w.p50),
          ms(w.p99),
          ms(w.catchUpMs),
          w.cpuMsPerComment !== undefined ? ms(w.cpuMsPerComment) : '—',
          w.catchUpMs < 1000
            ? w.acceptedPerSecond >= 1500
              ? '≥ 1,500/s, lag < 1 s: met'
              : 'lag < 1 s; ≥ 1,500/s missed'
            : 'lag ≥ 1 s',
        ]),
      ),
    ],
    [
      `One run of ${SECONDS} s per offered rate (autocannon, 16 connections, one logged-in reader posting top-level comments on one post). "Caught up" = after the load ends, the comments service's thread read model and the posts service's comment count both show every accepted comment (polled every 20 ms); under 1 s means the projections kept up. Server CPU per comment: user + system time of the server processes (/proc/<pid>/stat) from the start of the load to the catch-up, divided by the accepted comments; on this shared machine it moves less with the other workloads than the rate does.`,
      "When the unlimited run leaves the read models more than a second behind, the offered rate is lowered (70 %, then halved) until they keep up; that rate is the sustainable one. Measured first on a blog with no comments, then again, unlimited, once the thread benchmark's threads are seeded: whether the cost of a write grows with the comments already stored.",
      "What limits it (profile with --cpu-prof, embedded, one reader posting to one post at 16 connections for 10 s, shares of the process's samples in that window): no single function. Each write crosses the gateway's and the comments service's Fastify/Nest pipelines (about 10 % inclusive), runs the command (the use case about 14 %: decide with the Markdown rendering 4 %, the append, sealing the origin 3 %, the writer's history), and its event is consumed by every group in the process (about 14 %: the projections 10 %, decoding the event 5 %); garbage collection takes 5 % and promise and async-context machinery most of the node internals. Before this run three costs grew with the blog: the thread projection copied its per-post map of stream versions on every comment (11 %), the writer's history resolved and ordered every comment of the writer and of their address (10 %), and the posts projection's recount resolved every comment of the post (7 %); the in-memory store now updates an unindexed field in place, counts and orders through indexes that keep their ids sorted, and leaves the indexes alone when no indexed field changed.",
      loadNote(results),
      `Command: ${commandLine()}.`,
    ],
  );
}

function reportFootprint(results: ModeResult[]): void {
  const embedded = by(results, 'embedded');
  const distributed = by(results, 'distributed');
  report(
    'footprint',
    'Footprint: resident memory per process',
    { modes: results.map((r) => ({ mode: r.mode, loadAverage: r.loadAverage, rssMiB: r.rss })) },
    [
      ['Process', 'Idle', 'Peak under thread reads', 'Peak under writes', 'Target'],
      ...(distributed
        ? SERVICES.map((s) => [
            `${s} (distributed)`,
            `${distributed.rss.idle[s]} MiB`,
            `${distributed.rss.threadLoad[s]} MiB`,
            `${distributed.rss.writeLoad[s]} MiB`,
            Math.max(distributed.rss.threadLoad[s], distributed.rss.writeLoad[s]) < 200
              ? '< 200 MB: met'
              : '< 200 MB: missed',
          ])
        : []),
      ...(embedded
        ? [
            [
              'embedded (all four in one process)',
              `${embedded.rss.idle.gateway} MiB`,
              `${embedded.rss.threadLoad.gateway} MiB`,
              `${embedded.rss.writeLoad.gateway} MiB`,
              '',
            ],
          ]
        : []),
    ],
    [
      `VmRSS from /proc/<pid>/status: idle 3 s after start (empty stores), peak sampled every 250 ms during the thread-read and write loads of the http benchmark (read models then hold the seeded threads, ${SIZES.join(' + ')} comments on embedded, up to ${DISTRIBUTED_MAX} per thread on distributed, plus the writes).`,
      loadNote(results),
      'Command: `npm run bench -- http`.',
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
