import { bodyOf, parleyClient } from '@parley/client';
import type { PostCommentResponse, TokensResponse } from '@parley/contracts';

/** Every demo account logs in with this password. */
export const DEMO_PASSWORD = 'parley-demo';

interface DemoPerson {
  email: string;
  displayName: string;
}

const BOOTS: DemoPerson = { email: 'boots@parley.localhost', displayName: 'Boots' };
const AMY: DemoPerson = { email: 'amy@parley.localhost', displayName: 'Amy Lin' };
const BEN: DemoPerson = { email: 'ben@parley.localhost', displayName: 'Ben Okafor' };
const CLEO: DemoPerson = { email: 'cleo@parley.localhost', displayName: 'Cleo' };

export interface DemoSummary {
  seeded: boolean;
  postUrl?: string;
  accounts: string[];
}

/** Asks `probe` until it says yes, for 15 s at most. */
async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const POST_BODY = `Every Monday we pick one line from a film and argue about it. This week: Spike Jonze's *Her* (2013), the story of Theodore, who writes other people's love letters for a living and falls for Samantha, his operating system.

> "The past is just a story we tell ourselves."

Samantha says it to Theodore when he cannot stop going back over his marriage. Is it wisdom, or the kind of thing only someone without a past can say?

Tell us in the comments. Bonus points for the line you would have picked instead.`;

/**
 * Fills an empty Parley with a demo blog through its public API: an admin who writes, three
 * readers, a post with "12 Comments" in three threads (the deepest reply four levels down),
 * "3 bloggers like this", and one guest's first comment waiting in the moderation queue.
 * Does nothing when posts exist already.
 */
export async function seedDemo(baseUrl: string): Promise<DemoSummary> {
  const guest = parleyClient({ baseUrl });
  const existing = bodyOf(await guest.posts.list({ query: { limit: 1 } }));
  if (existing.items.length > 0) return { seeded: false, accounts: [] };

  const register = async (person: DemoPerson) =>
    bodyOf(
      await guest.identity.register({
        body: { email: person.email, password: DEMO_PASSWORD, displayName: person.displayName },
      }),
    );
  const boots = await register(BOOTS);
  const amy = await register(AMY);
  const ben = await register(BEN);
  const cleo = await register(CLEO);
  const admin = guest.as(boots.accessToken);

  // The demo's readers write faster than flood control allows; restore it afterwards.
  const settings = bodyOf(await admin.comments.settings());
  bodyOf(await admin.comments.changeSettings({ body: { floodSeconds: 0 } }));

  const draft = bodyOf(
    await admin.posts.create({
      body: {
        title: 'Movie Quote Monday: Her',
        body: POST_BODY,
        categories: ['Films'],
        tags: ['her', 'spike-jonze', 'movie-quotes'],
        series: 'Movie Quote Monday',
      },
    }),
  );
  const onPost = { params: { id: draft.id } };
  bodyOf(await admin.posts.publish(onPost));
  await until(async () => {
    // The comments service learns of the post from its events: 404 until then.
    const thread = await guest.comments.thread(onPost);
    return thread.ok && thread.body.commentsOpen;
  }, 'the post to take comments');

  const comment = async (
    body: string,
    who: TokensResponse | { name: string; email: string; url?: string },
    parentId?: string,
    notify?: 'none' | 'replies' | 'all',
  ) =>
    bodyOf(
      await guest.as('accessToken' in who ? who.accessToken : undefined).comments.post({
        ...onPost,
        body: {
          body,
          ...(parentId ? { parentId } : {}),
          ...('accessToken' in who ? {} : { author: who }),
          ...(notify ? { notify } : {}),
        },
      }),
    );

  /** A guest's comment may be held for a moderator: Boots lets it in, and it is shown. */
  const approved = async (posted: PostCommentResponse): Promise<PostCommentResponse> => {
    if (posted.status === 'approved') return posted;
    bodyOf(
      await admin.comments.moderate({ params: { id: posted.id }, body: { status: 'approved' } }),
    );
    await until(async () => {
      const thread = bodyOf(await guest.comments.thread(onPost));
      return thread.items.some((c) => c.id === posted.id);
    }, 'a held comment to be shown');
    return posted;
  };
  const wadeAsGuest = {
    name: 'Wade',
    email: 'wade@guest.parley.localhost',
    url: 'https://wade.example',
  };

  // Three threads, twelve comments, the first one four levels deep: the shape of the page Parley imitates.
  const amyTop = await comment(
    'This is the film I recommend to people who say they do not like science fiction. It is a film about **loneliness** that happens to have a computer in it.',
    amy,
  );
  const benOnAmy = await comment(
    'Agreed, although I think the line is a bit of a cop-out. Samantha can say that because she has no past to carry around.',
    ben,
    amyTop.id,
  );
  const amyOnBen = await comment(
    'But she does have one by the end, and she chooses to leave anyway. Maybe that is the point: the story changes when you tell it differently.',
    amy,
    benOnAmy.id,
  );
  await comment(
    'Four replies deep and I still do not know whose side I am on. Also: the score by Arcade Fire and Owen Pallett does half the work in that scene.',
    cleo,
    amyOnBen.id,
  );
  await comment(
    'Host here: loneliness is exactly why we picked it for a Monday. Next week is a comedy, promise.',
    boots,
    amyTop.id,
  );

  const wade = await approved(
    await comment(
      'First time commenting here. I cried at the ending, and I am not ashamed of it.',
      wadeAsGuest,
      undefined,
      'replies',
    ),
  );
  const bootsOnWade = await comment('Nothing to be ashamed of, Wade. Welcome!', boots, wade.id);
  await approved(
    await comment(
      'Thank you! I will be back next Monday, tissues ready.',
      wadeAsGuest,
      bootsOnWade.id,
    ),
  );

  const cleoTop = await comment(
    'My pick would have been "Sometimes I think I have felt everything I am ever gonna feel." Theodore says it like a confession, and it is the saddest line in the film.',
    cleo,
  );
  const benOnCleo = await comment(
    'That one is hard to hear, because everybody has thought it at least once.',
    ben,
    cleoTop.id,
  );
  await comment(
    'And then the film spends two hours proving him wrong. That is why I keep going back to it.',
    cleo,
    benOnCleo.id,
  );
  await comment(
    'I would have picked "I am yours and I am not yours." Nothing says 2013 quite like a relationship status explained by an operating system.',
    amy,
    cleoTop.id,
  );
  // A guest's first comment waits for a moderator: open /moderation as Boots to let it in.
  await comment('Has anyone seen the director cut? Where can I stream it?', {
    name: 'Priya',
    email: 'priya@guest.parley.localhost',
  });

  for (const reader of [amy, ben, cleo])
    bodyOf(await guest.as(reader.accessToken).posts.like(onPost));
  for (const [liker, liked] of [
    [boots, amyTop],
    [cleo, amyTop],
    [ben, cleoTop],
  ] as const)
    bodyOf(await guest.as(liker.accessToken).comments.like({ params: { id: liked.id } }));

  bodyOf(await admin.comments.changeSettings({ body: { floodSeconds: settings.floodSeconds } }));
  return {
    seeded: true,
    postUrl: `${baseUrl}/posts/${draft.slug}`,
    accounts: [BOOTS, AMY, BEN, CLEO].map((p) => p.email),
  };
}
