/**
 * A real browser for the console's tests: Debian's `chromium` (or CHROMIUM_PATH) driven by
 * playwright-core. A missing browser fails the test with what to install; it never skips.
 * axe-core checks each page; screenshots go to SCREENSHOT_DIR (docs/console/ when run by
 * `npm run docs:screenshots`), else to a temp directory.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

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

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 360, height: 740 };

/** One browser for a test file: launched before its tests, closed after them. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => browser?.close());
  return () => {
    if (!browser) throw new Error('the browser is not launched yet');
    return browser;
  };
}

/**
 * A context whose pages add each CSP violation or script error to `problems` (a test asserts
 * it stays empty) and accept confirm dialogs. A page that answered 404 on purpose logs its
 * status too: only CSP counts.
 */
export async function watchedContext(
  browser: Browser,
  viewport: { width: number; height: number },
  problems: string[],
): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport });
  ctx.on('page', (page) => {
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text()))
        problems.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
    page.on('dialog', (dialog) => void dialog.accept());
  });
  return ctx;
}

/**
 * The 360 px check where asked; on the first dialect's run (`first`), axe-core (serious or
 * critical violations fail) and a screenshot. The pages are the same templates on either
 * database, and axe costs seconds of CPU per file: the second run checks the flow, not the markup.
 */
export async function checkPage(page: Page, name: string, first: boolean, phone = false): Promise<void> {
  if (first)
    assert.deepEqual(await seriousViolations(page), [], `${name}: axe-core found serious violations`);
  if (phone) assert.equal(await overflowsViewport(page), false, `${name} scrolls sideways at 360 px`);
  if (first) await screenshot(page, name);
}
