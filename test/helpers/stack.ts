import type { GatewayServer } from '../../gateway/server.js';
import { startTestSite, type TestSite } from '../site/server.js';
import { apiClient, startTestGateway } from './gateway.js';
import { TestRedis } from './redis.js';
import { waitFor } from './wait.js';
import { temporaryProfileDir } from './worker-process.js';

/** A private Redis, the local test site, a gateway that drives it and a profile folder for a worker. */
export interface SiteStack {
  redis: TestRedis;
  site: TestSite;
  gateway: GatewayServer;
  api: ReturnType<typeof apiClient>;
  profile: ReturnType<typeof temporaryProfileDir>;
  /** Stops the gateway, the site and Redis and removes the profile; the caller stops its worker first. */
  stop(): Promise<void>;
}

export async function startSiteStack(): Promise<SiteStack> {
  const redis = await TestRedis.start();
  const site = await startTestSite();
  const gateway = await startTestGateway(redis.url, {
    THREADS_BASE_URL: site.url,
    ALLOWED_HOSTS: new URL(site.url).host,
  });
  const profile = temporaryProfileDir();
  return {
    redis,
    site,
    gateway,
    api: apiClient(gateway.url),
    profile,
    stop: async () => {
      await gateway.stop('test end');
      await site.close();
      await redis.stop();
      profile.remove();
    },
  };
}

/** Waits until a worker beats and reports a logged-in browser. */
export async function waitForLoggedInWorker(
  api: ReturnType<typeof apiClient>,
  timeoutMs = 45_000,
): Promise<void> {
  await waitFor(
    async () => (await api('GET', '/api/browser/status')).body,
    (status) => status.workerUp === true && status.loggedIn === true,
    { what: 'a logged-in worker', timeoutMs },
  );
}
