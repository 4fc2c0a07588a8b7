import { deciderSpec } from '@parley/testing';
import { type LikeCommand, type LikeEvent, type LikedPost, likeDecider } from './like.decider';

const at = '2026-11-24T12:00:00.000Z';
const spec = deciderSpec(likeDecider);
const publishedPost: LikedPost = { exists: true, status: 'published' };

const like = (post: LikedPost = publishedPost): LikeCommand => ({
  type: 'LikePost',
  postId: 'p1',
  accountId: 'amy',
  post,
});
const unlike: LikeCommand = {
  type: 'UnlikePost',
  postId: 'p1',
  accountId: 'amy',
  post: publishedPost,
};
const liked: LikeEvent = {
  type: 'parley.post.liked.v2',
  data: { postId: 'p1', accountId: 'amy', likedAt: at },
};
const unliked: LikeEvent = {
  type: 'parley.post.unliked.v1',
  data: { postId: 'p1', accountId: 'amy', unlikedAt: at },
};

describe('the like decider', () => {
  it('likes a published post with the reader’s display name', () => {
    spec.given([]).when(like()).then([liked]);
  });

  it('decides nothing when the reader likes it again', () => {
    spec.given([liked]).when(like()).then([]);
  });

  it('takes a like back, and decides nothing when there is none', () => {
    spec.given([liked]).when(unlike).then([unliked]);
    spec.given([]).when(unlike).then([]);
    spec.given([liked, unliked]).when(unlike).then([]);
  });

  it('likes again after an unlike', () => {
    spec.given([liked, unliked]).when(like()).then([liked]);
  });

  it('refuses a post that is not published', () => {
    spec
      .given([])
      .when(like({ exists: true, status: 'draft' }))
      .thenError('PostNotPublished');
    spec
      .given([])
      .when(like({ exists: true, status: 'scheduled' }))
      .thenError('PostNotPublished');
  });

  it('answers PostNotFound for a post that does not exist or was deleted', () => {
    spec
      .given([])
      .when(like({ exists: false, status: 'draft' }))
      .thenError('PostNotFound');
    spec
      .given([])
      .when(like({ exists: true, status: 'deleted' }))
      .thenError('PostNotFound');
  });

  it('answers PostNotFound to an unlike of a post that does not exist or was deleted', () => {
    spec
      .given([])
      .when({ ...unlike, post: { exists: false, status: 'draft' } })
      .thenError('PostNotFound');
    spec
      .given([liked])
      .when({ ...unlike, post: { exists: true, status: 'deleted' } })
      .thenError('PostNotFound');
  });
});
