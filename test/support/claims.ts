import type { ClaimBudget, ClaimCursor } from '../../src/storage/claim-deliveries.js';

/** A claim budget of `perWebhook` rows for every webhook and no workspace limit, for tests that claim by hand. */
export function openBudget(perWebhook: number): { budget: ClaimBudget; cursor: ClaimCursor } {
  const taken = new Map<string, number>();
  return {
    budget: {
      free: (webhookId) => perWebhook - (taken.get(webhookId) ?? 0),
      room: () => 'all',
      provenWebhooks: () => [],
      sought: () => {},
      take: (webhookId) => void taken.set(webhookId, (taken.get(webhookId) ?? 0) + 1),
    },
    cursor: { workspaceId: null },
  };
}
