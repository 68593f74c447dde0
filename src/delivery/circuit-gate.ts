import type { Db } from '../storage/schema.js';
import type { ClaimBudget } from '../storage/claim-deliveries.js';
import { openCircuits, takeProbe } from '../storage/circuits.js';

// Open circuits are read again at most this often; a circuit that opens meanwhile pauses within this.
const REFRESH_MS = 500;

/**
 * Keeps claims off the deliveries of webhooks whose circuit is open (consecutive failures): none of their
 * rows are claimed, except one probe per interval, which one worker across all wins.
 */
export class CircuitGate {
  #open = new Set<string>();
  #probes = new Set<string>();
  #readAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly db: Db) {}

  /** Refreshes the open circuits (every REFRESH_MS of real time) and takes the probes due by `now`. */
  async refresh(now: number): Promise<void> {
    if (performance.now() - this.#readAt < REFRESH_MS) return;
    this.#readAt = performance.now();
    const circuits = await openCircuits(this.db);
    this.#open = new Set(circuits.map((c) => c.id));
    for (const circuit of circuits) {
      if (circuit.openUntil <= now && !this.#probes.has(circuit.id) && (await takeProbe(this.db, circuit.id, circuit.openUntil, now))) this.#probes.add(circuit.id);
    }
    for (const id of this.#probes) if (!this.#open.has(id)) this.#probes.delete(id);
  }

  /** Circuits this worker just opened: paused at once, without waiting for the next read. */
  opened(webhookIds: string[]): void {
    for (const id of webhookIds) this.#open.add(id);
  }

  /** `budget`, with nothing free for an open webhook but its one probe. */
  gate(budget: ClaimBudget): ClaimBudget {
    if (!this.#open.size) return budget;
    return {
      ...budget,
      free: (webhookId, workspaceId) => (this.#open.has(webhookId) ? (this.#probes.has(webhookId) ? Math.min(1, budget.free(webhookId, workspaceId)) : 0) : budget.free(webhookId, workspaceId)),
      take: (webhookId, workspaceId) => {
        this.#probes.delete(webhookId); // the probe is spent
        budget.take(webhookId, workspaceId);
      },
    };
  }
}
