/** Event types only hookd itself publishes. */
export const OPERATIONAL_EVENT_TYPES = ['webhook.disabled', 'webhook.recovered'] as const;
/** The type of a test send (one webhook, tried once, outside stats). */
export const TEST_EVENT_TYPE = 'webhook.test';

/** The body every receiver gets, serialised once per event and reused for every delivery and retry. */
export function eventPayload(event: { id: string; type: string; createdAt: number; workspaceId: string; data: unknown }): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: new Date(event.createdAt).toISOString(),
    workspace_id: event.workspaceId,
    data: event.data ?? null,
  });
}
