import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { spawnOnFreshDatabase, type TestHookdProcess } from './support/process.js';
import { eventually, Receiver } from './support/receiver.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}
const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
};

/** OpenTelemetry on: a `hookd serve` exporting to a local OTLP/HTTP collector, and traceparent toward the receiver. */
describe.each(STORES)('OpenTelemetry traces (%s)', (store) => {
  let hookd: TestHookdProcess;
  let collector: Server;
  let receiver: Receiver;
  const spans: OtlpSpan[] = [];

  beforeAll(async () => {
    receiver = await Receiver.start();
    collector = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (request.url === '/v1/traces') {
          const parsed = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
          for (const resource of parsed.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    hookd = await spawnOnFreshDatabase(store, {
      HOOKD_TRACEPARENT: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  });
  afterAll(async () => {
    await hookd?.stop();
    await receiver?.close();
    collector?.closeAllConnections();
    await new Promise((resolve) => collector?.close(resolve));
  });

  it('exports a span for the publish and for each delivery attempt, and sends its traceparent to the receiver', async () => {
    const api = async (method: string, path: string, body: unknown, key?: string) => (await hookd.api(method, path, body, key)).body;
    const ws = await api('POST', '/admin/workspaces', { name: 'traced' });
    const key = (await api('POST', `/admin/workspaces/${ws.id}/api-keys`, {})).key as string;
    const webhook = await api('POST', `/workspaces/${ws.id}/webhooks`, { url: `${receiver.url}/traced`, events: ['job.completed'] }, key);
    const published = await api('POST', `/workspaces/${ws.id}/events`, { type: 'job.completed', data: { n: 1 } }, key);
    await receiver.waitFor(1);

    const publish = await eventually(async () => spans.find((s) => s.name === 'hookd.publish' && attribute(s, 'hookd.event_ids') === published.id));
    expect(attribute(publish, 'hookd.workspace_id')).toBe(ws.id);
    expect(attribute(publish, 'hookd.deliveries')).toBe(1);
    const attempt = await eventually(async () => spans.find((s) => s.name === 'hookd.delivery.attempt' && attribute(s, 'hookd.event_id') === published.id));
    expect(attribute(attempt, 'hookd.webhook_id')).toBe(webhook.id);
    expect(attribute(attempt, 'hookd.attempt')).toBe(1);
    expect(attribute(attempt, 'http.response.status_code')).toBe(200);
    expect(typeof attribute(attempt, 'hookd.delivery_id')).toBe('number');

    const traceparent = String(receiver.requests[0]!.headers['traceparent']);
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [, traceId, spanId] = traceparent.split('-');
    expect([traceId, spanId]).toEqual([attempt.traceId, attempt.spanId]);
  });
});
