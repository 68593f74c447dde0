/**
 * Every native route, by client method: one table, so a test can hold it against `/openapi.json` and the
 * client cannot drift from the server. Paths are relative to `/api/v1`; `{name}` is filled from params.
 */
export const CLIENT_ROUTES = {
  // Workspaces and keys (operator)
  createWorkspace: ['POST', '/admin/workspaces'],
  listWorkspaces: ['GET', '/admin/workspaces'],
  getWorkspace: ['GET', '/admin/workspaces/{id}'],
  updateWorkspace: ['PATCH', '/admin/workspaces/{id}'],
  deleteWorkspace: ['DELETE', '/admin/workspaces/{id}'],
  createApiKey: ['POST', '/admin/workspaces/{id}/api-keys'],
  listApiKeys: ['GET', '/admin/workspaces/{id}/api-keys'],
  revokeApiKey: ['DELETE', '/admin/workspaces/{id}/api-keys/{key_id}'],
  listOperatorKeys: ['GET', '/admin/api-keys'],
  revokeOperatorKey: ['DELETE', '/admin/api-keys/{key_id}'],
  openPortalSession: ['POST', '/admin/workspaces/{id}/portal-sessions'],
  listPortalSessions: ['GET', '/admin/workspaces/{id}/portal-sessions'],
  revokePortalSession: ['DELETE', '/admin/workspaces/{id}/portal-sessions/{session_id}'],
  whoAmI: ['GET', '/whoami'],
  queueHealth: ['GET', '/admin/queue'],
  // Catalog
  listEventTypes: ['GET', '/events'],
  listWorkspaceEventTypes: ['GET', '/workspaces/{workspace_id}/webhooks/events'],
  adminListEventTypes: ['GET', '/admin/webhooks/events'],
  createEventType: ['POST', '/admin/event-types'],
  updateEventType: ['PATCH', '/admin/event-types/{name}'],
  deleteEventType: ['DELETE', '/admin/event-types/{name}'],
  listTemplates: ['GET', '/templates'],
  adminListTemplates: ['GET', '/admin/templates'],
  createTemplate: ['POST', '/admin/templates'],
  deleteTemplate: ['DELETE', '/admin/templates/{id}'],
  // Webhooks of the client's workspace
  listWebhooks: ['GET', '/workspaces/{workspace_id}/webhooks'],
  createWebhook: ['POST', '/workspaces/{workspace_id}/webhooks'],
  getWebhook: ['GET', '/workspaces/{workspace_id}/webhooks/{webhook_id}'],
  updateWebhook: ['PATCH', '/workspaces/{workspace_id}/webhooks/{webhook_id}'],
  deleteWebhook: ['DELETE', '/workspaces/{workspace_id}/webhooks/{webhook_id}'],
  revealSecret: ['GET', '/workspaces/{workspace_id}/webhooks/{webhook_id}/secret'],
  rotateSecret: ['POST', '/workspaces/{workspace_id}/webhooks/{webhook_id}/rotate-secret'],
  listDeliveries: ['GET', '/workspaces/{workspace_id}/webhooks/{webhook_id}/deliveries'],
  getDelivery: ['GET', '/workspaces/{workspace_id}/webhooks/{webhook_id}/deliveries/{delivery_id}'],
  retryDelivery: ['POST', '/workspaces/{workspace_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry'],
  recoverWebhook: ['POST', '/workspaces/{workspace_id}/webhooks/{webhook_id}/recover'],
  testWebhook: ['POST', '/workspaces/{workspace_id}/webhooks/{webhook_id}/test'],
  webhookStats: ['GET', '/workspaces/{workspace_id}/webhooks/{webhook_id}/stats'],
  // Webhooks across workspaces (operator)
  adminListWebhooks: ['GET', '/admin/webhooks'],
  adminCreateWebhook: ['POST', '/admin/webhooks'],
  adminGetWebhook: ['GET', '/admin/webhooks/{webhook_id}'],
  adminUpdateWebhook: ['PATCH', '/admin/webhooks/{webhook_id}'],
  adminDeleteWebhook: ['DELETE', '/admin/webhooks/{webhook_id}'],
  adminRevealSecret: ['GET', '/admin/webhooks/{webhook_id}/secret'],
  adminRotateSecret: ['POST', '/admin/webhooks/{webhook_id}/rotate-secret'],
  adminListDeliveries: ['GET', '/admin/webhooks/{webhook_id}/deliveries'],
  adminGetDelivery: ['GET', '/admin/webhooks/{webhook_id}/deliveries/{delivery_id}'],
  adminRetryDelivery: ['POST', '/admin/webhooks/{webhook_id}/deliveries/{delivery_id}/retry'],
  adminRecoverWebhook: ['POST', '/admin/webhooks/{webhook_id}/recover'],
  adminTestWebhook: ['POST', '/admin/webhooks/{webhook_id}/test'],
  adminWebhookStats: ['GET', '/admin/webhooks/{webhook_id}/stats'],
  // Events of the client's workspace
  publish: ['POST', '/workspaces/{workspace_id}/events'],
  listEvents: ['GET', '/workspaces/{workspace_id}/events'],
  getEvent: ['GET', '/workspaces/{workspace_id}/events/{event_id}'],
} as const satisfies Record<string, readonly ['GET' | 'POST' | 'PATCH' | 'DELETE', string]>;

export type ClientRoute = keyof typeof CLIENT_ROUTES;
