/** How to run a list of things that may answer one another, such as a post's comments. */
export interface ParentsFirstOptions<T, R> {
  /** How many run at once, at most. */
  limit: number;
  idOf: (item: T) => string;
  /** The id of the item this one answers, or null. */
  parentOf: (item: T) => string | null;
  /**
   * Runs one item, given what its parent's run answered; `undefined` when no earlier item of
   * the list has the parent's id (it is not in the list, or comes after it in a cycle).
   */
  run: (item: T, parent: R | undefined) => Promise<R>;
}

/**
 * Runs every item, at most `limit` at once, each only once its parent's run has answered; an
 * item without a parent earlier in the list may start at once. Items wait their turn in the
 * order they are given (or were freed in). At the first failure no other item is started:
 * the runs under way are let finish, then that failure is thrown. Answers in the items' order.
 */
export async function runParentsFirst<T, R>(
  items: readonly T[],
  options: ParentsFirstOptions<T, R>,
): Promise<R[]> {
  const limit = Math.max(1, Math.floor(options.limit));
  const results = new Array<R>(items.length);
  const firstOf = new Map<string, number>();
  const parentIndex: (number | undefined)[] = [];
  const waitingFor = new Map<number, number[]>();
  const ready: number[] = [];
  items.forEach((item, index) => {
    const parentId = options.parentOf(item);
    const parent = parentId === null ? undefined : firstOf.get(parentId);
    const id = options.idOf(item);
    if (!firstOf.has(id)) firstOf.set(id, index);
    parentIndex.push(parent);
    if (parent === undefined) ready.push(index);
    else {
      const siblings = waitingFor.get(parent);
      if (siblings) siblings.push(index);
      else waitingFor.set(parent, [index]);
    }
  });

  const failures: unknown[] = [];
  await new Promise<void>((allSettled) => {
    let running = 0;
    let finished = 0;

    const startMore = () => {
      while (failures.length === 0 && running < limit && ready.length > 0) start(ready.shift()!);
      if (running === 0 && (failures.length > 0 || finished === items.length)) allSettled();
    };
    const start = (index: number) => {
      running += 1;
      const parent = parentIndex[index];
      // Started at once; one that throws before its promise counts as failed like the others.
      const run = (async () =>
        options.run(items[index]!, parent === undefined ? undefined : results[parent]))();
      run.then(
        (result) => {
          running -= 1;
          finished += 1;
          results[index] = result;
          ready.push(...(waitingFor.get(index) ?? []));
          startMore();
        },
        (error: unknown) => {
          running -= 1;
          failures.push(error);
          startMore();
        },
      );
    };
    startMore();
  });
  if (failures.length > 0) throw failures[0];
  return results;
}
