import type { Page, Response } from 'playwright';
import { normalizePost, parseGraphqlBody, rawProfilePosts, type ThreadsPost } from './posts.js';
import { threadsGraphql, threadsPaths, threadsSelectors } from './selectors.js';

export type LoginState =
  | { loggedIn: true; username: string }
  | { loggedIn: false; reason: 'login_required' | 'checkpoint' | 'action_blocked' | 'unknown_page' };

export type TargetState =
  | { kind: 'available'; code: string }
  | { kind: 'gone' }
  | { kind: 'already_replied' };

export type SubmitOutcome =
  | { kind: 'posted'; postUrl: string }
  | { kind: 'failed'; message: string; blocked: boolean }
  | { kind: 'unknown'; message: string };

/** A page of the site did not look as expected; the message names the expectation. */
export class SiteError extends Error {
  override name = 'SiteError';
  constructor(
    readonly code: 'login_required' | 'checkpoint' | 'action_blocked' | 'selector_missing' | 'text_mismatch',
    message: string,
  ) {
    super(message);
  }
}

/** Seconds by which this machine's clock may run ahead of the site's `taken_at` times. */
const CLOCK_SKEW_SECONDS = 60;

/** Text as compared in a read-back: LF line endings, plain spaces, no surrounding whitespace. */
export function normalizePostText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ')
    .trim();
}

export interface ThreadsAdapterOptions {
  baseUrl: string;
  username?: string | undefined;
  /** How long to wait for one element or page. */
  timeoutMs: number;
}

/** Drives the Threads web app. Selectors and paths live in `selectors.ts`. */
export class ThreadsAdapter {
  constructor(private readonly options: ThreadsAdapterOptions) {}

  url(path: string): string {
    return new URL(path, this.options.baseUrl).toString();
  }

  /** Opens the home page and returns whether it shows the logged-in app, and for which account. */
  async checkLogin(page: Page): Promise<LoginState> {
    await page.goto(this.url(threadsPaths.home), {
      waitUntil: 'domcontentloaded',
      timeout: this.options.timeoutMs,
    });
    const blocked = this.classifyUrl(page.url());
    if (blocked) return { loggedIn: false, reason: blocked };

    const prompt = page.locator(threadsSelectors.composerPrompt).first();
    const login = page.locator(threadsSelectors.loginForm).first();
    try {
      await prompt.or(login).waitFor({ state: 'visible', timeout: this.options.timeoutMs });
    } catch {
      return { loggedIn: false, reason: this.classifyUrl(page.url()) ?? 'unknown_page' };
    }
    if (await login.isVisible()) return { loggedIn: false, reason: 'login_required' };

    return { loggedIn: true, username: await this.readUsername(page) };
  }

  /** Returns the account name from configuration, else from the navigation's profile link. */
  async readUsername(page: Page): Promise<string> {
    if (this.options.username) return this.options.username;
    const href = await page.locator(threadsSelectors.profileLink).first().getAttribute('href', {
      timeout: this.options.timeoutMs,
    });
    const match = href ? /^\/@([A-Za-z0-9._]+)\/?$/.exec(href) : null;
    if (!match?.[1]) {
      throw new SiteError(
        'selector_missing',
        `the navigation has no profile link of the form /@username (found ${href})`,
      );
    }
    return match[1];
  }

  async openComposer(page: Page): Promise<void> {
    await page.locator(threadsSelectors.composerPrompt).first().click({ timeout: this.options.timeoutMs });
    await page
      .locator(threadsSelectors.editor)
      .waitFor({ state: 'visible', timeout: this.options.timeoutMs });
  }

  /**
   * Types into the Lexical editor with keyboard events. Newlines go in as Shift+Enter, which
   * Lexical stores as a line break. A line with a tab goes in as one inserted text, because a Tab
   * key press moves focus and a lone inserted tab clears the line in Lexical 0.52.
   */
  async typeText(page: Page, text: string): Promise<void> {
    const editor = page.locator(threadsSelectors.editor);
    await editor.click({ timeout: this.options.timeoutMs });
    const lines = text.split('\n');
    for (const [index, line] of lines.entries()) {
      if (index > 0) await page.keyboard.press('Shift+Enter');
      if (line.includes('\t')) await page.keyboard.insertText(line);
      else if (line !== '') await page.keyboard.type(line);
    }
  }

  /** Reads the editor's text as the page renders it, to compare with the text that was typed. */
  async readEditorText(page: Page): Promise<string> {
    return page.locator(threadsSelectors.editor).evaluate((element) => (element as HTMLElement).innerText);
  }

  async screenshotComposer(page: Page): Promise<Buffer> {
    return page.locator(threadsSelectors.dialog).first().screenshot({ timeout: this.options.timeoutMs });
  }

  /**
   * Opens a post's permalink and reads it again before a reply: gone when the site shows it as
   * unavailable, already replied when a post of this account is among its replies.
   */
  async readReplyTarget(page: Page, postUrl: string, username: string): Promise<TargetState> {
    const code = this.codeOf(postUrl);
    const response = await page.goto(this.url(new URL(postUrl).pathname), {
      waitUntil: 'domcontentloaded',
      timeout: this.options.timeoutMs,
    });
    const blocked = this.classifyUrl(page.url());
    if (blocked)
      throw new SiteError(blocked, `opening the reply target led to ${new URL(page.url()).pathname}`);
    if (response?.status() === 404) return { kind: 'gone' };

    const target = page.locator(threadsSelectors.postWithCode(code)).first();
    const unavailable = page.locator(threadsSelectors.unavailable).first();
    await target.or(unavailable).waitFor({ state: 'visible', timeout: this.options.timeoutMs });
    if (await unavailable.isVisible()) return { kind: 'gone' };

    const authors = await page
      .locator(`${threadsSelectors.post} ${threadsSelectors.authorLink}`)
      .evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    // The first container is the target itself; any later one by this account is an earlier reply.
    const ownLater = authors.slice(1).some((href) => href === `/@${username}`);
    return ownLater ? { kind: 'already_replied' } : { kind: 'available', code };
  }

  /** Opens the reply composer of the post shown on its permalink. */
  async openReplyComposer(page: Page, postUrl: string): Promise<void> {
    const target = page.locator(threadsSelectors.postWithCode(this.codeOf(postUrl))).first();
    await target.locator(threadsSelectors.replyButton).first().click({ timeout: this.options.timeoutMs });
    await page
      .locator(threadsSelectors.editor)
      .waitFor({ state: 'visible', timeout: this.options.timeoutMs });
  }

  /**
   * Likes a post unless it is liked already, so a repeated like never unlikes. Returns whether
   * this call changed anything.
   */
  async like(page: Page, postUrl: string): Promise<{ liked: true; changed: boolean }> {
    await page.goto(this.url(new URL(postUrl).pathname), {
      waitUntil: 'domcontentloaded',
      timeout: this.options.timeoutMs,
    });
    const blocked = this.classifyUrl(page.url());
    if (blocked) throw new SiteError(blocked, `opening the post led to ${new URL(page.url()).pathname}`);

    const target = page.locator(threadsSelectors.postWithCode(this.codeOf(postUrl))).first();
    const like = target.locator(threadsSelectors.likeButton).first();
    const unlike = target.locator(threadsSelectors.unlikeButton).first();
    try {
      await like.or(unlike).waitFor({ state: 'visible', timeout: this.options.timeoutMs });
    } catch {
      throw new SiteError('selector_missing', `the post ${postUrl} has no Like button`);
    }
    if (await unlike.isVisible()) return { liked: true, changed: false };

    await like.click({ timeout: this.options.timeoutMs });
    const blockedNotice = page.locator(threadsSelectors.actionBlocked).first();
    await unlike.or(blockedNotice).waitFor({ state: 'visible', timeout: this.options.timeoutMs });
    if (await blockedNotice.isVisible()) {
      throw new SiteError('action_blocked', 'Threads blocked the like ("We restrict certain activity")');
    }
    return { liked: true, changed: true };
  }

  /** Tells whether the page in view is a login wall, a checkpoint or an "action blocked" notice. */
  async detectBlock(page: Page): Promise<'login_required' | 'checkpoint' | 'action_blocked' | null> {
    const byUrl = this.classifyUrl(page.url());
    if (byUrl) return byUrl;
    if (await page.locator(threadsSelectors.actionBlocked).first().isVisible()) return 'action_blocked';
    if (await page.locator(threadsSelectors.loginForm).first().isVisible()) return 'login_required';
    return null;
  }

  codeOf(postUrl: string): string {
    const match = threadsPaths.permalinkPattern.exec(new URL(postUrl).pathname);
    if (!match?.[2]) throw new SiteError('selector_missing', `${postUrl} is not a post permalink`);
    return match[2];
  }

  /** Waits until Post is enabled, then clicks it once; this method never clicks again. */
  async clickPost(page: Page): Promise<void> {
    const enabled = page.locator(threadsSelectors.enabledPostButton);
    try {
      await enabled.waitFor({ state: 'visible', timeout: this.options.timeoutMs });
    } catch (error) {
      throw new SiteError(
        'selector_missing',
        `the Post button did not become enabled: ${String(error).slice(0, 200)}`,
      );
    }
    // No retries: a click that Playwright reports as failed may still have reached the page.
    await enabled.click({ timeout: this.options.timeoutMs, noWaitAfter: true });
  }

  /** Waits for the "Posted" toast's View link, an error in the composer, or the deadline. */
  async waitForOutcome(page: Page, timeoutMs: number): Promise<SubmitOutcome> {
    const view = page.locator(threadsSelectors.toastViewLink).first();
    const error = page.locator(threadsSelectors.composerError).first();
    const blocked = page.locator(threadsSelectors.actionBlocked).first();
    try {
      await view.or(error).or(blocked).waitFor({ state: 'visible', timeout: timeoutMs });
    } catch {
      return { kind: 'unknown', message: `no "Posted" toast within ${timeoutMs} ms` };
    }

    if (await blocked.isVisible()) {
      return {
        kind: 'failed',
        message: 'Threads blocked the action ("We restrict certain activity")',
        blocked: true,
      };
    }
    if (await error.isVisible()) {
      const text = (await error.innerText()).trim().slice(0, 300);
      return {
        kind: 'failed',
        message: `Threads refused the post: ${text || 'an error was shown'}`,
        blocked: false,
      };
    }
    const href = await view.getAttribute('href');
    if (!href) return { kind: 'unknown', message: 'the toast has a View link without an href' };
    const postUrl = new URL(href, page.url()).toString();
    if (!threadsPaths.permalinkPattern.test(new URL(postUrl).pathname)) {
      return { kind: 'unknown', message: `the View link ${postUrl} is not a post permalink` };
    }
    return { kind: 'posted', postUrl };
  }

  /**
   * Reads the account's newest posts on its profile, from the page's own GraphQL responses and the
   * server-rendered data, and returns them newest first.
   */
  async readProfilePosts(page: Page, username: string): Promise<ThreadsPost[]> {
    const answers: Promise<unknown[]>[] = [];
    const onResponse = (response: Response) => {
      if (!this.isGraphql(response, threadsGraphql.profileThreads)) return;
      answers.push(response.text().then((body) => rawProfilePosts(parseGraphqlBody(body))));
    };
    page.on('response', onResponse);
    try {
      // A profile without posts may send no query, so a missing response counts as no posts.
      const firstAnswer = page
        .waitForResponse((response) => this.isGraphql(response, threadsGraphql.profileThreads), {
          timeout: this.options.timeoutMs,
        })
        .then(
          () => true,
          () => false,
        );
      await page.goto(this.url(threadsPaths.profile(username)), {
        waitUntil: 'domcontentloaded',
        timeout: this.options.timeoutMs,
      });
      const blocked = this.classifyUrl(page.url());
      if (blocked) throw new SiteError(blocked, `reading the profile led to ${new URL(page.url()).pathname}`);

      const embedded = await this.readEmbeddedPosts(page);
      if (embedded.length === 0) await firstAnswer;
      const fetched = (await Promise.all(answers)).flat();
      return [...fetched, ...embedded]
        .map((raw) => normalizePost(raw, this.options.baseUrl))
        .filter((post): post is ThreadsPost => post !== null);
    } finally {
      page.off('response', onResponse);
    }
  }

  /**
   * Finds the account's post with this text, made at or after `sinceSeconds` less a margin for
   * clock skew between this machine and the site. Texts are compared after normalizing line
   * endings, non-breaking spaces and surrounding whitespace, which the site may change.
   *
   * NOTE: this reads the profile's threads tab, which lists posts but not replies, so a reply
   * without its "Posted" toast is never found here and its verify job ends in `failed`.
   */
  async findOwnPost(
    page: Page,
    username: string,
    text: string,
    sinceSeconds: number,
  ): Promise<string | null> {
    const posts = await this.readProfilePosts(page, username);
    const wanted = normalizePostText(text);
    const earliest = sinceSeconds - CLOCK_SKEW_SECONDS;
    const match = posts.find(
      (post) =>
        post.author?.username === username &&
        post.text !== null &&
        normalizePostText(post.text) === wanted &&
        post.takenAt !== null &&
        Date.parse(post.takenAt) / 1000 >= earliest,
    );
    return match?.permalink ?? null;
  }

  private async readEmbeddedPosts(page: Page): Promise<unknown[]> {
    const blocks = await page.locator('script[type="application/json"][data-sjs]').allTextContents();
    const posts: unknown[] = [];
    for (const block of blocks) {
      collectThreadItems(safeJson(block), posts, 0);
    }
    return posts;
  }

  private isGraphql(response: Response, friendlyName: string): boolean {
    const request = response.request();
    return (
      request.method() === 'POST' &&
      new URL(request.url()).pathname === threadsGraphql.path &&
      request.headers()[threadsGraphql.friendlyNameHeader] === friendlyName
    );
  }

  classifyUrl(url: string): 'login_required' | 'checkpoint' | null {
    const path = new URL(url).pathname;
    if (threadsPaths.loginPattern.test(path)) return 'login_required';
    if (threadsPaths.checkpointPattern.test(path)) return 'checkpoint';
    return null;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Walks embedded page data for `thread_items[].post` entries, wherever the blocks nest them. */
function collectThreadItems(value: unknown, into: unknown[], depth: number): void {
  if (depth > 40 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) collectThreadItems(item, into, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  if (Array.isArray(record.thread_items)) {
    for (const item of record.thread_items) {
      const post = (item as { post?: unknown } | null)?.post;
      if (post) into.push(post);
    }
    return;
  }
  for (const child of Object.values(record)) collectThreadItems(child, into, depth + 1);
}
