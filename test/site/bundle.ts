import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

let pending: Promise<string> | undefined;

/**
 * Bundles the page script from `client/app.ts` with Lexical, in memory. The first call builds,
 * later calls in the same process reuse the result.
 */
export function bundleClientScript(): Promise<string> {
  pending ??= buildClientScript().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

async function buildClientScript(): Promise<string> {
  const entry = clientEntryPath();
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome110',
    write: false,
    logLevel: 'silent',
    // Lexical's default entry imports both its development and production builds and picks one
    // from process.env.NODE_ENV; the `production` export condition bundles only the latter.
    conditions: ['production'],
    define: { 'process.env.NODE_ENV': '"production"' },
  });

  const output = result.outputFiles[0];
  if (!output) {
    throw new Error(`esbuild produced no output for ${entry}`);
  }
  return output.text;
}

/** Finds the entry next to this module: the TypeScript source, or its compiled copy under dist/. */
function clientEntryPath(): string {
  for (const name of ['./client/app.ts', './client/app.js']) {
    const path = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(path)) {
      return path;
    }
  }
  throw new Error(`Page script entry client/app.ts not found next to ${fileURLToPath(import.meta.url)}`);
}
