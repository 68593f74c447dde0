import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { SecretBox } from '../domain/secret-box.js';
import type { RateLimiter } from '../services/rate-limiter.js';
import { type ClaimCursor, type ClaimedDelivery, claimDueDeliveries } from '../storage/claim-deliveries.js';
import type { Store } from '../storage/database.js';
import { type DeliveryWrites, directWrites } from '../storage/delivery-writes.js';
import { disableWebhook } from '../storage/disable-webhook.js';
import type { WebhookToDisable } from '../storage/record-attempts.js';
import { newOutboxEvent, writeEventWithDeliveries } from '../storage/outbox.js';
import { subscribedWebhookIds } from '../storage/subscriptions.js';
import { releaseLeases } from '../storage/queue.js';
import { HttpSender, type SendResult } from './http-sender.js';
import { inSpan, SpanKind, SpanStatusCode, traceparentHeader } from '../telemetry.js';
import type { Resolver } from './ssrf-guard.js';
import type { DeliveryMetrics } from './metrics.js';
import { describeOutcome, nextState } from './next-state.js';
import { ResultWriter } from './result-writer.js';
import { SendSlots, type SendTicket } from './send-slots.js';
import { deliveryBody, recordableHeaders, signedHeaders } from './signed-request.js';
import { OAuth2Tokens, TokenError } from './oauth2-tokens.js';
import { findWebhook } from '../storage/webhooks.js';
import type { Db } from '../storage/schema.js';
import { CircuitGate } from './circuit-gate.js';
import { FifoGate } from './fifo-gate.js';
import { Drain } from './drain.js';
import { LeaseKeeper } from './lease-keeper.js';
import { RatePacer } from './rate-pacer.js';
import { type WebhookSettings, WebhookSettingsCache } from './webhook-settings.js';

export interface WorkerSettings {
  retryScheduleMs: readonly number[];
  requestTimeoutMs: number;
  retryAfterCapMs: number;
  allowPrivateTargets: boolean;
  /** HOOKD_PROXY_URL: every delivery through this CONNECT proxy, or null. */
  proxyUrl: string | null;
  /** HOOKD_TRACEPARENT: each attempt sends its span's W3C traceparent. */
  traceparent: boolean;
  disableAfter: number;
  /** Consecutive failed attempts that open a webhook's circuit (0: never), and the first probe interval. */
  circuitAfter: number;
  circuitProbeMs: number;
  maxInFlight: number;
  webhookConcurrency: number;
  workspaceMaxInFlight: number;
  hostMaxInFlight: number;
  /** Requests per second to one destination host, across workspaces (0: no limit). */
  hostRateLimitPerS: number;
  /** Payload bytes held prefetched and in flight. */
  prefetchMaxBytes: number;
  shutdownGraceMs: number;
}

export interface WorkerDeps {
  store: Store;
  /** Where leases and attempt results are written (default: `store`'s own connection). */
  writes?: DeliveryWrites;
  settings: WorkerSettings;
  clock: Clock;
  logger: Logger;
  secretBox: SecretBox;
  /** Budgets for webhooks' `rate_limit_per_s` (shared by every worker on PostgreSQL). */
  rateLimiter: RateLimiter;
  userAgent: string;
  metrics?: DeliveryMetrics;
  /** Jitter source, injectable so tests can pin retry times. */
  random?: () => number;
  /** DNS for the sender; tests pass one so no real name is ever resolved. */
  resolve?: Resolver;
  /** How long an idle worker waits before looking again when no wake-up came. */
  pollIntervalMs?: number;
}

// How long a claim may go unrecorded before another worker takes it over: the request timeout plus
// 15 s for recording, so a crashed worker's deliveries are sent again within ~30 s by default.
const LEASE_MARGIN_MS = 15_000;
const SMALL_CLAIM = 8;
const CLAIM_GATHER_MS = 3;

/** Claims due deliveries, sends them concurrently within limits, and records each outcome. */
export class DeliveryWorker {
  readonly id = `worker-${randomUUID().slice(0, 8)}`;
  readonly #deps: WorkerDeps;
  readonly #sender: HttpSender;
  readonly #tokens: OAuth2Tokens;
  readonly #circuits: CircuitGate;
  readonly #fifo: FifoGate;
  readonly #writes: DeliveryWrites;
  readonly #writer: ResultWriter;
  /** Claimed rows waiting for a slot (their leases are kept alive) and sends in flight, within fair limits. */
  readonly #slots: SendSlots;
  readonly #cursor: ClaimCursor = { workspaceId: null };
  readonly #pacer: RatePacer;
  readonly #leases: LeaseKeeper;
  /** Sends in flight: shutdown awaits them. */
  readonly #sends = new Drain();
  readonly #webhooks: WebhookSettingsCache;
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #signalled = false;
  #wakeScheduled = false;
  #pumpScheduled = false;
  #unsubscribe: (() => void) | null = null;

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
    const { settings } = deps;
    this.#slots = new SendSlots(settings);
    this.#sender = new HttpSender({
      timeoutMs: settings.requestTimeoutMs,
      retryAfterCapMs: settings.retryAfterCapMs,
      allowPrivateTargets: settings.allowPrivateTargets,
      proxyUrl: settings.proxyUrl,
      resolve: deps.resolve,
      now: () => deps.clock.now(),
    });
    this.#tokens = new OAuth2Tokens(this.#sender, () => deps.clock.now());
    this.#webhooks = new WebhookSettingsCache(deps.secretBox);
    this.#pacer = new RatePacer({
      limiter: deps.rateLimiter,
      hostRateLimitPerS: settings.hostRateLimitPerS,
      now: () => deps.clock.now(),
      logger: deps.logger,
      start: (webhookId, count) => this.#start(webhookId, count),
      resume: (webhookId) => this.#pump(webhookId),
    });
    this.#leases = new LeaseKeeper({
      db: deps.store.db,
      workerId: this.id,
      leaseMs: settings.requestTimeoutMs + LEASE_MARGIN_MS,
      now: () => deps.clock.now(),
      logger: deps.logger,
      // Results waiting in the writer still hold their leases: a takeover now would send them twice.
      holding: () => this.inFlight + this.#slots.queuedCount + this.#writer.pendingCount,
    });
    this.#circuits = new CircuitGate(deps.store.db);
    this.#fifo = new FifoGate(deps.store.db);
    this.#writes = deps.writes ?? directWrites(deps.store);
    this.#writer = new ResultWriter(this.#writes, deps.logger, {
      workerId: this.id,
      disableAfter: settings.disableAfter,
      circuit: { after: settings.circuitAfter, probeMs: settings.circuitProbeMs },
      onOpened: (webhookIds) => this.#circuits.opened(webhookIds),
      // A recorded result may have finished a FIFO head: claim its successor now, not at the next poll.
      onFlushed: () => this.#fifo.active && this.#wakeSoon(),
      onRecovered: (webhookIds) => this.#recovered(webhookIds),
      maxBatch: 500,
      // Results only feed the delivery log, so a 20 ms batch window costs receivers nothing and cuts commits.
      maxDelayMs: 20,
      onDisable: (webhooks) => this.#disable(webhooks),
    });
  }

  /** Starts the claim loop; wake-ups from publishers start work at once. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.#deps.store.wakeups.subscribe(() => this.poke());
    this.#leases.start();
    this.#loop = this.#run();
  }

  /** Makes an idle worker look for due deliveries now (publish wake-ups, tests that move the clock). */
  poke(): void {
    this.#signalled = true;
    this.#wake?.();
  }

  /** Completions wake the loop once per turn of the event loop, so one claim serves several free slots. */
  #wakeSoon(): void {
    if (this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    setImmediate(() => {
      this.#wakeScheduled = false;
      this.poke();
    });
  }

  get inFlight(): number {
    return this.#slots.inFlight;
  }

  /** Resolves once nothing is in flight and every result is stored (for tests and shutdown). */
  async idle(): Promise<void> {
    await this.#sends.drained();
    await this.#writer.flush();
  }

  /**
   * Graceful stop: claim nothing more, let in-flight sends finish within the grace period, abort the
   * rest, store every result, and hand unfinished leases straight back to the queue.
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#unsubscribe?.();
    this.#pacer.stop();
    this.poke();
    await this.#loop;
    // Queued rows were never sent: releaseLeases below hands them straight back.
    this.#slots.clearQueue();
    if (!(await this.#sends.drainedWithin(this.#deps.settings.shutdownGraceMs))) this.#sender.abortAll();
    await this.#sends.drained();
    await this.#leases.stop();
    await this.#writer.flush();
    await releaseLeases(this.#deps.store.db, this.id, this.#deps.clock.now()).catch((error) =>
      this.#deps.logger.error({ err: error }, 'releasing leases failed; they expire on their own'),
    );
    await this.#sender.close();
  }

  async #run(): Promise<void> {
    const { settings, logger, store, clock } = this.#deps;
    const leaseMs = settings.requestTimeoutMs + LEASE_MARGIN_MS;
    while (this.#running) {
      this.#signalled = false;
      const limit = Math.min(this.#slots.claimRoom, 500);
      let claimed: ClaimedDelivery[] = [];
      let more = false;
      if (limit > 0) {
        try {
          await this.#circuits.refresh(clock.now());
          await this.#fifo.refresh();
          ({ deliveries: claimed, more } = await claimDueDeliveries(store, this.#writes, {
            workerId: this.id,
            now: clock.now(),
            leaseMs,
            limit,
            budget: this.#fifo.gate(this.#circuits.gate(this.#slots.claimBudget())),
            cursor: this.#cursor,
          }));
        } catch (error) {
          logger.error({ err: error }, 'claiming deliveries failed; retrying shortly');
          await this.#sleep(1000);
          continue;
        }
      }
      this.#slots.enqueue(claimed);
      this.#pumpAll();
      // A full head scan means more may be due: claim again at once.
      if (more && claimed.length > 0) continue;
      // Events trickling in one by one would each cost a claim transaction; waiting a moment after a
      // small claim lets the next one take a few at once, for a few ms of latency.
      if (claimed.length > 0 && claimed.length < SMALL_CLAIM) await new Promise((resolve) => setTimeout(resolve, CLAIM_GATHER_MS));
      if (!this.#signalled) await this.#sleep(this.#deps.pollIntervalMs ?? 1000);
    }
  }

  /** Starts queued sends wherever the limits leave free slots, longest-waiting webhooks first. */
  #pumpAll(): void {
    for (const webhookId of this.#slots.queuedWebhooks()) {
      if (this.inFlight >= this.#deps.settings.maxInFlight) return;
      this.#pump(webhookId);
    }
  }

  /** Completions arrive in bursts: one walk over the waiting webhooks per turn of the event loop serves them all. */
  #pumpAllSoon(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      if (this.#running) this.#pumpAll();
    });
  }

  #pump(webhookId: string): void {
    const free = this.#slots.startable(webhookId);
    if (free <= 0) return;
    const ratePerS = this.#slots.rateLimitOf(webhookId);
    if (this.#pacer.paces(ratePerS)) this.#pacer.pace({ webhookId, ratePerS, host: this.#slots.hostOfQueued(webhookId), want: free });
    else this.#start(webhookId, free);
  }

  #start(webhookId: string, count: number): void {
    if (!this.#running) return;
    for (const ticket of this.#slots.start(webhookId, count)) void this.#send(ticket);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }

  async #send(ticket: SendTicket): Promise<void> {
    const { clock, settings, metrics, logger } = this.#deps;
    const { delivery } = ticket;
    let learned: { durationMs: number; timedOut: boolean } | null = null;
    metrics?.inFlight.inc();
    this.#sends.enter();
    const attempt = delivery.attemptsMade + 1;
    try {
      const webhook = this.#webhooks.of(delivery, clock.now());
      const body = deliveryBody(delivery.payload, delivery.payloadFormat);
      const headers = signedHeaders({
        messageId: delivery.eventId,
        deliveryId: delivery.id,
        eventType: delivery.eventType,
        attempt,
        body,
        secrets: webhook.secrets,
        customHeaders: webhook.headers,
        timestampSec: Math.floor(clock.now() / 1000),
        userAgent: this.#deps.userAgent,
        svix: delivery.payloadFormat === 'svix',
      });
      const result = await this.#tracedSend(delivery, attempt, webhook, headers, body);
      if (!this.#running && result.outcome.kind === 'network') return; // aborted at shutdown: the lease is released instead
      learned = { durationMs: result.durationMs, timedOut: result.outcome.kind === 'timeout' };
      const now = clock.now();
      // A test send is tried once: its outcome is the answer the user waits for.
      const schedule = delivery.isTest === 1 ? [] : (webhook.retrySchedule ?? settings.retryScheduleMs);
      const next = nextState(result.outcome, attempt, schedule, now, this.#deps.random ?? Math.random);
      const error = describeOutcome(result.outcome);
      // One line per attempt, what an operator greps for; never the body, headers or secrets. Successes
      // only at debug: the delivery log records every attempt, and a line each costs ~7 % of a delivery's CPU.
      const level = result.outcome.kind === 'success' ? 'debug' : 'info';
      if (logger.isLevelEnabled(level)) {
        logger[level](
          {
            webhookId: delivery.webhookId,
            deliveryId: delivery.id,
            eventType: delivery.eventType,
            attempt,
            outcome: result.outcome.kind,
            status: 'status' in result.outcome ? result.outcome.status : undefined,
            ms: result.durationMs,
            error: error ?? undefined,
            next: next.status,
          },
          'delivery attempt',
        );
      }
      metrics?.attempts.inc({ outcome: result.outcome.kind });
      metrics?.finished.inc({ status: next.status });
      metrics?.latency.observe(result.durationMs / 1000);
      this.#writer.add({
        deliveryId: delivery.id,
        webhookId: delivery.webhookId,
        attempt,
        outcome: result.outcome.kind,
        statusCode: 'status' in result.outcome ? result.outcome.status : null,
        durationMs: result.durationMs,
        error,
        requestHeaders: JSON.stringify(recordableHeaders(headers)),
        responseHeaders: result.responseHeaders && JSON.stringify(result.responseHeaders),
        responseBody: result.responseBody,
        at: now,
        nextStatus: next.status,
        nextAttemptAt: next.nextAttemptAt,
        isTest: delivery.isTest === 1,
      });
      // A FIFO webhook's next delivery waits for this result: record it now, not in the next 20 ms batch.
      if (this.#fifo.has(delivery.webhookId)) void this.#writer.flush();
    } catch (error) {
      logger.error({ err: error, deliveryId: delivery.id }, 'delivery attempt crashed; its lease will expire');
    } finally {
      this.#slots.finish(ticket, learned);
      this.#sends.leave();
      metrics?.inFlight.dec();
      if (this.#running) {
        this.#pump(delivery.webhookId);
        this.#pumpAllSoon();
      }
      // Claim more only once this webhook's local queue runs low, so one claim refills many slots.
      if (this.#slots.runningLow(delivery.webhookId)) this.#wakeSoon();
    }
  }

  /** One attempt as an OpenTelemetry span (a no-op unless tracing is on), with `traceparent` if HOOKD_TRACEPARENT. */
  #tracedSend(delivery: ClaimedDelivery, attempt: number, webhook: WebhookSettings, headers: Record<string, string>, body: string): Promise<SendResult> {
    const attributes = () => ({
      'hookd.event_id': delivery.eventId,
      'hookd.event_type': delivery.eventType,
      'hookd.webhook_id': delivery.webhookId,
      'hookd.workspace_id': delivery.workspaceId,
      'hookd.delivery_id': delivery.id,
      'hookd.attempt': attempt,
      'http.request.method': 'POST',
      'server.address': new URL(delivery.url).host,
    });
    return inSpan(
      'hookd.delivery.attempt',
      attributes,
      async (span) => {
        const traceparent = this.#deps.settings.traceparent ? traceparentHeader(span) : null;
        if (traceparent) headers['traceparent'] = traceparent;
        const result = await this.#sendWithCredentials(webhook, delivery.url, headers, body);
        if (!span.isRecording()) return result;
        span.setAttribute('hookd.outcome', result.outcome.kind);
        if ('status' in result.outcome) span.setAttribute('http.response.status_code', result.outcome.status);
        if (result.outcome.kind !== 'success') span.setStatus({ code: SpanStatusCode.ERROR, message: describeOutcome(result.outcome) ?? undefined });
        return result;
      },
      SpanKind.CLIENT,
    );
  }

  /**
   * Sends with the webhook's client certificate and OAuth2 token (added to `headers`, which the log records
   * masked). A 401 with a cached token fetches a fresh one and sends once more.
   */
  async #sendWithCredentials(webhook: WebhookSettings, url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    if (!webhook.oauth2) return this.#sender.send(url, headers, body, webhook.certificate);
    for (let tries = 0; ; tries++) {
      try {
        headers['authorization'] = `Bearer ${await this.#tokens.token(webhook.version, webhook.oauth2, webhook.certificate)}`;
      } catch (error) {
        if (!(error instanceof TokenError)) throw error;
        return { outcome: { kind: 'network', code: error.message }, durationMs: 0, responseHeaders: null, responseBody: null };
      }
      const result = await this.#sender.send(url, headers, body, webhook.certificate);
      if (tries > 0 || result.outcome.kind !== 'http_error' || result.outcome.status !== 401) return result;
      this.#tokens.forget(webhook.version);
    }
  }

  /** Disables webhooks (a 410 Gone, or a failure streak at the limit) and tells their workspace. */
  async #disable(webhooks: WebhookToDisable[]): Promise<void> {
    const { store, clock, logger } = this.#deps;
    for (const { webhookId, failureCount, reason } of webhooks) {
      await store.db.transaction().execute(async (trx) => {
        const now = clock.now();
        const disabled = await disableWebhook(trx, webhookId, reason, now);
        if (!disabled) return;
        await this.#announce(trx, disabled.workspaceId, 'webhook.disabled', { webhook_id: webhookId, url: disabled.url, reason, failure_count: disabled.failureCount });
        logger.warn({ webhookId, failureCount, reason }, 'webhook disabled');
      });
    }
  }

  /** Tells the workspaces of webhooks whose open circuit a probe closed: delivery resumed. */
  async #recovered(webhookIds: string[]): Promise<void> {
    const { store, logger, secretBox } = this.#deps;
    for (const webhookId of webhookIds) {
      const webhook = await findWebhook(store.db, webhookId, secretBox);
      if (!webhook) continue;
      await store.db.transaction().execute((trx) => this.#announce(trx, webhook.workspaceId, 'webhook.recovered', { webhook_id: webhookId, url: webhook.url }));
      logger.info({ webhookId }, 'webhook recovered: its circuit closed');
    }
  }

  /** Publishes one of hookd's operational events to the workspace's subscribers. */
  async #announce(trx: Db, workspaceId: string, type: 'webhook.disabled' | 'webhook.recovered', data: Record<string, unknown>): Promise<void> {
    const event = newOutboxEvent({ workspaceId, type, data, createdAt: this.#deps.clock.now() });
    await writeEventWithDeliveries(trx, this.#deps.store.kind, event, await subscribedWebhookIds(trx, this.#deps.store.kind, event));
    await this.#deps.store.wakeups.announce(trx);
  }
}
