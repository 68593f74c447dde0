import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { startTestHookd, TEST_ADMIN_KEY, type TestHookd } from '../support/hookd.js';
import { Receiver } from '../support/receiver.js';

const LOCAL = { HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true', HOOKD_RETRY_SCHEDULE: '1s' };
const LIVE_WITHIN_MS = 2_000;

/** The dashboard and the portal driven as their users would, in headless Chromium, on both stores. */
describe.each(STORES)('the dashboard in a real browser (%s)', (store) => {
  let h: TestHookd;
  let browser: Browser;
  let receiver: Receiver;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    h = await startTestHookd(store, LOCAL, { listen: true });
    receiver = await Receiver.start();
    browser = await launchBrowser();
    await h.request('POST', '/api/v1/admin/event-types', {
      body: { name: 'invoice.paid', description: 'An invoice was paid', example: { invoice_id: 'in_42', amount: 1200, currency: 'EUR' } },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await h?.close();
  });

  /** A fresh tab at `width`; CSP violations and page errors are collected in `problems`. */
  async function openTab(width = 1280) {
    context = await newContext(browser, { viewport: { width, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(8_000); // a step that hangs fails with its locator, inside the test's own timeout
    problems = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
  }
  async function signIn(key: string) {
    await page.goto(`${h.hookd.url}/dashboard`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  it('the operator creates a workspace and a key, shown once with a copy button, that then works', async () => {
    await openTab();
    try {
      await signIn(TEST_ADMIN_KEY);
      expect(new URL(page.url()).pathname).toBe('/dashboard/workspaces');
      await page.getByLabel('Name', { exact: true }).fill('Acme Robotics');
      await page.getByLabel('Partner id').fill('partner-7');
      await page.getByRole('button', { name: 'Create workspace' }).click();
      await page.getByRole('heading', { name: 'Acme Robotics' }).waitFor();
      const workspaceId = new URL(page.url()).pathname.split('/').pop()!;
      expect((await h.request('GET', `/api/v1/admin/workspaces/${workspaceId}`)).body).toMatchObject({ name: 'Acme Robotics', partner_id: 'partner-7' });

      await page.getByLabel('Key name').fill('production');
      await page.getByRole('button', { name: 'Create key' }).click();
      const key = (await page.getByLabel('API key', { exact: true }).textContent())!;
      expect(key).toMatch(/^hk_/);
      await expect.poll(() => page.getByRole('button', { name: 'Copy API key' }).isVisible()).toBe(true);
      expect((await h.request('GET', `/api/v1/workspaces/${workspaceId}/webhooks`, { key })).status).toBe(200);
      await expect.poll(() => page.getByRole('table', { name: 'API keys' }).textContent()).toContain('production');
      await screenshot(page, `operator-workspace-${store}-1280`);

      // The operator opens the workspace's own screens, as its customer sees them.
      await page.getByRole('link', { name: 'Webhooks', exact: true }).last().click();
      await expect.poll(() => page.textContent('main')).toContain('No webhooks yet');
      expect(new URL(page.url()).pathname).toBe(`/dashboard/workspaces/${workspaceId}/webhooks`);
      await page.goBack();

      // A reload keeps the screen: the path names it.
      await page.reload();
      await page.getByRole('heading', { name: 'Acme Robotics' }).waitFor();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workspaces' }).click();
      await expect.poll(() => page.getByRole('table', { name: 'Workspaces' }).textContent()).toContain('Acme Robotics');
      await screenshot(page, `operator-workspaces-${store}-1280`);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a customer adds a webhook, sends a test and sees it without reloading, opens the attempt, retries, rotates', async () => {
    const ws = await h.workspace();
    await openTab();
    try {
      await signIn(ws.key);
      expect(new URL(page.url()).pathname).toBe('/dashboard/webhooks');
      await page.getByRole('link', { name: 'Add webhook' }).click();
      await page.getByLabel('Endpoint URL').fill(`${receiver.url}/hooks`);
      await page.getByLabel('Name', { exact: true }).fill('Billing receiver');
      await page.getByRole('checkbox', { name: /invoice\.paid/ }).check();
      await page.getByRole('button', { name: 'Create webhook' }).click();
      const secret = (await page.getByLabel('signing secret', { exact: true }).textContent())!;
      expect(secret).toMatch(/^whsec_/);
      await page.getByRole('link', { name: 'Open the webhook' }).click();
      await page.getByRole('heading', { name: 'Billing receiver' }).waitFor();

      const before = receiver.requests.length;
      await page.getByLabel('Send a test').selectOption('invoice.paid');
      await page.getByRole('button', { name: 'Send test' }).click();
      await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Test event delivered');
      await receiver.waitFor(before + 1);
      expect(JSON.parse(receiver.requests.at(-1)!.body).data).toEqual({ invoice_id: 'in_42', amount: 1200, currency: 'EUR' });
      const log = page.getByRole('table', { name: 'Deliveries' });
      await expect.poll(() => log.locator('tbody tr').count(), { timeout: LIVE_WITHIN_MS }).toBe(1);

      // An event published elsewhere appears in the open log by itself.
      receiver.handler = (_request, response) => void response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"busy"}');
      await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'invoice.paid', data: { invoice_id: 'in_43' } } });
      await expect.poll(() => log.locator('tbody tr').count(), { timeout: LIVE_WITHIN_MS + 1_000 }).toBe(2);
      await screenshot(page, `customer-webhook-${store}-1280`);

      // The attempt, rendered for people: request body pretty-printed, the receiver's status and body.
      await expect.poll(() => log.locator('tbody tr').first().textContent(), { timeout: 10_000 }).toContain('failed'); // two attempts, 1 s apart
      await log.locator('tbody tr').first().getByRole('link').click();
      await page.getByRole('heading', { name: /^Delivery #/ }).waitFor();
      const firstAttempt = page.getByRole('article', { name: 'Attempt 1' });
      expect(await firstAttempt.getByLabel('Attempt 1 request body').textContent()).toContain('"invoice_id": "in_43"');
      expect(await firstAttempt.textContent()).toContain('HTTP 500');
      expect(await firstAttempt.getByLabel('Attempt 1 response body').textContent()).toContain('"error": "busy"');
      expect(await firstAttempt.getByLabel('Attempt 1 request headers').textContent()).toContain('webhook-signature');
      await screenshot(page, `customer-delivery-${store}-1280`);

      // Retry: the new attempt shows up on the open page by itself.
      receiver.handler = (_request, response) => void response.writeHead(200).end('ok');
      await page.getByRole('button', { name: 'Retry now' }).click();
      await expect.poll(() => page.getByRole('article').count(), { timeout: LIVE_WITHIN_MS + 1_000 }).toBe(3);
      expect(await page.getByRole('article', { name: 'Attempt 3' }).textContent()).toContain('HTTP 200');

      // Rotate, with a confirmation naming the grace period.
      await page.getByRole('link', { name: 'Billing receiver' }).click();
      await page.getByRole('button', { name: 'Rotate…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Rotate the signing secret?' });
      await dialog.getByLabel('Grace period').selectOption('1h');
      await dialog.getByRole('button', { name: 'Rotate secret' }).click();
      const rotated = (await page.getByLabel('signing secret', { exact: true }).textContent())!;
      expect(rotated).toMatch(/^whsec_/);
      expect(rotated).not.toBe(secret);

      // A bulk replay of the last day, followed live to its end.
      const sent = receiver.requests.length;
      await page.getByRole('form', { name: 'Replay deliveries' }).getByRole('button', { name: 'Replay' }).click();
      await expect.poll(() => page.getByRole('form', { name: 'Replay deliveries' }).textContent(), { timeout: 10_000 }).toMatch(/Replay done: 1 of 1 re-sent/);
      await receiver.waitFor(sent + 1);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
