import { commandShapes, queryShape } from '@parley/platform';
import { type IndexKeys, indexServes, uncoveredShapes } from './index-coverage';

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

describe('the shape of a query the driver sends', () => {
  it('keeps the order of a sort the driver sends as a Map', () => {
    const command = {
      find: 'notifications',
      filter: { accountId: 'a', inApp: true },
      sort: new Map<string, number>([
        ['createdAt', -1],
        ['_id', -1],
      ]),
    };
    expect(commandShapes('find', 'notifications', command)).toEqual([
      {
        collection: 'notifications',
        command: 'find',
        equality: ['accountId', 'inApp'],
        range: [],
        sort: [
          ['createdAt', -1],
          ['_id', -1],
        ],
      },
    ]);
  });

  it('reads each statement of a batched update, and the first $match of a pipeline', () => {
    const update = { update: 'c', updates: [{ q: { _id: 'x' } }, { q: { postId: 'p' } }] };
    expect(commandShapes('update', 'c', update).map((s) => s.equality)).toEqual([
      ['_id'],
      ['postId'],
    ]);
    const pipeline = {
      aggregate: 'c',
      pipeline: [{ $match: { postId: 'p' } }, { $sort: { at: 1 } }],
    };
    expect(commandShapes('aggregate', 'c', pipeline)[0]).toMatchObject({
      equality: ['postId'],
      sort: [['at', 1]],
    });
  });
});

describe('a query with $or', () => {
  it('is served when every branch, with the rest of the filter, is', () => {
    const shape = queryShape(
      'find',
      'threads',
      { postId: 'p', $or: [{ listed: true }, { _id: { $in: ['a'] } }] },
      { _id: 1 },
    );
    const declared = (indexes: IndexKeys[]) =>
      uncoveredShapes(
        {
          comments: [
            {
              command: 'find',
              collection: 'threads',
              correlationId: undefined,
              causationId: undefined,
              shapes: [shape],
            },
          ],
        },
        { comments: new Map([['threads', indexes]]) },
      );
    expect(
      declared([
        [
          ['postId', 1],
          ['listed', 1],
          ['_id', 1],
        ],
      ]),
    ).toEqual([]);
    expect(
      declared([
        [
          ['postId', 1],
          ['listed', 1],
        ],
      ]),
    ).toHaveLength(1);
  });
});
