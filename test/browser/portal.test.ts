import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { startTestHookd, type TestHookd } from '../support/hookd.js';

/** A portal session url, opened in a fresh browser as a customer would: its workspace, no key typed, nothing else. */
describe.each(STORES)('the customer portal in a real browser (%s)', (store) => {
  let h: TestHookd;
  let browser: Browser;
  beforeAll(async () => {
    h = await startTestHookd(store, { HOOKD_ROLE: 'api' }, { listen: true });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function portalFor(options: { read_only?: boolean } = {}) {
    const mine = await h.workspace();
    const other = await h.workspace();
    await h.request('POST', `/api/v1/workspaces/${mine.id}/webhooks`, { key: mine.key, body: { url: 'https://mine.example.com/hooks', name: 'Mine' } });
    await h.request('POST', `/api/v1/workspaces/${other.id}/webhooks`, { key: other.key, body: { url: 'https://other.example.com/hooks', name: 'Theirs' } });
    const session = (await h.request('POST', `/api/v1/admin/workspaces/${mine.id}/portal-sessions`, { body: options })).body as { id: string; url: string; token: string };
    return { mine, other, session };
  }

  it('opens its workspace from the url alone, takes the token out of the address bar, and cannot reach another workspace', async () => {
    const { mine, other, session } = await portalFor();
    const context = await newContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const requested: string[] = [];
      page.on('request', (request) => requested.push(`${request.url()} ${request.headers()['referer'] ?? ''}`));
      await page.goto(`${h.hookd.url}${session.url}`);
      const table = page.getByRole('table', { name: 'Webhooks' });
      await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
      expect(await table.textContent()).toContain('https://mine.example.com/hooks');
      expect(await page.textContent('header')).toContain(`workspace ${mine.id}`);
      expect(await page.getByLabel('API key').count()).toBe(0); // nothing to type
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      // The token left the address bar, never went to the server in a url or a Referer, and stays in this tab.
      expect(page.url()).toBe(`${h.hookd.url}/portal/webhooks`);
      expect(requested.filter((line) => line.includes(session.token))).toEqual([]);
      expect(await page.evaluate(() => sessionStorage.getItem('hookd.credential'))).toBe(session.token);
      // From inside the page the token reaches its own workspace only.
      const statusOf = (path: string) =>
        page.evaluate(async ([url, token]) => (await fetch(url!, { headers: { authorization: `Bearer ${token}` } })).status, [path, session.token] as const);
      expect(await statusOf(`/api/v1/workspaces/${mine.id}/webhooks`)).toBe(200);
      expect(await statusOf(`/api/v1/workspaces/${other.id}/webhooks`)).toBe(404);
      expect(await statusOf('/api/v1/admin/workspaces')).toBe(403);
      // Another workspace's webhook, by its path, is "not found" inside the portal.
      const theirs = ((await h.request('GET', `/api/v1/workspaces/${other.id}/webhooks`, { key: other.key })).body as { id: string }[])[0]!;
      await page.goto(`${h.hookd.url}/portal/webhooks/${theirs.id}`);
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('not found');
      await screenshot(page, `portal-${store}-1280`);
    } finally {
      await context.close();
    }
  });

  it('follows the embedding page: accent colour and dark theme from the url, the reader\'s colour scheme otherwise', async () => {
    const { session } = await portalFor();
    const context = await newContext(browser, { viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    try {
      const page = await context.newPage();
      await page.goto(`${h.hookd.url}/portal?accent=%23c2410c&theme=dark${session.url.slice('/portal'.length)}`);
      await page.getByRole('table', { name: 'Webhooks' }).waitFor();
      const look = () => page.evaluate(() => ({ accent: getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(), background: getComputedStyle(document.documentElement).backgroundColor }));
      expect(await look()).toEqual({ accent: '#c2410c', background: 'rgb(15, 19, 26)' });
      // Moving inside the portal keeps the look.
      await page.getByRole('link', { name: 'Events' }).click();
      await page.getByRole('heading', { name: 'Events' }).waitFor();
      expect(await look()).toEqual({ accent: '#c2410c', background: 'rgb(15, 19, 26)' });
      await screenshot(page, `portal-dark-accent-${store}-1280`);
    } finally {
      await context.close();
    }
    const dark = await newContext(browser, { colorScheme: 'dark' });
    try {
      const page = await dark.newPage();
      const { session: second } = await portalFor();
      await page.goto(`${h.hookd.url}${second.url}`);
      await page.getByRole('table', { name: 'Webhooks' }).waitFor();
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(15, 19, 26)');
    } finally {
      await dark.close();
    }
  });

  it('a read-only session offers no write action', async () => {
    const { session } = await portalFor({ read_only: true });
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(`${h.hookd.url}${session.url}`);
      await page.getByRole('table', { name: 'Webhooks' }).getByRole('link', { name: /Mine/ }).click();
      await page.getByRole('heading', { name: 'Delivery log' }).waitFor();
      expect(await page.textContent('header')).toContain('read only');
      for (const name of ['Send test', 'Edit', 'Disable', 'Delete', 'Reveal', 'Recover']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('shows nothing of the workspace once the session is revoked', async () => {
    const { mine, session } = await portalFor();
    await h.request('DELETE', `/api/v1/admin/workspaces/${mine.id}/portal-sessions/${session.id}`);
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(`${h.hookd.url}${session.url}`);
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('expired or was revoked');
      expect(await page.getByRole('table').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
