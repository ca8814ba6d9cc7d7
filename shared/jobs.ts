import { z } from 'zod';
import { actionsBodySchema } from './actions.js';
import { draftIdSchema } from './drafts.js';

export const jobNames = ['publish', 'verify', 'actions', 'feed', 'session'] as const;
export const jobNameSchema = z.enum(jobNames);
export type JobName = z.infer<typeof jobNameSchema>;

export const publishPayloadSchema = z.strictObject({
  draftId: draftIdSchema,
  approvalHash: z.string().regex(/^[0-9a-f]{64}$/),
});

export const verifyPayloadSchema = z.strictObject({
  draftId: draftIdSchema,
  /** The publish job whose outcome is being settled. */
  publishJobId: z.string(),
});

export const feedPayloadSchema = z.strictObject({ limit: z.number().int().min(1).max(100).default(20) });
export const sessionPayloadSchema = z.union([
  z.strictObject({ check: z.literal(true) }),
  /** The id of a storage state waiting in Redis; the state itself never enters the job's data. */
  z.strictObject({ importId: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/) }),
]);
export const actionsPayloadSchema = actionsBodySchema;

/** Payload schema of every job name; a name without an entry does not compile. */
export const jobPayloadSchemas = {
  publish: publishPayloadSchema,
  verify: verifyPayloadSchema,
  actions: actionsPayloadSchema,
  feed: feedPayloadSchema,
  session: sessionPayloadSchema,
} satisfies Record<JobName, z.ZodType>;

export type JobPayloads = { [K in JobName]: z.infer<(typeof jobPayloadSchemas)[K]> };

/** Job ids derive from the draft and its approval count, so a repeated approval finds the same job. */
export function publishJobId(draftId: string, approvalNumber: number): string {
  return `publish-${draftId}-${approvalNumber}`;
}

export function verifyJobId(publishJobId: string): string {
  return `verify-${publishJobId}`;
}

/** Retry settings per job name. A publish job that has clicked Post never retries: it hands over to a verify job. */
export const jobRetryOptions = {
  publish: { attempts: 3, backoff: { type: 'exponential', delay: 5_000 } },
  verify: { attempts: 6, backoff: { type: 'exponential', delay: 5_000 } },
  actions: { attempts: 2, backoff: { type: 'exponential', delay: 3_000 } },
  feed: { attempts: 3, backoff: { type: 'exponential', delay: 3_000 } },
  session: { attempts: 1 },
} satisfies Record<JobName, { attempts: number; backoff?: { type: 'exponential'; delay: number } }>;
