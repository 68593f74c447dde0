// What tracing costs per delivery attempt: the span hookd wraps each attempt in (attributes, status,
// traceparent), with tracing off (the API's no-op tracer) and on (batched OTLP/HTTP export to a local
// collector that answers at once). `node dist-bench/bench/profile-telemetry.js [spans]`
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { inSpan, SpanKind, startTelemetry, stopTelemetry, traceparentHeader } from '../src/telemetry.js';

const count = Number(process.argv[2] ?? 20_000);
let exported = 0;
let requests = 0;
const collector = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    requests++;
    for (const resource of (JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] }).resourceSpans) {
      for (const scope of resource.scopeSpans) exported += scope.spans.length;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));

async function run(): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    await inSpan(
      'hookd.delivery.attempt',
      () => ({ 'hookd.event_id': `evt_${i}`, 'hookd.webhook_id': 'wh_1', 'hookd.delivery_id': i, 'hookd.attempt': 1, 'http.request.method': 'POST', 'server.address': 'example.com' }),
      async (span) => {
        traceparentHeader(span);
        span.setAttribute('hookd.outcome', 'success');
        span.setAttribute('http.response.status_code', 200);
      },
      SpanKind.CLIENT,
    );
  }
  return ((performance.now() - start) * 1000) / count;
}

const off = await run();
await startTelemetry({ otlpTracesUrl: `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`, serviceName: 'bench' }, 'bench', pino({ level: 'silent' }));
await run(); // warm up the exporter path
const on = await run();
await stopTelemetry(); // flushes what is queued
collector.close();
console.log('| spans per run | tracing off, µs per attempt | tracing on (OTLP/HTTP export), µs per attempt | spans exported / created with tracing on | export requests |');
console.log('|---|---|---|---|---|');
console.log(`| ${count} | ${off.toFixed(2)} | ${on.toFixed(2)} | ${exported} / ${2 * count} | ${requests} |`);
