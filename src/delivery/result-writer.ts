import type { Logger } from 'pino';
import type { DeliveryWrites } from '../storage/delivery-writes.js';
import type { AttemptEffects, AttemptRecord, CircuitSettings, WebhookToDisable } from '../storage/record-attempts.js';

/**
 * Collects attempt results and writes them in batches: one transaction per batch instead of one per
 * delivery. Failed writes are kept and retried, so a database hiccup never loses a recorded attempt.
 */
export class ResultWriter {
  readonly #pending: AttemptRecord[] = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;

  constructor(
    private readonly writes: DeliveryWrites,
    private readonly logger: Logger,
    private readonly options: {
      /** The worker whose leases fence every write. */
      workerId: string;
      disableAfter: number;
      circuit?: CircuitSettings;
      maxBatch: number;
      maxDelayMs: number;
      onDisable: (webhooks: WebhookToDisable[]) => Promise<void>;
      /** After every stored batch. */
      onFlushed?: () => void;
      /** Webhooks whose circuit this batch opened. */
      onOpened?: (webhookIds: string[]) => void;
      /** Webhooks whose open circuit a success closed. */
      onRecovered?: (webhookIds: string[]) => Promise<void>;
    },
  ) {}

  /** Queues one result; a full batch is written at once, a partial one after `maxDelayMs`. */
  add(record: AttemptRecord): void {
    this.#pending.push(record);
    if (this.#pending.length >= this.options.maxBatch) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.options.maxDelayMs);
  }

  /** Writes everything queued so far; resolves when it is stored. */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    while (this.#flushing) await this.#flushing;
    if (!this.#pending.length) return;
    const batch = this.#pending.splice(0, this.#pending.length);
    this.#flushing = this.#write(batch).finally(() => {
      this.#flushing = null;
    });
    await this.#flushing;
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  async #write(batch: AttemptRecord[]): Promise<void> {
    let effects: AttemptEffects;
    try {
      effects = await this.writes.recordAttempts(this.options.workerId, batch, this.options.disableAfter, this.options.circuit);
    } catch (error) {
      // Nothing was committed: keep the batch and write it again (the lease fence makes a repeat harmless).
      this.logger.error({ err: error, count: batch.length }, 'recording attempts failed; will retry');
      this.#pending.unshift(...batch);
      this.#timer ??= setTimeout(() => void this.flush(), 1000);
      return;
    }
    // The attempts are stored; a failure to act on a streak must not queue them again.
    if (effects.disable.length) {
      await this.options.onDisable(effects.disable).catch((error) => this.logger.error({ err: error }, 'disabling failing webhooks failed'));
    }
    this.options.onFlushed?.();
    if (effects.opened.length) this.options.onOpened?.(effects.opened);
    if (effects.recovered.length && this.options.onRecovered) {
      await this.options.onRecovered(effects.recovered).catch((error) => this.logger.error({ err: error }, 'announcing recovered webhooks failed'));
    }
  }
}
