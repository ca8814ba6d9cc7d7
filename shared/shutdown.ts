import type { Logger } from './logger.js';

export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown> | unknown;
}

/**
 * Runs every step in order even when one fails, within a hard deadline, and returns the same
 * promise on repeated calls. Failures are logged and collected into one AggregateError.
 */
export function createShutdown(logger: Logger, steps: () => ShutdownStep[], deadlineMs: number) {
  let closing: Promise<void> | null = null;

  return function shutdown(reason: string): Promise<void> {
    if (closing) return closing;

    closing = (async () => {
      logger.info({ reason }, 'shutting down');
      const failures: Error[] = [];
      const deadline = new Promise<'deadline'>((resolve) =>
        setTimeout(resolve, deadlineMs, 'deadline').unref(),
      );

      for (const step of steps()) {
        try {
          const outcome = await Promise.race([Promise.resolve().then(step.run), deadline]);
          if (outcome === 'deadline') {
            failures.push(new Error(`shutdown step ${step.name} passed the ${deadlineMs} ms deadline`));
            break;
          }
        } catch (error) {
          logger.error({ err: error, step: step.name }, 'shutdown step failed');
          failures.push(error instanceof Error ? error : new Error(String(error)));
        }
      }

      if (failures.length > 0) {
        throw new AggregateError(failures, `shutdown finished with ${failures.length} failed steps`);
      }
      logger.info('shut down');
    })();
    return closing;
  };
}
