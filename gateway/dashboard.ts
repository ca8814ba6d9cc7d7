import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { MiddlewareHandler } from 'hono';
import type { GatewayApp } from './deps.js';

/** Returns the folder of the dashboard's files, `public/` beside this module; `npm run build` copies it into `dist/gateway/`. */
function findPublicDir(): string {
  const path = fileURLToPath(new URL('./public/', import.meta.url));
  if (!existsSync(path)) {
    throw new Error(`the dashboard files are missing: expected them in ${path}`);
  }
  return path;
}

/**
 * Only this origin may provide scripts, styles, images and connections, so a draft's text or a
 * media URL can never load anything from another host, and no other page may frame the dashboard.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', DASHBOARD_CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Frame-Options', 'DENY');
  c.header('Cache-Control', 'no-cache');
};

/** Serves the dashboard's static files at `/`; register after the API routes. */
export function registerDashboard(app: GatewayApp): void {
  const root = findPublicDir();
  app.get('/', securityHeaders, serveStatic({ root, path: 'index.html' }));
  app.get(
    '/assets/*',
    securityHeaders,
    serveStatic({ root, rewriteRequestPath: (path) => path.slice('/assets'.length) }),
  );
}
