import type { Role } from './common.schemas';

/** What a role lets its holder do on the whole blog. */
export type Capability =
  /** Write, schedule and publish posts of their own. */
  | 'write'
  /** Moderate every comment (authors moderate the comments on their own posts only). */
  | 'moderate'
  /** Change the blog's settings and roles, and any post. */
  | 'administer';

const GRANTS: Record<Role, readonly Capability[]> = {
  reader: [],
  author: ['write'],
  moderator: ['moderate'],
  admin: ['write', 'moderate', 'administer'],
};

/** The blog's one authorization rule: whether someone with these roles may do this. */
export function can(
  who: { readonly roles: readonly Role[] } | null | undefined,
  capability: Capability,
): boolean {
  return who?.roles.some((role) => GRANTS[role].includes(capability)) ?? false;
}

/** Whether someone may act on a thing of their own, or on anyone's with the capability. */
export function canOnOwn(
  who: { readonly accountId: string; readonly roles: readonly Role[] } | null | undefined,
  ownerId: string | null,
  capability: Capability,
): boolean {
  return can(who, capability) || (who != null && ownerId !== null && who.accountId === ownerId);
}
