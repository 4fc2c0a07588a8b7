// The cost of sealing personal data on the write path: comments posted through the public API
// of the embedded platform, with the cipher as shipped (each guest's name, email and website,
// and every writer's IP address and user agent, sealed with AES-256-GCM under the person's
// key) and, in the same run, with personal data stored as given (BENCH_SEALING=off).
import { type CannonOptions, type LoadFigure, loadAverage, measureLoad, startStack } from './stack';
import { report, round } from './support';
import { seedPost, startBlog } from './seed';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 16;

type Sealing = 'sealed' | 'as given';

interface Workload {
  name: string;
  /** The comment's body as posted; [<id>] becomes a unique id per request. */
  body: string;
  /** Posted as the blog's reader (an account) rather than as a guest. */
  asAccount: boolean;
}

const WORKLOADS: Workload[] = [
  {
    name: 'a new guest per comment (a key made for each)',
    body: JSON.stringify({
      body: 'A guest says something about the post. [<id>]',
      author: {
        name: 'Guest [<id>]',
        email: 'g-[<id>]@bench.example',
        url: 'https://[<id>].example',
      },
    }),
    asAccount: false,
  },
  {
    name: 'one returning guest',
    body: JSON.stringify({
      body: 'The same guest again. [<id>]',
      author: {
        name: 'Regular Guest',
        email: 'regular@bench.example',
        url: 'https://regular.example',
      },
    }),
    asAccount: false,
  },
  {
    name: 'an account (its IP address and user agent only)',
    body: JSON.stringify({ body: 'A reader with an account. [<id>]' }),
    asAccount: true,
  },
];

async function measure(sealing: Sealing): Promise<Map<string, LoadFigure>> {
  const stack = await startStack('embedded', {
    smtpUrl: '',
    env: sealing === 'sealed' ? {} : { BENCH_SEALING: 'off' },
  });
  try {
    const blog = await startBlog(stack.url);
    // Guests are not held for a first comment here: every write takes the same path.
    await blog.api.must((headers) =>
      blog.api.as(blog.admin.accessToken).comments.changeSettings({
        body: { requirePreviouslyApproved: { guests: false, accounts: false } },
        headers,
      }),
    );
    const post = await seedPost(blog, `Sealing ${sealing}`, 0);
    const figures = new Map<string, LoadFigure>();
    for (const workload of WORKLOADS) {
      const options: CannonOptions = {
        url: `${stack.url}/api/v1/posts/${post.id}/comments`,
        connections: CONNECTIONS,
        seconds: SECONDS,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(workload.asAccount ? { authorization: `Bearer ${blog.reader.accessToken}` } : {}),
        },
        body: workload.body,
      };
      figures.set(workload.name, await measureLoad(RUNS, options));
    }
    return figures;
  } finally {
    await stack.close();
  }
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const sealed = await measure('sealed');
  const asGiven = await measure('as given');
  const rows = WORKLOADS.map((w) => {
    const on = sealed.get(w.name)!;
    const off = asGiven.get(w.name)!;
    return [
      w.name,
      String(on.requestsPerSecond),
      String(off.requestsPerSecond),
      `${round(on.requestsPerSecond / Math.max(1, off.requestsPerSecond), 2)}×`,
      `${on.p50} / ${off.p50} ms`,
      `${on.p99} / ${off.p99} ms`,
      `${on.non2xx} / ${off.non2xx}`,
    ];
  });
  report(
    'privacy',
    'Sealing personal data: comment writes with and without it, embedded',
    {
      runs: RUNS,
      secondsPerRun: SECONDS,
      connections: CONNECTIONS,
      sealed: Object.fromEntries(sealed),
      asGiven: Object.fromEntries(asGiven),
    },
    [
      [
        'Writer',
        'Accepted/s, sealed',
        'Accepted/s, as given',
        'Sealed ÷ as given',
        'p50 sealed / as given',
        'p99 sealed / as given',
        'Not 2xx',
      ],
      ...rows,
    ],
    [
      `${RUNS} runs of ${SECONDS} s per figure (autocannon, ${CONNECTIONS} connections, POST /api/v1/posts/{id}/comments), medians; both configurations in one run, one after the other, on a fresh in-memory blog each.`,
      '"As given" is the same build with the cipher replaced by a pass-through in the server process (BENCH_SEALING=off in bench/embedded-server.ts): no key looked up or made, nothing encrypted. It is a baseline for this bench, not a setting of Parley.',
      "The keys live in memory here; with DATA_DIR the embedded key store also rewrites its file when a key is made (a new guest, or a writer's first comment of a day).",
      `Load average (1, 5, 15 min) at start → end: ${loadBefore} → ${loadAverage()} (the machine is shared).`,
      'Command: `npm run bench -- privacy`.',
    ],
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
