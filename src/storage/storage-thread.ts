import type { Worker } from 'node:worker_threads';
import { spawnThread } from '../threads.js';
import type { DatabaseTarget } from './database.js';
import type { ClaimedDelivery } from './claim-deliveries.js';
import type { DeliveryWrites } from './delivery-writes.js';

type Operation = keyof DeliveryWrites;

/** A call to the storage thread: one of the hot-path writes and its arguments. */
export type StorageCall = { [K in Operation]: { id: number; operation: K; args: Parameters<DeliveryWrites[K]> } }[Operation];
/** What the storage thread answers: its readiness, a call's value or its error, and that it closed. */
export type StorageReply =
  | { type: 'ready' }
  | { type: 'closed' }
  | { type: 'done'; id: number; value: unknown }
  | { type: 'failed'; id: number; error: { name: string; message: string; code?: string } };

interface Waiter {
  resolve: (value: never) => void;
  reject: (error: Error) => void;
}

/**
 * The hot-path writes (delivery-writes.ts) on a connection in a worker thread of its own
 * (storage-thread-entry.ts). better-sqlite3 runs every statement synchronously, so on the delivery thread
 * each lease and each batch of results stopped every send while it ran: that thread was the engine's
 * bottleneck at one full core, SQL 31 % of it, with the other core partly idle (docs/decisions/012). Every
 * call is one transaction inside the storage thread, so no write lock is held across a message round trip.
 */
export class StorageThread implements DeliveryWrites {
  readonly #thread: Worker;
  #nextId = 0;
  /** Why calls are refused: closing, or the thread ended. */
  #refusal: string | null = null;
  readonly #waiters = new Map<number, Waiter>();
  /** Called when the last call in progress is answered (closing waits for it). */
  #onIdle: (() => void) | null = null;

  private constructor(thread: Worker, onExit: (code: number, error: Error | null) => void) {
    this.#thread = thread;
    let failure: Error | null = null;
    thread.on('error', (error) => (failure = error));
    thread.on('message', (reply: StorageReply) => {
      if (reply.type !== 'done' && reply.type !== 'failed') return;
      const waiter = this.#waiters.get(reply.id);
      this.#waiters.delete(reply.id);
      if (reply.type === 'done') waiter?.resolve(reply.value as never);
      else waiter?.reject(Object.assign(new Error(reply.error.message), reply.error));
      if (this.#waiters.size === 0) this.#onIdle?.();
    });
    thread.on('exit', (code) => {
      const unexpected = this.#refusal !== 'closed';
      if (unexpected) this.#refusal = `the storage thread exited with code ${code}`;
      for (const waiter of this.#waiters.values()) waiter.reject(new Error(`the storage thread exited with code ${code}`));
      this.#waiters.clear();
      this.#onIdle?.();
      if (unexpected) onExit(code, failure);
    });
  }

  /**
   * Starts the thread on `target`; resolves once its connection is open. `onExit` hears of a thread that
   * ended without `close`, with the error that ended it if one did (its calls and every later one then fail).
   */
  static async start(target: DatabaseTarget, onExit: (code: number, error: Error | null) => void): Promise<StorageThread> {
    return new StorageThread(await spawnThread(new URL('./storage-thread-entry.js', import.meta.url), { target }, 'storage thread'), onExit);
  }

  async leaseAndLoad(...args: Parameters<DeliveryWrites['leaseAndLoad']>): ReturnType<DeliveryWrites['leaseAndLoad']> {
    return unpackClaim(await this.#call<PackedClaim>({ id: this.#nextId++, operation: 'leaseAndLoad', args }));
  }

  recordAttempts(...args: Parameters<DeliveryWrites['recordAttempts']>): ReturnType<DeliveryWrites['recordAttempts']> {
    return this.#call({ id: this.#nextId++, operation: 'recordAttempts', args });
  }

  /** Waits for the calls in progress, then closes the thread's connection and ends it. Later calls fail. */
  async close(): Promise<void> {
    if (this.#refusal) return;
    this.#refusal = 'closed';
    if (this.#waiters.size > 0) await new Promise<void>((resolve) => (this.#onIdle = resolve));
    const closed = new Promise<void>((resolve) => {
      this.#thread.once('exit', () => resolve());
      this.#thread.on('message', (reply: StorageReply) => reply.type === 'closed' && resolve());
    });
    this.#thread.postMessage({ type: 'close' });
    await closed;
    await this.#thread.terminate();
  }

  #call<T>(call: StorageCall): Promise<T> {
    if (this.#refusal) return Promise.reject(new Error(this.#refusal === 'closed' ? 'the storage thread is closed' : this.#refusal));
    return new Promise<T>((resolve, reject) => {
      this.#waiters.set(call.id, { resolve: resolve as (value: never) => void, reject });
      this.#thread.postMessage(call);
    });
  }
}

/**
 * Claimed rows as posted between threads: each distinct payload once. Structured cloning copies a string
 * every time it occurs, so the rows of one event fanned out to ten webhooks would carry ten copies.
 */
export interface PackedClaim {
  rows: ClaimedDelivery[];
  payloads: string[];
  /** The index in `payloads` of each row's payload. */
  payloadOf: number[];
}

/** Packs rows for posting; it empties their `payload` fields (the rows are the sender's to give away). */
export function packClaim(rows: ClaimedDelivery[]): PackedClaim {
  const payloads: string[] = [];
  const indexOf = new Map<string, number>();
  const payloadOf = rows.map((row) => {
    let index = indexOf.get(row.eventId);
    if (index === undefined) indexOf.set(row.eventId, (index = payloads.push(row.payload) - 1));
    row.payload = '';
    return index;
  });
  return { rows, payloads, payloadOf };
}

/** The rows of a packed claim, each with its payload again (one string per event, shared). */
export function unpackClaim({ rows, payloads, payloadOf }: PackedClaim): ClaimedDelivery[] {
  rows.forEach((row, i) => (row.payload = payloads[payloadOf[i]!]!));
  return rows;
}
