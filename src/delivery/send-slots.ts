import type { ClaimBudget, ClaimedDelivery } from '../storage/claim-deliveries.js';

export interface SlotLimits {
  /** Sends in flight in this worker. */
  maxInFlight: number;
  /** Sends in flight per webhook (a slow webhook gets one). */
  webhookConcurrency: number;
  /** Sends in flight per workspace. */
  workspaceMaxInFlight: number;
  /** Sends in flight per destination host (`host:port`), across workspaces. */
  hostMaxInFlight: number;
}

/** A send that holds a slot: released with `finish`. */
export interface SendTicket {
  delivery: ClaimedDelivery;
  host: string;
  /** Counted against the slow-target share. */
  slow: boolean;
}

// A webhook answering in under 250 ms on average is fast: it gets rows prefetched (five sets of its
// concurrency held, one set sending). One whose last attempt timed out, or that takes a second or more,
// is slow: one send at a time, within a quarter of the pool and half of its workspace's share.
const FAST_MS = 250;
const SLOW_MS = 1000;
export const HOLD_FACTOR = 5;
const HEALTH_ENTRIES = 10_000;

/**
 * The scheduler's accounting for one worker: claimed rows waiting per webhook, sends in flight per
 * webhook, workspace, destination host and slow-target share, and each webhook's recent latency. It
 * decides what a claim may take and what may start now, so that no tenant, host or hanging endpoint can
 * hold the slots every other one needs.
 */
export class SendSlots {
  readonly #limits: SlotLimits;
  readonly #slowMax: number;
  readonly #slowPerWorkspace: number;
  /** Claimed rows waiting for a slot, per webhook, in claim order. */
  readonly #queued = new Map<string, ClaimedDelivery[]>();
  #queuedCount = 0;
  #inFlight = 0;
  /** Sends in flight per key: `w:` webhook, `s:` workspace, `h:` host, `slow`, `slow:` workspace. */
  readonly #sending = new Map<string, number>();
  /** Rows held (queued or in flight) per key: `w:` webhook, `s:` workspace, `g:` workspace's rows of endpoints not proven fast. */
  readonly #held = new Map<string, number>();
  /** Held rows counted under `g:` (the class at claim time, so the count comes back down exactly). */
  readonly #guarded = new Set<number>();
  /** Recent attempt duration per webhook (EWMA, ms) and whether its last attempt timed out. */
  readonly #health = new Map<string, { latencyMs: number; timedOut: boolean; workspaceId: string }>();
  readonly #hosts = new Map<string, string>();
  /** Fast webhooks by workspace (those `#health` holds), least recently attempted first, for claims past a workspace's saturated head. */
  readonly #fastByWorkspace = new Map<string, Set<string>>();

  constructor(limits: SlotLimits) {
    this.#limits = limits;
    this.#slowMax = Math.max(1, Math.floor(limits.maxInFlight / 4));
    this.#slowPerWorkspace = Math.max(1, Math.floor(limits.workspaceMaxInFlight / 2));
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get queuedCount(): number {
    return this.#queuedCount;
  }

  /** Rows this worker may still claim. */
  get claimRoom(): number {
    return this.#limits.maxInFlight * (HOLD_FACTOR + 1) - this.#inFlight - this.#queuedCount;
  }

  /** A budget for one claim: what each webhook and workspace may still hold, less what the claim took. */
  claimBudget(): ClaimBudget {
    const taken = new Map<string, number>();
    const room = (key: string, cap: number) => cap - (this.#held.get(key) ?? 0) - (taken.get(key) ?? 0);
    const max = this.#limits.workspaceMaxInFlight;
    // Rows of fast endpoints are prefetched; rows of the others only up to the workspace's sending share,
    // so rows parked behind hanging endpoints cannot fill the worker.
    const workspaceRoom = (webhookId: string, workspaceId: string) =>
      this.#isFast(webhookId) ? room(`s:${workspaceId}`, max * HOLD_FACTOR) : Math.min(room(`s:${workspaceId}`, max * HOLD_FACTOR), room(`g:${workspaceId}`, max));
    return {
      free: (webhookId, workspaceId) => Math.min(room(`w:${webhookId}`, this.#holdFor(webhookId)), workspaceRoom(webhookId, workspaceId)),
      room: (workspaceId) => {
        if (room(`s:${workspaceId}`, max * HOLD_FACTOR) <= 0) return 'none';
        if (room(`g:${workspaceId}`, max) > 0) return 'all';
        return this.#fastByWorkspace.has(workspaceId) ? 'proven' : 'none';
      },
      provenWebhooks: (workspaceId) => this.#fastByWorkspace.get(workspaceId) ?? [],
      take: (webhookId, workspaceId) => {
        for (const key of this.#heldKeys(webhookId, workspaceId, !this.#isFast(webhookId))) bump(taken, key, 1);
      },
    };
  }

  enqueue(deliveries: readonly ClaimedDelivery[]): void {
    for (const delivery of deliveries) {
      const queue = this.#queued.get(delivery.webhookId);
      if (queue) queue.push(delivery);
      else this.#queued.set(delivery.webhookId, [delivery]);
      const guarded = !this.#isFast(delivery.webhookId);
      if (guarded) this.#guarded.add(delivery.id);
      for (const key of this.#heldKeys(delivery.webhookId, delivery.workspaceId, guarded)) bump(this.#held, key, 1);
    }
    this.#queuedCount += deliveries.length;
  }

  /** Webhooks with rows waiting, longest waiting first. */
  queuedWebhooks(): IterableIterator<string> {
    return this.#queued.keys();
  }

  /** The rate limit of a webhook with rows waiting (null when it has none or no rows wait). */
  rateLimitOf(webhookId: string): number | null {
    return this.#queued.get(webhookId)?.[0]?.rateLimitPerS ?? null;
  }

  /** The destination host of a webhook's waiting rows (null when none wait). */
  hostOfQueued(webhookId: string): string | null {
    const next = this.#queued.get(webhookId)?.[0];
    return next ? this.#hostOf(next.url) : null;
  }

  /** How many of a webhook's waiting rows may start now, within every limit. */
  startable(webhookId: string): number {
    const queue = this.#queued.get(webhookId);
    if (!queue?.length) return 0;
    const delivery = queue[0]!;
    const slow = this.#isSlow(webhookId);
    const sending = (key: string) => this.#sending.get(key) ?? 0;
    const limits = [
      queue.length,
      this.#limits.maxInFlight - this.#inFlight,
      (slow ? 1 : this.#limits.webhookConcurrency) - sending(`w:${webhookId}`),
      this.#limits.workspaceMaxInFlight - sending(`s:${delivery.workspaceId}`),
      this.#limits.hostMaxInFlight - sending(`h:${this.#hostOf(delivery.url)}`),
    ];
    if (slow) limits.push(this.#slowMax - sending('slow'), this.#slowPerWorkspace - sending(`slow:${delivery.workspaceId}`));
    return Math.max(0, Math.min(...limits));
  }

  /** Takes up to `count` waiting rows of a webhook into flight (never more than `startable`). */
  start(webhookId: string, count: number): SendTicket[] {
    const queue = this.#queued.get(webhookId);
    if (!queue) return [];
    const tickets = queue.splice(0, Math.min(count, this.startable(webhookId))).map((delivery) => {
      const ticket = { delivery, host: this.#hostOf(delivery.url), slow: this.#isSlow(webhookId) };
      this.#count(ticket, 1);
      return ticket;
    });
    this.#queuedCount -= tickets.length;
    if (!queue.length) this.#queued.delete(webhookId);
    return tickets;
  }

  /** Frees a ticket's slot and learns from its attempt (null: no answer to learn from, e.g. aborted). */
  finish(ticket: SendTicket, attempt: { durationMs: number; timedOut: boolean } | null): void {
    this.#count(ticket, -1);
    this.#release(ticket.delivery);
    if (attempt) this.#learn(ticket.delivery, attempt);
  }

  #learn({ webhookId, workspaceId }: ClaimedDelivery, attempt: { durationMs: number; timedOut: boolean }): void {
    const previous = this.#health.get(webhookId);
    const latencyMs = previous === undefined ? attempt.durationMs : previous.latencyMs * 0.8 + attempt.durationMs * 0.2;
    this.#forget(webhookId);
    this.#health.set(webhookId, { latencyMs, timedOut: attempt.timedOut, workspaceId });
    if (this.#isFast(webhookId)) {
      const fast = this.#fastByWorkspace.get(workspaceId);
      if (fast) fast.add(webhookId);
      else this.#fastByWorkspace.set(workspaceId, new Set([webhookId]));
    }
    if (this.#health.size > HEALTH_ENTRIES) this.#forget(this.#health.keys().next().value!);
  }

  #forget(webhookId: string): void {
    const health = this.#health.get(webhookId);
    if (!health) return;
    this.#health.delete(webhookId);
    const fast = this.#fastByWorkspace.get(health.workspaceId);
    fast?.delete(webhookId);
    if (fast?.size === 0) this.#fastByWorkspace.delete(health.workspaceId);
  }

  /** Forgets every waiting row (shutdown: their leases are handed back). */
  clearQueue(): void {
    for (const queue of this.#queued.values()) {
      for (const delivery of queue) this.#release(delivery);
    }
    this.#queued.clear();
    this.#queuedCount = 0;
  }

  /** Waiting rows of a webhook fall below what keeps its sends busy: time to claim more. */
  runningLow(webhookId: string): boolean {
    return (this.#queued.get(webhookId)?.length ?? 0) < this.#limits.webhookConcurrency * 2;
  }

  #heldKeys(webhookId: string, workspaceId: string, guarded: boolean): string[] {
    return guarded ? [`w:${webhookId}`, `s:${workspaceId}`, `g:${workspaceId}`] : [`w:${webhookId}`, `s:${workspaceId}`];
  }

  /** A held row is done with (sent or handed back). */
  #release(delivery: ClaimedDelivery): void {
    const guarded = this.#guarded.delete(delivery.id);
    for (const key of this.#heldKeys(delivery.webhookId, delivery.workspaceId, guarded)) bump(this.#held, key, -1);
  }

  #count(ticket: SendTicket, delta: number): void {
    const { webhookId, workspaceId } = ticket.delivery;
    this.#inFlight += delta;
    bump(this.#sending, `w:${webhookId}`, delta);
    bump(this.#sending, `s:${workspaceId}`, delta);
    bump(this.#sending, `h:${ticket.host}`, delta);
    if (ticket.slow) {
      bump(this.#sending, 'slow', delta);
      bump(this.#sending, `slow:${workspaceId}`, delta);
    }
  }

  #isSlow(webhookId: string): boolean {
    const health = this.#health.get(webhookId);
    return health !== undefined && (health.timedOut || health.latencyMs >= SLOW_MS);
  }

  #isFast(webhookId: string): boolean {
    const health = this.#health.get(webhookId);
    return health !== undefined && !health.timedOut && health.latencyMs < FAST_MS;
  }

  /** Rows a webhook may hold: prefetch for a fast one, what it can send for the others. */
  #holdFor(webhookId: string): number {
    if (this.#isFast(webhookId)) return this.#limits.webhookConcurrency * HOLD_FACTOR;
    return this.#isSlow(webhookId) ? 1 : this.#limits.webhookConcurrency;
  }

  #hostOf(url: string): string {
    let host = this.#hosts.get(url);
    if (host === undefined) {
      host = new URL(url).host;
      this.#hosts.set(url, host);
      if (this.#hosts.size > HEALTH_ENTRIES) this.#hosts.delete(this.#hosts.keys().next().value!);
    }
    return host;
  }
}

function bump(counts: Map<string, number>, key: string, delta: number): void {
  const value = (counts.get(key) ?? 0) + delta;
  if (value > 0) counts.set(key, value);
  else counts.delete(key);
}
