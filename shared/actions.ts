import { z } from 'zod';

export const MAX_STEPS = 50;
const selectorText = z.string().min(1).max(500);

/** The element a step acts on, mapped one to one onto Playwright's locators. */
export const targetSchema = z.union([
  z.strictObject({ css: selectorText }),
  z.strictObject({
    role: z.string().regex(/^[a-z]{2,30}$/, 'expected an ARIA role such as button'),
    name: z.string().max(200).optional(),
  }),
  z.strictObject({ text: z.string().min(1).max(200) }),
  z.strictObject({ label: z.string().min(1).max(200) }),
  z.strictObject({ testId: z.string().min(1).max(200) }),
]);
export type Target = z.infer<typeof targetSchema>;

const urlText = z.string().min(1).max(2048);

export const stepSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('navigate'), url: urlText }),
  z.strictObject({ type: z.literal('click'), target: targetSchema }),
  z.strictObject({ type: z.literal('fill'), target: targetSchema, value: z.string().max(5_000) }),
  z.strictObject({
    type: z.literal('press'),
    key: z.string().regex(/^[A-Za-z0-9+]{1,40}$/, 'expected a key such as Enter or Control+A'),
    target: targetSchema.optional(),
  }),
  z
    .strictObject({
      type: z.literal('scroll'),
      by: z.number().int().min(-100_000).max(100_000).optional(),
      to: z.enum(['top', 'bottom']).optional(),
    })
    .refine((step) => (step.by === undefined) !== (step.to === undefined), {
      message: 'scroll needs exactly one of by or to',
    }),
  z
    .strictObject({
      type: z.literal('wait'),
      ms: z.number().int().min(1).max(30_000).optional(),
      target: targetSchema.optional(),
    })
    .refine((step) => (step.ms === undefined) !== (step.target === undefined), {
      message: 'wait needs exactly one of ms or target',
    }),
  z.strictObject({ type: z.literal('screenshot'), fullPage: z.boolean().optional() }),
  z.strictObject({
    type: z.literal('extract'),
    target: targetSchema,
    attribute: z
      .string()
      .regex(/^[A-Za-z_:][A-Za-z0-9_:.-]{0,63}$/)
      .optional(),
  }),
  z.strictObject({ type: z.literal('like'), postUrl: urlText }),
]);
export type Step = z.infer<typeof stepSchema>;

export const actionsBodySchema = z.strictObject({ steps: z.array(stepSchema).min(1).max(MAX_STEPS) });

/** One result per step, in order. */
export const stepResultSchema = z.object({
  index: z.number().int(),
  type: z.string(),
  status: z.enum(['succeeded', 'failed', 'skipped']),
  durationMs: z.number(),
  value: z.unknown().optional(),
  error: z.string().optional(),
  artifact: z.object({ name: z.string(), contentType: z.string(), url: z.string() }).optional(),
});
export type StepResult = z.infer<typeof stepResultSchema>;

/** URLs a list of steps would visit, for the allowlist check before queueing. */
export function urlsOfSteps(steps: Step[]): string[] {
  const urls: string[] = [];
  for (const step of steps) {
    if (step.type === 'navigate') urls.push(step.url);
    if (step.type === 'like') urls.push(step.postUrl);
  }
  return urls;
}

/** Step types that can change something on the site: a like, and any input a page may submit. */
const sideEffectStepTypes = new Set<Step['type']>(['like', 'click', 'fill', 'press']);

/**
 * Tells whether a list of steps may change something on the site, so that pacing and the pause
 * apply. Clicks and typing count, because the worker cannot tell a harmless click from a submit.
 */
export function hasSideEffects(steps: Step[]): boolean {
  return steps.some((step) => sideEffectStepTypes.has(step.type));
}
