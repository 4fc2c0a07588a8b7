import {
  type AccountView,
  type Actor,
  type CommentsPersonalData,
  type NotificationsPersonalData,
  type PostsPersonalData,
  PERSONAL_DATA_FORMAT,
  PERSONAL_DATA_VERSION,
  type PersonalDataExport,
  commentsPersonalDataSchema,
  notificationsPersonalDataSchema,
  postsPersonalDataSchema,
  personalDataExportSchema,
} from '@parley/contracts';
import { ProblemException } from '@parley/platform';
import type { ServiceClient } from '../proxy/service-client';
import type { ServiceClients } from '../proxy/service-clients';

/** Whose data is exported: an account (with its details), or a guest by their address. */
export type ExportedPerson =
  { kind: 'account'; account: AccountView } | { kind: 'guest'; email: string };

/** Who the gateway asks the services as for a guest, once the guest's link or the operator vouched for them. */
export const PERSONAL_DATA_OPERATOR: Actor = {
  accountId: 'parley-personal-data',
  displayName: 'Parley personal data',
  roles: ['admin'],
};

async function part<T>(
  service: ServiceClient,
  person: ExportedPerson,
  actor: Actor,
  schema: { parse(value: unknown): T },
): Promise<T> {
  const response = await service.call<unknown>({
    method: 'GET',
    path: '/v1/personal-data',
    query: person.kind === 'account' ? { accountId: person.account.id } : { email: person.email },
    actor,
  });
  if (response.status !== 200)
    throw new ProblemException({
      status: response.status >= 500 ? 502 : response.status,
      code: 'personal-data-unavailable',
      title: `The ${service.name} service did not give its part of the data`,
    });
  return schema.parse(response.body);
}

/**
 * One person's data as one document: what each service holds of them, read from the services'
 * read models over their internal routes, with links to the blog's public pages.
 */
export async function collectPersonalData(input: {
  services: ServiceClients;
  person: ExportedPerson;
  /** The account itself, or the operator for a guest. */
  actor: Actor;
  publicBaseUrl: string;
  now: Date;
}): Promise<PersonalDataExport> {
  const { person, actor } = input;
  const base = input.publicBaseUrl.replace(/\/+$/, '');
  const [comments, posts, notifications]: [
    CommentsPersonalData,
    PostsPersonalData,
    NotificationsPersonalData,
  ] = await Promise.all([
    part(input.services.comments, person, actor, commentsPersonalDataSchema),
    part(input.services.posts, person, actor, postsPersonalDataSchema),
    part(input.services.notifications, person, actor, notificationsPersonalDataSchema),
  ]);
  const postLink = (slug: string) => `${base}/posts/${encodeURIComponent(slug)}`;
  return personalDataExportSchema.parse({
    format: PERSONAL_DATA_FORMAT,
    version: PERSONAL_DATA_VERSION,
    exportedAt: input.now.toISOString(),
    person:
      person.kind === 'account'
        ? { kind: 'account', accountId: person.account.id }
        : { kind: 'guest', email: person.email },
    account: person.kind === 'account' ? person.account : null,
    comments: comments.comments.map((c) => ({
      ...c,
      link: `${postLink(c.postSlug)}#comment-${c.id}`,
    })),
    likes: comments.likes.map((l) => ({
      ...l,
      link: l.postSlug === null ? null : `${postLink(l.postSlug)}#comment-${l.commentId}`,
    })),
    postLikes: posts.postLikes.map((l) => ({
      ...l,
      link: l.postSlug === null ? null : postLink(l.postSlug),
    })),
    subscriber: notifications.subscriber,
    subscriptions: notifications.subscriptions,
    notifications: notifications.notifications,
  } satisfies PersonalDataExport);
}

/** Whether anything at all is held of a guest (a mail with a link is only worth sending then). */
export function holdsAnything(data: PersonalDataExport): boolean {
  return (
    data.comments.length > 0 ||
    data.postLikes.length > 0 ||
    data.subscriber !== null ||
    data.subscriptions.length > 0 ||
    data.notifications.length > 0
  );
}
