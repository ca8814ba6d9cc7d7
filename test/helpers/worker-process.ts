import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPROVER_TOKEN } from './gateway.js';

const projectRoot = new URL('../../', import.meta.url).pathname;

export interface WorkerProcess {
  child: ChildProcess;
  profileDir: string;
  output(): string;
  /** Sends SIGTERM and waits for the exit code. */
  stop(): Promise<number | null>;
  /** Sends SIGKILL, as a crash would. */
  kill(): Promise<void>;
}

/** Environment for a worker that drives the local test site with the system Chromium. */
export function workerEnv(
  redisUrl: string,
  siteUrl: string,
  profileDir: string,
  extra: Record<string, string> = {},
) {
  const site = new URL(siteUrl);
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'test',
    REDIS_URL: redisUrl,
    API_TOKEN: APPROVER_TOKEN,
    THREADS_BASE_URL: siteUrl,
    ALLOWED_HOSTS: site.host,
    BROWSER_EXECUTABLE_PATH: process.env.BROWSER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
    BROWSER_PROFILE_DIR: profileDir,
    HEARTBEAT_INTERVAL_MS: '500',
    STEP_TIMEOUT_MS: '10000',
    TOAST_TIMEOUT_MS: '4000',
    WORKER_LOCK_MS: '4000',
    POST_SPACING_SECONDS: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...extra,
  };
}

/** Runs `worker/main.ts` in its own process, the way `npm start` does. */
export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    child,
    profileDir: env.BROWSER_PROFILE_DIR ?? '',
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export function temporaryProfileDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'threads-agent-profile-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
