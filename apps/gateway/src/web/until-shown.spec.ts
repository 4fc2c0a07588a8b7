import { untilShown } from './until-shown';

describe('untilShown', () => {
  it('stops asking once the write shows', async () => {
    let asked = 0;
    await untilShown(() => Promise.resolve(++asked === 3));
    expect(asked).toBe(3);
  });

  it('gives up after twenty asks when the write never shows', async () => {
    jest.useFakeTimers();
    try {
      let asked = 0;
      const waiting = untilShown(() => Promise.resolve(++asked < 0));
      await jest.advanceTimersByTimeAsync(2_000);
      await waiting;
      expect(asked).toBe(20);
    } finally {
      jest.useRealTimers();
    }
  });
});
