/**
 * A gateway for the benchmark in its own process, so its memory is measured alone. The parent
 * sends `measure` over IPC and gets `process.memoryUsage()` after a full garbage collection.
 */
import { startGateway } from '../gateway/server.js';
import { loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';

const config = loadConfig({
  NODE_ENV: 'production',
  REDIS_URL: process.argv[2],
  HOST: '127.0.0.1',
  PORT: '0',
  API_TOKEN: process.argv[3],
  LOG_LEVEL: 'warn',
});
const gateway = await startGateway(config, createLogger(config, 'gateway'));

process.on('message', (message: unknown) => {
  if (message === 'measure') {
    globalThis.gc?.();
    const memory = process.memoryUsage();
    process.send?.({ kind: 'memory', memory, gauge: gateway.relay.gauge() });
  }
  if (message === 'stop') {
    void gateway.stop('benchmark end').finally(() => process.exit(0));
  }
});
process.send?.({ kind: 'ready', url: gateway.url });
