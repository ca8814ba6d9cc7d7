import { UnrecoverableError } from 'bullmq';
import type { JobHandlers } from './context.js';
import { feed } from './feed.js';
import { publish } from './publish.js';
import { session } from './session.js';
import { verify } from './verify.js';

export const jobHandlers: JobHandlers = {
  publish,
  verify,
  session,
  // TODO: browser actions are not built yet; the gateway has no route that queues them.
  actions: async () => {
    throw new UnrecoverableError('actions jobs are not supported by this worker version');
  },
  feed,
};
