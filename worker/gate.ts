import type { Redis } from 'ioredis';
import type { Config } from '../shared/config.js';
import type { Keyspace } from '../shared/redis.js';
import { readControl } from '../shared/worker-status.js';
import type { Quota, QuotaKind } from './quota.js';

export type GateDecision = { hold: false } | { hold: true; untilMs: number; reason: string };

/**
 * Decides whether a side-effecting job may run now: not while paused or waiting for a person, not
 * past the rolling daily cap, and not sooner than the spacing (plus jitter) after the previous one.
 */
export class SideEffectGate {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    private readonly config: Pick<Config, 'POST_SPACING_SECONDS' | 'HOLD_RECHECK_MS'>,
    private readonly quota: Quota,
    private readonly random: () => number = Math.random,
  ) {}

  async check(kind: QuotaKind | 'like', now = Date.now()): Promise<GateDecision> {
    const control = await readControl(this.redis, this.keys);
    if (control.paused) {
      return { hold: true, untilMs: now + this.config.HOLD_RECHECK_MS, reason: 'the worker is paused' };
    }
    if (control.needsHuman) {
      return {
        hold: true,
        untilMs: now + this.config.HOLD_RECHECK_MS,
        reason: `waiting for a person: ${control.needsHumanReason ?? 'the session needs attention'}`,
      };
    }

    if (kind !== 'like') {
      const remaining = await this.quota.remaining(now);
      const left = kind === 'posts' ? remaining.postsLeft : remaining.repliesLeft;
      if (left <= 0) {
        const resetsAt = remaining.resetsAt
          ? Date.parse(remaining.resetsAt)
          : now + this.config.HOLD_RECHECK_MS;
        return { hold: true, untilMs: resetsAt, reason: `the daily cap for ${kind} is reached` };
      }
    }

    const last = Number((await this.redis.get(this.keys.lastSideEffect)) ?? '0');
    const spacingMs = this.config.POST_SPACING_SECONDS * 1000;
    if (last > 0 && now < last + spacingMs) {
      // Up to a quarter of the spacing is added at random, so posts do not land on a fixed beat.
      const jitter = Math.round(this.random() * spacingMs * 0.25);
      return {
        hold: true,
        untilMs: last + spacingMs + jitter,
        reason: 'spacing since the previous side effect',
      };
    }
    return { hold: false };
  }

  async recordSideEffect(now = Date.now()): Promise<void> {
    await this.redis.set(this.keys.lastSideEffect, String(now));
  }
}
