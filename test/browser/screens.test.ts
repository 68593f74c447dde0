import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { startTestHookd, TEST_ADMIN_KEY, type TestHookd } from '../support/hookd.js';
import { eventually, Receiver } from '../support/receiver.js';

const LOCAL = { HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true', HOOKD_RETRY_SCHEDULE: '1s' };
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const NARROW = 390;

interface Screen {
  name: string;
  path: string;
  /** What must be on the page once it has loaded. */
  ready: (page: Page) => Promise<unknown>;
}

/**
 * Every main screen, as an operator and as a customer: screenshots at 1280 px and 390 px, no horizontal
 * scrolling at 390 px, no serious or critical axe-core finding, no CSP violation or page error.
 */
describe.each(STORES)('every main screen in a real browser (%s)', (store) => {
  let h: TestHookd;
  let browser: Browser;
  let receiver: Receiver;
  let workspace: { id: string; key: string };
  let webhookId: string;
  let deliveryId: number;
  let eventId: string;

  beforeAll(async () => {
    h = await startTestHookd(store, LOCAL, { listen: true });
    receiver = await Receiver.start();
    receiver.handler = (request, response) => void response.writeHead(request.path === '/down' ? 503 : 200, { 'content-type': 'application/json' }).end('{"ok":true}');
    browser = await launchBrowser();
    await h.request('POST', '/api/v1/admin/event-types', { body: { name: 'order.shipped', description: 'An order left the warehouse', example: { order_id: 'o_1', carrier: 'DHL' }, schema: { type: 'object' } } });
    await h.request('POST', '/api/v1/admin/templates', { body: { name: 'Orders', description: 'Everything about orders', events: ['order.shipped'] } });
    workspace = await h.workspace();
    const created = await h.request('POST', `/api/v1/workspaces/${workspace.id}/webhooks`, {
      key: workspace.key,
      body: { url: `${receiver.url}/orders`, name: 'Order sync', description: 'Keeps the ERP in step', events: ['order.shipped'], headers: { 'x-team': 'ops' } },
    });
    webhookId = (created.body as { id: string }).id;
    await h.request('POST', `/api/v1/workspaces/${workspace.id}/webhooks`, { key: workspace.key, body: { url: `${receiver.url}/down`, name: 'Flaky endpoint', events: ['order.shipped'] } });
    for (let i = 0; i < 3; i++) {
      const published = await h.request('POST', `/api/v1/workspaces/${workspace.id}/events`, { key: workspace.key, body: { type: 'order.shipped', data: { order_id: `o_${i}` } } });
      eventId = (published.body as { id: string }).id;
    }
    await receiver.waitFor(6);
    deliveryId = await eventually(async () => {
      const list = (await h.request('GET', `/api/v1/workspaces/${workspace.id}/webhooks/${webhookId}/deliveries`, { key: workspace.key })).body as { id: number; status: string }[];
      return list.find((d) => d.status === 'succeeded')?.id;
    });
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await h?.close();
  });

  const heading = (name: string | RegExp) => (page: Page) => page.getByRole('heading', { name, exact: typeof name === 'string' }).waitFor();
  const table = (name: string) => (page: Page) => page.getByRole('table', { name }).locator('tbody tr').first().waitFor();

  async function check(page: Page, screen: Screen, problems: string[]) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${h.hookd.url}${screen.path}`);
    await screen.ready(page);
    await page.waitForFunction(() => !document.body.textContent?.includes('Loading…'));
    await screenshot(page, `${screen.name}-${store}-1280`);

    await page.evaluate(axeSource);
    const findings = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (context: Document) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
      const { violations } = await axe.run(document);
      return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    expect(findings, `axe on ${screen.name}`).toEqual([]);

    await page.setViewportSize({ width: NARROW, height: 844 });
    await page.waitForTimeout(100); // charts re-measure on resize
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `page width of ${screen.name} at ${NARROW} px`).toBeLessThanOrEqual(NARROW);
    await screenshot(page, `${screen.name}-${store}-${NARROW}`);
    expect(problems, `console errors on ${screen.name}`).toEqual([]);
  }

  async function sweep(key: string, screens: Screen[]) {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(8_000);
      const problems: string[] = [];
      page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`${h.hookd.url}/dashboard`);
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      for (const screen of screens) await check(page, screen, problems);
    } finally {
      await context.close();
    }
  }

  it("the operator's screens", async () => {
    await sweep(TEST_ADMIN_KEY, [
      { name: 'operator-workspaces', path: '/dashboard/workspaces', ready: table('Workspaces') },
      { name: 'operator-workspace', path: `/dashboard/workspaces/${workspace.id}`, ready: table('API keys') },
      { name: 'operator-webhooks', path: '/dashboard/webhooks', ready: table('Webhooks') },
      { name: 'operator-event-types', path: '/dashboard/event-types?edit=order.shipped', ready: heading('Edit order.shipped') },
      { name: 'operator-templates', path: '/dashboard/templates', ready: table('Templates') },
      { name: 'operator-queue', path: '/dashboard/queue', ready: heading('Delivery queue') },
    ]);
  }, 90_000);

  it("the customer's screens", async () => {
    await sweep(workspace.key, [
      { name: 'customer-webhooks', path: '/dashboard/webhooks', ready: table('Webhooks') },
      { name: 'customer-webhook-detail', path: `/dashboard/webhooks/${webhookId}`, ready: table('Deliveries') },
      { name: 'customer-webhook-new', path: '/dashboard/webhooks/new', ready: heading('Add a webhook') },
      { name: 'customer-attempt', path: `/dashboard/webhooks/${webhookId}/deliveries/${deliveryId}`, ready: heading('Attempt 1') },
      { name: 'customer-events', path: '/dashboard/events', ready: table('Events') },
      { name: 'customer-event', path: `/dashboard/events/${eventId}`, ready: table('Deliveries by webhook') },
    ]);
  }, 90_000);

  it('the API docs at /docs render under their CSP with real examples', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
      await page.goto(`${h.hookd.url}/docs`);
      await page.getByText('Publish an event (or a batch of up to 500)').click();
      const example = JSON.parse((await page.locator('.opblock-body pre').first().textContent())!) as Record<string, unknown>;
      expect(example).toEqual({ type: 'job.completed', data: { job_id: 'j_123', status: 'done' }, idempotency_key: 'job-j_123-completed', deliver_at: '2026-12-24T09:00:00Z' });
      await screenshot(page, `docs-${store}-1280`);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
