import { loadConfigOrExit } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { startWorkerService } from './service.js';

const config = loadConfigOrExit();
const logger = createLogger(config, 'worker');

try {
  const service = await startWorkerService(config, logger);
  const stop = (reason: string) => {
    service.stop(reason).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => stop(signal));
  }
  // Started by the launcher with an IPC channel: its end means the launcher is gone.
  if (process.send) process.once('disconnect', () => stop('launcher exited'));
} catch (error) {
  logger.fatal({ err: error }, 'the worker failed to start');
  process.exit(1);
}
