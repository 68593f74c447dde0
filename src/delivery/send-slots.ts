import type { ClaimBudget, ClaimedDelivery } from '../storage/claim-deliveries.js';
import { HeldBytes } from './held-bytes.js';

export interface SlotLimits {
  /** Sends in flight in this worker. */
  maxInFlight: number;
  /** Sends in flight per webhook (a slow webhook gets one). */
  webhookConcurrency: number;
  /** Sends in flight per workspace. */
  workspaceMaxInFlight: number;
  /** Sends in flight to endpoints not proven fast per destination host (`host:port`), across workspaces. */
  hostMaxInFlight: number;
  /** Payload bytes of the rows held (waiting and in flight). */
  prefetchMaxBytes: number;
}

/** A send that holds a slot: released with `finish`. */
export interface SendTicket {
  delivery: ClaimedDelivery;
  host: string;
  /** The `#sending` counters it holds, worked out once at start: beyond its webhook's and workspace's, an
   * endpoint not proven fast counts against its workspace's guarded share and host, a slow one the slow shares. */
  counters: string[];
}

type Speed = 'fast' | 'slow' | 'unproven';

interface Health {
  latencyMs: number;
  timedOut: boolean;
}

// An endpoint averaging under 250 ms is fast; one whose last attempt timed out, or averaging a second or
// more, is slow; one never attempted is unproven — unless other webhooks on its host have been (a host's
// record stands in for its new webhooks, so fan-out to fresh webhooks on a known host runs at full speed).
const FAST_MS = 250;
const SLOW_MS = 1000;
// A fast endpoint's prefetch, in multiples of its concurrency: large claims spread a claim's fixed cost
// (the workspace walk, the lease's commit) over many rows; the held-bytes budget bounds their memory.
const HOLD_FACTOR = 20;
const REMEMBERED = 10_000;

/**
 * The scheduler's accounting for one worker: claimed rows waiting per webhook, sends in flight per
 * webhook, workspace, destination host and speed class, and each endpoint's recent latency. It decides
 * what a claim may take and what may start now (docs/decisions/010):
 * - sends to fast endpoints are bounded by the pool, the webhook's concurrency and its workspace's cap (¾
 *   of the pool by default): they give their slots back quickly;
 * - sends that might hang — to unproven or slow endpoints — also share a quarter of the pool per workspace
 *   and per destination host, and slow ones get one slot per webhook within a quarter of the pool in all
 *   and half of that share;
 * - rows are prefetched only for fast endpoints; a workspace holds no more unproven or slow rows than its
 *   guarded share, so rows parked behind hanging endpoints never fill the worker.
 */
export class SendSlots {
  readonly #limits: SlotLimits;
  readonly #guardedShare: number;
  readonly #slowMax: number;
  readonly #slowPerWorkspace: number;
  /** Claimed rows waiting for a slot, per webhook, in claim order. */
  readonly #queued = new Map<string, ClaimedDelivery[]>();
  #queuedCount = 0;
  #inFlight = 0;
  /** Sends in flight per key: `w:` webhook, `s:` workspace, `g:` workspace's guarded, `h:` host, `slow`, `slow:` workspace. */
  readonly #sending = new Map<string, number>();
  /** Rows held (queued or in flight) per key: `w:` webhook, `s:` workspace, `g:` workspace's guarded. */
  readonly #held = new Map<string, number>();
  /** Held rows counted under `g:` (their class when claimed, so the count comes back down exactly). */
  readonly #guardedRows = new Set<number>();
  readonly #webhookHealth = new Map<string, Health & { workspaceId: string }>();
  readonly #hostHealth = new Map<string, Health>();
  /** Fast webhooks by workspace, least recently attempted first, for claims past a workspace's saturated head. */
  readonly #fastByWorkspace = new Map<string, Set<string>>();
  readonly #hosts = new Map<string, string>();
  readonly #bytes: HeldBytes;

  constructor(limits: SlotLimits) {
    this.#limits = limits;
    this.#bytes = new HeldBytes(limits.prefetchMaxBytes);
    this.#guardedShare = Math.min(limits.workspaceMaxInFlight, Math.max(1, Math.floor(limits.maxInFlight / 4)));
    this.#slowMax = Math.max(1, Math.floor(limits.maxInFlight / 4));
    this.#slowPerWorkspace = Math.max(1, Math.floor(this.#guardedShare / 2));
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get queuedCount(): number {
    return this.#queuedCount;
  }

  /** Rows this worker may still claim: within its row bound and its held-bytes budget. */
  get claimRoom(): number {
    return this.#bytes.rowsThatFit(this.#limits.maxInFlight * (HOLD_FACTOR + 1) - this.#inFlight - this.#queuedCount);
  }

  /** Payload bytes of the rows held now. */
  get heldBytes(): number {
    return this.#bytes.held;
  }

  /** A budget for one claim: what each webhook and workspace may still hold, less what the claim took. */
  claimBudget(): ClaimBudget {
    const taken = new Map<string, number>();
    const room = (key: string, cap: number) => cap - (this.#held.get(key) ?? 0) - (taken.get(key) ?? 0);
    const workspaceHold = this.#limits.workspaceMaxInFlight * 2;
    return {
      // A claim judges each webhook by its own record alone: one never attempted may hang, so however fast
      // its host, it holds no more than the workspace's guarded share (sending, by then, trusts the host).
      free: (webhookId, workspaceId) => {
        const speed = this.#speedOf(webhookId, null);
        const free = Math.min(room(`w:${webhookId}`, this.#holdFor(speed)), room(`s:${workspaceId}`, workspaceHold));
        return speed === 'fast' ? free : Math.min(free, room(`g:${workspaceId}`, this.#guardedShare));
      },
      room: (workspaceId) => {
        if (room(`s:${workspaceId}`, workspaceHold) <= 0) return 'none';
        if (room(`g:${workspaceId}`, this.#guardedShare) > 0) return 'all';
        return this.#fastByWorkspace.has(workspaceId) ? 'proven' : 'none';
      },
      provenWebhooks: (workspaceId) => this.#fastByWorkspace.get(workspaceId) ?? [],
      sought: (webhookId, workspaceId) => {
        const fast = this.#fastByWorkspace.get(workspaceId);
        if (fast?.delete(webhookId)) fast.add(webhookId);
      },
      take: (webhookId, workspaceId) => {
        for (const key of heldKeys(webhookId, workspaceId, this.#speedOf(webhookId, null) !== 'fast')) bump(taken, key, 1);
      },
    };
  }

  /** Takes one claim's rows into the local queue. */
  enqueue(deliveries: readonly ClaimedDelivery[]): void {
    for (const delivery of deliveries) {
      const queue = this.#queued.get(delivery.webhookId);
      if (queue) queue.push(delivery);
      else this.#queued.set(delivery.webhookId, [delivery]);
      const guarded = this.#speedOf(delivery.webhookId, this.#hostOf(delivery.url)) !== 'fast';
      if (guarded) this.#guardedRows.add(delivery.id);
      for (const key of heldKeys(delivery.webhookId, delivery.workspaceId, guarded)) bump(this.#held, key, 1);
      this.#bytes.hold(heldBytesOf(delivery));
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
    const { workspaceId, url } = queue[0]!;
    const host = this.#hostOf(url);
    const speed = this.#speedOf(webhookId, host);
    const sending = (key: string) => this.#sending.get(key) ?? 0;
    let free = Math.min(
      queue.length,
      this.#limits.maxInFlight - this.#inFlight,
      (speed === 'slow' ? 1 : this.#limits.webhookConcurrency) - sending(`w:${webhookId}`),
      this.#limits.workspaceMaxInFlight - sending(`s:${workspaceId}`),
    );
    // A host's cap holds back only what might hang there: a fast webhook keeps flowing beside hanging ones on its host.
    if (speed !== 'fast') free = Math.min(free, this.#guardedShare - sending(`g:${workspaceId}`), this.#limits.hostMaxInFlight - sending(`h:${host}`));
    if (speed === 'slow') free = Math.min(free, this.#slowMax - sending('slow'), this.#slowPerWorkspace - sending(`slow:${workspaceId}`));
    return Math.max(0, free);
  }

  /** Takes up to `count` waiting rows of a webhook into flight (never more than `startable`). */
  start(webhookId: string, count: number): SendTicket[] {
    const queue = this.#queued.get(webhookId);
    if (!queue) return [];
    const tickets = queue.splice(0, Math.min(count, this.startable(webhookId))).map((delivery) => {
      const host = this.#hostOf(delivery.url);
      const speed = this.#speedOf(webhookId, host);
      const ticket = { delivery, host, counters: sendingCounters(delivery, host, speed) };
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
    if (!attempt) return;
    const { webhookId, workspaceId } = ticket.delivery;
    const health = learn(this.#webhookHealth.get(webhookId), attempt);
    this.#forgetWebhook(webhookId);
    this.#webhookHealth.set(webhookId, { ...health, workspaceId });
    if (speedOf(health) === 'fast') {
      const fast = this.#fastByWorkspace.get(workspaceId);
      if (fast) fast.add(webhookId);
      else this.#fastByWorkspace.set(workspaceId, new Set([webhookId]));
    }
    if (this.#webhookHealth.size > REMEMBERED) this.#forgetWebhook(this.#webhookHealth.keys().next().value!);
    const hostHealth = learn(this.#hostHealth.get(ticket.host), attempt);
    this.#hostHealth.delete(ticket.host);
    this.#hostHealth.set(ticket.host, hostHealth);
    if (this.#hostHealth.size > REMEMBERED) this.#hostHealth.delete(this.#hostHealth.keys().next().value!);
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

  /** The webhook's own record, else (when its host is known) its host's. */
  #speedOf(webhookId: string, host: string | null): Speed {
    const own = this.#webhookHealth.get(webhookId);
    if (own) return speedOf(own);
    const hosts = host === null ? undefined : this.#hostHealth.get(host);
    return hosts ? speedOf(hosts) : 'unproven';
  }

  /** Rows a webhook may hold: prefetch for a fast one, what it can send for the others. */
  #holdFor(speed: Speed): number {
    if (speed === 'fast') return this.#limits.webhookConcurrency * HOLD_FACTOR;
    return speed === 'slow' ? 1 : this.#limits.webhookConcurrency;
  }

  /** A held row is done with (sent or handed back). */
  #release(delivery: ClaimedDelivery): void {
    const guarded = this.#guardedRows.delete(delivery.id);
    for (const key of heldKeys(delivery.webhookId, delivery.workspaceId, guarded)) bump(this.#held, key, -1);
    this.#bytes.release(heldBytesOf(delivery));
  }

  #count(ticket: SendTicket, delta: number): void {
    this.#inFlight += delta;
    for (const key of ticket.counters) bump(this.#sending, key, delta);
  }

  #forgetWebhook(webhookId: string): void {
    const health = this.#webhookHealth.get(webhookId);
    if (!health) return;
    this.#webhookHealth.delete(webhookId);
    const fast = this.#fastByWorkspace.get(health.workspaceId);
    fast?.delete(webhookId);
    if (fast?.size === 0) this.#fastByWorkspace.delete(health.workspaceId);
  }

  #hostOf(url: string): string {
    let host = this.#hosts.get(url);
    if (host === undefined) {
      host = new URL(url).host;
      this.#hosts.set(url, host);
      if (this.#hosts.size > REMEMBERED) this.#hosts.delete(this.#hosts.keys().next().value!);
    }
    return host;
  }
}

// A held row's memory beyond its payload: its webhook's columns and the object itself, about a kilobyte.
// Its payload counts whole even where one claim's rows of an event share the string: each send encodes its own
// copy of the body, and the budget bounds those too (docs/decisions/016).
const ROW_OVERHEAD_BYTES = 1024;
const heldBytesOf = (delivery: ClaimedDelivery): number => delivery.payload.length + ROW_OVERHEAD_BYTES;

function sendingCounters({ webhookId, workspaceId }: ClaimedDelivery, host: string, speed: Speed): string[] {
  const keys = [`w:${webhookId}`, `s:${workspaceId}`];
  if (speed !== 'fast') keys.push(`g:${workspaceId}`, `h:${host}`);
  if (speed === 'slow') keys.push('slow', `slow:${workspaceId}`);
  return keys;
}

const heldKeys = (webhookId: string, workspaceId: string, guarded: boolean): string[] =>
  guarded ? [`w:${webhookId}`, `s:${workspaceId}`, `g:${workspaceId}`] : [`w:${webhookId}`, `s:${workspaceId}`];

const speedOf = (health: Health): Speed => (health.timedOut || health.latencyMs >= SLOW_MS ? 'slow' : health.latencyMs < FAST_MS ? 'fast' : 'unproven');

/** The record after one more attempt: an EWMA of durations, and whether this one timed out. */
const learn = (previous: Health | undefined, attempt: { durationMs: number; timedOut: boolean }): Health => ({
  latencyMs: previous === undefined ? attempt.durationMs : previous.latencyMs * 0.8 + attempt.durationMs * 0.2,
  timedOut: attempt.timedOut,
});

function bump(counts: Map<string, number>, key: string, delta: number): void {
  const value = (counts.get(key) ?? 0) + delta;
  if (value > 0) counts.set(key, value);
  else counts.delete(key);
}
