import { UnrecoverableError } from 'bullmq';
import { errors, type Locator, type Page } from 'playwright';
import type { Step, StepResult, Target } from '../../shared/actions.js';
import type { JobPayloads } from '../../shared/jobs.js';
import { SiteError } from '../sites/threads/adapter.js';
import type { JobContext, JobResult } from './context.js';

/** A step that cannot succeed on a retry: a URL off the allowlist, a target missing on a loaded page. */
class PermanentStepError extends Error {
  override name = 'PermanentStepError';
}

export function locatorFor(page: Page, target: Target): Locator {
  if ('css' in target) return page.locator(target.css);
  if ('role' in target) {
    return page.getByRole(
      target.role as Parameters<Page['getByRole']>[0],
      target.name ? { name: target.name } : {},
    );
  }
  if ('text' in target) return page.getByText(target.text);
  if ('label' in target) return page.getByLabel(target.label);
  return page.getByTestId(target.testId);
}

async function navigate(context: JobContext, url: string): Promise<string> {
  const refusal = context.urlGuard.policy.check(url);
  if (refusal) throw new PermanentStepError(refusal);
  let response: Awaited<ReturnType<Page['goto']>>;
  try {
    response = await context.page.goto(url, { waitUntil: 'load', timeout: context.config.STEP_TIMEOUT_MS });
  } catch (error) {
    const refused = context.urlGuard.takeRefusal(context.page);
    if (refused) throw new PermanentStepError(refused);
    throw error;
  }
  const redirect = context.urlGuard.checkRedirects(response);
  if (redirect) {
    await context.page.goto('about:blank');
    throw new PermanentStepError(redirect);
  }
  return context.page.url();
}

async function runStep(
  context: JobContext,
  step: Step,
  index: number,
): Promise<Pick<StepResult, 'value' | 'artifact'>> {
  const { page } = context;
  const timeout = context.config.STEP_TIMEOUT_MS;
  switch (step.type) {
    case 'navigate':
      return { value: { url: await navigate(context, step.url) } };
    case 'click':
      await locatorFor(page, step.target).first().click({ timeout });
      return {};
    case 'fill':
      await locatorFor(page, step.target).first().fill(step.value, { timeout });
      return {};
    case 'press':
      if (step.target) await locatorFor(page, step.target).first().press(step.key, { timeout });
      else await page.keyboard.press(step.key);
      return {};
    case 'scroll':
      if (step.to !== undefined) {
        await page.evaluate(
          (edge) => window.scrollTo(0, edge === 'top' ? 0 : document.body.scrollHeight),
          step.to,
        );
      } else {
        await page.mouse.wheel(0, step.by ?? 0);
      }
      return { value: { scrollY: await page.evaluate(() => window.scrollY) } };
    case 'wait':
      if (step.target) await locatorFor(page, step.target).first().waitFor({ state: 'visible', timeout });
      // A fixed wait is a step that the caller asked for, bounded to 30 s by the schema.
      else await page.waitForTimeout(step.ms ?? 0);
      return {};
    case 'screenshot': {
      const bytes = await page.screenshot({ fullPage: step.fullPage ?? false, timeout });
      const artifact = await context.artifacts.save(
        context.job.id ?? '',
        `step-${index}.png`,
        'image/png',
        bytes,
      );
      return { artifact };
    }
    case 'extract': {
      const locator = locatorFor(page, step.target).first();
      await locator.waitFor({ state: 'attached', timeout });
      const value = step.attribute
        ? await locator.getAttribute(step.attribute, { timeout })
        : await locator.innerText({ timeout });
      return { value: typeof value === 'string' ? value.slice(0, 10_000) : value };
    }
    case 'like': {
      const refusal = context.urlGuard.policy.check(step.postUrl);
      if (refusal) throw new PermanentStepError(refusal);
      const outcome = await context.adapter.like(page, step.postUrl);
      await context.gate.recordSideEffect();
      return { value: outcome };
    }
  }
}

/** Runs the steps in order, one result each; a failed step ends the job and skips the rest. */
export async function actions(context: JobContext, payload: JobPayloads['actions']): Promise<JobResult> {
  const results: StepResult[] = [];
  for (const [index, step] of payload.steps.entries()) {
    const started = performance.now();
    await context.progress(step.type, 'started', { index });
    try {
      const outcome = await withStepTimeout(
        runStep(context, step, index),
        context.config.STEP_TIMEOUT_MS + 1_000,
        step.type,
      );
      const durationMs = Math.round(performance.now() - started);
      results.push({ index, type: step.type, status: 'succeeded', durationMs, ...outcome });
      await context.progress(step.type, 'succeeded', {
        index,
        durationMs,
        ...(outcome.artifact ? { artifact: outcome.artifact } : {}),
      });
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      const message =
        error instanceof Error ? (error.message.split('\n')[0]?.slice(0, 500) ?? 'failed') : String(error);
      results.push({ index, type: step.type, status: 'failed', durationMs, error: message });
      for (const [skipped, rest] of payload.steps.slice(index + 1).entries()) {
        results.push({ index: index + 1 + skipped, type: rest.type, status: 'skipped', durationMs: 0 });
      }
      await context.progress(step.type, 'failed', { index, durationMs });
      await context.job.updateProgress({ results });

      const summary = `step ${index} (${step.type}) failed: ${message}`;
      if (error instanceof SiteError && error.code !== 'selector_missing') throw error;
      if (error instanceof PermanentStepError || error instanceof SiteError)
        throw new UnrecoverableError(summary);
      // A timeout or a crashed page can pass on a retry; a missing target on a loaded page cannot.
      if (error instanceof errors.TimeoutError && step.type !== 'navigate' && step.type !== 'wait') {
        throw new UnrecoverableError(summary);
      }
      throw new Error(summary, { cause: error });
    }
  }
  return { results };
}

async function withStepTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new errors.TimeoutError(`${what} step timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
