import type { BrowserContext, Page, Response } from 'playwright';
import type { UrlPolicy } from '../shared/url-policy.js';

/** A navigation the allowlist refused, by the page it happened on. */
export class UrlGuard {
  private readonly refusals = new WeakMap<Page, string>();

  constructor(readonly policy: UrlPolicy) {}

  /**
   * Aborts every document request to a URL off the allowlist, in every page of the context. Other
   * requests (images, scripts) of an allowed page pass, as a browser needs them.
   */
  async install(context: BrowserContext): Promise<void> {
    await context.route('**/*', async (route) => {
      const request = route.request();
      if (!request.isNavigationRequest()) return route.fallback();
      const refusal = this.policy.check(request.url());
      if (!refusal) return route.fallback();

      const page = request.frame().page();
      this.refusals.set(page, `navigation to ${request.url().slice(0, 200)} refused: ${refusal}`);
      return route.abort('blockedbyclient');
    });
  }

  /** Takes the refusal recorded for a page, if any. */
  takeRefusal(page: Page): string | null {
    const refusal = this.refusals.get(page) ?? null;
    this.refusals.delete(page);
    return refusal;
  }

  /**
   * Checks every hop of a navigation's redirect chain. Playwright's routing sees only the first
   * request of a chain, so a redirect that left the allowlist is found here, after the fact.
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
