import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright';
import type { Logger } from '../shared/logger.js';

/** Flags for a headless Chromium on a machine or container without outside network. */
export const chromiumArgs = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--disable-quic',
  '--metrics-recording-only',
];

const systemChromiumPaths = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * Picks the executable: the configured path, else Playwright's own download when present, else
 * the system Chromium.
 */
export function resolveExecutablePath(configured: string | undefined): string | undefined {
  if (configured) return configured;
  try {
    const bundled = chromium.executablePath();
    if (bundled && existsSync(bundled)) return bundled;
  } catch {
    // Playwright throws when its browsers were never downloaded; the system Chromium follows.
  }
  return systemChromiumPaths.find((path) => existsSync(path));
}

export interface BrowserSessionOptions {
  profileDir: string;
  executablePath: string | undefined;
  headless: boolean;
  logger: Logger;
  onStatusChange?: (up: boolean, reason: string) => void;
  /** Runs on each new context before any page opens, e.g. to install request routing. */
  onLaunch?: (context: BrowserContext) => Promise<void>;
}

/**
 * The worker's one browser: a persistent context on the profile folder, so the login survives
 * restarts. Only this object launches it, because two launches on one profile fail.
 */
export class BrowserSession {
  private context: BrowserContext | null = null;
  private launching: Promise<BrowserContext> | null = null;

  constructor(private readonly options: BrowserSessionOptions) {}

  get isUp(): boolean {
    return this.context !== null;
  }

  async start(): Promise<BrowserContext> {
    if (this.context) return this.context;
    this.launching ??= this.launch().finally(() => {
      this.launching = null;
    });
    return this.launching;
  }

  /**
   * Opens a page. A browser that died since the last job may not have reported its close yet, so a
   * failed attempt relaunches the browser and tries once more.
   */
  async newPage(): Promise<Page> {
    const context = await this.start();
    try {
      return await context.newPage();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'opening a page failed; relaunching the browser');
      const relaunched = await this.relaunch('opening a page failed');
      return relaunched.newPage();
    }
  }

  /** Closes the browser; if closing hangs, the process is killed. */
  async close(timeoutMs = 10_000): Promise<void> {
    const context = this.context;
    this.context = null;
    if (!context) return;

    const closed = context.close().then(
      () => true,
      () => false,
    );
    const timedOut = new Promise<false>((resolve) => setTimeout(resolve, timeoutMs, false).unref());
    if (!(await Promise.race([closed, timedOut]))) {
      const killed = killProfileProcesses(this.options.profileDir);
      this.options.logger.warn({ killed }, 'closing the browser failed or timed out; killed its processes');
    }
  }

  async relaunch(reason: string): Promise<BrowserContext> {
    this.options.logger.warn({ reason }, 'relaunching the browser');
    await this.close(5_000);
    return this.start();
  }

  private async launch(): Promise<BrowserContext> {
    mkdirSync(this.options.profileDir, { recursive: true });
    const executablePath = this.options.executablePath;
    this.options.logger.info({ executablePath, headless: this.options.headless }, 'launching the browser');
    const context = await chromium.launchPersistentContext(resolve(this.options.profileDir), {
      executablePath,
      headless: this.options.headless,
      args: chromiumArgs,
      viewport: { width: 1280, height: 900 },
      locale: 'en-US',
    });
    context.on('close', () => {
      if (this.context === context) {
        this.context = null;
        this.options.logger.warn('the browser closed unexpectedly');
        this.options.onStatusChange?.(false, 'browser closed');
      }
    });
    await this.options.onLaunch?.(context);
    this.context = context;
    this.options.onStatusChange?.(true, 'launched');
    return context;
  }
}

/**
 * Finds the processes started on this profile folder (Chromium puts it in every child's
 * `--user-data-dir`) and kills them. Linux only: it reads /proc. Returns how many were signalled.
 */
export function findProfileProcesses(profileDir: string): number[] {
  const flag = `--user-data-dir=${resolve(profileDir)}`;
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(flag)) pids.push(Number(entry));
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return pids;
}

export function killProfileProcesses(profileDir: string): number {
  let killed = 0;
  for (const pid of findProfileProcesses(profileDir)) {
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // Already gone.
    }
  }
  return killed;
}
