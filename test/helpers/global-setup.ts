import { existsSync } from 'node:fs';

/** Fails the run early with a clear message when the system Chromium is missing. */
export default function setup(): void {
  const executable = process.env.BROWSER_EXECUTABLE_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executable)) {
    throw new Error(
      `Chromium not found at ${executable}: install it (apt-get install -y chromium) or set BROWSER_EXECUTABLE_PATH`,
    );
  }
}
