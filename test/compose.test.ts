import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const projectRoot = new URL('../', import.meta.url).pathname;
const readProjectFile = (path: string) => readFileSync(`${projectRoot}${path}`, 'utf8');

interface Healthcheck {
  test?: string[] | string;
  interval?: string;
}

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string>;
  env_file?: Array<{ path: string; required?: boolean }>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: Healthcheck;
  depends_on?: Record<string, { condition?: string }>;
  init?: boolean;
  shm_size?: string;
  restart?: string;
}

interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readProjectFile('docker-compose.yml')) as ComposeFile;
const services = compose.services;
const redis = services.redis!;
const gateway = services.gateway!;
const worker = services.worker!;

/** Joins a service's health-check command into one string, whichever YAML form the file uses. */
function healthcheckCommand(service: Service): string {
  const test = service.healthcheck?.test ?? [];
  return Array.isArray(test) ? test.join(' ') : test;
}

/** Converts a Compose size such as `1gb`, `512m` or `2g` to bytes. */
function parseSize(size: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(size.trim());
  if (!match) throw new Error(`invalid size ${size}: expected a number with an optional k, m or g suffix`);
  const units: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  return Number(match[1]) * units[match[2]!.toLowerCase()]!;
}

describe('docker-compose.yml', () => {
  it('defines redis, gateway and worker', () => {
    expect(Object.keys(services).sort()).toEqual(['gateway', 'redis', 'worker']);
  });

  it('runs redis 7 with an append-only file and noeviction', () => {
    expect(redis.image).toMatch(/^redis:7/);
    const command = redis.command?.join(' ') ?? '';
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
  });

  it('keeps redis data on a named volume', () => {
    const dataMount = redis.volumes?.find((volume) => volume.endsWith(':/data'));
    expect(dataMount).toBeDefined();
    const volumeName = dataMount!.split(':')[0]!;
    expect(Object.keys(compose.volumes ?? {})).toContain(volumeName);
  });

  it('checks redis health with redis-cli ping', () => {
    expect(healthcheckCommand(redis)).toContain('redis-cli ping');
  });

  it('builds gateway and worker from their Dockerfiles', () => {
    expect(gateway.build?.dockerfile).toBe('gateway/Dockerfile');
    expect(worker.build?.dockerfile).toBe('worker/Dockerfile');
    expect(gateway.build?.context).toBe('.');
    expect(worker.build?.context).toBe('.');
  });

  it('points gateway and worker at the redis service', () => {
    expect(gateway.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(worker.environment?.REDIS_URL).toBe('redis://redis:6379');
  });

  it('reads .env only when it exists', () => {
    for (const service of [gateway, worker]) {
      expect(service.env_file).toEqual([{ path: '.env', required: false }]);
    }
  });

  it('binds the gateway to all interfaces and publishes its port', () => {
    expect(gateway.environment?.HOST).toBe('0.0.0.0');
    expect(gateway.environment?.PORT).toBe('3000');
    expect(gateway.ports).toHaveLength(1);
    expect(gateway.ports![0]).toMatch(/:3000$/);
  });

  it('checks gateway health on /healthz', () => {
    expect(healthcheckCommand(gateway)).toContain('/healthz');
  });

  it('checks worker health by its heartbeat', () => {
    const command = healthcheckCommand(worker);
    expect(command).toContain('dist/scripts/worker-health.js');
    expect(existsSync(`${projectRoot}scripts/worker-health.ts`)).toBe(true);
    expect(readProjectFile('scripts/worker-health.ts')).toContain('.heartbeat');
  });

  it('starts gateway and worker once redis is healthy', () => {
    expect(gateway.depends_on?.redis?.condition).toBe('service_healthy');
    expect(worker.depends_on?.redis?.condition).toBe('service_healthy');
  });

  it('starts the gateway without waiting for the worker', () => {
    expect(Object.keys(gateway.depends_on ?? {})).toEqual(['redis']);
  });

  it('runs the worker under an init process', () => {
    expect(worker.init).toBe(true);
  });

  it('gives the worker at least 1 GiB of shared memory', () => {
    expect(worker.shm_size).toBeDefined();
    expect(parseSize(worker.shm_size!)).toBeGreaterThanOrEqual(1024 ** 3);
  });

  it('runs the worker headless with Debian Chromium', () => {
    expect(worker.environment?.HEADLESS).toBe('true');
    expect(worker.environment?.BROWSER_EXECUTABLE_PATH).toBe('/usr/bin/chromium');
  });

  it('keeps the browser profile on a named volume', () => {
    const profileDir = worker.environment?.BROWSER_PROFILE_DIR;
    expect(profileDir).toBeDefined();
    const profileMount = worker.volumes?.find((volume) => volume.endsWith(`:${profileDir}`));
    expect(profileMount).toBeDefined();
    const volumeName = profileMount!.split(':')[0]!;
    expect(Object.keys(compose.volumes ?? {})).toContain(volumeName);
  });

  it('restarts every service', () => {
    for (const name of ['redis', 'gateway', 'worker']) {
      expect(services[name]!.restart, name).toBe('unless-stopped');
    }
  });

  it('inlines no tokens or passwords', () => {
    const text = readProjectFile('docker-compose.yml');
    expect(text).not.toMatch(/API_TOKEN\s*:/);
    expect(text).not.toMatch(/AGENT_TOKEN\s*:/);
    expect(text).not.toMatch(/PASSWORD|SECRET/i);
    expect(text).not.toMatch(/rediss?:\/\/[^@\s]*@/);
  });
});

describe.each([
  { service: 'gateway', entry: 'gateway/main' },
  { service: 'worker', entry: 'worker/main' },
])('$service/Dockerfile', ({ service, entry }) => {
  const dockerfile = readProjectFile(`${service}/Dockerfile`);
  const instructions = dockerfile
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages = instructions.filter((line) => line.startsWith('FROM '));
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds in several stages on node 20 bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      expect(stage).toMatch(/^FROM node:20-bookworm-slim\b/);
    }
  });

  it('compiles with npm ci and npm run build', () => {
    expect(dockerfile).toMatch(/RUN npm ci\s*\n/);
    expect(dockerfile).toContain('RUN npm run build');
  });

  it('installs only production dependencies in the final stage', () => {
    expect(finalStage).toContain('npm ci --omit=dev');
    expect(finalStage).toMatch(/COPY --from=\w+ \/app\/dist/);
  });

  it('runs as a non-root user', () => {
    const users = instructions.filter((line) => line.startsWith('USER '));
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^USER (root|0)(:|$)/);
  });

  it('starts the compiled entry point', () => {
    expect(instructions.at(-1)).toBe(`CMD ["node", "dist/${entry}.js"]`);
  });

  it('has a source file for its entry point', () => {
    expect(existsSync(`${projectRoot}${entry}.ts`)).toBe(true);
  });
});

describe('worker/Dockerfile', () => {
  const dockerfile = readProjectFile('worker/Dockerfile');

  it('installs Chromium and fonts from Debian', () => {
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends[^\n]*\bchromium\b/);
    expect(dockerfile).toMatch(/apt-get install[^\n]*\bfonts-liberation\b/);
  });

  it('points the browser at the system Chromium', () => {
    expect(dockerfile).toContain('BROWSER_EXECUTABLE_PATH=/usr/bin/chromium');
  });
});

describe('.dockerignore', () => {
  const ignored = readProjectFile('.dockerignore')
    .split('\n')
    .map((line) => line.trim());

  it.each(['node_modules', 'data', 'dist', '.git', '.env', 'profiles'])('excludes %s', (entry) => {
    expect(ignored).toContain(entry);
  });
});
