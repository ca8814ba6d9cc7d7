import { loadConfigOrExit } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { startWorkerService } from './service.js';

const config = loadConfigOrExit();
const logger = createLogger(config, 'worker');

try {
  const service = await startWorkerService(config, logger);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      service.stop(signal).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
} catch (error) {
  logger.fatal({ err: error }, 'the worker failed to start');
  process.exit(1);
}
