import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../support/browser.js';
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

  it('opens its workspace from the url alone, takes the token out of the address bar, and cannot reach another workspace', async () => {
    const mine = await h.workspace();
    const other = await h.workspace();
    await h.request('POST', `/api/v1/workspaces/${mine.id}/webhooks`, { key: mine.key, body: { url: 'https://mine.example.com/hooks', description: 'mine' } });
    await h.request('POST', `/api/v1/workspaces/${other.id}/webhooks`, { key: other.key, body: { url: 'https://other.example.com/hooks' } });
    const session = (await h.request('POST', `/api/v1/admin/workspaces/${mine.id}/portal-sessions`, { body: {} })).body as { url: string; token: string };

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const requested: string[] = [];
      page.on('request', (request) => requested.push(`${request.url()} ${request.headers()['referer'] ?? ''}`));
      await page.goto(`${h.hookd.url}${session.url}`);
      await expect.poll(() => page.textContent('#who')).toBe(`workspace ${mine.id}`);
      await expect.poll(() => page.locator('#webhooks tbody tr').count()).toBe(1);
      expect(await page.textContent('#webhooks tbody')).toContain('https://mine.example.com/hooks');
      expect(await page.isVisible('#connect')).toBe(false);
      // The token left the address bar, never went to the server in a url or a Referer, and stays in this tab.
      expect(page.url()).toBe(`${h.hookd.url}/portal`);
      expect(requested.filter((line) => line.includes(session.token))).toEqual([]);
      expect(await page.evaluate(() => sessionStorage.getItem('hookd.key'))).toBe(session.token);
      // From inside the page the token reaches its own workspace only.
      const statusOf = (path: string) =>
        page.evaluate(async ([url, token]) => (await fetch(url!, { headers: { authorization: `Bearer ${token}` } })).status, [path, session.token] as const);
      expect(await statusOf(`/api/v1/workspaces/${mine.id}/webhooks`)).toBe(200);
      expect(await statusOf(`/api/v1/workspaces/${other.id}/webhooks`)).toBe(404);
      expect(await statusOf('/api/v1/admin/workspaces')).toBe(403);
      await screenshot(page, `portal-${store}-1280`);
    } finally {
      await context.close();
    }
  });

  it('shows nothing of the workspace once the session is revoked', async () => {
    const mine = await h.workspace();
    const session = (await h.request('POST', `/api/v1/admin/workspaces/${mine.id}/portal-sessions`, { body: {} })).body as { id: string; url: string };
    await h.request('DELETE', `/api/v1/admin/workspaces/${mine.id}/portal-sessions/${session.id}`);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${h.hookd.url}${session.url}`);
      await expect.poll(() => page.textContent('#notice')).toContain('401');
      expect(await page.isVisible('#webhooks')).toBe(false);
    } finally {
      await context.close();
    }
  });
});
