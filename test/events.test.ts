import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { EventSource } from 'eventsource';
import type { Redis } from 'ioredis';
import { type Browser, chromium } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../gateway/server.js';
import { DraftStore } from '../shared/draft-store.js';
import { type AppEvent, EventWriter, eventTypes } from '../shared/events.js';
import { keyspace } from '../shared/redis.js';
import { APPROVER_TOKEN, apiClient, startTestGateway } from './helpers/gateway.js';
import { freePort, TestRedis } from './helpers/redis.js';

declare global {
  interface Window {
    /** What the test page's EventSource saw, in order. */
    streamLog?: StreamLogEntry[];
  }
}

interface StreamLogEntry {
  kind: 'open' | 'error' | 'event';
  id?: string;
  data?: string;
}

const keys = keyspace('browser');
/** A small bound, so a client that stops reading is dropped soon after its socket buffers fill. */
const CLIENT_BUFFER_BYTES = 64 * 1024;

let redis: TestRedis;
let gateway: GatewayServer;
let commands: Redis;
let writer: EventWriter;
let store: DraftStore;
let api: ReturnType<typeof apiClient>;
let pageServer: Server;
let pageOrigin: string;

beforeAll(async () => {
  pageServer = createHttpServer((_, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><meta charset="utf-8"><title>events</title>');
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  const address = pageServer.address();
  pageOrigin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  redis = await TestRedis.start();
  gateway = await startTestGateway(redis.url, {
    EVENT_CLIENT_BUFFER_BYTES: String(CLIENT_BUFFER_BYTES),
    CORS_ORIGINS: pageOrigin,
  });
  commands = redis.client();
  writer = new EventWriter(commands, keys.events, 10_000);
  store = new DraftStore(commands, keys, 10_000);
  api = apiClient(gateway.url);
});

afterAll(async () => {
  await gateway?.stop('test end');
  commands?.disconnect();
  await redis?.stop();
  await new Promise((resolve) => pageServer?.close(resolve));
});

interface Received {
  id: string;
  type: string;
  data: string;
}

/** An `eventsource` client that records every named event in arrival order. */
class Listener {
  readonly events: Received[] = [];
  readonly source: EventSource;
  opened = false;

  constructor(url: string, headers: Record<string, string> = { authorization: `Bearer ${APPROVER_TOKEN}` }) {
    this.source = new EventSource(url, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...headers } }),
    });
    this.source.addEventListener('open', () => {
      this.opened = true;
    });
    for (const type of [...eventTypes, 'resync']) {
      this.source.addEventListener(type, (event) => {
        this.events.push({ id: event.lastEventId, type, data: event.data });
      });
    }
  }

  ids(): string[] {
    return this.events.map((event) => event.id);
  }

  async waitForOpen(): Promise<void> {
    await waitUntil(() => this.opened, 'the stream to open');
  }

  async waitForId(id: string): Promise<void> {
    await waitUntil(() => this.events.some((event) => event.id === id), `event ${id}`);
  }

  close(): void {
    this.source.close();
  }
}

/** Polls `condition` every 10 ms; fails after `timeoutMs` as a safety net, not as a measurement. */
async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function deleted(draftId: string): AppEvent {
  return { type: 'draft.deleted', data: { draftId } };
}

async function appendMany(count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) ids.push(await writer.append(deleted(`${prefix}-${index}`)));
  return ids;
}

/** Sends a raw request for the stream; the caller reads or drops the socket. */
function rawStreamRequest(baseUrl: string, path = '/api/events'): Socket {
  const url = new URL(baseUrl);
  const socket = connect(Number(url.port), url.hostname);
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${APPROVER_TOKEN}\r\nAccept: text/event-stream\r\n\r\n`,
  );
  return socket;
}

function firstBytes(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('data', (chunk) => resolve(chunk.toString('utf8')));
    socket.once('error', reject);
  });
}

describe('event stream', () => {
  it('sends headers and a first comment at once', async () => {
    const controller = new AbortController();
    const response = await fetch(`${gateway.url}/api/events`, {
      headers: { authorization: `Bearer ${APPROVER_TOKEN}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('content-encoding')).toBeNull();

    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first.startsWith(': connected\n')).toBe(true);
    controller.abort();
  });

  it('delivers one publish in order', async () => {
    const listener = new Listener(`${gateway.url}/api/events`);
    await listener.waitForOpen();

    const created = await api('POST', '/api/drafts', { content: 'Ordered events from the tests' });
    expect(created.status).toBe(201);
    const draftId: string = created.body.id;
    const approved = await api('POST', `/api/drafts/${draftId}/approve`);
    expect(approved.status).toBe(202);
    const jobId: string = approved.body.jobId;

    // The worker's part, written the way worker/runner.ts and worker/jobs/publish.ts write it.
    const job = { jobId, name: 'publish' as const, draftId };
    const progress = (
      step: string,
      artifact: { name: string; contentType: string; url: string } | null = null,
    ) =>
      writer.append({
        type: 'job.progress',
        data: { ...job, step, index: null, status: 'started', durationMs: null, artifact },
      });
    await writer.append({ type: 'job.active', data: { ...job, attempt: 1 } });
    await store.update(draftId, (draft) => ({ ...draft, status: 'publishing' }));
    await progress('opening the composer');
    await progress('typing');
    await progress('screenshot taken', {
      name: 'composer.png',
      contentType: 'image/png',
      url: `/api/jobs/${jobId}/artifacts/composer.png`,
    });
    await progress('submitted');
    await progress('verifying');
    await store.update(draftId, (draft) => ({
      ...draft,
      status: 'published',
      postUrl: 'https://www.threads.com/@tests/post/ABC',
    }));
    await progress('verified');
    const lastId = await writer.append({
      type: 'job.completed',
      data: {
        ...job,
        result: { postUrl: 'https://www.threads.com/@tests/post/ABC', screenshot: 'x'.repeat(5_000) },
      },
    });
    await listener.waitForId(lastId);
    listener.close();

    const mine = listener.events.filter((event) => event.data.includes(draftId));
    expect(mine.map((event) => event.type)).toEqual([
      'draft.created',
      'draft.updated',
      'job.queued',
      'job.active',
      'draft.updated',
      'job.progress',
      'job.progress',
      'job.progress',
      'job.progress',
      'job.progress',
      'draft.updated',
      'job.progress',
      'job.completed',
    ]);
    const steps = mine
      .filter((event) => event.type === 'job.progress')
      .map((event) => JSON.parse(event.data).step);
    expect(steps).toEqual([
      'opening the composer',
      'typing',
      'screenshot taken',
      'submitted',
      'verifying',
      'verified',
    ]);
    const statuses = mine
      .filter((event) => event.type === 'draft.updated')
      .map((event) => JSON.parse(event.data).draft.status);
    expect(statuses).toEqual(['approved', 'publishing', 'published']);

    const completed = JSON.parse(mine.at(-1)!.data);
    expect(completed.result).toEqual({ postUrl: 'https://www.threads.com/@tests/post/ABC' });
    for (const event of mine.filter((item) => item.type.startsWith('job.'))) {
      expect(event.data).not.toContain('Ordered events from the tests');
    }
    const sorted = [...listener.ids()].sort(compareIds);
    expect(listener.ids()).toEqual(sorted);
  });

  it('filters by topic and by job', async () => {
    const jobs = new Listener(`${gateway.url}/api/events?topics=jobs`);
    const oneJob = new Listener(`${gateway.url}/api/events?job=job-b`);
    const draftsAndFeed = new Listener(`${gateway.url}/api/events?topics=drafts,feed`);
    await Promise.all([jobs.waitForOpen(), oneJob.waitForOpen(), draftsAndFeed.waitForOpen()]);

    const queued = (jobId: string) =>
      writer.append({ type: 'job.queued', data: { jobId, name: 'feed', draftId: null, delayMs: 0 } });
    const jobA = await queued('job-a');
    const draft = await writer.append(deleted('filtered'));
    const jobB = await queued('job-b');
    const feed = await writer.append({
      type: 'feed.updated',
      data: { count: 3, fetchedAt: new Date().toISOString() },
    });
    const jobBDone = await writer.append({
      type: 'job.completed',
      data: { jobId: 'job-b', name: 'feed', draftId: null, result: {} },
    });
    await Promise.all([jobs.waitForId(jobBDone), oneJob.waitForId(jobBDone), draftsAndFeed.waitForId(feed)]);
    // One more draft event after the last expected one proves that the others were left out.
    const marker = await writer.append(deleted('filter-marker'));
    await draftsAndFeed.waitForId(marker);
    for (const listener of [jobs, oneJob, draftsAndFeed]) listener.close();

    expect(jobs.ids()).toEqual([jobA, jobB, jobBDone]);
    expect(oneJob.ids()).toEqual([jobB, jobBDone]);
    expect(draftsAndFeed.ids()).toEqual([draft, feed, marker]);
  });

  it('rejects bad filter values with 400', async () => {
    for (const query of ['topics=foo', 'topics=', 'topics=jobs,,drafts', 'job=../x', 'unknown=1']) {
      const response = await api('GET', `/api/events?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.code, query).toBe('invalid_request');
    }
  });

  it('keeps multi-line and non-ASCII payloads intact', async () => {
    const listener = new Listener(`${gateway.url}/api/events?topics=drafts`);
    await listener.waitForOpen();

    const text = 'line one\nline two\r\nline three\r— ünïcödé 🚀 中文 \u2028 end';
    const fromWriter = await writer.append(deleted(text));
    // A foreign writer may store pretty-printed JSON; every line must still reach the client.
    const pretty = JSON.stringify({ draftId: text }, null, 2);
    const fromRaw = await commands.xadd(keys.events, '*', 'type', 'draft.deleted', 'data', pretty);
    await listener.waitForId(fromRaw!);
    listener.close();

    const byId = new Map(listener.events.map((event) => [event.id, event]));
    expect(JSON.parse(byId.get(fromWriter)!.data)).toEqual({ draftId: text });
    expect(JSON.parse(byId.get(fromRaw!)!.data)).toEqual({ draftId: text });
  });
});

describe('resume', () => {
  it('resumes after a dropped connection', async () => {
    const proxy = await startCuttableProxy(gateway.url);
    const listener = new Listener(`${proxy.url}/api/events?topics=drafts`);
    await listener.waitForOpen();

    const appended: string[] = [];
    let cut = false;
    for (let index = 0; index < 60; index++) {
      appended.push(await writer.append(deleted(`drop-${index}`)));
      if (index === 20) {
        await listener.waitForId(appended[index]!);
        proxy.cutAll();
        cut = true;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await listener.waitForId(appended.at(-1)!);
    listener.close();
    await proxy.close();

    expect(cut).toBe(true);
    expect(proxy.connections).toBe(2);
    expect(listener.ids()).toEqual(appended);
  });

  it('resumes from the header or the query', async () => {
    const before = await appendMany(3, 'resume');
    const after = await appendMany(4, 'resume-next');

    const byHeader = new Listener(`${gateway.url}/api/events`, {
      authorization: `Bearer ${APPROVER_TOKEN}`,
      'last-event-id': before.at(-1)!,
    });
    const byQuery = new Listener(`${gateway.url}/api/events?lastEventId=${before.at(-1)}`);
    // The header wins over the query, as after a browser's reconnect with the original URL.
    const both = new Listener(`${gateway.url}/api/events?lastEventId=${before[0]}`, {
      authorization: `Bearer ${APPROVER_TOKEN}`,
      'last-event-id': before.at(-1)!,
    });
    await Promise.all([byHeader, byQuery, both].map((listener) => listener.waitForId(after.at(-1)!)));
    const live = await writer.append(deleted('resume-live'));
    await Promise.all([byHeader, byQuery, both].map((listener) => listener.waitForId(live)));
    for (const listener of [byHeader, byQuery, both]) listener.close();

    expect(byHeader.ids()).toEqual([...after, live]);
    expect(byQuery.ids()).toEqual([...after, live]);
    expect(both.ids()).toEqual([...after, live]);
  });

  it('replays while events keep arriving', async () => {
    const start = (await appendMany(1, 'race-start'))[0]!;
    await appendMany(1_200, 'race-backlog');

    const listener = new Listener(`${gateway.url}/api/events?lastEventId=${start}`);
    const during: Promise<string>[] = [];
    for (let index = 0; index < 50; index++) during.push(writer.append(deleted(`race-live-${index}`)));
    await Promise.all(during);
    const last = await writer.append(deleted('race-end'));
    await listener.waitForId(last);
    listener.close();

    const expected = (await commands.xrange(keys.events, `(${start}`, last)).map(([id]) => id);
    expect(listener.ids().length).toBe(expected.length);
    expect(listener.ids()).toEqual(expected);
  });

  it('resumes on a new gateway process', async () => {
    const first = await startTestGateway(redis.url);
    const listener = new Listener(`${first.url}/api/events?topics=drafts`);
    await listener.waitForOpen();
    const seen = await appendMany(3, 'restart');
    await listener.waitForId(seen.at(-1)!);

    let ended = false;
    listener.source.addEventListener('error', () => {
      ended = true;
    });
    await first.stop('restart test');
    await waitUntil(() => ended, 'the stream to end at shutdown');
    listener.close();
    expect(first.relay.gauge()).toEqual({ clients: 0, listeners: 0 });

    const missed = await appendMany(3, 'restart-missed');
    const second = await startTestGateway(redis.url);
    try {
      const resumed = new Listener(`${second.url}/api/events?topics=drafts`, {
        authorization: `Bearer ${APPROVER_TOKEN}`,
        'last-event-id': listener.ids().at(-1)!,
      });
      await resumed.waitForId(missed.at(-1)!);
      resumed.close();
      expect(listener.ids()).toEqual(seen);
      expect(resumed.ids()).toEqual(missed);
    } finally {
      await second.stop('restart test');
    }
  });

  it('sends resync for expired and garbage ids', async () => {
    const oldest = await writer.append(deleted('expired-oldest'));
    await writer.append(deleted('expired-old'));
    const newest = await writer.append(deleted('expired-newest'));
    await commands.xtrim(keys.events, 'MINID', newest);

    const cases: Array<{ name: string; header?: string; query?: string; reason: string }> = [
      { name: 'expired', header: oldest, reason: 'expired' },
      { name: 'future', header: '99999999999999-0', reason: 'expired' },
      { name: 'path', header: '../', reason: 'invalid_id' },
      { name: 'long text', header: 'x'.repeat(10_240), reason: 'invalid_id' },
      { name: 'CR/LF', query: encodeURIComponent('1-0\r\nevent: forged\r\n\r\n'), reason: 'invalid_id' },
      { name: 'overflow', query: '99999999999999999999999-0', reason: 'invalid_id' },
    ];
    const listeners = cases.map(
      (item) =>
        new Listener(
          `${gateway.url}/api/events?topics=drafts${item.query ? `&lastEventId=${item.query}` : ''}`,
          {
            authorization: `Bearer ${APPROVER_TOKEN}`,
            ...(item.header ? { 'last-event-id': item.header } : {}),
          },
        ),
    );
    await Promise.all(
      listeners.map((listener) => waitUntil(() => listener.events.length > 0, 'the resync event')),
    );
    const live = await writer.append(deleted('after-resync'));
    await Promise.all(listeners.map((listener) => listener.waitForId(live)));
    for (const listener of listeners) listener.close();

    cases.forEach((item, index) => {
      const events = listeners[index]!.events;
      expect(events[0]?.type, item.name).toBe('resync');
      expect(JSON.parse(events[0]!.data), item.name).toEqual({ reason: item.reason });
      expect(
        events.map((event) => event.type),
        item.name,
      ).toEqual(['resync', 'draft.deleted']);
      expect(events[1]?.id, item.name).toBe(live);
    });
  });
});

describe('connections', () => {
  it('leaves nothing behind after 200 cycles', async () => {
    await waitUntil(() => gateway.relay.gauge().clients === 0, 'earlier clients to go');
    const baseline = resourceCounts();

    for (let cycle = 0; cycle < 200; cycle++) {
      const socket = rawStreamRequest(gateway.url);
      // Half the clients leave before the response starts, half after the first comment.
      if (cycle % 2 === 1) await firstBytes(socket);
      socket.destroy();
    }
    await waitUntil(() => gateway.relay.gauge().clients === 0, 'every client to be removed');
    expect(gateway.relay.gauge()).toEqual({ clients: 0, listeners: 0 });

    await waitUntil(() => resourceCounts().TCPSocketWrap <= baseline.TCPSocketWrap, 'sockets to close');
    const after = resourceCounts();
    expect(after.Timeout).toBeLessThanOrEqual(baseline.Timeout);
    expect(after.TCPSocketWrap).toBeLessThanOrEqual(baseline.TCPSocketWrap);
  });

  it('drops a client that stops reading', async () => {
    const reader = new Listener(`${gateway.url}/api/events?topics=drafts`);
    await reader.waitForOpen();
    const stalled = rawStreamRequest(gateway.url, '/api/events?topics=drafts');
    await firstBytes(stalled);
    stalled.pause();
    await waitUntil(() => gateway.relay.gauge().clients === 2, 'both clients to connect');

    const filler = 'y'.repeat(16 * 1024);
    const appended: string[] = [];
    while (gateway.relay.gauge().clients === 2 && appended.length < 3_000) {
      appended.push(await writer.append(deleted(filler)));
    }
    const marker = await writer.append(deleted('after-the-drop'));
    appended.push(marker);
    await reader.waitForId(marker);
    reader.close();
    stalled.destroy();

    expect(appended.length).toBeLessThan(3_000);
    expect(reader.ids()).toEqual(appended);
  });
});

describe('tickets', () => {
  it('opens one stream per ticket', async () => {
    const issued = await api('POST', '/api/events/ticket');
    expect(issued.status).toBe(201);
    expect(issued.body.ticket).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const ttl = await commands.ttl(keys.ticket(issued.body.ticket));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);

    const anonymous = apiClient(gateway.url, null);
    expect((await anonymous('POST', '/api/events/ticket')).status).toBe(401);
    expect((await anonymous('GET', `/api/drafts?ticket=${issued.body.ticket}`)).status).toBe(401);

    const controller = new AbortController();
    const opened = await fetch(`${gateway.url}/api/events?ticket=${issued.body.ticket}`, {
      signal: controller.signal,
    });
    expect(opened.status).toBe(200);
    controller.abort();

    const reused = await anonymous('GET', `/api/events?ticket=${issued.body.ticket}`);
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('unauthorized');
    expect((await anonymous('GET', '/api/events?ticket=made-up')).status).toBe(401);
  });

  it('streams to Chromium EventSource', async () => {
    let browser: Browser | null = null;
    try {
      browser = await chromium.launch({
        executablePath: process.env.BROWSER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
        args: [
          '--no-sandbox',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--disable-gpu',
        ],
      });
      const page = await browser.newPage();
      await page.goto(`${pageOrigin}/`);

      const issued = await api('POST', '/api/events/ticket');
      const url = `${gateway.url}/api/events?topics=drafts&ticket=${issued.body.ticket}`;
      await page.evaluate((streamUrl) => {
        const log: StreamLogEntry[] = [];
        window.streamLog = log;
        const source = new window.EventSource(streamUrl);
        source.addEventListener('open', () => log.push({ kind: 'open' }));
        source.addEventListener('error', () => log.push({ kind: 'error' }));
        source.addEventListener('draft.deleted', (event) =>
          log.push({ kind: 'event', id: event.lastEventId, data: event.data }),
        );
      }, url);
      const readLog = () => page.evaluate(() => window.streamLog ?? []);

      await waitUntilAsync(async () => (await readLog()).some((entry) => entry.kind === 'open'), 'open');
      const text = 'from Chromium\nsecond line — ✓ 日本語';
      const id = await writer.append(deleted(text));
      await waitUntilAsync(async () => (await readLog()).some((entry) => entry.id === id), 'the event');

      const log = await readLog();
      expect(log[0]?.kind).toBe('open');
      const received = log.find((entry) => entry.id === id);
      expect(JSON.parse(received!.data!)).toEqual({ draftId: text });
      expect(log.some((entry) => entry.kind === 'error')).toBe(false);
    } finally {
      await browser?.close();
    }
  });
});

describe('several gateways', () => {
  it('delivers every event through each gateway', async () => {
    const second = await startTestGateway(redis.url);
    try {
      const one = new Listener(`${gateway.url}/api/events?topics=drafts`);
      const two = new Listener(`${second.url}/api/events?topics=drafts`);
      await Promise.all([one.waitForOpen(), two.waitForOpen()]);

      const appended = await appendMany(50, 'two-gateways');
      await Promise.all([one.waitForId(appended.at(-1)!), two.waitForId(appended.at(-1)!)]);
      one.close();
      two.close();

      expect(one.ids()).toEqual(appended);
      expect(two.ids()).toEqual(appended);
    } finally {
      await second.stop('test end');
    }
  });
});

function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(BigInt);
  const [bMs, bSeq] = b.split('-').map(BigInt);
  if (aMs !== bMs) return aMs! < bMs! ? -1 : 1;
  if (aSeq !== bSeq) return aSeq! < bSeq! ? -1 : 1;
  return 0;
}

function resourceCounts(): { Timeout: number; TCPSocketWrap: number } {
  const resources = process.getActiveResourcesInfo();
  return {
    Timeout: resources.filter((name) => name === 'Timeout').length,
    TCPSocketWrap: resources.filter((name) => name === 'TCPSocketWrap').length,
  };
}

async function waitUntilAsync(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts a loopback TCP proxy in front of the gateway whose connections the test can cut. */
async function startCuttableProxy(targetUrl: string) {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createTcpServer((client) => {
    connections++;
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    cutAll() {
      for (const socket of sockets) socket.destroy();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
