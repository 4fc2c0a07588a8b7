import { spawnSync } from 'node:child_process';
import { type Browser, chromium, type Page } from 'playwright-core';

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

const AXE = require.resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core, loaded from disk into the page (its context needs bypassCSP): serious and critical violations only. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
