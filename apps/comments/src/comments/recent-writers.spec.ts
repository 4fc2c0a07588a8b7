import { RecentWriters } from './recent-writers';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 24, 12, 0, seconds));
const nothingKnown = { hasApprovedComment: false, lastPostedAt: null, sameTextOnPost: false };

describe('what this process accepted a moment ago', () => {
  it('completes a read model that has not caught up with the last comment yet', () => {
    const recent = new RecentWriters();
    recent.record('account:bea', 'post-1', 'text-a', at(0));
    expect(recent.complete('account:bea', 'post-1', 'text-a', nothingKnown, at(1))).toEqual({
      hasApprovedComment: false,
      lastPostedAt: at(0),
      sameTextOnPost: true,
    });
    expect(recent.complete('account:bea', 'post-2', 'text-a', nothingKnown, at(1))).toMatchObject({
      sameTextOnPost: false,
    });
    expect(recent.complete('account:cy', 'post-1', 'text-a', nothingKnown, at(1))).toEqual(
      nothingKnown,
    );
  });

  it('keeps the later of its own time and the read model’s', () => {
    const recent = new RecentWriters();
    recent.record('account:bea', 'post-1', 'text-a', at(0));
    const fromReadModel = { ...nothingKnown, lastPostedAt: at(5) };
    expect(
      recent.complete('account:bea', 'post-1', 'text-b', fromReadModel, at(6)).lastPostedAt,
    ).toEqual(at(5));
  });

  it('forgets after ten minutes', () => {
    const recent = new RecentWriters();
    recent.record('account:bea', 'post-1', 'text-a', at(0));
    const tenMinutesLater = new Date(at(0).getTime() + 10 * 60_000 + 1);
    expect(
      recent.complete('account:bea', 'post-1', 'text-a', nothingKnown, tenMinutesLater),
    ).toEqual(nothingKnown);
  });
});
