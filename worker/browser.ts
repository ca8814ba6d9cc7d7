import { existsSync, mkdirSync } from 'node:fs';
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

  async newPage(): Promise<Page> {
    const context = await this.start();
    return context.newPage();
  }

  /** Closes the browser; if closing hangs, the process is killed. */
  async close(timeoutMs = 10_000): Promise<void> {
    const context = this.context;
    this.context = null;
    if (!context) return;

    const closed = context.close().then(() => true);
    const timedOut = new Promise<false>((resolve) => setTimeout(resolve, timeoutMs, false).unref());
    if (!(await Promise.race([closed, timedOut]))) {
      this.options.logger.warn('closing the browser timed out');
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
    const context = await chromium.launchPersistentContext(this.options.profileDir, {
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
    this.context = context;
    this.options.onStatusChange?.(true, 'launched');
    return context;
  }
}
