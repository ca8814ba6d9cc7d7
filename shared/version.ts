import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Reads the package version from the nearest package.json above this file, so the same code works
 * from the TypeScript sources and from the compiled `dist/` folder.
 */
function readVersion(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(folder, 'package.json');
    if (existsSync(candidate)) {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'threads-agent' && parsed.version) return parsed.version;
    }
    folder = dirname(folder);
  }
  return 'unknown';
}

export const VERSION = readVersion();
