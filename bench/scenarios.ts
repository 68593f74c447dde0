import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import type { BenchPostgres } from './postgres.js';
import { ReceiverProcess } from './processes.js';
import { loadConfig } from '../src/config.js';
import { rawLoop } from './raw-loop.js';
import { ADMIN_KEY, Stack } from './stack.js';
import { monotonicMs } from './monotonic.js';

type Store = 'sqlite' | 'postgres';

async function workspaceWithWebhooks(stack: Stack, urls: string[]): Promise<string> {
  const ws = await stack.api.workspace();
  for (let i = 0; i < urls.length; i += 20) {
    await Promise.all(urls.slice(i, i + 20).map((url) => stack.api.webhook(ws, url)));
  }
  return ws;
}

export interface ThroughputResult {
  webhooks: number;
  deliveries: number;
  perSecond: number;
  rawPerSecond: number;
  ratio: number;
  /** The raw loop on undici's `dispatch` (the stricter ceiling), in the same run. */
  rawDispatchPerSecond: number;
  cpuMsPerDelivery: number;
  rawCpuMsPerRequest: number;
  peakRssMb: number[];
}

/**
 * The sends hookd keeps in flight to `webhooks` webhooks on one receiver with its default settings: the
 * webhook's concurrency each, within the cap per destination host (all of them share 127.0.0.1).
 */
function hookdConcurrency(webhooks: number): number {
  const defaults = loadConfig({});
  return Math.min(defaults.webhookConcurrency * webhooks, defaults.hostMaxInFlight);
}

/**
 * Scenario 1 (+5, 7): `events` events to `webhooks` webhooks, first publish → last receipt, beside the raw
 * loop. `payloadBytes` pads each event's data to about that size; `workers` worker processes (PostgreSQL).
 */
export async function throughput(
  store: Store,
  postgres: BenchPostgres | null,
  webhooks: number,
  deliveries: number,
  options: { payloadBytes?: number; workers?: number; raw?: boolean } = {},
): Promise<ThroughputResult> {
  const receiver = await ReceiverProcess.start();
  // Payloads near 256 KB need a request limit above the default 256 KB, and one event per request.
  const stack = await Stack.start(store, postgres, options.payloadBytes ? { HOOKD_MAX_PAYLOAD: '1mb' } : {}, options.workers ?? 1);
  try {
    const urls = Array.from({ length: webhooks }, (_, i) => `${receiver.url}/w${i}`);
    const ws = await workspaceWithWebhooks(stack, urls);
    const memory = stack.sampleMemory();
    const cpu0 = stack.cpuSeconds();
    const started = monotonicMs();
    const padding = options.payloadBytes ? 'x'.repeat(options.payloadBytes) : null;
    await stack.api.publish(ws, Math.ceil(deliveries / webhooks), padding ? (i) => ({ n: i, padding }) : undefined, padding ? 1 : 500);
    const stats = await receiver.waitFor(deliveries, 600_000);
    const cpu = stack.cpuSeconds() - cpu0;
    const peakRssMb = memory.stop();
    const perSecond = Math.round((stats.count / (stats.last - started)) * 1000);

    await receiver.reset();
    const rawCpu0 = process.cpuUsage();
    const raw = options.raw === false ? { perSecond: Number.NaN } : await rawLoop(urls, deliveries, hookdConcurrency(webhooks));
    const rawCpu = process.cpuUsage(rawCpu0);
    await receiver.reset();
    const rawDispatch = options.raw === false ? { perSecond: Number.NaN } : await rawLoop(urls, deliveries, hookdConcurrency(webhooks), 'dispatch');
    return {
      webhooks,
      deliveries: stats.count,
      perSecond,
      rawPerSecond: raw.perSecond,
      ratio: perSecond / raw.perSecond,
      rawDispatchPerSecond: rawDispatch.perSecond,
      cpuMsPerDelivery: (cpu * 1000) / stats.count,
      rawCpuMsPerRequest: (rawCpu.user + rawCpu.system) / 1000 / deliveries,
      peakRssMb,
    };
  } finally {
    await stack.stop();
    await receiver.stop();
  }
}

export interface LatencyResult {
  rate: number;
  seconds: number;
  received: number;
  failed: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Scenario 2: a steady `rate` events/s for `seconds`; publish → receipt percentiles (ms). */
export async function latency(store: Store, postgres: BenchPostgres | null, rate: number, seconds: number, warmUpSeconds: number): Promise<LatencyResult> {
  const receiver = await ReceiverProcess.start();
  const stack = await Stack.start(store, postgres);
  try {
    const ws = await workspaceWithWebhooks(stack, [`${receiver.url}/latency`]);
    const path = `/api/v1/workspaces/${ws}/events`;
    // A fresh process compiles its hot paths in its first seconds (p95 ~1 s then, ~25 ms after, at 250/s):
    // a warm-up at the same rate, not measured, so the figures are of the running service.
    const warmUp = await publishSteadily(stack, path, rate, warmUpSeconds, () => {});
    await receiver.waitFor(warmUp, 120_000);
    await receiver.reset();
    let failed = 0;
    const total = await publishSteadily(stack, path, rate, seconds, () => failed++);
    await receiver.waitFor(total - failed, 120_000);
    const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
    const latencies = await receiver.latencies();
    for (const value of latencies) histogram.recordValue(Math.max(1, Math.round(value)));
    return {
      rate,
      seconds,
      received: latencies.length,
      failed,
      p50: histogram.getValueAtPercentile(50),
      p95: histogram.getValueAtPercentile(95),
      p99: histogram.getValueAtPercentile(99),
      max: histogram.maxValue,
    };
  } finally {
    await stack.stop();
    await receiver.stop();
  }
}

/** Scenario 3: one event to `webhooks` webhooks; time to the 202 and to the last receipt (ms). */
export async function fanOut(store: Store, postgres: BenchPostgres | null, webhooks: number) {
  const receivers = await Promise.all(Array.from({ length: 4 }, () => ReceiverProcess.start()));
  const stack = await Stack.start(store, postgres, { HOOKD_WEBHOOK_CONCURRENCY: '10' });
  try {
    const urls = Array.from({ length: webhooks }, (_, i) => `${receivers[i % receivers.length]!.url}/f${i}`);
    const ws = await workspaceWithWebhooks(stack, urls);
    // Another tenant reads its webhooks all the while: how long can the fan-out hold the database up?
    const other = await workspaceWithWebhooks(stack, ['https://example.invalid/other']);
    let probing = true;
    let slowestReadMs = 0;
    const probe = (async () => {
      while (probing) {
        const t0 = performance.now();
        await stack.api.call('GET', `/api/v1/workspaces/${other}/webhooks`);
        slowestReadMs = Math.max(slowestReadMs, performance.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const cpu0 = stack.cpuSeconds();
    const started = monotonicMs();
    const reply = await stack.api.call('POST', `/api/v1/workspaces/${ws}/events`, { type: 'job.completed', data: {} });
    const accepted = monotonicMs();
    if (reply.body.deliveries !== webhooks) throw new Error(`fan-out made ${reply.body.deliveries} deliveries`);
    const deadline = Date.now() + 120_000;
    let last = 0;
    for (;;) {
      const stats = await Promise.all(receivers.map((r) => r.stats()));
      const count = stats.reduce((n, s) => n + s.count, 0);
      last = Math.max(...stats.map((s) => s.last));
      if (count >= webhooks || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // hookd's CPU (and the database's) per delivery, the probe's reads included: steadier than the time on a noisy host.
    const cpuMsPerDelivery = ((stack.cpuSeconds() - cpu0) * 1000) / webhooks;
    probing = false;
    await probe;
    return { webhooks, acceptedMs: Math.round(accepted - started), allReceivedMs: Math.round(last - started), slowestOtherReadMs: Math.round(slowestReadMs), cpuMsPerDelivery };
  } finally {
    await stack.stop();
    await Promise.all(receivers.map((r) => r.stop()));
  }
}

/** Scenario 4: 20 webhooks, half hanging until the timeout; healthy throughput against a run with none hanging. */
export async function isolation(store: Store, postgres: BenchPostgres | null, eventsPerWebhook: number) {
  const run = async (hanging: number) => {
    const receiver = await ReceiverProcess.start();
    const stack = await Stack.start(store, postgres, { HOOKD_REQUEST_TIMEOUT: '2s' });
    try {
      const urls = Array.from({ length: 20 }, (_, i) => `${receiver.url}/${i < hanging ? 'hang' : 'ok'}${i}`);
      const ws = await workspaceWithWebhooks(stack, urls);
      const started = monotonicMs();
      await stack.api.publish(ws, eventsPerWebhook);
      const healthy = (20 - hanging) * eventsPerWebhook;
      const stats = await receiver.waitForHealthy(healthy, 300_000);
      return Math.round((stats.healthy / (stats.lastHealthy - started)) * 1000);
    } finally {
      await stack.stop();
      await receiver.stop();
    }
  };
  const baseline = await run(0);
  const withHanging = await run(10);
  // Compare per healthy webhook: the baseline spreads the same rate over twice as many webhooks.
  const perWebhookBaseline = baseline / 20;
  const perWebhookHanging = withHanging / 10;
  return { baselinePerWebhook: Math.round(perWebhookBaseline), hangingPerWebhook: Math.round(perWebhookHanging), drop: 1 - perWebhookHanging / perWebhookBaseline };
}

/**
 * Scenario 8: autocannon (20 connections) on the list route and on single-event publishes to a workspace
 * with no subscriber and with one, each with a workspace key, against an API-only process.
 */
export async function apiLoad(store: Store, postgres: BenchPostgres | null, seconds: number) {
  const stack = await Stack.start(store, postgres, { HOOKD_ROLE: 'api' }, 0);
  try {
    const fire = (opts: autocannon.Options) =>
      new Promise<autocannon.Result>((resolve, reject) => autocannon(opts, (error: unknown, result: autocannon.Result) => (error ? reject(error) : resolve(result))));
    const summary = (r: autocannon.Result) => ({ rps: Math.round(r.requests.average), p99: r.latency.p99, non2xx: r.non2xx });
    const publishTo = async (subscribers: number) => {
      const ws = await workspaceWithWebhooks(stack, Array.from({ length: subscribers }, (_, i) => `https://example.invalid/h${i}`));
      const key = await stack.api.workspaceKey(ws);
      return summary(
        await fire({
          url: `${stack.api.url}/api/v1/workspaces/${ws}/events`,
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'job.completed', data: { ok: true } }),
          connections: 20,
          duration: seconds,
        }),
      );
    };
    const listed = await workspaceWithWebhooks(stack, Array.from({ length: 20 }, (_, i) => `https://example.invalid/l${i}`));
    const list = summary(await fire({ url: `${stack.api.url}/api/v1/workspaces/${listed}/webhooks`, headers: { 'x-api-key': ADMIN_KEY }, connections: 20, duration: seconds }));
    return { list, publish0: await publishTo(0), publish1: await publishTo(1) };
  } finally {
    await stack.stop();
  }
}

export interface SoakResult {
  rate: number;
  minutes: number;
  received: number;
  failed: number;
  /** Peak RSS per minute of every hookd process (MB), and its least-squares slope over the second half of the soak (MB/min). */
  rssByMinute: number[][];
  rssSlopeMbPerMin: number;
  /** Publish → receipt p99 per minute (ms). */
  p99ByMinute: number[];
}

/** Scenario 10: a steady `rate` single-event publishes/s for `minutes`; RSS and p99 minute by minute. */
export async function soak(store: Store, postgres: BenchPostgres | null, rate: number, minutes: number): Promise<SoakResult> {
  const receiver = await ReceiverProcess.start();
  const stack = await Stack.start(store, postgres);
  try {
    const ws = await workspaceWithWebhooks(stack, [`${receiver.url}/soak`]);
    const path = `/api/v1/workspaces/${ws}/events`;
    const rssByMinute: number[][] = [];
    const p99ByMinute: number[] = [];
    let failed = 0;
    let received = 0;
    for (let minute = 0; minute < minutes; minute++) {
      const memory = stack.sampleMemory();
      const sent = await publishSteadily(stack, path, rate, 60, () => failed++);
      await receiver.waitFor(sent - failed, 120_000);
      const latencies = await receiver.latencies();
      received += latencies.length;
      await receiver.reset();
      p99ByMinute.push(percentile(latencies, 99));
      rssByMinute.push(memory.stop());
    }
    // The second half: a process settles in its first minutes (the SQLite one gave back 70 MB after its
    // second), and a leak shows as growth after that.
    const rssSlopeMbPerMin = leastSquaresSlope(rssByMinute.slice(Math.floor(minutes / 2)).map((peaks) => Math.max(...peaks)));
    return { rate, minutes, received, failed, rssByMinute, rssSlopeMbPerMin, p99ByMinute };
  } finally {
    await stack.stop();
    await receiver.stop();
  }
}

/** Publishes `rate` single events a second for `seconds`, each stamped with its send time; answers how many. */
/** Single publishes at `rate` a second for `seconds` (to `path`, or the path of the n-th), each carrying its send time. */
async function publishSteadily(stack: Stack, path: string | ((sent: number) => string), rate: number, seconds: number, onFailure: () => void): Promise<number> {
  const pathOf = typeof path === 'string' ? () => path : path;
  const total = rate * seconds;
  const tickMs = 10;
  const pending: Promise<unknown>[] = [];
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    // What the rate asks for by the end of this tick (rounding per tick would send 3 a tick at 250/s: 300/s).
    const due = Math.min(total, Math.ceil(((performance.now() - started + tickMs) * rate) / 1000));
    for (; sent < due; sent++) {
      pending.push(
        stack.api
          .call('POST', pathOf(sent), { type: 'job.completed', data: { sent_at: monotonicMs() } })
          .then((reply) => reply.status === 202 || onFailure(), onFailure),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
  await Promise.all(pending);
  return total;
}

function leastSquaresSlope(values: number[]): number {
  if (values.length < 2) return 0;
  const meanX = (values.length - 1) / 2;
  const meanY = values.reduce((sum, v) => sum + v, 0) / values.length;
  let sxy = 0;
  let sxx = 0;
  values.forEach((v, x) => ((sxy += (x - meanX) * (v - meanY)), (sxx += (x - meanX) ** 2)));
  return sxy / sxx;
}

function percentile(values: number[], p: number): number {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
  for (const value of values) histogram.recordValue(Math.max(1, Math.round(value)));
  return histogram.getValueAtPercentile(p);
}

export interface FairnessRun {
  /** Healthy tenants' backlog drained per second (first publish → last receipt). */
  perSecond: number;
  /** Publish → receipt at a steady load, ms. */
  p50: number;
  p99: number;
  /** Requests the hanging tenant's endpoints were holding when the healthy load began. */
  hangingHeld: number;
}

const HEALTHY_TENANTS = 4;
const HEALTHY_WEBHOOKS = 5;

/**
 * Scenario 9: four healthy tenants (5 webhooks each) drain a backlog and then publish at a steady rate,
 * alone and while another tenant's `hangingWebhooks` webhooks (own host) hang until the default 15 s
 * timeout with 10 000 deliveries queued; their deliveries/s and p99 with and without.
 */
export async function fairness(store: Store, postgres: BenchPostgres | null, options: { hangingWebhooks: number; backlogEvents: number; rate: number; seconds: number }) {
  const run = async (hangingWebhooks: number): Promise<FairnessRun> => {
    const healthy = await ReceiverProcess.start();
    const hanging = await ReceiverProcess.start();
    const stack = await Stack.start(store, postgres);
    try {
      const tenants: string[] = [];
      for (let t = 0; t < HEALTHY_TENANTS; t++) {
        tenants.push(await workspaceWithWebhooks(stack, Array.from({ length: HEALTHY_WEBHOOKS }, (_, i) => `${healthy.url}/t${t}w${i}`)));
      }
      let hangingHeld = 0;
      if (hangingWebhooks) {
        const greedy = await workspaceWithWebhooks(stack, Array.from({ length: hangingWebhooks }, (_, i) => `${hanging.url}/hang${i}`));
        const events = Array.from({ length: Math.floor(10_000 / hangingWebhooks) }, () => ({ type: 'job.completed', data: {} }));
        const reply = await stack.api.call('POST', `/api/v1/workspaces/${greedy}/events`, { events });
        if (reply.status !== 202) throw new Error(`greedy publish: ${reply.status} ${JSON.stringify(reply.body)}`);
        // Wait until the hanging tenant holds what it can of the pool.
        for (let last = -1; ; ) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          hangingHeld = (await hanging.stats()).count;
          if (hangingHeld === last && hangingHeld > 0) break;
          last = hangingHeld;
        }
      }

      // Phase 1: a backlog per tenant, drained as fast as hookd can.
      const backlog = HEALTHY_TENANTS * HEALTHY_WEBHOOKS * options.backlogEvents;
      const started = monotonicMs();
      await Promise.all(tenants.map((ws) => stack.api.publish(ws, options.backlogEvents)));
      const drained = await healthy.waitFor(backlog, 300_000);
      const perSecond = Math.round((drained.count / (drained.last - started)) * 1000);

      // Phase 2: a steady rate spread over the tenants; publish → receipt latency.
      await healthy.reset();
      const total = await publishSteadily(stack, (sent) => `/api/v1/workspaces/${tenants[sent % tenants.length]!}/events`, options.rate, options.seconds, () => {});
      await healthy.waitFor(total * HEALTHY_WEBHOOKS, 120_000);
      const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
      for (const value of await healthy.latencies()) histogram.recordValue(Math.max(1, Math.round(value)));
      return { perSecond, p50: histogram.getValueAtPercentile(50), p99: histogram.getValueAtPercentile(99), hangingHeld };
    } finally {
      await stack.stop();
      await Promise.all([healthy.stop(), hanging.stop()]);
    }
  };
  const alone = await run(0);
  const withHanging = await run(options.hangingWebhooks);
  return { hangingWebhooks: options.hangingWebhooks, alone, withHanging, drop: 1 - withHanging.perSecond / alone.perSecond };
}
