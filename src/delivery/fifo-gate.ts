import type { ClaimBudget } from '../storage/claim-deliveries.js';
import { fifoHeads } from '../storage/fifo.js';
import type { Db } from '../storage/schema.js';

/**
 * Lets claims take, of a FIFO webhook, only its head (its oldest unfinished delivery), read just before
 * each claim: at most one in flight across every worker, in publish order. A head read a moment ago can
 * only be behind the truth (finished meanwhile: nothing is claimed until the next read), never ahead.
 */
export class FifoGate {
  #heads = new Map<string, number>();

  constructor(private readonly db: Db) {}

  /** True while some FIFO webhook has deliveries waiting: each recorded result may free its next head. */
  get active(): boolean {
    return this.#heads.size > 0;
  }

  /** Whether `webhookId` is a FIFO webhook with deliveries waiting (as of the last claim). */
  has(webhookId: string): boolean {
    return this.#heads.has(webhookId);
  }

  async refresh(): Promise<void> {
    this.#heads = await fifoHeads(this.db);
  }

  gate(budget: ClaimBudget): ClaimBudget {
    if (!this.#heads.size) return budget;
    const heads = this.#heads;
    return {
      ...budget,
      free: (webhookId, workspaceId) => (heads.has(webhookId) ? Math.min(1, budget.free(webhookId, workspaceId)) : budget.free(webhookId, workspaceId)),
      allows: (deliveryId, webhookId) => (!heads.has(webhookId) || heads.get(webhookId) === deliveryId) && (budget.allows?.(deliveryId, webhookId) ?? true),
    };
  }
}
