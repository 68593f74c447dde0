import { type ClaimedDelivery, leaseAndLoad } from './claim-deliveries.js';
import type { Store } from './database.js';
import { type AttemptEffects, type AttemptRecord, type CircuitSettings, recordAttempts } from './record-attempts.js';

/**
 * The writes on the delivery hot path: leasing the rows a claim chose (answering what sending them
 * needs) and recording attempts. `directWrites` runs them on the caller's connection; `StorageThread`
 * (storage-thread.ts) on a connection in a thread of its own.
 */
export interface DeliveryWrites {
  /** Leases the given rows that are still due to `workerId` until `until`; answers those it now holds, loaded. */
  leaseAndLoad(ids: readonly number[], workerId: string, now: number, until: number): Promise<ClaimedDelivery[]>;
  /** recordAttempts (record-attempts.ts): one fenced transaction for the batch. */
  recordAttempts(workerId: string, records: AttemptRecord[], disableAfter: number, circuit?: CircuitSettings): Promise<AttemptEffects>;
}

/** The hot-path writes on `store`'s own connection. */
export function directWrites(store: Pick<Store, 'db' | 'kind'>): DeliveryWrites {
  return {
    leaseAndLoad: (ids, workerId, now, until) => leaseAndLoad(store.db, store.kind, ids, workerId, now, until),
    recordAttempts: (workerId, records, disableAfter, circuit) => recordAttempts(store.db, store.kind, workerId, records, disableAfter, circuit),
  };
}
