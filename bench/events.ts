import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { EventWriter } from '../shared/events.js';
import { keyspace } from '../shared/redis.js';
import { TestRedis } from '../test/helpers/redis.js';

const CLIENTS = 1_000;
const EVENTS = 200;
const WARMUP_EVENTS = 20;
const SPACING_MS = 50;
const TOKEN = 'benchmark-token-000000000001';

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

export interface EventsBenchmark {
  clients: number;
  events: number;
  gateway: Percentiles;
  bareRelay: Percentiles;
  bareRead: Percentiles;
  /** True when the load average passed the number of cores during the run. */
  busy: boolean;
  memory: { rssPerClient: number; heapPerClient: number; rssBefore: number; rssAfter: number };
  environment: Record<string, string>;
}

type Message = { kind: string } & Record<string, unknown>;

function spawnChild(file: string, args: string[], nodeFlags: string[] = []): ChildProcess {
  return spawn(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', new URL(file, import.meta.url).pathname, ...args],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
}

function nextMessage(child: ChildProcess, kind: string, send?: string): Promise<Message> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Message) => {
      if (message.kind !== kind) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null) =>
      reject(new Error(`child exited with ${code} before sending ${kind}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (send) child.send(send);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('stop');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForClients(clients: ChildProcess, expected: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await nextMessage(clients, 'status', 'status');
    if (status.connected === expected) return;
    if (Date.now() > deadline) throw new Error(`only ${status.connected} of ${expected} clients connected`);
    await sleep(200);
  }
}

/** Appends warm-up events, then timed ones whose draft id carries the append time in nanoseconds. */
async function appendTimedEvents(writer: EventWriter): Promise<void> {
  for (let index = 0; index < WARMUP_EVENTS; index++) {
    await writer.append({ type: 'draft.deleted', data: { draftId: `w${index}` } });
    await sleep(SPACING_MS);
  }
  for (let index = 0; index < EVENTS; index++) {
    await writer.append({ type: 'draft.deleted', data: { draftId: `b${process.hrtime.bigint()}` } });
    await sleep(SPACING_MS);
  }
}

async function collectLatencies(clients: ChildProcess, expected: number): Promise<number[]> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const status = await nextMessage(clients, 'status', 'status');
    if (Number(status.received) >= expected) break;
    await sleep(100);
  }
  const reply = await nextMessage(clients, 'latencies', 'latencies');
  return reply.values as number[];
}

function percentiles(valuesNs: number[]): Percentiles {
  const sorted = [...valuesNs].sort((a, b) => a - b);
  const at = (fraction: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0) / 1e6;
  return { p50: at(0.5), p99: at(0.99), max: (sorted.at(-1) ?? 0) / 1e6, samples: sorted.length };
}

function packageVersion(name: string): string {
  const path = new URL(`../node_modules/${name}/package.json`, import.meta.url).pathname;
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

/**
 * Measures append-to-receipt latency through the gateway with `CLIENTS` SSE clients, then through
 * the bare relay in `bare-relay.ts` with as many raw TCP clients, and the gateway's memory per client.
 */
export async function runEventsBenchmark(log: (line: string) => void): Promise<EventsBenchmark> {
  const redis = await TestRedis.start();
  const commands = redis.client();
  const keys = keyspace('browser');
  const writer = new EventWriter(commands, keys.events, 10_000);
  const loadAtStart = loadavg()[0] ?? 0;

  try {
    log('gateway: starting');
    const gateway = spawnChild('./gateway-process.ts', [redis.url, TOKEN], ['--expose-gc']);
    const ready = await nextMessage(gateway, 'ready');
    const url = new URL(String(ready.url));
    const before = await nextMessage(gateway, 'memory', 'measure');

    log(`gateway: connecting ${CLIENTS} SSE clients`);
    const sseClients = spawnChild('./clients.ts', ['sse', url.hostname, url.port, String(CLIENTS), TOKEN]);
    await waitForClients(sseClients, CLIENTS);
    await sleep(1_000);
    const after = await nextMessage(gateway, 'memory', 'measure');

    log(`gateway: appending ${EVENTS} events`);
    await appendTimedEvents(writer);
    const gatewayLatencies = await collectLatencies(sseClients, CLIENTS * EVENTS);
    await stopChild(sseClients);
    await stopChild(gateway);

    log('bare relay: starting');
    const bare = spawnChild('./bare-relay.ts', [redis.url, keys.events]);
    const bareReady = await nextMessage(bare, 'ready');
    const rawClients = spawnChild('./clients.ts', [
      'raw',
      '127.0.0.1',
      String(bareReady.port),
      String(CLIENTS),
    ]);
    await waitForClients(rawClients, CLIENTS);
    await sleep(1_000);
    log(`bare relay: appending ${EVENTS} events`);
    await appendTimedEvents(writer);
    const bareLatencies = await collectLatencies(rawClients, CLIENTS * EVENTS);
    const bareRead = await nextMessage(bare, 'read-latencies', 'read-latencies');
    await stopChild(rawClients);
    await stopChild(bare);

    const memoryBefore = before.memory as NodeJS.MemoryUsage;
    const memoryAfter = after.memory as NodeJS.MemoryUsage;
    const heap = (memory: NodeJS.MemoryUsage) => memory.heapUsed + memory.external + memory.arrayBuffers;
    const loadAtEnd = loadavg()[0] ?? 0;
    return {
      busy: Math.max(loadAtStart, loadAtEnd) > cpus().length,
      clients: CLIENTS,
      events: EVENTS,
      gateway: percentiles(gatewayLatencies),
      bareRelay: percentiles(bareLatencies),
      bareRead: percentiles(bareRead.values as number[]),
      memory: {
        rssPerClient: (memoryAfter.rss - memoryBefore.rss) / CLIENTS,
        heapPerClient: (heap(memoryAfter) - heap(memoryBefore)) / CLIENTS,
        rssBefore: memoryBefore.rss,
        rssAfter: memoryAfter.rss,
      },
      environment: {
        cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
        'load average (1 min) at start and end': `${loadAtStart.toFixed(2)} and ${loadAtEnd.toFixed(2)}`,
        node: process.version,
        redis:
          execFileSync('redis-server', ['--version'], { encoding: 'utf8' })
            .trim()
            .split(' ')[2]
            ?.replace('v=', '') ?? '',
        hono: packageVersion('hono'),
        '@hono/node-server': packageVersion('@hono/node-server'),
        ioredis: packageVersion('ioredis'),
      },
    };
  } finally {
    commands.disconnect();
    await redis.stop();
  }
}
