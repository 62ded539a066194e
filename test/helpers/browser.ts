/**
 * A real browser for the console's tests: Debian's `chromium` (or CHROMIUM_PATH) driven by
 * playwright-core. A missing browser fails the test with what to install; it never skips.
 * axe-core checks each page; screenshots go to SCREENSHOT_DIR (docs/console/ when run by
 * `npm run docs:screenshots`), else to a temp directory.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a quiet, reproducible headless Chromium in CI (Playwright adds a fresh --user-data-dir). */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH. The browser tests never skip.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export const screenshotDir: string = (() => {
  const dir = process.env.SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'scim-screenshots-'));
  mkdirSync(dir, { recursive: true });
  return dir;
})();

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true, animations: 'disabled' });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol: the page's CSP (no inline script) does not apply.
  await page.evaluate(axe.source);
  // A string, run in the page (this file is typed without the DOM library).
  const violations = await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) })))`);
  return (violations as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Whether the page is wider than its viewport (it would scroll sideways at 360 px). */
export function overflowsViewport(page: Page): Promise<boolean> {
  return page.evaluate('document.documentElement.scrollWidth > window.innerWidth + 1') as Promise<boolean>;
}
