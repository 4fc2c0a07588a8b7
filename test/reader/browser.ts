import { spawnSync } from 'node:child_process';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumMissing(): string | undefined {
  const found = spawnSync('sh', ['-c', `test -x "${CHROMIUM}"`]).status === 0;
  return found ? undefined : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
}

/** `describe` for browser tests: under CI=true a missing Chromium fails, elsewhere it skips with the reason. */
export function describeBrowser(title: string, body: () => void): void {
  const missing = chromiumMissing();
  if (missing && process.env.CI !== 'true') {
    describe.skip(`${title} (skipped: ${missing})`, body);
    return;
  }
  describe(title, body);
}

/** Chromium for the tests; `extraArgs` adds switches such as --host-resolver-rules. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      ...extraArgs,
    ],
  });
}
