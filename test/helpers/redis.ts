import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { StartedTestContainer } from 'testcontainers';

/** Finds a free TCP port on 127.0.0.1 by binding port 0 and closing again. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A private `redis-server` on a free loopback port, which a test may stop and start again. */
export class TestRedis {
  private process: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'threads-agent-redis-'));

  private constructor(readonly port: number) {}

  /** A Redis in a container, used only where `redis-server` is missing and Docker runs. */
  private container: StartedTestContainer | null = null;
  private containerUrl: string | null = null;

  static async start(): Promise<TestRedis> {
    if (spawnSync('redis-server', ['--version']).status !== 0) {
      return TestRedis.startContainer();
    }
    const redis = new TestRedis(await freePort());
    await redis.startServer();
    return redis;
  }

  /**
   * Starts Redis with testcontainers instead of a local `redis-server`.
   * NOTE: no machine of this project's CI has Docker, so this path has not run there.
   */
  private static async startContainer(): Promise<TestRedis> {
    const { GenericContainer } = await import('testcontainers');
    const container = await new GenericContainer('redis:7').withExposedPorts(6379).start();
    const redis = new TestRedis(container.getMappedPort(6379));
    redis.container = container;
    redis.containerUrl = `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
    return redis;
  }

  get url(): string {
    return this.containerUrl ?? `redis://127.0.0.1:${this.port}`;
  }

  async startServer(): Promise<void> {
    if (this.container) {
      throw new Error(
        'restarting Redis needs a local redis-server; install it (apt-get install -y redis-server)',
      );
    }
    if (this.process) return;
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    this.process = child;
    await this.waitUntilReady();
  }

  /** Stops the server abruptly, as a crash or a network cut would. */
  async stopServer(): Promise<void> {
    if (this.container) {
      throw new Error(
        'stopping Redis without removing it needs a local redis-server; install it (apt-get install -y redis-server)',
      );
    }
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    if (this.container) {
      await this.container.stop();
      this.container = null;
      return;
    }
    await this.stopServer();
    rmSync(this.dir, { recursive: true, force: true });
  }

  client(): Redis {
    return new Redis(this.url, { maxRetriesPerRequest: 1 });
  }

  private async waitUntilReady(): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const probe = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        // Not accepting connections yet; the loop waits and tries again.
      } finally {
        probe.disconnect();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server on port ${this.port} did not become ready`);
  }
}
