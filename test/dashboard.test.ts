import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../gateway/server.js';
import { DraftStore } from '../shared/draft-store.js';
import { keyspace } from '../shared/redis.js';
import { AGENT_TOKEN, APPROVER_TOKEN, apiClient, startTestGateway } from './helpers/gateway.js';
import { freePort, TestRedis } from './helpers/redis.js';
import { waitFor } from './helpers/wait.js';
import {
  startWorkerProcess,
  temporaryProfileDir,
  type WorkerProcess,
  workerEnv,
} from './helpers/worker-process.js';
import { startTestSite, type TestSite } from './site/server.js';

/** Set by `npm run screenshots`: the run then saves the main views under docs/screenshots/. */
const saveScreenshots = process.env.DASHBOARD_SCREENSHOTS === '1';
const screenshotDir = new URL('../docs/screenshots/', import.meta.url).pathname;

const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu',
];

let redis: TestRedis;
let site: TestSite;
let port: number;
let gateway: GatewayServer;
let worker: WorkerProcess;
let profile: ReturnType<typeof temporaryProfileDir>;
let approver: ReturnType<typeof apiClient>;
let agent: ReturnType<typeof apiClient>;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const requestedUrls: string[] = [];
const consoleErrors: string[] = [];

function gatewayOverrides(): Record<string, string> {
  return { PORT: String(port), THREADS_BASE_URL: site.url, ALLOWED_HOSTS: new URL(site.url).host };
}

function startWorker(): WorkerProcess {
  return startWorkerProcess(workerEnv(redis.url, site.url, profile.path));
}

async function waitForWorker(up: boolean): Promise<void> {
  await waitFor(
    async () => (await approver('GET', '/api/browser/status')).body,
    (status) => status.workerUp === up && (!up || status.loggedIn === true),
    { what: `the worker to be ${up ? 'up' : 'down'}`, timeoutMs: 45_000 },
  );
}

async function createDraft(content: string): Promise<string> {
  const created = await agent('POST', '/api/drafts', { content });
  expect(created.status).toBe(201);
  return created.body.id;
}

async function screenshot(name: string, target: Page = page): Promise<void> {
  if (!saveScreenshots) return;
  mkdirSync(screenshotDir, { recursive: true });
  await target.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: true });
}

function queueItem(id: string) {
  return page.locator(`#queue-list button[data-id="${id}"]`);
}

async function openDraft(id: string): Promise<void> {
  await queueItem(id).click();
  await expect.poll(() => page.locator('#draft-view .post-text').count()).toBe(1);
}

function badge() {
  return page.locator('#draft-view .status-line .badge');
}

beforeAll(async () => {
  redis = await TestRedis.start();
  site = await startTestSite();
  port = await freePort();
  gateway = await startTestGateway(redis.url, gatewayOverrides());
  approver = apiClient(gateway.url, APPROVER_TOKEN);
  agent = apiClient(gateway.url, AGENT_TOKEN);
  profile = temporaryProfileDir();
  worker = startWorker();

  browser = await chromium.launch({
    executablePath: process.env.BROWSER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
    args: chromiumArgs,
  });
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.on('request', (request) => requestedUrls.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${message.text()} at ${message.location().url}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  await waitForWorker(true);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await gateway?.stop('test end');
  await site?.close();
  await redis?.stop();
  profile?.remove();
});

describe('sign-in API', () => {
  const signIn = (token: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/api/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ token }),
    });

  it('refuses the agent token with 403', async () => {
    const response = await signIn(AGENT_TOKEN);
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a wrong token with 401', async () => {
    const response = await signIn('not-the-token-at-all-000000');
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('sets an HttpOnly SameSite=Strict cookie', async () => {
    const response = await signIn(APPROVER_TOKEN);
    expect(response.status).toBe(201);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^ta_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Strict/i);
    expect(cookie).toMatch(/;\s*Path=\//);
    expect(cookie).toMatch(/;\s*Max-Age=\d+/);
    expect(cookie).not.toMatch(/Secure/i);
    const body = await response.json();
    expect(body.scope).toBe('approver');
  });

  it('stores the session in Redis with a TTL', async () => {
    const response = await signIn(APPROVER_TOKEN);
    const client = redis.client();
    const keys = await client.keys('browser:session:*');
    const ttls = await Promise.all(keys.map((key) => client.ttl(key)));
    client.disconnect();
    expect(response.status).toBe(201);
    expect(keys.length).toBeGreaterThan(0);
    for (const ttl of ttls) expect(ttl).toBeGreaterThan(0);
  });

  it('authenticates by cookie until sign-out', async () => {
    const cookie = (await signIn(APPROVER_TOKEN)).headers.get('set-cookie')?.split(';')[0] ?? '';
    const origin = new URL(gateway.url).origin;

    const before = await fetch(`${gateway.url}/api/drafts`, { headers: { cookie } });
    expect(before.status).toBe(200);
    const current = await fetch(`${gateway.url}/api/auth/session`, { headers: { cookie } });
    expect(current.status).toBe(200);
    expect((await current.json()).signedIn).toBe(true);

    const signOut = await fetch(`${gateway.url}/api/auth/session`, {
      method: 'DELETE',
      headers: { cookie, origin },
    });
    expect(signOut.status).toBe(204);
    expect(signOut.headers.get('set-cookie')).toMatch(/ta_session=;.*Max-Age=0/i);

    const after = await fetch(`${gateway.url}/api/drafts`, { headers: { cookie } });
    expect(after.status).toBe(401);
    const ended = await fetch(`${gateway.url}/api/auth/session`, { headers: { cookie } });
    expect(await ended.json()).toEqual({ signedIn: false });
  });

  it('refuses cross-origin cookie requests', async () => {
    const cookie = (await signIn(APPROVER_TOKEN)).headers.get('set-cookie')?.split(';')[0] ?? '';
    const id = await createDraft('A draft for the cross-origin check');
    const reject = (headers: Record<string, string>) =>
      fetch(`${gateway.url}/api/drafts/${id}/reject`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: '{}',
      });

    expect((await reject({ origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await reject({})).status).toBe(403);
    expect(
      (await reject({ origin: new URL(gateway.url).origin, 'sec-fetch-site': 'same-site' })).status,
    ).toBe(403);
    const crossSignIn = await signIn(APPROVER_TOKEN, { origin: 'http://127.0.0.1:1' });
    expect(crossSignIn.status).toBe(403);

    const sameOrigin = await reject({ origin: new URL(gateway.url).origin, 'sec-fetch-site': 'same-origin' });
    expect(sameOrigin.status).toBe(200);
  });

  it('https gateway: Secure cookie, failure limit', async () => {
    const otherPort = await freePort();
    const other = await startTestGateway(redis.url, {
      PORT: String(otherPort),
      PUBLIC_URL: `https://127.0.0.1:${otherPort}`,
      QUEUE_NAME: 'sign-in-limits',
    });
    const url = `http://127.0.0.1:${otherPort}/api/auth/session`;
    const post = (token: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
    try {
      const signedIn = await post(APPROVER_TOKEN);
      expect(signedIn.headers.get('set-cookie')).toMatch(/;\s*Secure/i);

      const statuses: number[] = [];
      for (let attempt = 0; attempt < 11; attempt++)
        statuses.push((await post('wrong-token-0000000000000')).status);
      expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
      expect(statuses[10]).toBe(429);
      const limited = await post(APPROVER_TOKEN);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await other.stop('test end');
    }
  });

  it('serves the dashboard with a strict CSP', async () => {
    const response = await fetch(`${gateway.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    const script = await fetch(`${gateway.url}/assets/js/main.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });
});

describe('dashboard', () => {
  it('signs in from the start-up link', async () => {
    await page.goto(`${gateway.url}/`);
    await page.locator('#sign-in-form').waitFor();
    await screenshot('sign-in');

    await page.goto(`${gateway.url}/#token=${APPROVER_TOKEN}`);
    await page.locator('#dashboard').waitFor();
    expect(page.url()).not.toContain('token');
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === 'ta_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
    await expect.poll(() => page.locator('#live-state').textContent()).toBe('Live updates: on');
  });

  it('shows a new draft without reload', async () => {
    const content = 'Line one with <b>markup</b> & an emoji 👩‍👩‍👧\nLine two: https://example.com/a';
    const id = await createDraft(content);

    await queueItem(id).waitFor({ timeout: 10_000 });
    await openDraft(id);
    expect(await page.locator('#draft-view .post-text').textContent()).toBe(content);
    expect(await page.locator('#draft-view .post-text b').count()).toBe(0);
    const counts = await page.locator('#draft-view > .counts').textContent();
    expect(counts).toContain('72 / 500 characters');
    expect(counts).toContain('1 / 5 links');
  });

  it('warns near the length limit', async () => {
    const id = await createDraft(`${'x'.repeat(470)} close to the limit`);
    await queueItem(id).waitFor({ timeout: 10_000 });
    await openDraft(id);
    const counts = page.locator('#draft-view > .counts');
    expect(await counts.textContent()).toContain('close to the limit');
    expect(await counts.getAttribute('class')).toContain('level-warn');
  });

  it('approves with a key and shows the publish steps', async () => {
    const content = `Approved from the dashboard ${Date.now()}`;
    const id = await createDraft(content);
    await queueItem(id).waitFor({ timeout: 10_000 });
    await openDraft(id);
    await screenshot('review-queue');
    await queueItem(id).focus();
    await page.keyboard.press('a');

    await expect.poll(() => badge().textContent(), { timeout: 45_000 }).toBe('published');
    const post = site.posts.find((entry) => entry.text === content);
    expect(post).toBeDefined();
    const link = page.locator('#draft-view .history a[href^="http"]');
    expect(await link.getAttribute('href')).toBe(post?.url);
    const steps = await page.locator('#draft-view .steps li .step-name').allTextContents();
    expect(steps).toContain('screenshot taken');
    expect(steps.length).toBeGreaterThan(2);
    expect(await page.locator('#draft-view .history').textContent()).toContain('by approver');

    const composer = page.locator('#draft-view figure img');
    await composer.waitFor();
    await expect
      .poll(() => composer.evaluate((image) => (image instanceof HTMLImageElement ? image.naturalWidth : 0)))
      .toBeGreaterThan(0);
    expect(await page.locator('#latest-screenshot img').count()).toBe(1);
    await screenshot('published-history');
  });

  it('rejects a draft with a reason', async () => {
    const id = await createDraft(`Reject me ${Date.now()}`);
    await queueItem(id).waitFor({ timeout: 10_000 });
    await openDraft(id);
    await queueItem(id).focus();
    await page.keyboard.press('r');
    await page.locator('#reject-reason').fill('Off-topic for this account');
    await page.getByRole('button', { name: 'Reject', exact: true }).click();

    await expect.poll(() => badge().textContent()).toBe('rejected');
    expect(await page.locator('#draft-view .history').textContent()).toContain('Off-topic for this account');
    const stored = await approver('GET', `/api/drafts/${id}`);
    expect(stored.body.status).toBe('rejected');
    expect(stored.body.rejection.reason).toBe('Off-topic for this account');
    expect(await queueItem(id).count()).toBe(0);
  });

  it('edits a draft', async () => {
    const id = await createDraft(`Edit me ${Date.now()}`);
    await queueItem(id).waitFor({ timeout: 10_000 });
    await openDraft(id);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edited = 'Edited on the dashboard\nwith a second line';
    await page.locator('#edit-content').fill(edited);
    expect(await page.locator('#edit-counts').textContent()).toContain('42 / 500 characters');
    await screenshot('edit-form');
    await page.getByRole('button', { name: 'Save changes' }).click();

    await expect.poll(() => page.locator('#draft-view .post-text').textContent()).toBe(edited);
    const stored = await approver('GET', `/api/drafts/${id}`);
    expect(stored.body.content).toBe(edited);
    expect(await page.locator('#edit-content').isVisible()).toBe(false);
  });

  it('shows errors next to the control', async () => {
    await page.locator('#session-form button[type="submit"]').click();
    expect(await page.locator('#session-error').textContent()).toContain('choose a storage state file');
  });

  it('pauses, resumes and reads the feed', async () => {
    const posting = page.locator('#browser-status [data-fact="Posting"] dd');
    await page.getByRole('button', { name: 'Pause posting' }).click();
    await expect.poll(() => posting.textContent()).toBe('paused');
    await page.getByRole('button', { name: 'Resume posting' }).click();
    await expect.poll(() => posting.textContent()).toBe('running');
    expect(await page.locator('#worker-control-error').textContent()).toBe('');

    await page.getByRole('button', { name: 'Refresh feed' }).click();
    await expect.poll(() => page.locator('#feed-list li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.locator('#feed-error').textContent()).toBe('');
  }, 60_000);

  it('follows the worker going down and up', async () => {
    const workerFact = page.locator('#browser-status [data-fact="Worker"] dd');
    await expect.poll(() => workerFact.textContent(), { timeout: 15_000 }).toBe('up');
    await screenshot('browser-panel');

    await worker.stop();
    await expect.poll(() => workerFact.textContent(), { timeout: 20_000 }).toBe('down');
    worker = startWorker();
    await expect.poll(() => workerFact.textContent(), { timeout: 45_000 }).toBe('up');
  }, 90_000);

  it('catches up after a gateway restart', async () => {
    await waitForWorker(true);
    const content = `Published while the gateway was down ${Date.now()}`;
    const id = await createDraft(content);
    await queueItem(id).waitFor({ timeout: 10_000 });
    await openDraft(id);
    const publishAt = new Date(Date.now() + 2_000).toISOString();
    expect((await approver('POST', `/api/drafts/${id}/approve`, { publishAt })).status).toBe(202);
    await expect.poll(() => badge().textContent()).toBe('scheduled');

    await gateway.stop('restart in test');
    await expect.poll(() => page.locator('#connection-banner').textContent()).toContain('Disconnected');

    const store = new DraftStore(redis.client(), keyspace('browser'), 10_000);
    await waitFor(
      async () => (await store.get(id))?.status,
      (status) => status === 'published',
      { what: 'the draft to be published while the gateway is down', timeoutMs: 45_000 },
    );
    const createdMeanwhile = await store.create({ content: 'Created while the gateway was down' }, 'agent');
    await screenshot('disconnected');

    gateway = await startTestGateway(redis.url, gatewayOverrides());
    await expect
      .poll(() => page.locator('#connection-banner').textContent(), { timeout: 20_000 })
      .toContain('Reconnected');
    await expect.poll(() => badge().textContent(), { timeout: 10_000 }).toBe('published');
    const post = site.posts.find((entry) => entry.text === content);
    expect(await page.locator('#draft-view .history a[href^="http"]').getAttribute('href')).toBe(post?.url);
    await queueItem(createdMeanwhile.id).waitFor({ timeout: 10_000 });
    expect(await page.locator('#activity-log').textContent()).toContain('scheduled → publishing');
  }, 120_000);

  it('fits a 360 px wide screen', async () => {
    const phone = await context.newPage();
    phone.on('request', (request) => requestedUrls.push(request.url()));
    await phone.setViewportSize({ width: 360, height: 780 });
    await phone.goto(`${gateway.url}/`);
    await phone.locator('#dashboard').waitFor();
    const tooWide = await phone.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
        .map((element) => `${element.tagName.toLowerCase()}#${element.id}.${element.className}`),
    );
    expect(tooWide).toEqual([]);
    await screenshot('phone', phone);
    await phone.close();
  });

  it('makes no outside request and logs no error', () => {
    const origin = new URL(gateway.url).origin;
    const outside = requestedUrls.filter((url) => new URL(url).origin !== origin);
    expect(outside).toEqual([]);
    expect(requestedUrls.length).toBeGreaterThan(10);

    // Chromium logs every failed resource load as an error. These two are expected: the feed
    // returns 404 until the worker first reads it, and the gateway is gone during its restart.
    const expected = [
      /status of 404 .* at http:\/\/127\.0\.0\.1:\d+\/api\/browser\/feed$/,
      /net::ERR_CONNECTION_REFUSED at http:\/\/127\.0\.0\.1:\d+\/api\//,
    ];
    const unexpected = consoleErrors.filter((text) => !expected.some((pattern) => pattern.test(text)));
    expect(unexpected).toEqual([]);
  });
});
