import { queryShape } from '@parley/platform';
import { indexServes } from './index-coverage';

describe('which index serves a query', () => {
  const byPost = queryShape(
    'find',
    'comments',
    { postId: 'p', status: { $in: ['approved'] } },
    { sortKey: 1 },
  );

  it('takes the equality keys in any order, then the sort in either direction', () => {
    expect(
      indexServes(
        [
          ['status', 1],
          ['postId', 1],
          ['sortKey', 1],
        ],
        byPost,
      ),
    ).toBe(true);
    expect(
      indexServes(
        [
          ['postId', -1],
          ['status', 1],
          ['sortKey', -1],
          ['_id', 1],
        ],
        byPost,
      ),
    ).toBe(true);
  });

  it('refuses an index missing an equality key, or with the sort out of place', () => {
    expect(
      indexServes(
        [
          ['postId', 1],
          ['sortKey', 1],
        ],
        byPost,
      ),
    ).toBe(false);
    expect(
      indexServes(
        [
          ['sortKey', 1],
          ['postId', 1],
          ['status', 1],
        ],
        byPost,
      ),
    ).toBe(false);
    expect(
      indexServes(
        [
          ['postId', 1],
          ['status', 1],
        ],
        byPost,
      ),
    ).toBe(false);
  });

  it('serves a range-only query by an index that starts with one of its keys', () => {
    const due = queryShape('find', 'inbox', { digestDueAt: { $lte: new Date() } }, undefined);
    expect(due).toMatchObject({ equality: [], range: ['digestDueAt'] });
    expect(indexServes([['digestDueAt', 1]], due)).toBe(true);
    expect(
      indexServes(
        [
          ['accountId', 1],
          ['digestDueAt', 1],
        ],
        due,
      ),
    ).toBe(false);
  });

  it('reads equality keys inside $and and treats the branches of $or as ranges', () => {
    const shape = queryShape(
      'findAndModify',
      'leases',
      { $and: [{ owner: 'a' }], $or: [{ expiresAt: { $lt: 1 } }, { owner: 'b' }] },
      undefined,
    );
    expect(shape).toMatchObject({ equality: ['owner'], range: ['expiresAt'] });
  });
});
