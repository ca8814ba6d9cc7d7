import type { BrowserContext, Page, Response } from 'playwright';
import type { UrlPolicy } from '../shared/url-policy.js';

/** A navigation the allowlist refused, by the page it happened on. */
export class UrlGuard {
  private readonly refusals = new WeakMap<Page, string>();

  constructor(readonly policy: UrlPolicy) {}

  /**
   * Aborts every document request to a URL off the allowlist, in every page of the context. A
   * document request is fetched here without following redirects, so each hop of a redirect
   * chain comes back through this route and is checked before the browser requests it. Other
   * requests (images, scripts) of an allowed page pass, as a browser needs them.
   */
  async install(context: BrowserContext): Promise<void> {
    await context.route('**/*', async (route) => {
      const request = route.request();
      if (!request.isNavigationRequest()) return route.fallback();
      const page = request.frame().page();
      const refusal = this.policy.check(request.url());
      if (refusal) {
        this.refusals.set(page, `navigation to ${request.url().slice(0, 200)} refused: ${refusal}`);
        return route.abort('blockedbyclient');
      }

      let response: Awaited<ReturnType<typeof route.fetch>>;
      try {
        response = await route.fetch({ maxRedirects: 0 });
      } catch {
        // The server could not be reached, so the page gets a failed load, as it would without the route.
        return route.abort('failed');
      }
      const location =
        response.status() >= 300 && response.status() < 400 ? response.headers().location : undefined;
      if (location) {
        const target = new URL(location, request.url()).toString();
        const hopRefusal = this.policy.check(target);
        if (hopRefusal) {
          this.refusals.set(page, `a redirect to ${target.slice(0, 200)} refused: ${hopRefusal}`);
          return route.abort('blockedbyclient');
        }
      }
      return route.fulfill({ response });
    });
  }

  /** Takes the refusal recorded for a page, if any. */
  takeRefusal(page: Page): string | null {
    const refusal = this.refusals.get(page) ?? null;
    this.refusals.delete(page);
    return refusal;
  }

  /**
   * Checks every hop of a navigation's redirect chain after the fact. The route above already
   * refuses such hops, so this is a second line for requests that reach the page without it.
   */
  checkRedirects(response: Response | null): string | null {
    let request = response?.request() ?? null;
    while (request) {
      const refusal = this.policy.check(request.url());
      if (refusal) return `a redirect went to ${request.url().slice(0, 200)}: ${refusal}`;
      request = request.redirectedFrom();
    }
    return null;
  }
}
