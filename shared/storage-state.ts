import { z } from 'zod';

/** A Playwright storage state, as `context.storageState()` writes it. */
export const storageStateSchema = z.strictObject({
  cookies: z
    .array(
      z.object({
        name: z.string().min(1).max(4096),
        value: z.string().max(16_384),
        domain: z.string().min(1).max(255),
        path: z.string().max(1024).default('/'),
        expires: z.number().default(-1),
        httpOnly: z.boolean().default(false),
        secure: z.boolean().default(false),
        sameSite: z.enum(['Strict', 'Lax', 'None']).default('Lax'),
      }),
    )
    .max(500),
  origins: z
    .array(
      z.object({
        origin: z.url(),
        localStorage: z
          .array(z.object({ name: z.string().max(4096), value: z.string().max(100_000) }))
          .max(1_000),
      }),
    )
    .max(50)
    .default([]),
});
export type StorageState = z.infer<typeof storageStateSchema>;
