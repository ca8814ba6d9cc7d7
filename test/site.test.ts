import { type Browser, type BrowserContext, chromium, type Page, type Response } from 'playwright';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FeedQueryJson, PostJson, ProfileThreadsQueryJson } from './site/post-json.js';
import { startTestSite, type TestSite } from './site/server.js';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu',
];

let site: TestSite;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let outsideRequests: string[];

beforeAll(async () => {
  site = await startTestSite();
  browser = await chromium.launch({
    executablePath: process.env.BROWSER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

beforeEach(async () => {
  site.reset();
  context = await browser.newContext();
  context.setDefaultTimeout(5_000);
  // Requests to any other host would leave this machine: they are aborted and fail the test.
  outsideRequests = [];
  await context.route(/^(?!http:\/\/127\.0\.0\.[12]:)/, (route) => {
    outsideRequests.push(route.request().url());
    return route.abort();
  });
  page = await context.newPage();
});

afterEach(async () => {
  await context.close();
  expect(outsideRequests).toEqual([]);
});

function isQuery(name: string) {
  return (response: Response) =>
    response.url().endsWith('/graphql/query') && response.request().headers()['x-fb-friendly-name'] === name;
}

async function openComposer(): Promise<void> {
  await page.goto(site.url);
  await page.locator('div[role=button]', { hasText: "What's new?" }).click();
  await page.locator('[role=dialog]').waitFor();
}

function editor() {
  return page.locator(
    '[role=dialog] div[contenteditable="true"][role="textbox"][data-lexical-editor="true"]',
  );
}

function postButton() {
  return page.locator('[role=dialog] div[role=button]', { hasText: /^Post$/ });
}

describe('composer', () => {
  it('posts typed text exactly once', async () => {
    const texts = [
      'Hello from the test site',
      'First line\nSecond line\n\nFourth line',
      'Café ☕ naïve 日本語 🚀👍🏽',
    ];

    for (const [index, text] of texts.entries()) {
      await openComposer();
      await expect(editor().getAttribute('aria-label')).resolves.toBe(
        'Empty text field. Type to compose a new post.',
      );
      await expect(postButton().getAttribute('aria-disabled')).resolves.toBe('true');

      await editor().click();
      await page.keyboard.type(text);
      await expect(postButton().getAttribute('aria-disabled')).resolves.toBe('false');
      await postButton().click();

      const view = page.locator('[role=status]', { hasText: 'Posted' }).locator('a', { hasText: 'View' });
      await view.waitFor();
      await page.locator('[role=dialog]').waitFor({ state: 'detached' });

      expect(site.posts).toHaveLength(index + 1);
      expect(site.submits).toHaveLength(index + 1);
      const post = site.posts[index]!;
      expect(post.text).toBe(text);
      expect(post.code).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(post.permalink).toBe(`/@demo_user/post/${post.code}`);
      expect(await view.getAttribute('href')).toBe(post.permalink);
      expect(site.submits[index]!.outcome).toBe('created');
    }
  });

  it('keeps Shift+Enter breaks and tabs', async () => {
    await openComposer();
    await editor().click();
    await page.keyboard.type('Line one');
    await page.keyboard.press('Shift+Enter');
    // NOTE: with Lexical 0.52, inserting a lone "\t" replaces the text before it on the same line,
    // so the tab goes in together with its neighbouring text.
    await page.keyboard.insertText('Line two\tafter a tab');
    await postButton().click();
    await page.locator('[role=status]', { hasText: 'Posted' }).waitFor();

    expect(site.posts.map((post) => post.text)).toEqual(['Line one\nLine two\tafter a tab']);
  });

  it('ignores text set through textContent', async () => {
    await openComposer();
    await editor().evaluate((element) => {
      element.textContent = 'Injected without the editor';
    });
    await expect(postButton().getAttribute('aria-disabled')).resolves.toBe('true');

    await editor().click();
    await page.keyboard.type('Typed through the editor');
    await editor().evaluate((element) => {
      element.textContent = 'Injected without the editor';
    });
    await postButton().click();
    await page.locator('[role=status]', { hasText: 'Posted' }).waitFor();

    expect(site.posts.map((post) => post.text)).toEqual(['Typed through the editor']);
  });

  it('creates the post without a toast when noToast is on', async () => {
    site.setBehaviour({ noToast: true });
    await openComposer();
    await editor().click();
    await page.keyboard.type('No toast for this one');
    await postButton().click();
    await page.locator('[role=dialog]').waitFor({ state: 'detached' });

    expect(await page.locator('[role=status]', { hasText: 'Posted' }).count()).toBe(0);
    expect(site.posts.map((post) => post.text)).toEqual(['No toast for this one']);
  });

  it('shows an error and keeps the dialog when failSubmit is on', async () => {
    site.setBehaviour({ failSubmit: true });
    await openComposer();
    await editor().click();
    await page.keyboard.type('This will fail');
    await postButton().click();

    await page.locator('[role=dialog] [role=alert]', { hasText: 'Post failed to upload' }).waitFor();
    expect(await page.locator('[role=dialog]').count()).toBe(1);
    expect(await postButton().getAttribute('aria-disabled')).toBe('false');
    expect(site.posts).toHaveLength(0);
    expect(site.submits.map((submit) => submit.outcome)).toEqual(['failed']);
  });

  it('blocks a second click while the submit is delayed', async () => {
    site.setBehaviour({ submitDelayMs: 700 });
    await openComposer();
    await editor().click();
    await page.keyboard.type('Slow post');
    const started = Date.now();
    await postButton().click();

    await expect(postButton().getAttribute('aria-disabled')).resolves.toBe('true');
    await postButton().click({ force: true });
    await page.locator('[role=status]', { hasText: 'Posted' }).waitFor();

    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(site.submits).toHaveLength(1);
    expect(site.posts).toHaveLength(1);
  });

  it('records every submit the server receives', async () => {
    await page.goto(site.url);
    const send = (text: string) =>
      page.evaluate(
        async (body) => {
          const response = await fetch('/api/post', { method: 'POST', body: JSON.stringify(body) });
          return response.status;
        },
        { text, replyTo: null, media: [] },
      );

    expect(await send('twice')).toBe(200);
    expect(await send('twice')).toBe(200);
    expect(await send('')).toBe(400);
    expect(await send('x'.repeat(501))).toBe(400);
    expect(site.submits.map((submit) => submit.outcome)).toEqual([
      'created',
      'created',
      'rejected',
      'rejected',
    ]);
  });

  it('shows the restriction notice when actionBlocked is on', async () => {
    site.setBehaviour({ actionBlocked: true });
    await openComposer();
    await editor().click();
    await page.keyboard.type('Blocked post');
    await postButton().click();

    await page
      .locator('[role=alertdialog]', { hasText: 'We restrict certain activity to protect our community' })
      .waitFor();
    expect(site.posts).toHaveLength(0);
    expect(site.submits.map((submit) => submit.outcome)).toEqual(['blocked']);
  });

  it('submits once on Ctrl+Enter', async () => {
    await openComposer();
    await editor().click();
    await page.keyboard.type('Sent with the keyboard');
    await page.keyboard.press('Control+Enter');
    await page.locator('[role=status]', { hasText: 'Posted' }).waitFor();

    expect(site.submits).toHaveLength(1);
    expect(site.posts.map((post) => post.text)).toEqual(['Sent with the keyboard']);
  });

  it('attaches a file with a preview', async () => {
    const pngResponse = await page.request.get(`${site.url}/media/img/upload-64x48.png`);
    const png = await pngResponse.body();
    await openComposer();
    await page
      .locator('[role=dialog] input[type=file]')
      .setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png });
    await page.locator('[data-media-preview][data-preview-state=ready]').waitFor();
    await editor().click();
    await page.keyboard.type('With a photo');
    await postButton().click();
    await page.locator('[role=status]', { hasText: 'Posted' }).waitFor();

    expect(site.posts[0]!.media).toEqual([
      { name: 'photo.png', type: 'image/png', size: png.length, width: 64, height: 48 },
    ]);
  });
});

describe('session', () => {
  it('redirects to login until the cookie is set', async () => {
    site.setBehaviour({ requireLogin: true });
    await page.goto(site.url);
    expect(new URL(page.url()).pathname).toBe('/login');

    const graphql = await context.request.post(`${site.url}/graphql/query`, {
      headers: { 'x-fb-friendly-name': 'BarcelonaFeedPaginationDirectQuery' },
      form: { doc_id: '1', variables: '{}' },
    });
    expect(graphql.status()).toBe(200);
    expect(await graphql.text()).toBe('');

    await context.addCookies([{ ...site.sessionCookie, url: site.url }]);
    await page.goto(site.url);
    expect(new URL(page.url()).pathname).toBe('/');
    await page.locator('div[role=button]', { hasText: "What's new?" }).waitFor();
  });

  it('logs in through the login form', async () => {
    site.setBehaviour({ requireLogin: true });
    await page.goto(`${site.url}/@demo_user`);
    await page.getByLabel('Username, phone or email').fill('someone');
    await page.getByLabel('Password').fill('secret');
    await page.getByRole('button', { name: 'Log in' }).click();

    await page.waitForURL(`${site.url}/@demo_user`);
    const cookies = await context.cookies(site.url);
    expect(cookies.find((cookie) => cookie.name === site.sessionCookie.name)?.value).toBe(
      site.sessionCookie.value,
    );
  });

  it('redirects every page to the checkpoint', async () => {
    site.setBehaviour({ checkpoint: true });
    for (const path of ['/', '/@demo_user']) {
      await page.goto(site.url + path);
      expect(new URL(page.url()).pathname).toBe('/challenge/');
      await page.getByRole('heading', { name: 'Confirm it’s you' }).waitFor();
    }

    const graphql = await context.request.post(`${site.url}/graphql/query`, {
      headers: { 'x-fb-friendly-name': 'BarcelonaFeedPaginationDirectQuery' },
      form: { doc_id: '1', variables: '{}' },
    });
    const body = (await graphql.json()) as { errors: unknown[]; data: unknown };
    expect(body.data).toBeNull();
    expect(body.errors.length).toBeGreaterThan(0);
  });
});

describe('feeds', () => {
  it('home feed has the real shape and every kind', async () => {
    const firstPage = page.waitForResponse(isQuery('BarcelonaFeedPaginationDirectQuery'));
    await page.goto(site.url);
    const response = await firstPage;
    const request = response.request();
    const form = new URLSearchParams(request.postData() ?? '');
    expect(form.get('doc_id')).toMatch(/^\d+$/);
    expect(JSON.parse(form.get('variables') ?? '')).toEqual({ first: 8, after: null });

    const body = (await response.json()) as FeedQueryJson;
    const { edges, page_info } = body.data.feedData;
    expect(page_info.has_next_page).toBe(true);
    expect(page_info.end_cursor).toBeTruthy();
    const posts = edges.flatMap((edge) =>
      edge.node.text_post_app_thread.thread_items.map((item) => item.post),
    );
    const find = (predicate: (post: PostJson) => boolean) => posts.find(predicate);

    expect(find((post) => post.media_type === 19 && post.caption !== null)).toBeDefined();
    expect(find((post) => post.text_post_app_info.share_info.quoted_post !== null)).toBeDefined();
    expect(find((post) => post.media_type === 8)?.carousel_media).toHaveLength(3);
    expect(find((post) => post.media_type === 2)?.video_versions?.[0]?.url).toMatch(/^\/media\//);
    const reply = find((post) => post.text_post_app_info.is_reply);
    expect(reply?.text_post_app_info.reply_to_author?.username).toBe('kenji_dev');
    expect(find((post) => post.is_post_unavailable)).toBeDefined();
    expect(find((post) => post.caption === null && !post.is_post_unavailable)).toBeDefined();
    for (const post of posts) {
      expect(post.code).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(post.id).toBe(`${post.pk}_${post.user.pk}`);
      expect(typeof post.taken_at).toBe('number');
    }

    const item = page.locator('div[data-pressable-container="true"]').first();
    await item.waitFor();
    expect(await item.locator('a[href*="/post/"]').first().getAttribute('href')).toMatch(
      /^\/@[\w.]+\/post\/[\w-]+$/,
    );
    expect(await item.locator('a[href^="/@"]').first().textContent()).toBe(posts[0]!.user.username);
    expect(await item.locator('time[datetime]').count()).toBe(1);
    for (const label of ['Like', 'Reply', 'Repost', 'Share']) {
      expect(await item.getByRole('button', { name: label, exact: true }).count()).toBe(1);
    }

    const secondPage = page.waitForResponse(isQuery('BarcelonaFeedPaginationDirectQuery'));
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const next = (await (await secondPage).json()) as FeedQueryJson;
    expect(next.data.feedData.page_info.has_next_page).toBe(false);
    expect(next.data.feedData.edges.length).toBeGreaterThan(0);
  });

  it('profile query and page data have the new post', async () => {
    await openComposer();
    await editor().click();
    await page.keyboard.type('On my profile');
    await postButton().click();
    await page.locator('[role=status]', { hasText: 'Posted' }).waitFor();

    const query = page.waitForResponse(isQuery('BarcelonaProfileThreadsTabDirectQuery'));
    await page.locator('a[href="/@demo_user"]').first().click();
    const body = (await (await query).json()) as ProfileThreadsQueryJson;
    const newest = body.data.mediaData.edges[0]?.node.thread_items[0]?.post;
    expect(newest?.caption?.text).toBe('On my profile');
    expect(newest?.code).toBe(site.posts[0]!.code);
    expect(newest?.user.username).toBe('demo_user');

    const blocks = await page.locator('script[type="application/json"][data-sjs]').allTextContents();
    expect(blocks).toHaveLength(2);
    const embedded = blocks.find((block) => block.includes('RelayPrefetchedStreamCache'));
    expect(embedded).toContain('"On my profile"');
    await page.locator('div[data-pressable-container="true"]', { hasText: 'On my profile' }).waitFor();
  });

  it('answers an unknown operation with errors', async () => {
    const response = await context.request.post(`${site.url}/graphql/query`, {
      headers: { 'x-fb-friendly-name': 'SomethingElseQuery' },
      form: { doc_id: '123', variables: '{}' },
    });
    expect(response.status()).toBe(200);
    const body = (await response.json()) as { errors: unknown[]; data: unknown };
    expect(body.data).toBeNull();
    expect(body.errors.length).toBeGreaterThan(0);
  });
});

describe('post actions', () => {
  it('like toggles to Unlike and back', async () => {
    await page.goto(site.url);
    const item = page.locator('div[data-pressable-container="true"]').first();
    const code = await item.getAttribute('data-post-code');
    await item.getByRole('button', { name: 'Like', exact: true }).click();
    const unlike = item.getByRole('button', { name: 'Unlike', exact: true });
    await unlike.waitFor();
    expect(await unlike.getAttribute('aria-pressed')).toBe('true');

    await unlike.click();
    await item.getByRole('button', { name: 'Like', exact: true }).waitFor();
    expect(site.likes.map((like) => [like.code, like.action, like.outcome])).toEqual([
      [code, 'like', 'ok'],
      [code, 'unlike', 'ok'],
    ]);
  });

  it('like shows the notice when blocked', async () => {
    site.setBehaviour({ actionBlocked: true });
    await page.goto(site.url);
    const item = page.locator('div[data-pressable-container="true"]').first();
    await item.getByRole('button', { name: 'Like', exact: true }).click();

    await page
      .locator('[role=alertdialog]', { hasText: 'We restrict certain activity to protect our community' })
      .waitFor();
    expect(await item.getByRole('button', { name: 'Like', exact: true }).getAttribute('aria-pressed')).toBe(
      'false',
    );
    expect(site.likes.map((like) => like.outcome)).toEqual(['blocked']);
  });

  it('reply is recorded with its target', async () => {
    await page.goto(site.url);
    const permalink = await page
      .locator('div[data-pressable-container="true"] a[href*="/post/"]')
      .first()
      .getAttribute('href');
    const code = permalink!.split('/').at(-1)!;
    await page.goto(site.url + permalink);
    await page
      .locator(`div[data-pressable-container="true"][data-post-code="${code}"]`)
      .getByRole('button', { name: 'Reply', exact: true })
      .click();
    await editor().click();
    await page.keyboard.type('A reply');
    await postButton().click();
    await page.locator('[role=status]', { hasText: 'Posted' }).waitFor();

    expect(site.posts.map((post) => [post.text, post.replyTo])).toEqual([['A reply', code]]);
    await page
      .locator('[data-replies] div[data-pressable-container="true"]', { hasText: 'A reply' })
      .waitFor();

    const feed = page.waitForResponse(isQuery('BarcelonaFeedPaginationDirectQuery'));
    await page.goto(site.url);
    const body = (await (await feed).json()) as FeedQueryJson;
    const target = body.data.feedData.edges
      .flatMap((edge) => edge.node.text_post_app_thread.thread_items)
      .find((entry) => entry.post.code === code)?.post;
    expect(target?.text_post_app_info.has_viewer_replied).toBe(true);
  });

  it('unknown post code is a 404 page', async () => {
    const response = await page.goto(`${site.url}/@demo_user/post/NoSuchCode`);
    expect(response?.status()).toBe(404);
    await page.getByText('Sorry, this post is unavailable.').waitFor();
  });
});

describe('control and fault endpoints', () => {
  it('state, behaviour and reset work over HTTP', async () => {
    const patched = await context.request.post(`${site.url}/__site/behaviour`, {
      data: { failSubmit: true },
    });
    expect(patched.status()).toBe(200);
    expect(site.behaviour.failSubmit).toBe(true);

    const invalid = await context.request.post(`${site.url}/__site/behaviour`, {
      data: { failSubmit: 'yes' },
    });
    expect(invalid.status()).toBe(400);

    const state = await (await context.request.get(`${site.url}/__site/state`)).json();
    expect(state.behaviour.failSubmit).toBe(true);
    expect(state.posts).toEqual([]);

    await context.request.post(`${site.url}/__site/reset`);
    expect(site.behaviour.failSubmit).toBe(false);
  });

  it('never-loads page holds the load event', async () => {
    await expect(page.goto(`${site.url}/__site/never-loads`, { timeout: 800 })).rejects.toThrow(/Timeout/);
  });

  it('busy-loop page never finishes loading', async () => {
    await expect(page.goto(`${site.url}/__site/busy-loop`, { timeout: 800 })).rejects.toThrow(/Timeout/);
  });

  it('redirect leads to another loopback host', async () => {
    const other = await startTestSite({ host: '127.0.0.2', seedFeed: false });
    try {
      const response = await context.request.get(
        `${site.url}/__site/redirect?to=${encodeURIComponent(other.url)}/`,
        {
          maxRedirects: 0,
        },
      );
      expect(response.status()).toBe(302);
      expect(response.headers().location).toBe(`${other.url}/`);

      await page.goto(`${site.url}/__site/redirect?to=${encodeURIComponent(other.url)}/`);
      expect(new URL(page.url()).host).toBe(new URL(other.url).host);
    } finally {
      await other.close();
    }
  });
});
