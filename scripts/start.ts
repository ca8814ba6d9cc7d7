/**
 * Starts the whole system on this machine: gateway and worker as child processes, a private
 * redis-server when none responds at REDIS_URL, and with `--demo` the bundled local test site
 * logged in as `demo_user`, followed by one sample draft approved and posted.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfigOrExit } from '../shared/config.js';

const { values } = parseArgs({ options: { demo: { type: 'boolean', default: false } } });
const demo = values.demo;
const projectRoot = resolve(new URL('..', import.meta.url).pathname);
const dataDir = resolve(projectRoot, 'data');
mkdirSync(dataDir, { recursive: true });

const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];

function log(message: string): void {
  process.stdout.write(`[start] ${message}\n`);
}

async function redisAnswers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** Starts a private redis-server with its data in `data/redis` when REDIS_URL has no server. */
async function ensureRedis(url: string): Promise<void> {
  if (await redisAnswers(url)) {
    log(`using Redis at ${url}`);
    return;
  }
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error(
      `no Redis responds at ${url} and redis-server is not installed: install it or set REDIS_URL`,
    );
  }

  const parsed = new URL(url);
  const host = parsed.hostname || '127.0.0.1';
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
    throw new Error(
      `no Redis responds at ${url}; a private redis-server can only be started on this machine`,
    );
  }
  const redisDir = resolve(dataDir, 'redis');
  mkdirSync(redisDir, { recursive: true });
  const port = parsed.port || '6379';
  log(`no Redis at ${url}; starting a private redis-server on port ${port} with its data in ${redisDir}`);
  const child = spawn(
    'redis-server',
    [
      '--port',
      port,
      '--bind',
      '127.0.0.1',
      '--dir',
      redisDir,
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  children.push(child);
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await redisAnswers(url)) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`the private redis-server on port ${port} did not start`);
}

function startProcess(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  // The IPC channel closes when this launcher dies, however it dies, and the child then shuts down.
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.once('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} exited (${signal ?? code}); stopping everything`);
      void stopAll(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of [...children].reverse()) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 15_000))]);
    }
  }
  for (const cleanup of cleanups) await cleanup();
  process.exit(exitCode);
}

process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));

async function waitForJson(
  url: string,
  token: string,
  accept: (body: Record<string, unknown>) => boolean,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      if (response.ok) {
        const body = (await response.json()) as Record<string, unknown>;
        if (accept(body)) return body;
      }
    } catch {
      // The gateway is still starting; the loop tries again.
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`timed out waiting for ${url}`);
}

/** Creates one sample draft, approves it and follows it to its post URL. */
async function runSample(gatewayUrl: string, token: string): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const created = await fetch(`${gatewayUrl}/api/drafts`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ content: `Hello from the threads-agent demo at ${new Date().toISOString()}` }),
  });
  if (created.status !== 201)
    throw new Error(`creating the sample draft failed: ${created.status} ${await created.text()}`);
  const draft = (await created.json()) as { id: string };
  log(`created draft ${draft.id}`);
  const approved = await fetch(`${gatewayUrl}/api/drafts/${draft.id}/approve`, { method: 'POST', headers });
  if (approved.status !== 202)
    throw new Error(`approving the sample draft failed: ${approved.status} ${await approved.text()}`);
  const { jobId } = (await approved.json()) as { jobId: string };
  log(`approved it; publish job ${jobId}`);
  const final = await waitForJson(
    `${gatewayUrl}/api/drafts/${draft.id}`,
    token,
    (body) => ['published', 'failed'].includes(String(body.status)),
    120_000,
  );
  log(
    final.status === 'published' ? `published: ${String(final.postUrl)}` : `failed: ${String(final.error)}`,
  );
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (demo) {
    const { startTestSite } = await import('../test/site/server.js');
    const site = await startTestSite({ port: 0 });
    cleanups.push(() => site.close());
    log(`local test site: ${site.url} (logged in as @${site.username})`);
    env.THREADS_BASE_URL = site.url;
    env.ALLOWED_HOSTS = new URL(site.url).host;
    env.BROWSER_PROFILE_DIR ??= resolve(dataDir, 'demo-profile');
    env.POST_SPACING_SECONDS ??= '0';
    env.LOG_LEVEL ??= 'warn';
  }
  env.API_TOKEN ??= randomBytes(24).toString('base64url');
  env.LOG_PRETTY ??= process.stdout.isTTY ? 'true' : 'false';

  const config = loadConfigOrExit(env);
  await ensureRedis(config.REDIS_URL);

  startProcess('gateway', 'gateway/main.ts', env);
  startProcess('worker', 'worker/main.ts', env);

  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  const gatewayUrl = config.PUBLIC_URL ?? `http://${host}:${config.PORT}`;
  const token = env.API_TOKEN;
  await waitForJson(`${gatewayUrl}/api/browser/status`, token, (body) => body.workerUp === true, 120_000);

  process.stdout.write(
    `\nthreads-agent is running.\n  Gateway:   ${gatewayUrl}\n  Token:     ${token}\n  Dashboard: ${gatewayUrl}/#token=${token}\n  Try:       curl -H "Authorization: Bearer ${token}" ${gatewayUrl}/api/browser/status\n\n`,
  );
  if (demo) await runSample(gatewayUrl, token);
  log('press Ctrl+C to stop');
}

main().catch((error: unknown) => {
  process.stderr.write(`[start] ${error instanceof Error ? error.message : String(error)}\n`);
  void stopAll(1);
});
