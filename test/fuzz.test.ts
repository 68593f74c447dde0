import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';

// Values that break naive code: prototype keys, deep nesting, huge strings, odd numbers, wrong types.
const nasty = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, '', '__proto__', 'constructor', '\u0000', '\ud800', 'x'.repeat(5000)),
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'url', 'events', 'type', 'data', 'name', 'x'), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const deep = (depth: number): unknown => (depth === 0 ? 1 : { a: deep(depth - 1) });

describe.each(STORES)('fuzzing the API (%s)', (store) => {
  let h: TestHookd;
  let ws: { id: string; key: string };
  let webhookId: string;
  beforeAll(async () => {
    h = await startTestHookd(store, { HOOKD_ROLE: 'api', HOOKD_RATE_LIMIT: '0' });
    ws = await h.workspace();
    webhookId = (await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: 'https://example.com/fuzz' } })).body.id;
  });
  afterAll(() => h?.close());

  const snapshot = async () => {
    const db = h.hookd.ctx.store.db;
    const tables = ['webhooks', 'events', 'deliveries', 'workspaces', 'api_keys', 'templates', 'event_types'] as const;
    const rows = await Promise.all(tables.map((t) => db.selectFrom(t).selectAll().execute()));
    return JSON.stringify(rows.map((r) => r.map((row) => ({ ...row, last_used_at: undefined }))));
  };

  const bodies = (): [string, string][] => [
    ['POST', `/api/v1/workspaces/${ws.id}/webhooks`],
    ['PATCH', `/api/v1/workspaces/${ws.id}/webhooks/${webhookId}`],
    ['POST', `/api/v1/workspaces/${ws.id}/events`],
    ['POST', `/api/v1/workspaces/${ws.id}/webhooks/${webhookId}/rotate-secret`],
    ['POST', '/api/v1/admin/workspaces'],
    ['POST', `/api/v1/admin/workspaces/${ws.id}/api-keys`],
    ['POST', '/api/v1/admin/webhooks'],
    ['POST', '/api/v1/admin/event-types'],
    ['POST', '/api/v3/notification/webhooks'],
    ['POST', '/v1/webhooks'],
    ['POST', '/webhooks/v1/webhook/'],
  ];

  it('never answers 500 to arbitrary JSON bodies, and a 4xx changes nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10 }), nasty, async (which, body) => {
        const [method, url] = bodies()[which]!;
        const before = await snapshot();
        const reply = await h.request(method, url, { key: which >= 4 && which <= 7 ? undefined : ws.key, body });
        expect(reply.status, `${method} ${url} ${JSON.stringify(body)?.slice(0, 200)} → ${reply.text}`).toBeLessThan(500);
        if (reply.status >= 400) expect(await snapshot()).toBe(before);
      }),
      { numRuns: 150 },
    );
  });

  it('never answers 500 to raw bytes, invalid UTF-8, deep nesting or odd content types', async () => {
    const raws = [
      Buffer.from([0xff, 0xfe, 0x7b, 0x22]).toString('latin1'),
      '{"url": "https://example.com/\udcff"}',
      JSON.stringify(deep(2000)),
      '{"__proto__": {"admin": true}, "url": "https://example.com/p"}',
      '{"constructor": {"prototype": {"x": 1}}}',
      '[]',
      'null',
      '"string"',
      '{',
    ];
    for (const [method, url] of bodies()) {
      for (const raw of raws) {
        for (const contentType of ['application/json', 'text/plain', 'application/vnd.api+json']) {
          const reply = await h.request(method, url, { key: ws.key, rawBody: raw, headers: { 'content-type': contentType } });
          expect(reply.status, `${method} ${url} ${contentType} ${raw.slice(0, 40)}`).toBeLessThan(500);
        }
      }
    }
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('never answers 500 to arbitrary query strings and headers', async () => {
    const lists = [
      `/api/v1/workspaces/${ws.id}/webhooks`,
      `/api/v1/workspaces/${ws.id}/events`,
      `/api/v1/workspaces/${ws.id}/webhooks/${webhookId}/deliveries`,
      `/api/v1/workspaces/${ws.id}/webhooks/${webhookId}/stats`,
      '/api/v1/admin/webhooks',
      '/api/v3/notification/webhooks',
      `/v1/webhooks`,
      '/webhooks/v1/webhook/',
    ];
    const param = fc.oneof(fc.constantFrom('page', 'per_page', 'sort', 'fields', 'filter[url]', 'filter[events]', 'filter[is_active]', 'filter[__proto__]', 'page[number]', 'page[size]', 'count', 'since', 'status', 'window', 'size', 'page_size', 'tenant_id'), fc.string({ maxLength: 12 }));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: lists.length - 1 }), fc.array(fc.tuple(param, fc.string({ maxLength: 30 })), { maxLength: 4 }), fc.string({ maxLength: 40 }), async (which, pairs, headerValue) => {
        const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const reply = await h.request('GET', `${lists[which]}?${query}`, {
          key: which === 4 ? undefined : ws.key,
          headers: { 'x-request-id': headerValue.replace(/[^\x20-\x7e]/g, ''), accept: headerValue.replace(/[^\x20-\x7e]/g, '') },
        });
        expect(reply.status, `${lists[which]}?${query} → ${reply.text}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});
