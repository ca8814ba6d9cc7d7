import type { Page, Response } from 'playwright';
import { toError } from '../../../shared/errors.js';
import { SiteError } from './adapter.js';
import {
  type DomPost,
  embeddedFeedPages,
  FeedCollector,
  type FeedPage,
  normalizeDomPost,
  parseFeedAnswer,
} from './feed.js';
import type { ThreadsPost } from './posts.js';
import { threadsFeed, threadsGraphql, threadsPaths, threadsSelectors } from './selectors.js';

export interface ReadFeedOptions {
  baseUrl: string;
  /** Posts to read; the reader stops scrolling once it has this many. */
  limit: number;
  /** How long to wait for the page to load or to respond to one scroll. */
  timeoutMs: number;
  /** Called after each feed page is taken in, with its 0-based index and the posts gathered so far. */
  onPage?: (index: number, source: 'embedded' | 'graphql', total: number) => Promise<void>;
}

export interface FeedReadResult {
  posts: ThreadsPost[];
  source: 'graphql' | 'dom';
  /** Feed pages read: embedded blocks and GraphQL responses. */
  pages: number;
}

/** Scroll attempts per wait for the next response, and each gets an equal share of the timeout. */
const SCROLL_ATTEMPTS = 3;

/**
 * Reads the home feed from the page's own `BarcelonaFeedPaginationDirectQuery` responses, after the
 * feed pages embedded in the HTML, scrolling to make the page ask for more. It never sends a query
 * itself. When the page yields neither, it reads the post containers of the DOM.
 */
export async function readHomeFeed(page: Page, options: ReadFeedOptions): Promise<FeedReadResult> {
  const answers = new AnswerQueue();
  const onResponse = (response: Response) => {
    if (isFeedAnswer(response)) answers.push(response.text().then(parseFeedAnswer));
  };
  page.on('response', onResponse);
  try {
    await page.goto(new URL(threadsPaths.home, options.baseUrl).toString(), {
      waitUntil: 'domcontentloaded',
      timeout: options.timeoutMs,
    });
    assertLoggedInUrl(page.url());

    const collector = new FeedCollector(options.limit, options.baseUrl);
    let pages = 0;
    const blocks = await page.locator(threadsFeed.embeddedDataBlock).allTextContents();
    for (const embedded of embeddedFeedPages(blocks)) {
      collector.add(embedded);
      await options.onPage?.(pages++, 'embedded', collector.size);
    }
    if (pages === 0) await answers.waitForMore(options.timeoutMs);

    while (true) {
      for (let answer = await answers.next(); answer; answer = await answers.next()) {
        collector.add(answer);
        await options.onPage?.(pages++, 'graphql', collector.size);
      }
      if (pages === 0 || collector.done) break;
      if (!(await scrollForMore(page, answers, options.timeoutMs))) break;
    }

    if (pages > 0) return { posts: collector.result(), source: 'graphql', pages };
    return { posts: await readDomPosts(page, options), source: 'dom', pages: 0 };
  } finally {
    page.off('response', onResponse);
  }
}

/**
 * Scrolls to the bottom until the page sends another feed query. A page that already sits at the
 * bottom may not react to a second scroll there, so later attempts scroll up a screen first.
 */
async function scrollForMore(page: Page, answers: AnswerQueue, timeoutMs: number): Promise<boolean> {
  const share = Math.ceil(timeoutMs / SCROLL_ATTEMPTS);
  for (let attempt = 0; attempt < SCROLL_ATTEMPTS; attempt++) {
    await page.evaluate((backFirst) => {
      if (backFirst) window.scrollBy(0, -window.innerHeight);
      window.scrollTo(0, document.documentElement.scrollHeight);
    }, attempt > 0);
    if (await answers.waitForMore(share)) return true;
  }
  return false;
}

async function readDomPosts(page: Page, options: ReadFeedOptions): Promise<ThreadsPost[]> {
  const posts = page.locator(threadsFeed.post);
  const login = page.locator(threadsSelectors.loginForm).first();
  try {
    await posts.first().or(login).waitFor({ state: 'visible', timeout: options.timeoutMs });
  } catch {
    throw new SiteError(
      'selector_missing',
      `the home page showed no feed: no ${threadsGraphql.homeFeed} response, no embedded ${threadsFeed.feedDataKey} and no ${threadsFeed.post} within ${options.timeoutMs} ms`,
    );
  }
  if (await login.isVisible()) throw new SiteError('login_required', 'the home page shows a login form');

  const raw = await posts.evaluateAll(
    (elements, selectors) =>
      elements.map((element) => {
        const outsideLink = (node: Element) => node.closest('a') === null;
        const text = [...element.querySelectorAll(selectors.text)].find(outsideLink);
        const media = [...element.querySelectorAll(selectors.media)].filter(outsideLink).flatMap((node) => {
          const url = node.getAttribute('src');
          if (!url) return [];
          const type: 'image' | 'video' = node.tagName === 'IMG' ? 'image' : 'video';
          return [{ type, url }];
        });
        return {
          permalinks: [...element.querySelectorAll(selectors.permalink)].flatMap(
            (link) => link.getAttribute('href') ?? [],
          ),
          datetime: element.querySelector(selectors.time)?.getAttribute('datetime') ?? null,
          text: text instanceof HTMLElement ? text.innerText : null,
          media,
        } satisfies DomPost;
      }),
    {
      text: threadsFeed.text,
      media: threadsFeed.media,
      permalink: threadsFeed.permalink,
      time: threadsFeed.time,
    },
  );

  const seen = new Set<string>();
  const result: ThreadsPost[] = [];
  for (const post of raw.map((item) => normalizeDomPost(item, options.baseUrl))) {
    if (!post || seen.has(post.id)) continue;
    seen.add(post.id);
    result.push(post);
  }
  return result.slice(0, options.limit);
}

function isFeedAnswer(response: Response): boolean {
  const request = response.request();
  return (
    request.method() === 'POST' &&
    new URL(request.url()).pathname === threadsGraphql.path &&
    request.headers()[threadsGraphql.friendlyNameHeader] === threadsGraphql.homeFeed
  );
}

function assertLoggedInUrl(url: string): void {
  const path = new URL(url).pathname;
  if (threadsPaths.loginPattern.test(path)) {
    throw new SiteError('login_required', `opening the home page led to the login page ${path}`);
  }
  if (threadsPaths.checkpointPattern.test(path)) {
    throw new SiteError('checkpoint', `opening the home page led to the checkpoint page ${path}`);
  }
}

type Settled = { page: FeedPage } | { error: Error };

/**
 * Feed responses in the order the page received them. Each body is parsed as it arrives and kept
 * settled, so a failed response raises when it is taken, never as an unhandled rejection.
 */
class AnswerQueue {
  private readonly results: Promise<Settled>[] = [];
  private taken = 0;
  private wake: (() => void) | null = null;

  push(answer: Promise<FeedPage>): void {
    this.results.push(
      answer.then(
        (page) => ({ page }),
        (error: unknown) => ({ error: toError(error) }),
      ),
    );
    this.wake?.();
  }

  /** Resolves true once a response is waiting to be taken, or false after `timeoutMs`. */
  waitForMore(timeoutMs: number): Promise<boolean> {
    if (this.results.length > this.taken) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, timeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve(true);
      };
    });
  }

  /** Takes the next response. Throws the error of a failed one, and returns undefined when none is waiting. */
  async next(): Promise<FeedPage | undefined> {
    const result = this.results[this.taken];
    if (!result) return undefined;
    this.taken += 1;
    const settled = await result;
    if ('error' in settled) throw settled.error;
    return settled.page;
  }
}
