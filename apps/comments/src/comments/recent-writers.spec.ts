import type { WriterHistory } from './comment.decider';
import { RecentWriters, type WriteKeys } from './recent-writers';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 24, 12, 0, seconds));
const nothingKnown: WriterHistory = {
  hasApprovedComment: false,
  lastPostedAt: null,
  clientLastPostedAt: null,
  sameTextOnPost: false,
  sameTextLastPostedAt: null,
  sameTextFromClientAt: null,
};
const keys = (changes: Partial<WriteKeys> = {}): WriteKeys => ({
  authorKey: 'account:bea',
  clientKey: 'client-1',
  postId: 'post-1',
  textKey: 'text-a',
  ...changes,
});

describe('what this process accepted a moment ago', () => {
  it('completes a read model that has not caught up with the last comment yet', () => {
    const recent = new RecentWriters();
    recent.record(keys(), at(0));
    expect(recent.complete(keys(), nothingKnown, at(1))).toEqual({
      hasApprovedComment: false,
      lastPostedAt: at(0),
      clientLastPostedAt: at(0),
      sameTextOnPost: true,
      sameTextLastPostedAt: at(0),
      sameTextFromClientAt: at(0),
    });
    expect(recent.complete(keys({ postId: 'post-2' }), nothingKnown, at(1))).toMatchObject({
      sameTextOnPost: false,
      sameTextLastPostedAt: null,
      sameTextFromClientAt: null,
    });
    expect(
      recent.complete(
        keys({ authorKey: 'account:cy', clientKey: 'client-2' }),
        nothingKnown,
        at(1),
      ),
    ).toEqual({ ...nothingKnown, sameTextLastPostedAt: at(0) });
  });

  it('knows the client address whatever name or email comes from it', () => {
    const recent = new RecentWriters();
    recent.record(keys({ authorKey: 'guest:one' }), at(0));
    expect(
      recent.complete(keys({ authorKey: 'guest:two', textKey: 'text-b' }), nothingKnown, at(1)),
    ).toEqual({ ...nothingKnown, clientLastPostedAt: at(0) });
    expect(
      recent.complete(keys({ authorKey: 'guest:three', clientKey: null }), nothingKnown, at(1)),
    ).toEqual({ ...nothingKnown, sameTextLastPostedAt: at(0) });
  });

  it('keeps the later of its own time and the read model’s', () => {
    const recent = new RecentWriters();
    recent.record(keys(), at(0));
    const fromReadModel = { ...nothingKnown, lastPostedAt: at(5) };
    expect(recent.complete(keys({ textKey: 'text-b' }), fromReadModel, at(6)).lastPostedAt).toEqual(
      at(5),
    );
  });

  it('forgets after ten minutes', () => {
    const recent = new RecentWriters();
    recent.record(keys(), at(0));
    const tenMinutesLater = new Date(at(0).getTime() + 10 * 60_000 + 1);
    expect(recent.complete(keys(), nothingKnown, tenMinutesLater)).toEqual(nothingKnown);
  });
});
