import type { JobPayloads } from '../../shared/jobs.js';
import type { JobContext, JobResult } from './context.js';

/** Checks whether the browser's session is logged in to Threads. */
export async function session(context: JobContext, _payload: JobPayloads['session']): Promise<JobResult> {
  const login = await context.adapter.checkLogin(context.page);
  return login.loggedIn
    ? { loggedIn: true, username: login.username }
    : { loggedIn: false, reason: login.reason };
}
