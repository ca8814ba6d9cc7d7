import { createHash } from 'node:crypto';
import { z } from 'zod';

export const MAX_CONTENT_GRAPHEMES = 500;
export const MAX_LINKS = 5;
export const MAX_TOPIC_TAGS = 1;
export const MAX_MEDIA = 20;

export const draftStatuses = [
  'pending',
  'approved',
  'scheduled',
  'publishing',
  'published',
  'failed',
  'unconfirmed',
  'rejected',
] as const;
export const draftStatusSchema = z.enum(draftStatuses);
export type DraftStatus = z.infer<typeof draftStatusSchema>;

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Counts user-perceived characters (grapheme clusters), so an emoji with modifiers counts once. */
export function countGraphemes(text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) {
    count++;
  }
  return count;
}

const linkPattern =
  /\b(?:https?:\/\/|www\.)[^\s<>"]+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:\/[^\s<>"]*)?/gi;
const topicTagPattern = /(?:^|\s)#[\p{L}\p{N}_]+/gu;

/** Counts links the way a reader sees them: full URLs, `www.` addresses and bare domain names. */
export function countLinks(text: string): number {
  return text.match(linkPattern)?.length ?? 0;
}

export function countTopicTags(text: string): number {
  return text.match(topicTagPattern)?.length ?? 0;
}

export const contentSchema = z
  .string({ message: 'content is required and must be a string' })
  .superRefine((text, context) => {
    if (text.trim() === '') {
      context.addIssue({ code: 'custom', message: 'content must not be empty' });
      return;
    }
    const graphemes = countGraphemes(text);
    if (graphemes > MAX_CONTENT_GRAPHEMES) {
      context.addIssue({
        code: 'custom',
        message: `content has ${graphemes} characters; the maximum is ${MAX_CONTENT_GRAPHEMES}`,
      });
    }
    const links = countLinks(text);
    if (links > MAX_LINKS) {
      context.addIssue({
        code: 'custom',
        message: `content has ${links} links; the maximum is ${MAX_LINKS}`,
      });
    }
    const tags = countTopicTags(text);
    if (tags > MAX_TOPIC_TAGS) {
      context.addIssue({
        code: 'custom',
        message: `content has ${tags} topic tags; the maximum is ${MAX_TOPIC_TAGS}`,
      });
    }
  })
  .meta({
    description: `1 to ${MAX_CONTENT_GRAPHEMES} characters, at most ${MAX_LINKS} links and one topic tag`,
  });

const httpUrl = z.url({ protocol: /^https?$/, message: 'expected an http or https URL' }).max(2048);

export const mediaUrlsSchema = z.array(httpUrl).max(MAX_MEDIA);

/** The permalink of a post: `https://host/@user/post/CODE`. */
export const postUrlSchema = httpUrl.refine(
  (value) => /^\/@[A-Za-z0-9._]+\/post\/[A-Za-z0-9_-]+\/?$/.test(new URL(value).pathname),
  {
    message: 'expected a post permalink such as https://www.threads.com/@user/post/CODE',
  },
);

export const draftIdSchema = z
  .string()
  .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'expected a draft id (26-character ULID)');

export const approvalSchema = z.object({
  by: z.string(),
  at: z.iso.datetime(),
  hash: z.string(),
  publishAt: z.iso.datetime().nullable(),
  jobId: z.string(),
});
export type Approval = z.infer<typeof approvalSchema>;

export const attemptPhases = ['prepare', 'commit', 'verify'] as const;
export const attemptSchema = z.object({
  jobId: z.string(),
  phase: z.enum(attemptPhases),
  outcome: z.enum(['started', 'succeeded', 'failed', 'unknown']),
  at: z.iso.datetime(),
  detail: z.string().nullable(),
  screenshots: z.array(z.string()),
});
export type Attempt = z.infer<typeof attemptSchema>;

export const draftSchema = z.object({
  id: draftIdSchema,
  content: z.string(),
  mediaUrls: z.array(z.string()),
  replyTo: z.string().nullable(),
  status: draftStatusSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: z.string(),
  approval: approvalSchema.nullable(),
  approvals: z.number().int().describe('how many times the draft was approved or retried'),
  rejection: z.object({ by: z.string(), at: z.iso.datetime(), reason: z.string().nullable() }).nullable(),
  postUrl: z.string().nullable(),
  publishedAt: z.iso.datetime().nullable(),
  error: z.string().nullable(),
  attempts: z.array(attemptSchema),
  version: z.number().int(),
});
export type Draft = z.infer<typeof draftSchema>;

export const createDraftBodySchema = z.strictObject({
  content: contentSchema,
  mediaUrls: mediaUrlsSchema.optional(),
  replyTo: postUrlSchema.optional(),
});
export type CreateDraftBody = z.infer<typeof createDraftBodySchema>;

export const editDraftBodySchema = z
  .strictObject({
    content: contentSchema.optional(),
    mediaUrls: mediaUrlsSchema.optional(),
  })
  .refine((body) => body.content !== undefined || body.mediaUrls !== undefined, {
    message: 'expected content or mediaUrls',
  });
export type EditDraftBody = z.infer<typeof editDraftBodySchema>;

/** Hashes exactly what gets posted, so the worker can tell whether it still matches the approval. */
export function hashDraftContent(draft: Pick<Draft, 'content' | 'mediaUrls' | 'replyTo'>): string {
  const canonical = JSON.stringify([draft.content, draft.mediaUrls, draft.replyTo]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Statuses from which each operation may start. */
export const allowedFrom = {
  approve: ['pending'],
  reject: ['pending'],
  revoke: ['approved', 'scheduled'],
  edit: ['pending', 'rejected', 'approved', 'scheduled'],
  delete: ['pending', 'rejected', 'approved', 'scheduled', 'failed', 'published'],
  retry: ['failed'],
  startPublishing: ['approved', 'scheduled', 'publishing'],
} as const satisfies Record<string, readonly DraftStatus[]>;
