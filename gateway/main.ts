import { loadConfigOrExit } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { startGateway } from './server.js';

const config = loadConfigOrExit();
const logger = createLogger(config, 'gateway');
let gateway: Awaited<ReturnType<typeof startGateway>>;
try {
  gateway = await startGateway(config, logger);
} catch (error) {
  logger.fatal({ err: error }, error instanceof Error ? error.message : 'the gateway failed to start');
  process.exit(1);
}

if (!config.API_TOKEN) {
  // The generated token exists only in this process, so the link is printed once, outside the
  // structured log, for the person who started it.
  process.stdout.write(
    `\nNo API_TOKEN set; generated one for this run.\nDashboard: ${gateway.url}/#token=${gateway.approverToken}\n\n`,
  );
}

function stop(reason: string): void {
  gateway.stop(reason).then(
    () => process.exit(0),
    () => process.exit(1),
  );
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => stop(signal));
}
// Started by the launcher with an IPC channel: its end means the launcher is gone.
if (process.send) process.once('disconnect', () => stop('launcher exited'));
