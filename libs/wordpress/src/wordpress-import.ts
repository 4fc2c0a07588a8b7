import { can } from '@parley/contracts';
import { createHash } from 'node:crypto';
import type {
  AccountView,
  CommentKind,
  CommentStatus,
  ImportedFrom,
  Role,
} from '@parley/contracts';
import { IMPORTED_WRITER_ID_PREFIX } from '@parley/domain';
import { htmlToText, plainTitle, wordpressPostHtml } from '@parley/text';
import { runParentsFirst } from './parents-first';
import { type WxrComment, type WxrItem, type WxrSite, readWxr } from './wxr-reader';

/** Someone of the old blog, as a comment or a post names them. */
export interface ImportPerson {
  name: string;
  /** A placeholder under `.invalid` when the source gave none (pingbacks, some guests). */
  email: string;
  url: string | null;
}

export interface ImportAccount {
  accountId: string;
  displayName: string;
  roles: readonly Role[];
}

/** The writer an account is to the import, from the account the identity answers with. */
export function importAccountOf(account: AccountView | null): ImportAccount | null {
  return account
    ? { accountId: account.id, displayName: account.displayName, roles: account.roles }
    : null;
}

export type PostImportStatus = 'draft' | 'scheduled' | 'published';

export interface PostToImport {
  postId: string;
  /**
   * The account that wrote it, by id only (its name is the account's), or a writer of the old
   * blog without an account here, by an imported writer's id and their old blog's byline.
   */
  author: { accountId: string; displayName?: string };
  slug: string;
  content: {
    title: string;
    body: string;
    excerpt: string | null;
    categories: string[];
    tags: string[];
    series: null;
  };
  commentSettings: { mode: 'open' | 'closed'; autoCloseDays: null };
  status: PostImportStatus;
  date: Date;
  imported: ImportedFrom;
}

export interface CommentToImport {
  commentId: string;
  postId: string;
  parentId: string | null;
  /** The account of this blog holding the address, or the guest as the old blog knew them. */
  author: { kind: 'account'; account: ImportAccount } | { kind: 'guest'; person: ImportPerson };
  content: string;
  status: CommentStatus;
  kind: CommentKind;
  postedAt: Date;
  imported: ImportedFrom;
}

/** What an import step did: added, found already there, or refused with a reason. */
export type StepOutcome = 'added' | 'existing' | { refused: string };

/** A refusal as the summary names it, in the same words whichever target refused. */
export function refusedAs(problem: { code: string; title: string }): { refused: string } {
  return { refused: `${problem.code}: ${problem.title}` };
}

/** Where the import goes: the services of one Parley, however they are reached. */
export interface ImportTarget {
  /** The account that has proved it holds this address, if any. */
  accountByEmail(email: string): Promise<ImportAccount | null>;
  importPost(post: PostToImport): Promise<StepOutcome>;
  importComment(comment: CommentToImport): Promise<StepOutcome>;
  /** Whether a post or comment of this id is here already (what a dry run reports). */
  has(what: 'post' | 'comment', id: string): Promise<boolean>;
}

export interface ImportSummary {
  site: WxrSite | null;
  dryRun: boolean;
  posts: { added: number; existing: number } & Record<PostImportStatus, number>;
  comments: {
    added: number;
    existing: number;
    byStatus: Record<CommentStatus, number>;
    byKind: Record<CommentKind, number>;
  };
  authors: { inFile: number; matchedAccounts: number };
  categories: number;
  tags: number;
  /** What was left out, by reason, with how many. */
  skipped: Record<string, number>;
  /** Notes on how something was brought in, by what, with how many. */
  notes: Record<string, number>;
}

export interface ImportOptions {
  /** Opens the file again for each pass: the first checks it whole, the second imports. */
  open: () => AsyncIterable<string | Buffer>;
  target: ImportTarget;
  dryRun: boolean;
  clock?: () => Date;
  onProgress?: (done: number, total: number) => void;
  /** The file's items, when checkWordpressExport has read it through already. */
  items?: number;
}

/** Reads an export through without importing: its items, or a WxrError for a broken file. */
export async function checkWordpressExport(
  open: () => AsyncIterable<string | Buffer>,
): Promise<number> {
  let items = 0;
  for await (const record of readWxr(open())) if (record.type === 'item') items += 1;
  return items;
}

/**
 * An id for something imported: a UUID v7 whose time is the original date (Parley sorts
 * threads and posts by id) and whose other bits come from the site and the WordPress id, so
 * the same thing imported again has the same id and adds nothing.
 */
export function importedId(site: string, what: 'post' | 'comment', id: string, at: Date): string {
  const bytes = createHash('sha256').update(`wordpress\n${site}\n${what}\n${id}`).digest();
  const ms = BigInt(Math.max(0, at.getTime()));
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const ZERO_DATE = /^0000-00-00/;

/** WordPress's `YYYY-MM-DD HH:MM:SS` in UTC, or the local date read as UTC when that is all there is. */
export function wordpressDate(gmt: string, local: string): Date | null {
  for (const text of [gmt, local]) {
    const match = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)$/.exec(text.trim());
    if (!match || ZERO_DATE.test(text)) continue;
    const date = new Date(
      `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`,
    );
    if (!Number.isNaN(date.getTime())) return date;
  }
  return null;
}

/**
 * How WordPress's post statuses read in Parley: published stays published, a future post is
 * scheduled, and what WordPress keeps out of sight (draft, pending review, private, password
 * protected) is a draft its author can see; the trash and auto-drafts are left out.
 */
export function postStatusOf(item: Pick<WxrItem, 'status' | 'password'>): PostImportStatus | null {
  switch (item.status) {
    case 'publish':
      return item.password ? 'draft' : 'published';
    case 'future':
      return 'scheduled';
    case 'draft':
    case 'pending':
    case 'private':
      return 'draft';
    default:
      return null;
  }
}

/** WordPress's `comment_approved`: 1 approved, 0 held, spam, trash (and the trash of a trashed post). */
export function commentStatusOf(approved: string): CommentStatus {
  switch (approved) {
    case '1':
    case 'approve':
      return 'approved';
    case 'spam':
      return 'spam';
    case 'trash':
    case 'post-trashed':
      return 'trash';
    default:
      return 'pending';
  }
}

export function commentKindOf(type: string): CommentKind {
  return type === 'pingback' || type === 'trackback' ? type : 'comment';
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function webAddress(url: string): string | null {
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max).trimEnd();
}

/** Comments in an order where each comes after the one it answers. */
function parentsFirst(comments: readonly WxrComment[]): WxrComment[] {
  const byId = new Map(comments.map((c) => [c.id, c]));
  const done = new Set<string>();
  const ordered: WxrComment[] = [];
  const visit = (comment: WxrComment, seen: Set<string>) => {
    if (done.has(comment.id) || seen.has(comment.id)) return;
    seen.add(comment.id);
    const parent = byId.get(comment.parentId);
    if (parent) visit(parent, seen);
    done.add(comment.id);
    ordered.push(comment);
  };
  for (const comment of comments) visit(comment, new Set());
  return ordered;
}

function emptySummary(dryRun: boolean): ImportSummary {
  return {
    site: null,
    dryRun,
    posts: { added: 0, existing: 0, published: 0, draft: 0, scheduled: 0 },
    comments: {
      added: 0,
      existing: 0,
      byStatus: { approved: 0, pending: 0, spam: 0, trash: 0 },
      byKind: { comment: 0, pingback: 0, trackback: 0 },
    },
    authors: { inFile: 0, matchedAccounts: 0 },
    categories: 0,
    tags: 0,
    skipped: {},
    notes: {},
  };
}

const count = (tally: Record<string, number>, key: string, n = 1) => {
  tally[key] = (tally[key] ?? 0) + n;
};

/**
 * Imports a WordPress export: reads the whole file once to check it (a file that is not WXR
 * or was cut off changes nothing), then brings in its posts and their comments through the
 * target. Every step is keyed by the site and the WordPress id, so a second run adds nothing
 * and a run that was stopped is finished by the next.
 */
export async function importWordpress(options: ImportOptions): Promise<ImportSummary> {
  const clock = options.clock ?? (() => new Date());
  const items = options.items ?? (await checkWordpressExport(options.open));

  const summary = emptySummary(options.dryRun);
  const authors = new Map<string, { email: string; displayName: string }>();
  // Each address is looked up once, however many of its comments are imported at once.
  const accounts = new Map<string, Promise<ImportAccount | null>>();
  const accountOf = (email: string): Promise<ImportAccount | null> => {
    const key = email.trim().toLowerCase();
    if (!EMAIL.test(key)) return Promise.resolve(null);
    let account = accounts.get(key);
    if (!account) {
      account = options.target.accountByEmail(key);
      accounts.set(key, account);
    }
    return account;
  };
  const categories = new Set<string>();
  const tags = new Set<string>();
  let site: WxrSite | null = null;
  let done = 0;
  options.onProgress?.(0, items);

  for await (const record of readWxr(options.open())) {
    switch (record.type) {
      case 'site':
        site = record.site;
        summary.site = site;
        break;
      case 'author':
        authors.set(record.author.login, {
          email: record.author.email,
          displayName: record.author.displayName,
        });
        break;
      case 'category':
      case 'tag':
        break;
      case 'item':
        if (site) await importItem(record.item, site);
        done += 1;
        options.onProgress?.(done, items);
        break;
    }
  }
  summary.authors.inFile = authors.size;
  const matched = await Promise.all(
    [...authors.values()].map(
      (a) => accounts.get(a.email.trim().toLowerCase()) ?? Promise.resolve(null),
    ),
  );
  summary.authors.matchedAccounts = matched.filter((account) => account != null).length;
  summary.categories = categories.size;
  summary.tags = tags.size;
  return summary;

  async function dryRun(what: 'post' | 'comment', id: string): Promise<StepOutcome> {
    return (await options.target.has(what, id)) ? 'existing' : 'added';
  }

  async function importItem(item: WxrItem, from: WxrSite): Promise<void> {
    if (item.postType !== 'post') {
      count(summary.skipped, `${item.postType || 'untyped'} items (Parley has posts only)`);
      if (item.comments.length)
        count(
          summary.skipped,
          `comments on ${item.postType || 'untyped'} items`,
          item.comments.length,
        );
      return;
    }
    const status = postStatusOf(item);
    const date = wordpressDate(item.dateGmt, item.date) ?? clock();
    if (status === null) {
      count(summary.skipped, `posts ${item.status || 'without a status'} (trash, auto-draft)`);
      count(summary.skipped, 'comments on posts left out', item.comments.length);
      return;
    }
    if (item.status === 'private') count(summary.notes, 'private posts imported as drafts');
    if (item.password) count(summary.notes, 'password-protected posts imported as drafts');
    const postId = importedId(from.url, 'post', item.postId, date);
    const terms = (domain: string) =>
      item.terms
        .filter((t) => t.domain === domain && t.name)
        .map((t) => clip(htmlToText(t.name), 60))
        .filter((t) => t.length > 0);
    const postCategories = terms('category');
    const postTags = terms('post_tag');
    postCategories.forEach((c) => categories.add(c.toLowerCase()));
    postTags.forEach((t) => tags.add(t.toLowerCase()));
    const title = plainTitle(item.title);
    if (!title) count(summary.notes, 'posts without a title, titled "(no title)"');
    // Logins hold no angle brackets; some exports leave one on (`>themereviewteam`).
    const writer = authors.get(item.creator.replace(/[<>]/g, ''));
    const account = writer ? await accountOf(writer.email) : null;
    const author: PostToImport['author'] =
      account && can(account, 'write')
        ? { accountId: account.accountId }
        : {
            accountId: `${IMPORTED_WRITER_ID_PREFIX}${createHash('sha256').update(`${from.url}\n${item.creator}`).digest('hex').slice(0, 24)}`,
            displayName: clip(writer?.displayName || item.creator || 'WordPress', 80),
          };
    const excerpt = htmlToText(item.excerpt);
    const link = webAddress(item.link);
    const post: PostToImport = {
      postId,
      author,
      slug: item.slug,
      content: {
        title: clip(title || '(no title)', 300),
        body: wordpressPostHtml(item.content),
        excerpt: excerpt || null,
        categories: postCategories,
        tags: postTags,
        series: null,
      },
      commentSettings: {
        mode: item.commentStatus === 'open' ? 'open' : 'closed',
        autoCloseDays: null,
      },
      status,
      date,
      imported: {
        system: 'wordpress',
        site: from.url,
        id: item.postId,
        ...(link && link.length <= 2000 ? { link } : {}),
      },
    };
    const outcome = options.dryRun
      ? await dryRun('post', postId)
      : await options.target.importPost(post);
    if (typeof outcome === 'object') {
      count(summary.skipped, `posts refused: ${outcome.refused}`);
      count(summary.skipped, 'comments on posts left out', item.comments.length);
      return;
    }
    summary.posts[outcome] += 1;
    summary.posts[status] += 1;

    const present = new Set(item.comments.map((c) => c.id));
    const parentOf = (comment: WxrComment) =>
      comment.parentId && comment.parentId !== '0' ? comment.parentId : null;
    const ordered = parentsFirst(item.comments);
    // Several comments of the post at a time, each once its parent is in: their appends share
    // the store's syncs.
    const results = await runParentsFirst(ordered, {
      limit: COMMENTS_AT_A_TIME,
      idOf: (comment) => comment.id,
      parentOf,
      run: async (comment, parent): Promise<CommentResult> => {
        const parentWpId = parentOf(comment);
        if (parentWpId && present.has(parentWpId) && !parent?.commentId)
          return { orphaned: true, commentId: null };
        return importComment(comment, postId, parent?.commentId ?? null, date, from);
      },
    });
    // Counted in the order the comments were taken, once all are in, so that the summary reads
    // the same however their imports overlapped.
    ordered.forEach((comment, index) => {
      const parentWpId = parentOf(comment);
      if (parentWpId && !present.has(parentWpId))
        count(
          summary.notes,
          'replies to a comment not in the file, imported as top-level comments',
        );
      tally(results[index]!);
    });
  }

  function tally(result: CommentResult): void {
    if ('orphaned' in result) {
      count(summary.skipped, 'replies to a comment that was not imported');
      return;
    }
    if ('refused' in result) {
      count(summary.skipped, `comments refused: ${result.refused}`);
      return;
    }
    if (result.byAccount)
      count(summary.notes, 'comments given to the account holding their address');
    summary.comments[result.outcome] += 1;
    summary.comments.byStatus[result.status] += 1;
    summary.comments.byKind[result.kind] += 1;
  }

  async function importComment(
    comment: WxrComment,
    postId: string,
    parentId: string | null,
    postDate: Date,
    from: WxrSite,
  ): Promise<CommentResult> {
    const postedAt = wordpressDate(comment.dateGmt, comment.date) ?? postDate;
    const commentId = importedId(from.url, 'comment', comment.id, postedAt);
    const kind = commentKindOf(comment.type);
    const commentStatus = commentStatusOf(comment.approved);
    const email = comment.authorEmail.trim().toLowerCase();
    const account = kind === 'comment' && EMAIL.test(email) ? await accountOf(email) : null;
    const name =
      clip(htmlToText(comment.authorName), 80) ||
      (kind === 'comment' ? 'Anonymous' : comment.authorUrl);
    const outcome = options.dryRun
      ? await dryRun('comment', commentId)
      : await options.target.importComment({
          commentId,
          postId,
          parentId,
          author: account
            ? { kind: 'account', account }
            : {
                kind: 'guest',
                person: {
                  name: clip(name || 'Anonymous', 80),
                  email: EMAIL.test(email)
                    ? email
                    : `wordpress-${createHash('sha256').update(`${from.url}\n${comment.id}`).digest('hex').slice(0, 16)}@import.invalid`,
                  url: webAddress(comment.authorUrl),
                },
              },
          content: comment.content,
          status: commentStatus,
          kind,
          postedAt,
          imported: { system: 'wordpress', site: from.url, id: comment.id },
        });
    if (typeof outcome === 'object') return { refused: outcome.refused, commentId: null };
    return { outcome, commentId, status: commentStatus, kind, byAccount: account !== null };
  }
}

/** What became of one comment: its id when it is here (added or found), null when not. */
type CommentResult =
  | {
      commentId: string;
      outcome: 'added' | 'existing';
      status: CommentStatus;
      kind: CommentKind;
      byAccount: boolean;
    }
  | { commentId: null; refused: string }
  | { commentId: null; orphaned: true };

/**
 * How many comments of one post are imported at once: enough for their appends to share the
 * store's syncs (the embedded log takes about 19,000 commits/s from 16 writers), few enough
 * that a failure leaves little under way.
 */
export const COMMENTS_AT_A_TIME = 8;

/** The summary as lines for a terminal. */
export function describeSummary(summary: ImportSummary): string {
  const lines: string[] = [];
  const verb = summary.dryRun ? 'would import' : 'imported';
  lines.push(
    `${summary.site ? `${summary.site.title} (${summary.site.url})` : 'WordPress export'}: ${verb}` +
      (summary.dryRun ? ' (dry run, nothing written)' : ''),
  );
  const p = summary.posts;
  lines.push(
    `  posts:      ${p.added} new, ${p.existing} already here (${p.published} published, ${p.scheduled} scheduled, ${p.draft} drafts)`,
  );
  const c = summary.comments;
  lines.push(
    `  comments:   ${c.added} new, ${c.existing} already here (${c.byStatus.approved} approved, ${c.byStatus.pending} pending, ${c.byStatus.spam} spam, ${c.byStatus.trash} trash; ${c.byKind.comment} comments, ${c.byKind.pingback} pingbacks, ${c.byKind.trackback} trackbacks)`,
  );
  lines.push(
    `  authors:    ${summary.authors.inFile} in the file, ${summary.authors.matchedAccounts} matched to accounts here by address`,
  );
  lines.push(`  categories: ${summary.categories}, tags: ${summary.tags}`);
  const skipped = Object.entries(summary.skipped).filter(([, n]) => n > 0);
  lines.push(skipped.length ? '  skipped:' : '  skipped:    nothing');
  for (const [reason, n] of skipped) lines.push(`    ${n} ${reason}`);
  for (const [note, n] of Object.entries(summary.notes)) lines.push(`  note:       ${n} ${note}`);
  return `${lines.join('\n')}\n`;
}
