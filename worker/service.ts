import { ArtifactStore } from '../shared/artifacts.js';
import type { Config } from '../shared/config.js';
import { DraftStore } from '../shared/draft-store.js';
import { EventWriter } from '../shared/events.js';
import { releaseHeldJobs } from '../shared/held-jobs.js';
import type { Logger } from '../shared/logger.js';
import { createBrowserQueue } from '../shared/queue.js';
import { createBlockingConnection, keyspace } from '../shared/redis.js';
import { createShutdown } from '../shared/shutdown.js';
import { UrlPolicy } from '../shared/url-policy.js';
import { VERSION } from '../shared/version.js';
import {
  readBrowserStatus,
  setNeedsHuman as setNeedsHumanFlag,
  writeHeartbeat,
} from '../shared/worker-status.js';
import { BrowserSession, resolveExecutablePath } from './browser.js';
import { SideEffectGate } from './gate.js';
import { jobHandlers } from './jobs/index.js';
import { Quota } from './quota.js';
import { createRunner, type RunnerDeps } from './runner.js';
import { reconcileDrafts } from './settle.js';
import { ThreadsAdapter } from './sites/threads/adapter.js';
import { UrlGuard } from './url-guard.js';

export interface WorkerService {
  session: BrowserSession;
  /** Finishes the job in hand (or returns it to the queue after the deadline), then closes everything. */
  stop(reason: string): Promise<void>;
}

/** Builds and starts the worker: the browser, the login check, the heartbeat and the BullMQ worker. */
export async function startWorkerService(config: Config, logger: Logger): Promise<WorkerService> {
  const keys = keyspace(config.QUEUE_NAME);
  const commands = createBlockingConnection(config.REDIS_URL);
  const workerConnection = createBlockingConnection(config.REDIS_URL);
  for (const connection of [commands, workerConnection]) {
    connection.on('error', (error) => logger.warn({ err: error }, 'Redis connection error'));
  }

  const policy = new UrlPolicy(config.ALLOWED_HOSTS, config.THREADS_BASE_URL);
  const urlGuard = new UrlGuard(policy);
  const state: RunnerDeps['state'] = { currentJob: null, loggedIn: null };
  const events = new EventWriter(commands, keys.events, config.EVENT_STREAM_MAX_LENGTH);
  const quota = new Quota(commands, keys, { posts: config.POSTS_PER_DAY, replies: config.REPLIES_PER_DAY });
  const queue = createBrowserQueue(commands, config.QUEUE_NAME, config.QUEUE_NAME);
  const store = new DraftStore(commands, keys, config.EVENT_STREAM_MAX_LENGTH);

  let lastReported = '';
  /** Writes the heartbeat and appends `browser.status` whenever the status changed. */
  const beat = async () => {
    try {
      await writeHeartbeat(
        commands,
        keys,
        {
          at: new Date().toISOString(),
          version: VERSION,
          pid: process.pid,
          browserUp: session.isUp,
          loggedIn: state.loggedIn,
          currentJob: state.currentJob,
          quota: await quota.remaining(),
        },
        config.HEARTBEAT_INTERVAL_MS * 3,
      );
      const status = await readBrowserStatus(commands, keys);
      const comparable = JSON.stringify({ ...status, heartbeatAt: null });
      if (comparable !== lastReported) {
        lastReported = comparable;
        await events.append({ type: 'browser.status', data: status });
      }
    } catch (error) {
      logger.warn({ err: error }, 'writing the heartbeat failed');
    }
  };

  const session = new BrowserSession({
    profileDir: config.BROWSER_PROFILE_DIR,
    executablePath: resolveExecutablePath(config.BROWSER_EXECUTABLE_PATH),
    headless: config.HEADLESS,
    logger: logger.child({ part: 'browser' }),
    onLaunch: (context) => urlGuard.install(context),
    onStatusChange: () => void beat(),
  });
  const adapter = new ThreadsAdapter({
    baseUrl: config.THREADS_BASE_URL,
    username: config.THREADS_USERNAME,
    timeoutMs: config.STEP_TIMEOUT_MS,
  });

  const setNeedsHuman = async (reason: string | null) => {
    await setNeedsHumanFlag(commands, keys, reason);
    if (reason) logger.warn({ reason }, 'the session needs a person; side-effecting jobs are held');
    await beat();
  };
  const releaseHeld = async () => {
    const released = await releaseHeldJobs(commands, keys, queue);
    if (released > 0) logger.info({ released }, 'released held jobs');
  };

  const runner = createRunner({
    config,
    logger,
    connection: workerConnection,
    commands,
    keys,
    session,
    adapter,
    store,
    queue,
    events,
    artifacts: new ArtifactStore(commands, keys),
    quota,
    gate: new SideEffectGate(commands, keys, config, quota),
    urlGuard,
    handlers: jobHandlers,
    state,
    setNeedsHuman,
    releaseHeld,
  });

  const settled = await reconcileDrafts({ store, queue, events, logger, quota }, queue);
  if (settled > 0) logger.warn({ settled }, 'settled drafts that no job was going to finish');

  await session.start();
  state.loggedIn = await checkLogin(session, adapter, logger);
  if (state.loggedIn === false) await setNeedsHuman('login_required');
  await beat();
  const heartbeat = setInterval(beat, config.HEARTBEAT_INTERVAL_MS);
  void runner.run();
  logger.info({ queue: config.QUEUE_NAME, loggedIn: state.loggedIn }, 'worker started');

  const stop = createShutdown(
    logger,
    () => [
      { name: 'bullmq worker', run: () => closeWorker(runner, config.JOB_DEADLINE_MS, logger) },
      { name: 'heartbeat', run: () => clearInterval(heartbeat) },
      { name: 'heartbeat key', run: () => commands.del(keys.heartbeat) },
      {
        name: 'status event',
        run: async () =>
          events.append({ type: 'browser.status', data: await readBrowserStatus(commands, keys) }),
      },
      { name: 'browser', run: () => session.close() },
      { name: 'queue', run: () => queue.close() },
      { name: 'redis', run: () => Promise.all([commands.quit(), workerConnection.quit()]) },
    ],
    config.JOB_DEADLINE_MS + 30_000,
  );
  return { session, stop };
}

/**
 * Lets the job in hand finish; past the deadline the worker closes without waiting, and the job's
 * lock expires so BullMQ hands it out again.
 */
async function closeWorker(
  runner: ReturnType<typeof createRunner>,
  deadlineMs: number,
  logger: Logger,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(resolve, deadlineMs, 'timeout');
  });
  const outcome = await Promise.race([runner.close().then(() => 'closed' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    logger.warn('the job in hand did not finish in time; it goes back to the queue');
    await runner.close(true);
  }
}

async function checkLogin(
  session: BrowserSession,
  adapter: ThreadsAdapter,
  logger: Logger,
): Promise<boolean | null> {
  const page = await session.newPage();
  try {
    const state = await adapter.checkLogin(page);
    if (state.loggedIn) {
      logger.info({ username: state.username }, 'logged in to Threads');
      return true;
    }
    logger.warn({ reason: state.reason }, 'not logged in to Threads');
    return false;
  } catch (error) {
    logger.error({ err: error }, 'checking the login failed');
    return null;
  } finally {
    await page.close();
  }
}
