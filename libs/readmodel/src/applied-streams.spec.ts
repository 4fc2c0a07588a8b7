import {
  AppliedStreams,
  HOLDING_RECHECK_MS,
  SIGNAL_FIRST_MS,
  type ReachedStreamOptions,
  reachedStream,
} from './applied-streams';

/** Whether version 1 of comment-1 reaches the thread projection within the time. */
const reachesComment1 = (
  applied: AppliedStreams,
  withinMs: number,
  read: ReachedStreamOptions['read'],
) =>
  reachedStream({ applied, projection: 'thread', stream: 'comment-1', version: 1, withinMs, read });

describe('AppliedStreams', () => {
  it('answers at once for a version applied before the wait, and waits for a later one', async () => {
    const applied = new AppliedStreams();
    applied.record('thread', 'comment-1', 2);
    await expect(applied.wait('thread', 'comment-1', 2, 1_000)).resolves.toBe(true);
    const later = applied.wait('thread', 'comment-1', 3, 1_000);
    applied.record('thread', 'comment-2', 3);
    applied.record('other', 'comment-1', 3);
    expect(applied.listening).toBe(1);
    applied.record('thread', 'comment-1', 3);
    await expect(later).resolves.toBe(true);
    expect(applied.listening).toBe(0);
  });

  it('keeps the highest version when events come in another order', () => {
    const applied = new AppliedStreams();
    applied.record('thread', 'comment-1', 3);
    applied.record('thread', 'comment-1', 2);
    expect(applied.applied('thread', 'comment-1')).toBe(3);
  });

  it('gives up after its time or when aborted, leaving no waiter behind', async () => {
    const applied = new AppliedStreams();
    await expect(applied.wait('thread', 'comment-1', 1, 5)).resolves.toBe(false);
    const abort = new AbortController();
    const waiting = applied.wait('thread', 'comment-1', 1, 10_000, abort.signal);
    abort.abort();
    await expect(waiting).resolves.toBe(false);
    expect(applied.listening).toBe(0);
  });

  it('forgets the oldest streams beyond ten thousand, which are then answered by a read', () => {
    const applied = new AppliedStreams();
    for (let i = 0; i <= 10_000; i++) applied.record('thread', `comment-${i}`, 1);
    expect(applied.applied('thread', 'comment-0')).toBe(0);
    expect(applied.applied('thread', 'comment-10000')).toBe(1);
  });
});

describe('reachedStream', () => {
  it('does not read the documents when this process applies the event in time', async () => {
    const applied = new AppliedStreams();
    const read = jest.fn(() => Promise.resolve(false));
    setTimeout(() => applied.record('thread', 'comment-1', 1), 5);
    const reached = await reachesComment1(applied, 1_000, read);
    expect(reached).toBe(true);
    expect(read).not.toHaveBeenCalled();
  });

  it('waits longer for the signal, without reading, while this process holds every partition', async () => {
    const applied = new AppliedStreams();
    applied.heldBy('thread', () => true);
    const read = jest.fn(() => Promise.resolve(false));
    // Later than the recheck: the wait goes on listening as long as it holds every partition.
    setTimeout(() => applied.record('thread', 'comment-1', 1), HOLDING_RECHECK_MS * 3);
    const reached = await reachesComment1(applied, 3_000, read);
    expect(reached).toBe(true);
    expect(read).not.toHaveBeenCalled();
  });

  it('reads the documents once a rebalance takes a partition away from this process', async () => {
    const applied = new AppliedStreams();
    let holds = true;
    applied.heldBy('thread', () => holds);
    setTimeout(() => (holds = false), 50);
    let reads = 0;
    const reached = await reachesComment1(applied, 3_000, () => Promise.resolve(++reads >= 2));
    expect(reached).toBe(true);
    expect(reads).toBe(2);
  });

  it('reads the documents when another replica applies the event, and stops once they show it', async () => {
    const applied = new AppliedStreams();
    let reads = 0;
    const started = Date.now();
    const reached = await reachesComment1(applied, 1_000, () => Promise.resolve(++reads >= 3));
    expect(reached).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SIGNAL_FIRST_MS - 1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(reads).toBe(3);
    expect(applied.listening).toBe(0);
  });

  it('answers a signal that comes while the documents are being read', async () => {
    const applied = new AppliedStreams();
    let reads = 0;
    setTimeout(() => applied.record('thread', 'comment-1', 1), SIGNAL_FIRST_MS + 30);
    const reached = await reachesComment1(applied, 2_000, () => Promise.resolve(++reads < 0));
    expect(reached).toBe(true);
    const readsThen = reads;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(reads).toBe(readsThen);
  });

  it('answers false when neither says so in time', async () => {
    const applied = new AppliedStreams();
    const reached = await reachesComment1(applied, 80, () => Promise.resolve(false));
    expect(reached).toBe(false);
    expect(applied.listening).toBe(0);
  });
});
