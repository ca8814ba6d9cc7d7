import type { Redis } from 'ioredis';
import type { BrowserStatus } from './events.js';
import type { Keyspace } from './redis.js';

/** The worker's periodic status record, which expires when the worker stops writing it. */
export interface Heartbeat {
  at: string;
  version: string;
  pid: number;
  browserUp: boolean;
  loggedIn: boolean | null;
  currentJob: string | null;
  quota: BrowserStatus['quota'];
}

/** Switches set by people through the API or by the worker, kept until cleared. */
export interface WorkerControl {
  paused: boolean;
  needsHuman: boolean;
  needsHumanReason: string | null;
}

export async function writeHeartbeat(
  redis: Redis,
  keys: Keyspace,
  heartbeat: Heartbeat,
  ttlMs: number,
): Promise<void> {
  await redis.set(keys.heartbeat, JSON.stringify(heartbeat), 'PX', ttlMs);
}

export async function readControl(redis: Redis, keys: Keyspace): Promise<WorkerControl> {
  const fields = await redis.hgetall(keys.workerControl);
  return {
    paused: fields.paused === '1',
    needsHuman: fields.needsHuman === '1',
    needsHumanReason: fields.needsHumanReason || null,
  };
}

export async function setPaused(redis: Redis, keys: Keyspace, paused: boolean): Promise<void> {
  await redis.hset(keys.workerControl, 'paused', paused ? '1' : '0');
}

export async function setNeedsHuman(redis: Redis, keys: Keyspace, reason: string | null): Promise<void> {
  await redis.hset(keys.workerControl, 'needsHuman', reason ? '1' : '0', 'needsHumanReason', reason ?? '');
}

const emptyQuota: BrowserStatus['quota'] = { postsLeft: 0, repliesLeft: 0, resetsAt: null };

/** Combines the heartbeat (absent when the worker is down) with the control switches. */
export async function readBrowserStatus(redis: Redis, keys: Keyspace): Promise<BrowserStatus> {
  const [json, control] = await Promise.all([redis.get(keys.heartbeat), readControl(redis, keys)]);
  const heartbeat = json ? (JSON.parse(json) as Heartbeat) : null;
  return {
    workerUp: heartbeat !== null,
    heartbeatAt: heartbeat?.at ?? null,
    version: heartbeat?.version ?? null,
    browserUp: heartbeat?.browserUp ?? false,
    loggedIn: heartbeat?.loggedIn ?? null,
    needsHuman: control.needsHuman,
    needsHumanReason: control.needsHumanReason,
    paused: control.paused,
    currentJob: heartbeat?.currentJob ?? null,
    quota: heartbeat?.quota ?? emptyQuota,
  };
}
