import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import { eventPayload } from '../domain/event-payload.js';
import { newEventId } from '../domain/ids.js';
import type { SecretBox } from '../domain/secret-box.js';
import { type ClaimedDelivery, claimDueDeliveries } from '../storage/claim-deliveries.js';
import type { Store } from '../storage/database.js';
import { disableWebhook } from '../storage/disable-webhook.js';
import { subscribedWebhookIds, writeEventWithDeliveries } from '../storage/outbox.js';
import { releaseLeases } from '../storage/release-leases.js';
import { HttpSender } from './http-sender.js';
import type { Resolver } from './ssrf-guard.js';
import type { DeliveryMetrics } from './metrics.js';
import { describeOutcome, nextState } from './next-state.js';
import { ResultWriter } from './result-writer.js';
import { recordableHeaders, signedHeaders } from './signed-request.js';

export interface WorkerSettings {
  retryScheduleMs: readonly number[];
  requestTimeoutMs: number;
  retryAfterCapMs: number;
  allowPrivateTargets: boolean;
  disableAfter: number;
  maxInFlight: number;
  webhookConcurrency: number;
  shutdownGraceMs: number;
}

export interface WorkerDeps {
  store: Store;
  settings: WorkerSettings;
  clock: Clock;
  logger: Logger;
  secretBox: SecretBox;
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

/** Claims due deliveries, sends them concurrently within limits, and records each outcome. */
export class DeliveryWorker {
  readonly id = `worker-${randomUUID().slice(0, 8)}`;
  readonly #deps: WorkerDeps;
  readonly #sender: HttpSender;
  readonly #writer: ResultWriter;
  readonly #perWebhook = new Map<string, number>();
  readonly #secretCache = new Map<string, { updatedAt: number; secrets: string[]; expiresAt: number | null }>();
  readonly #abort = new AbortController();
  #inFlight = 0;
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #signalled = false;
  #unsubscribe: (() => void) | null = null;

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
    const { settings } = deps;
    this.#sender = new HttpSender({
      timeoutMs: settings.requestTimeoutMs,
      retryAfterCapMs: settings.retryAfterCapMs,
      allowPrivateTargets: settings.allowPrivateTargets,
      resolve: deps.resolve,
      now: () => deps.clock.now(),
    });
    this.#writer = new ResultWriter(deps.store, deps.logger, {
      disableAfter: settings.disableAfter,
      maxBatch: 500,
      maxDelayMs: 5,
      onStreakLimit: (webhooks) => this.#disable(webhooks),
    });
  }

  /** Starts the claim loop; wake-ups from publishers start work at once. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.#deps.store.wakeups.subscribe(() => this.poke());
    this.#loop = this.#run();
  }

  /** Makes an idle worker look for due deliveries now (publish wake-ups, tests that move the clock). */
  poke(): void {
    this.#signalled = true;
    this.#wake?.();
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves once nothing is in flight and every result is stored (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
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
    this.poke();
    await this.#loop;
    const deadline = Date.now() + this.#deps.settings.shutdownGraceMs;
    while (this.#inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    this.#abort.abort();
    while (this.#inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
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
      const free = settings.maxInFlight - this.#inFlight;
      let claimed: ClaimedDelivery[] = [];
      if (free > 0) {
        try {
          claimed = await claimDueDeliveries(store.db, store.kind, {
            workerId: this.id,
            now: clock.now(),
            leaseMs,
            limit: Math.min(free, 500),
            slotsFor: (webhookId) => settings.webhookConcurrency - (this.#perWebhook.get(webhookId) ?? 0),
            saturated: [...this.#perWebhook].filter(([, n]) => n >= settings.webhookConcurrency).map(([id]) => id),
          });
        } catch (error) {
          logger.error({ err: error }, 'claiming deliveries failed; retrying shortly');
          await this.#sleep(1000);
          continue;
        }
      }
      for (const delivery of claimed) void this.#send(delivery);
      // A full batch means more may be due: claim again as soon as there is room.
      if (claimed.length > 0 && this.#inFlight < settings.maxInFlight) continue;
      if (!this.#signalled) await this.#sleep(this.#deps.pollIntervalMs ?? 1000);
    }
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

  async #send(delivery: ClaimedDelivery): Promise<void> {
    const { clock, settings, metrics, logger } = this.#deps;
    this.#inFlight++;
    this.#perWebhook.set(delivery.webhookId, (this.#perWebhook.get(delivery.webhookId) ?? 0) + 1);
    metrics?.inFlight.inc();
    const attempt = delivery.attemptsMade + 1;
    try {
      const secrets = this.#secretsOf(delivery);
      const headers = signedHeaders({
        messageId: delivery.eventId,
        deliveryId: delivery.id,
        eventType: delivery.eventType,
        attempt,
        body: delivery.payload,
        secrets,
        customHeaders: JSON.parse(delivery.headers) as Record<string, string>,
        timestampSec: Math.floor(clock.now() / 1000),
        userAgent: this.#deps.userAgent,
      });
      const result = await this.#sender.send(delivery.url, headers, delivery.payload, this.#abort.signal);
      if (this.#abort.signal.aborted && result.outcome.kind === 'network') return; // shutdown: the lease is released instead
      const now = clock.now();
      const schedule = delivery.retrySchedule ? (JSON.parse(delivery.retrySchedule) as number[]) : settings.retryScheduleMs;
      const next = nextState(result.outcome, attempt, schedule, now, this.#deps.random ?? Math.random);
      metrics?.attempts.inc({ outcome: result.outcome.kind });
      metrics?.finished.inc({ status: next.status });
      metrics?.latency.observe(result.durationMs / 1000);
      this.#writer.add({
        deliveryId: delivery.id,
        webhookId: delivery.webhookId,
        workerId: this.id,
        attempt,
        outcome: result.outcome.kind,
        statusCode: 'status' in result.outcome ? result.outcome.status : null,
        durationMs: result.durationMs,
        error: describeOutcome(result.outcome),
        requestHeaders: JSON.stringify(recordableHeaders(headers)),
        responseHeaders: result.responseHeaders && JSON.stringify(result.responseHeaders),
        responseBody: result.responseBody,
        at: now,
        nextStatus: next.status,
        nextAttemptAt: next.nextAttemptAt,
      });
    } catch (error) {
      logger.error({ err: error, deliveryId: delivery.id }, 'delivery attempt crashed; its lease will expire');
    } finally {
      this.#inFlight--;
      const left = (this.#perWebhook.get(delivery.webhookId) ?? 1) - 1;
      if (left > 0) this.#perWebhook.set(delivery.webhookId, left);
      else this.#perWebhook.delete(delivery.webhookId);
      metrics?.inFlight.dec();
      this.poke();
    }
  }

  /** The secrets that sign now, newest first; decrypted once per webhook version. */
  #secretsOf(delivery: ClaimedDelivery): string[] {
    const now = this.#deps.clock.now();
    const cached = this.#secretCache.get(delivery.webhookId);
    if (cached && cached.updatedAt === delivery.webhookUpdatedAt && (cached.expiresAt === null || cached.expiresAt > now)) {
      return cached.secrets;
    }
    const box = this.#deps.secretBox;
    const previousValid = delivery.previousSecret !== null && (delivery.previousSecretExpiresAt ?? 0) > now;
    const secrets = [box.open(delivery.secret), ...(previousValid ? [box.open(delivery.previousSecret!)] : [])];
    this.#secretCache.set(delivery.webhookId, {
      updatedAt: delivery.webhookUpdatedAt,
      secrets,
      expiresAt: previousValid ? delivery.previousSecretExpiresAt : null,
    });
    if (this.#secretCache.size > 10_000) this.#secretCache.delete(this.#secretCache.keys().next().value!);
    return secrets;
  }

  /** Disables webhooks whose failure streak reached the limit and tells their workspace. */
  async #disable(webhooks: { webhookId: string; failureCount: number }[]): Promise<void> {
    const { store, clock, logger } = this.#deps;
    for (const { webhookId, failureCount } of webhooks) {
      const reason = `disabled after ${failureCount} consecutive failed deliveries`;
      await store.db.transaction().execute(async (trx) => {
        const now = clock.now();
        const disabled = await disableWebhook(trx, webhookId, reason, now);
        if (!disabled) return;
        const event = { id: newEventId(), type: 'webhook.disabled', createdAt: now, workspaceId: disabled.workspaceId };
        const data = { webhook_id: webhookId, url: disabled.url, reason, failure_count: disabled.failureCount };
        const subscribers = await subscribedWebhookIds(trx, disabled.workspaceId, event.type);
        await writeEventWithDeliveries(trx, { ...event, payload: eventPayload({ ...event, data }), idempotencyKey: null }, subscribers);
        await store.wakeups.announce(trx);
        logger.warn({ webhookId, failureCount }, 'webhook disabled');
      });
    }
  }
}
