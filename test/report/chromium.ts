import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** The Chromium binary the browser tests drive: `FORGETSCOPE_CHROMIUM`, or Debian's standard path. */
export const CHROMIUM_PATH = process.env['FORGETSCOPE_CHROMIUM'] || '/usr/bin/chromium';

/** Flags for a quiet, offline, sandbox-free headless Chromium (no GPU, no background traffic). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

/**
 * Whether the browser test can run. In CI (CI=true) a missing Chromium is an error, so the test
 * fails instead of being skipped; elsewhere the test is skipped with a message.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env['CI'] === 'true') {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH} (set FORGETSCOPE_CHROMIUM); CI requires the browser test to run`,
    );
  }
  console.warn(
    `browser test skipped: Chromium not found at ${CHROMIUM_PATH} (set FORGETSCOPE_CHROMIUM or install the chromium package)`,
  );
  return false;
}

/** Launches headless Chromium with a fresh user-data dir (`extraArgs` after CHROMIUM_ARGS); `close()` also removes that dir. */
export async function launchChromium(
  options: { extraArgs?: string[] } = {},
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'forgetscope-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
