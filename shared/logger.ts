import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger } from 'pino';

/** Paths that never reach a log line: credentials, cookies and browser session state. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'cookie',
  'cookies',
  'token',
  'apiToken',
  'agentToken',
  'ticket',
  'storageState',
  'payload.storageState',
  'data.storageState',
  '*.token',
  '*.cookies',
  '*.storageState',
  '*.authorization',
];

export function createLogger(
  config: Pick<Config, 'LOG_LEVEL' | 'LOG_PRETTY'>,
  name: string,
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    name,
    level: config.LOG_LEVEL,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  };
  if (destination) {
    return pino(options, destination);
  }
  if (config.LOG_PRETTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(options);
}
