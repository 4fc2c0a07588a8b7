// The reply load generator, run as its own process: posts replies to one comment through the
// public API at a steady rate and prints, per 201, `<commentId> <sent> <answered>` in epoch ms (sub-millisecond
// wall clock, comparable with the benchmark process's own).
// Options as JSON in argv[2]: { url, postId, parentId, token, rate, seconds }.
import { randomUUID } from 'node:crypto';

interface Options {
  url: string;
  postId: string;
  parentId: string;
  token: string;
  rate: number;
  seconds: number;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as Options;
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const started = performance.now();
  let refused = 0;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + i * interval - performance.now();
    if (wait > 0) await sleep(wait);
    inflight.push(
      (async () => {
        const sentAt = now();
        const response = await fetch(`${options.url}/api/v1/posts/${options.postId}/comments`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${options.token}`,
          },
          body: JSON.stringify({
            body: `A reply under load (${randomUUID()}): worth a notification.`,
            parentId: options.parentId,
          }),
        }).catch(() => null);
        if (!response) {
          refused++;
          return;
        }
        const at = now();
        const text = await response.text();
        if (response.status !== 201) {
          refused++;
          return;
        }
        process.stdout.write(`${(JSON.parse(text) as { id: string }).id} ${sentAt} ${at}\n`);
      })(),
    );
  }
  await Promise.all(inflight);
  process.stderr.write(`refused ${refused}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
