import type { OpenAPIObject } from '@nestjs/swagger';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Via {
  /** The path parameter that takes the id (`id` unless said). */
  param?: string;
  /** A body built from the response, for a link that creates something under it. */
  body?: Record<string, string>;
}
type Target = readonly [Method, string] | readonly [Method, string, Via];

/** Where a response leads: the operations that take what it returned, and how. */
interface LinkSpec {
  from: readonly [Method, string, status: number];
  /** The id in the response, as a JSON pointer (`/id`, `/items/0/id`). */
  id: string;
  to: Record<string, Target>;
}

const POST_ACTIONS = {
  GetPost: ['get', '/api/v1/posts/{idOrSlug}', { param: 'idOrSlug' }],
  UpdatePost: ['patch', '/api/v1/posts/{id}'],
  PublishPost: ['post', '/api/v1/posts/{id}/publish'],
  SchedulePost: ['post', '/api/v1/posts/{id}/schedule'],
  UnpublishPost: ['post', '/api/v1/posts/{id}/unpublish'],
  DeletePost: ['delete', '/api/v1/posts/{id}'],
  ChangeCommentSettings: ['put', '/api/v1/posts/{id}/comment-settings'],
  Thread: ['get', '/api/v1/posts/{id}/comments'],
  PostComment: ['post', '/api/v1/posts/{id}/comments'],
  LikeState: ['get', '/api/v1/posts/{id}/like'],
  Like: ['put', '/api/v1/posts/{id}/like'],
  Unlike: ['delete', '/api/v1/posts/{id}/like'],
  Likers: ['get', '/api/v1/posts/{id}/likes'],
} as const;

const COMMENT_ACTIONS = {
  GetComment: ['get', '/api/v1/comments/{id}'],
  EditComment: ['patch', '/api/v1/comments/{id}'],
  DeleteComment: ['delete', '/api/v1/comments/{id}'],
  LikeComment: ['put', '/api/v1/comments/{id}/like'],
  UnlikeComment: ['delete', '/api/v1/comments/{id}/like'],
  ModerateComment: ['post', '/api/v1/comments/{id}/moderation'],
} as const;

const SUBSCRIPTION_ACTIONS = {
  ChangeSubscription: ['patch', '/api/v1/subscriptions/{id}'],
  RemoveSubscription: ['delete', '/api/v1/subscriptions/{id}'],
} as const;

const NOTIFICATION_ACTIONS = {
  MarkRead: ['post', '/api/v1/notifications/{id}/read'],
  Why: ['get', '/api/v1/notifications/{id}/why'],
} as const;

/** The main resources' flows: a post to its thread and likes, a comment to its replies and like, … */
const LINKS: readonly LinkSpec[] = [
  { from: ['post', '/api/v1/posts', 201], id: '/id', to: POST_ACTIONS },
  { from: ['get', '/api/v1/posts', 200], id: '/items/0/id', to: POST_ACTIONS },
  { from: ['get', '/api/v1/posts/{idOrSlug}', 200], id: '/id', to: POST_ACTIONS },
  { from: ['patch', '/api/v1/posts/{id}', 200], id: '/id', to: POST_ACTIONS },
  { from: ['post', '/api/v1/posts/{id}/publish', 200], id: '/id', to: POST_ACTIONS },
  {
    from: ['post', '/api/v1/posts/{id}/comments', 201],
    id: '/id',
    to: {
      ...COMMENT_ACTIONS,
      Reply: [
        'post',
        '/api/v1/posts/{id}/comments',
        { param: 'id', body: { body: 'A reply', parentId: '$response.body#/id' } },
      ],
    },
  },
  { from: ['get', '/api/v1/posts/{id}/comments', 200], id: '/items/0/id', to: COMMENT_ACTIONS },
  { from: ['get', '/api/v1/moderation/queue', 200], id: '/items/0/id', to: COMMENT_ACTIONS },
  { from: ['post', '/api/v1/subscriptions', 201], id: '/id', to: SUBSCRIPTION_ACTIONS },
  { from: ['get', '/api/v1/subscriptions', 200], id: '/items/0/id', to: SUBSCRIPTION_ACTIONS },
  {
    from: ['get', '/api/v1/notifications', 200],
    id: '/items/0/id',
    to: NOTIFICATION_ACTIONS,
  },
  {
    from: ['post', '/api/v1/webhooks', 201],
    id: '/id',
    to: { RemoveWebhook: ['delete', '/api/v1/webhooks/{id}'] },
  },
  {
    from: ['get', '/api/v1/webhooks', 200],
    id: '/items/0/id',
    to: { RemoveWebhook: ['delete', '/api/v1/webhooks/{id}'] },
  },
  {
    from: ['get', '/api/v1/accounts', 200],
    id: '/items/0/id',
    to: { SetRoles: ['put', '/api/v1/accounts/{id}/roles'] },
  },
];

/**
 * Adds OpenAPI links to the document, so a client (and a stateful fuzzer) can follow what
 * one answer returns into the operations that take it. A link to an operation that is not
 * in the document is a programming error and throws.
 */
export function addApiLinks(document: OpenAPIObject): OpenAPIObject {
  const operation = (method: Method, path: string) => {
    const found = document.paths[path]?.[method];
    if (!found?.operationId) throw new Error(`OpenAPI link: no operation ${method} ${path}`);
    return found;
  };
  for (const spec of LINKS) {
    const [method, path, status] = spec.from;
    const response = operation(method, path).responses[String(status)] as
      { links?: Record<string, unknown> } | undefined;
    if (!response) throw new Error(`OpenAPI link: ${method} ${path} has no ${status}`);
    const value = `$response.body#${spec.id}`;
    response.links = {
      ...response.links,
      ...Object.fromEntries(
        Object.entries(spec.to).map(([name, [toMethod, toPath, how]]) => {
          const param = how?.param ?? 'id';
          return [
            name,
            {
              operationId: operation(toMethod, toPath).operationId,
              // A reply stays on the post it answers: its post id is the request's.
              parameters: { [param]: how?.body ? '$request.path.id' : value },
              ...(how?.body ? { requestBody: how.body } : {}),
            },
          ];
        }),
      ),
    };
  }
  return document;
}
