import type { JobPayloads } from '../../shared/jobs.js';
import { type StorageState, storageStateSchema } from '../../shared/storage-state.js';
import type { JobContext, JobResult } from './context.js';

/**
 * Imports a storage state into the browser's persistent profile when the payload names one, then
 * checks the login. The state itself waits in Redis under a short TTL and is deleted on reading,
 * so it lives on only in the profile.
 */
export async function session(context: JobContext, payload: JobPayloads['session']): Promise<JobResult> {
  if ('importId' in payload) {
    const key = context.keys.sessionImport(payload.importId);
    const json = await context.redisCommands.getdel(key);
    if (json === null) {
      return {
        loggedIn: false,
        reason: 'the storage state expired before the worker read it; import it again',
      };
    }
    const state = storageStateSchema.parse(JSON.parse(json));
    await importState(context, state);
    await context.progress('storage state imported', 'succeeded');
  }

  const login = await context.adapter.checkLogin(context.page);
  context.setLoggedIn(login.loggedIn);
  if (login.loggedIn) {
    await context.setNeedsHuman(null);
    await context.releaseHeld();
    return { loggedIn: true, username: login.username };
  }
  await context.setNeedsHuman(login.reason);
  return { loggedIn: false, reason: login.reason };
}

async function importState(context: JobContext, state: StorageState): Promise<void> {
  const browserContext = context.page.context();
  // Only cookies of hosts the worker may visit enter the profile.
  const cookies = state.cookies.filter((cookie) => context.urlGuard.policy.isHostListed(cookie.domain));
  const skipped = state.cookies.length - cookies.length;
  if (skipped > 0) context.logger.info({ skipped }, 'skipped cookies of hosts off the allowlist');
  if (cookies.length > 0) await browserContext.addCookies(cookies);

  for (const origin of state.origins) {
    // Local storage is written only for origins the worker may visit anyway.
    if (!context.urlGuard.policy.isAllowed(origin.origin)) continue;
    await context.page.goto(origin.origin, {
      waitUntil: 'domcontentloaded',
      timeout: context.config.STEP_TIMEOUT_MS,
    });
    await context.page.evaluate((entries) => {
      for (const entry of entries) window.localStorage.setItem(entry.name, entry.value);
    }, origin.localStorage);
  }
}
