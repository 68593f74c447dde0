import type { Kysely, Migration } from 'kysely';

const job = {
  type: 'object',
  properties: { job_id: { type: 'string' }, status: { type: 'string' }, finished_at: { type: 'string', format: 'date-time' } },
  required: ['job_id'],
};

/** The catalog hookd starts with: seed 000's events plus the operational `webhook.disabled`. */
export const DEFAULT_EVENT_TYPES = [
  {
    name: 'job.completed',
    description: 'A job finished successfully.',
    schema: job,
    example: { job_id: 'job_123', status: 'completed', finished_at: '2026-03-20T10:00:00Z' },
  },
  {
    name: 'job.failed',
    description: 'A job failed.',
    schema: { ...job, properties: { ...job.properties, error: { type: 'string' } } },
    example: { job_id: 'job_124', status: 'failed', error: 'timeout', finished_at: '2026-03-20T10:05:00Z' },
  },
  {
    name: 'alert.triggered',
    description: 'An alert rule fired.',
    schema: {
      type: 'object',
      properties: { alert_id: { type: 'string' }, severity: { type: 'string' }, message: { type: 'string' } },
      required: ['alert_id'],
    },
    example: { alert_id: 'alr_9', severity: 'high', message: 'CPU above 90% for 5 minutes' },
  },
  {
    name: 'webhook.disabled',
    description: 'hookd disabled a webhook after too many consecutive failed deliveries (operational).',
    schema: {
      type: 'object',
      properties: { webhook_id: { type: 'string' }, url: { type: 'string' }, reason: { type: 'string' }, failure_count: { type: 'integer' } },
      required: ['webhook_id', 'reason'],
    },
    example: { webhook_id: 'wh_550e8400-e29b-41d4-a716-446655440000', url: 'https://example.com/webhook', reason: '50 consecutive failed deliveries', failure_count: 50 },
  },
];

export const defaultEventTypesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const now = Date.now();
    await (db as Kysely<{ event_types: Record<string, unknown> }>)
      .insertInto('event_types')
      .values(
        DEFAULT_EVENT_TYPES.map((type) => ({
          name: type.name,
          description: type.description,
          schema: JSON.stringify(type.schema),
          example: JSON.stringify(type.example),
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
  },
};
