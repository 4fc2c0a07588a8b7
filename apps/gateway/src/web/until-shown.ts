/**
 * A read model is a moment behind the write a page has just made: asks `shows` again, 100 ms
 * apart and 20 times at most, until it says the write is in it, so the next page shows it.
 */
export async function untilShown(shows: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (await shows()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
