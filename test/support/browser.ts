import { mkdirSync } from 'node:fs';
import chromium from '@sparticuz/chromium';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium as playwright, type Page } from 'playwright-core';

/** Where browser tests put their screenshots (ignored by git). */
export const SCREENSHOT_DIR = new URL('../../test-artifacts/screenshots/', import.meta.url);

/**
 * Headless Chromium for the browser tests: the build inside the `@sparticuz/chromium` npm package (it
 * unpacks itself once into the temp folder), so `npm ci && npm test` needs nothing from the system.
 * Background networking is off: the machines the tests run on have no network beyond loopback.
 */
export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    // Not the package's own flags: they are for AWS Lambda and turn off web security and site isolation,
    // which the tests rely on. Root needs --no-sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    headless: true,
  });
}

/**
 * A fresh browser context (its own storage, like a new browser profile). The locale is set because the
 * machines' POSIX locale reaches Chromium as `en-US@posix`, which Intl rejects.
 */
export function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ locale: 'en-US', ...options });
}

/** Writes a full-page screenshot `name.png` into SCREENSHOT_DIR; answers its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = new URL(`${name}.png`, SCREENSHOT_DIR).pathname;
  await page.screenshot({ path, fullPage: true });
  return path;
}
