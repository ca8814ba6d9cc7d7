import { type Browser, chromium, type Page } from 'playwright';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromiumArgs } from '../worker/browser.js';
import { readHomeFeed } from '../worker/sites/threads/feed-reader.js';
import { GraphqlAnswerError } from '../worker/sites/threads/posts.js';
import { startTestSite, type TestSite } from './site/server.js';

let browser: Browser;
let site: TestSite;
let page: Page;

beforeAll(async () => {
  site = await startTestSite();
  browser = await chromium.launch({
    executablePath: process.env.BROWSER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
    args: chromiumArgs,
  });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterEach(async () => {
  await page.close();
});

const options = () => ({ baseUrl: site.url, limit: 100, timeoutMs: 5_000 });

describe('home feed reader', () => {
  it('fails on an empty GraphQL body', async () => {
    await page.route('**/graphql/query', (route) => route.fulfill({ status: 200, body: '' }));

    await expect(readHomeFeed(page, options())).rejects.toThrow(GraphqlAnswerError);
  });

  it('fails on errors with data null', async () => {
    await page.route('**/graphql/query', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ errors: [{ message: 'Please log in', severity: 'CRITICAL' }], data: null }),
      }),
    );

    await expect(readHomeFeed(page, options())).rejects.toThrow(/Please log in/);
  });

  it('falls back to the DOM', async () => {
    // The home page rendered once by the page script, then served without scripts, so the second
    // load has post containers but sends no GraphQL query and embeds no feed data.
    await page.goto(site.url);
    await page.locator('div[data-pressable-container="true"]').nth(7).waitFor();
    const rendered = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '');
    await page.route(`${site.url}/`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: rendered }),
    );

    const result = await readHomeFeed(page, { ...options(), timeoutMs: 2_000 });

    expect(result.source).toBe('dom');
    // Eight threads on the first page, one a reply pair, one a tombstone without a permalink.
    expect(result.posts).toHaveLength(8);
    const quote = result.posts.find((post) => post.text === 'This is the kind of morning I need more of.');
    expect(quote?.author?.username).toBe('kenji_dev');
    expect(quote?.quotedPost?.author?.username).toBe('ana.rivera');
    const carousel = result.posts.find((post) => post.mediaType === 'carousel');
    expect(carousel?.media).toHaveLength(3);
    expect(result.posts.every((post) => post.counts.likes === null)).toBe(true);
  });
});
