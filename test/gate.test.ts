import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keyspace } from '../shared/redis.js';
import { setNeedsHuman, setPaused } from '../shared/worker-status.js';
import { SideEffectGate } from '../worker/gate.js';
import { Quota } from '../worker/quota.js';
import { TestRedis } from './helpers/redis.js';

const keys = keyspace('gate-test');
let server: TestRedis;
let redis: Redis;

function gateWith(spacingSeconds: number, limits = { posts: 2, replies: 1 }) {
  const quota = new Quota(redis, keys, limits);
  const gate = new SideEffectGate(
    redis,
    keys,
    { POST_SPACING_SECONDS: spacingSeconds, HOLD_RECHECK_MS: 5_000 },
    quota,
    () => 1,
  );
  return { gate, quota };
}

beforeAll(async () => {
  server = await TestRedis.start();
  redis = server.client();
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

beforeEach(async () => {
  await redis.flushdb();
});

describe('side-effect gate', () => {
  it('never delays the first side effect', async () => {
    const { gate } = gateWith(120);
    expect(await gate.check('posts', 1_000_000)).toEqual({ hold: false });
  });

  it('holds until the spacing and its jitter have passed', async () => {
    const { gate } = gateWith(120);
    await gate.recordSideEffect(1_000_000);
    const decision = await gate.check('like', 1_000_000 + 10_000);
    // With the random source fixed at 1, the jitter is a full quarter of the spacing.
    expect(decision).toMatchObject({ hold: true, untilMs: 1_000_000 + 120_000 + 30_000 });
    expect(await gate.check('like', 1_000_000 + 120_001)).toEqual({ hold: false });
  });

  it('holds posts past the rolling daily cap until the oldest leaves the window', async () => {
    const { gate, quota } = gateWith(0);
    const now = Date.now();
    await quota.record('posts', 'a', now - 3_600_000);
    await quota.record('posts', 'b', now - 60_000);

    const decision = await gate.check('posts', now);
    expect(decision).toMatchObject({ hold: true, untilMs: now - 3_600_000 + 24 * 3_600_000 });
    expect(await gate.check('replies', now)).toEqual({ hold: false });

    const remaining = await quota.remaining(now);
    expect(remaining.postsLeft).toBe(0);
    expect(remaining.repliesLeft).toBe(1);
  });

  it('forgets posts older than 24 hours', async () => {
    const { gate, quota } = gateWith(0);
    const now = Date.now();
    await quota.record('posts', 'old-1', now - 25 * 3_600_000);
    await quota.record('posts', 'old-2', now - 24 * 3_600_000 - 1);
    expect(await gate.check('posts', now)).toEqual({ hold: false });
    expect((await quota.remaining(now)).postsLeft).toBe(2);
  });

  it('holds everything side-effecting while paused or waiting for a person', async () => {
    const { gate } = gateWith(0);
    await setPaused(redis, keys, true);
    const paused = await gate.check('like', 5_000);
    expect(paused).toEqual({ hold: true, untilMs: 10_000, reason: 'the worker is paused' });

    await setPaused(redis, keys, false);
    await setNeedsHuman(redis, keys, 'checkpoint');
    const waiting = await gate.check('posts', 5_000);
    expect(waiting).toMatchObject({ hold: true, reason: 'waiting for a person: checkpoint' });

    await setNeedsHuman(redis, keys, null);
    expect(await gate.check('posts', 5_000)).toEqual({ hold: false });
  });
});
