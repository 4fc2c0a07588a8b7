import type { TokensResponse } from '@parley/contracts';
import { type JsonAnswer, eventually, requestJson } from '@parley/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  type EmbeddedOptions,
  type EmbeddedParley,
  startEmbeddedParley,
} from '../../apps/standalone/src/embedded-platform';

export const PASSWORD = 'correct horse battery staple';

/** Waits for a probe's answer, as a page's script or a projection catches up. */
export function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  return eventually(probe, { timeoutMs, intervalMs: 50 });
}

/**
 * The blog of one process a browser test drives, and the calls its setup makes through the
 * public API; made at the top of a suite, opened in its `beforeAll`.
 */
export class ReaderBlog {
  private running?: EmbeddedParley;

  async open(options: Partial<EmbeddedOptions> = {}): Promise<void> {
    this.running = await startEmbeddedParley({
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      ...options,
    });
  }

  get parley(): EmbeddedParley {
    if (!this.running) throw new Error('The blog is not open yet');
    return this.running;
  }

  get url(): string {
    return this.parley.url;
  }

  api<T>(method: string, path: string, body?: unknown, token?: string): Promise<JsonAnswer<T>> {
    return requestJson<T>(this.url, method, path, body, token);
  }

  async register(email: string, displayName: string): Promise<TokensResponse> {
    const registered = await this.api<TokensResponse>('POST', '/api/v1/auth/register', {
      email,
      password: PASSWORD,
      displayName,
    });
    return registered.body;
  }

  /** Drafts and publishes a post, and waits until the comments service takes comments on it. */
  async publishedPost(
    token: string,
    post: { title: string; body: string } & Record<string, unknown>,
  ): Promise<{ id: string; slug: string; path: string }> {
    const draft = await this.api<{ id: string; slug: string }>(
      'POST',
      '/api/v1/posts',
      post,
      token,
    );
    const { id, slug } = draft.body;
    await this.api('POST', `/api/v1/posts/${id}/publish`, undefined, token);
    await until(async () => {
      const thread = await this.api<{ commentsOpen: boolean }>(
        'GET',
        `/api/v1/posts/${id}/comments`,
      );
      return thread.body.commentsOpen ? true : undefined;
    });
    return { id, slug, path: `/posts/${slug}` };
  }

  /** A fresh browser context signed in on the login page, landing on `next`. */
  async signedIn(
    browser: Browser,
    email: string,
    next: string,
    scheme: 'light' | 'dark' = 'light',
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      colorScheme: scheme,
      // Lets the accessibility checker's script into the page; the page itself loads no other.
      bypassCSP: true,
    });
    const page = await context.newPage();
    await logIn(page, this.url, email, PASSWORD, next);
    await page.waitForURL(`${this.url}${next}`);
    return { context, page };
  }

  async close(): Promise<void> {
    await this.running?.close();
  }
}

/** Fills in the login page and submits it. */
export async function logIn(
  page: Page,
  base: string,
  email: string,
  password: string,
  next: string,
): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}
