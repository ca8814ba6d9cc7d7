import { z } from 'zod';

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const hostEntry = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'expected a host name with an optional :port');

const commaList = (item: z.ZodType<string, string>) =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    )
    .pipe(z.array(item));

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Every setting of both processes. Each key is the environment variable of the same name; nothing
 * else in the project reads `process.env`.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  API_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  AGENT_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  CORS_ORIGINS: commaList(z.url()).default([]),
  BODY_LIMIT_BYTES: positiveInt(64 * 1024),
  SESSION_BODY_LIMIT_BYTES: positiveInt(1024 * 1024),
  /** Lifetime of a dashboard sign-in, in seconds. */
  SESSION_TTL_SECONDS: positiveInt(12 * 60 * 60),
  QUEUE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1 to 64 letters, digits, _ or -')
    .default('browser'),
  THREADS_BASE_URL: z.url().default('https://www.threads.com'),
  THREADS_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9._]{1,30}$/, 'expected a Threads user name without @')
    .optional(),
  ALLOWED_HOSTS: commaList(hostEntry).default([
    'threads.com',
    'www.threads.com',
    'threads.net',
    'www.threads.net',
  ]),
  BROWSER_EXECUTABLE_PATH: z.string().min(1).optional(),
  BROWSER_PROFILE_DIR: z.string().min(1).default('data/browser-profile'),
  HEADLESS: booleanString.default(true),
  STEP_TIMEOUT_MS: positiveInt(30_000),
  JOB_DEADLINE_MS: positiveInt(180_000),
  TOAST_TIMEOUT_MS: positiveInt(20_000),
  HEARTBEAT_INTERVAL_MS: positiveInt(5_000),
  WORKER_LOCK_MS: positiveInt(30_000),
  BROWSER_RECYCLE_JOBS: positiveInt(100),
  HOLD_RECHECK_MS: positiveInt(30_000),
  MAX_QUEUED_JOBS: positiveInt(1_000),
  POST_SPACING_SECONDS: z.coerce.number().int().min(0).default(120),
  POSTS_PER_DAY: z.coerce.number().int().min(0).default(25),
  REPLIES_PER_DAY: z.coerce.number().int().min(0).default(100),
  EVENT_STREAM_MAX_LENGTH: positiveInt(10_000),
  /** Bytes an event-stream client may leave unread in the gateway before it is disconnected. */
  EVENT_CLIENT_BUFFER_BYTES: positiveInt(1024 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: booleanString.default(false),
});

export type Config = z.infer<typeof configSchema>;

/** A setting that failed validation; the message names every bad variable and what it accepts. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; empty strings count as unset, so `FOO=` in a file falls back to the default. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = configSchema.safeParse(present);
  if (parsed.success) {
    return parsed.data;
  }

  const lines = parsed.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    return `  ${variable}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** Loads the configuration or stops the process with the reason on stderr. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
