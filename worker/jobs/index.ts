import { actions } from './actions.js';
import type { JobHandlers } from './context.js';
import { feed } from './feed.js';
import { publish } from './publish.js';
import { session } from './session.js';
import { verify } from './verify.js';

export const jobHandlers: JobHandlers = {
  publish,
  verify,
  session,
  actions,
  feed,
};
