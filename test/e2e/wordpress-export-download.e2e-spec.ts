import type { PostCommentResponse, PostView } from '@parley/contracts';
import { type HarnessMode, runEntryPoint, describeInfra, eventually } from '@parley/testing';
import { SaxesParser } from 'saxes';
import { PUBLIC_BASE_URL, registerAccount, stackForTests } from './stack';

interface WxrComment {
  id: string;
  parent: string;
  approved: string;
  author: string;
  email: string;
  content: string;
}

/** The posts of an export by slug, with their status and comments, read by a strict XML parser. */
function readExport(xml: string) {
  const parser = new SaxesParser({ xmlns: true });
  const posts = new Map<string, { status: string; comments: WxrComment[] }>();
  const channel: Record<string, string> = {};
  let text = '';
  let fields: Record<string, string> | null = null;
  let comments: WxrComment[] = [];
  let comment: Record<string, string> | null = null;
  parser.on('opentag', (tag) => {
    text = '';
    if (tag.name === 'item') {
      fields = {};
      comments = [];
    } else if (tag.name === 'wp:comment') comment = {};
  });
  parser.on('text', (t) => (text += t));
  parser.on('cdata', (t) => (text += t));
  parser.on('closetag', (tag) => {
    if (tag.name === 'wp:comment' && comment) {
      comments.push({
        id: comment['wp:comment_id'] ?? '',
        parent: comment['wp:comment_parent'] ?? '',
        approved: comment['wp:comment_approved'] ?? '',
        author: comment['wp:comment_author'] ?? '',
        email: comment['wp:comment_author_email'] ?? '',
        content: comment['wp:comment_content'] ?? '',
      });
      comment = null;
    } else if (comment) comment[tag.name] = text;
    else if (tag.name === 'item' && fields) {
      posts.set(fields['wp:post_name'] ?? '', { status: fields['wp:status'] ?? '', comments });
      fields = null;
    } else if (fields) fields[tag.name] = text;
    else channel[tag.name] = text;
  });
  parser.write(xml).close();
  return { posts, channel };
}

/** `npm run export -- wordpress` with KAFKA_BROKERS set: the gateway's entry point, as a process. */
const runGatewayExport = (env: Record<string, string>) =>
  runEntryPoint('gateway', ['export', 'wordpress'], { env: { LOG_LEVEL: 'warn', ...env } });

/**
 * An admin downloads the blog as a WordPress export, on both stacks: the gateway reads it from
 * the posts and comments services, which give it to admins only.
 */
function download(mode: HarnessMode): void {
  describe(`the WordPress export download (${mode})`, () => {
    jest.setTimeout(mode === 'distributed' ? 120_000 : 30_000);
    const wait = { timeoutMs: mode === 'distributed' ? 60_000 : 10_000 };
    const { smtp, parley, call } = stackForTests(mode, 120_000);

    const register = async (email: string, displayName: string) =>
      (await registerAccount(call, email, displayName)).accessToken;

    it('gives admins the posts and every comment with its parent, status and the guest address, and nobody else', async () => {
      const admin = await register('admin@blog.example', 'Boots');
      const reader = await register('reader@blog.example', 'Amy Reader');
      expect(
        (await call('PUT', '/api/v1/settings/comments', { floodSeconds: 0 }, admin)).status,
      ).toBe(200);
      const draft = await call<PostView>(
        'POST',
        '/api/v1/posts',
        {
          title: 'Export me',
          body: 'A post with **bold** text.',
          categories: ['News'],
          tags: ['wxr'],
        },
        admin,
      );
      expect(draft.status).toBe(201);
      const postId = draft.body.id;
      expect((await call('POST', `/api/v1/posts/${postId}/publish`, undefined, admin)).status).toBe(
        200,
      );
      await eventually(
        async () => (await call('GET', '/api/v1/posts/export-me')).status === 200 || undefined,
        wait,
      );

      const guest = (name: string, email: string) => ({
        name,
        email,
        url: 'https://guest.example/',
      });
      const post = async (body: string, author: ReturnType<typeof guest>, parentId?: string) => {
        const posted = await call<PostCommentResponse>('POST', `/api/v1/posts/${postId}/comments`, {
          body,
          author,
          ...(parentId ? { parentId } : {}),
        });
        expect(posted.status).toBe(201);
        return posted.body.id;
      };
      const moderate = async (id: string, status: string) =>
        expect(
          (await call('POST', `/api/v1/comments/${id}/moderation`, { status }, admin)).status,
        ).toBe(200);
      const top = await post('Top ]]> of the thread', guest('Ann Guest', 'ann@guest.example'));
      await moderate(top, 'approved');
      const reply = await post('A reply', guest('Bob Guest', 'bob@guest.example'), top);
      await moderate(reply, 'approved');
      const held = await post('Held for now', guest('Cy Guest', 'cy@guest.example'));
      await moderate(held, 'pending');
      const spam = await post('Spam it is', guest('Dee Spam', 'dee@guest.example'));
      await moderate(spam, 'spam');
      const trashed = await post('Trash it is', guest('Eve Trash', 'eve@guest.example'));
      await moderate(trashed, 'trash');

      const anonymous = await call('GET', '/api/v1/exports/wordpress');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
      const notAdmin = await call('GET', '/api/v1/exports/wordpress', undefined, reader);
      expect(notAdmin.status).toBe(403);
      expect(notAdmin.headers.get('content-type')).toContain('application/problem+json');

      const answer = await call('GET', '/api/v1/exports/wordpress', undefined, admin);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^application\/rss\+xml/);
      expect(answer.headers.get('content-disposition')).toMatch(
        /^attachment; filename="parley-wordpress-\d{4}-\d\d-\d\d\.xml"$/,
      );
      const { posts, channel } = readExport(answer.text);
      expect(channel['wp:wxr_version']).toBe('1.2');
      expect(channel['wp:base_blog_url']).toBe(PUBLIC_BASE_URL);
      const exported = posts.get('export-me');
      expect(exported?.status).toBe('publish');
      const byAuthor = new Map(exported?.comments.map((c) => [c.author, c]));
      expect([...byAuthor.values()].map((c) => [c.author, c.approved, c.email]).sort()).toEqual([
        ['Ann Guest', '1', 'ann@guest.example'],
        ['Bob Guest', '1', 'bob@guest.example'],
        ['Cy Guest', '0', 'cy@guest.example'],
        ['Dee Spam', 'spam', 'dee@guest.example'],
        ['Eve Trash', 'trash', 'eve@guest.example'],
      ]);
      expect(byAuthor.get('Bob Guest')?.parent).toBe(byAuthor.get('Ann Guest')?.id);
      expect(byAuthor.get('Ann Guest')?.parent).toBe('0');
      expect(byAuthor.get('Ann Guest')?.content).toContain('Top ]]&gt; of the thread');

      if (mode === 'distributed') {
        // The command an operator runs with the gateway's environment reads the same services.
        const services = parley().services!;
        const command = await runGatewayExport({
          POSTS_URL: services.posts.url,
          COMMENTS_URL: services.comments.url,
          NOTIFICATIONS_URL: services.notifications.url,
          JWT_SECRET: 'an-export-command-secret-of-32-chars-at-least',
          PUBLIC_BASE_URL,
          SMTP_URL: smtp.url,
        });
        expect({ code: command.code, stderr: command.stderr }).toMatchObject({ code: 0 });
        expect(command.stderr).toMatch(/exported 1 posts, 5 comments/);
        expect(readExport(command.stdout).posts).toEqual(posts);
      }
    });
  });
}

download('embedded');
describeInfra('the WordPress export download on Kafka and the Mongo-compatible server', () =>
  download('distributed'),
);
