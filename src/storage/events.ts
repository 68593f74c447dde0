import type { Selectable } from 'kysely';
import type { ListRequest, Page } from '../domain/list.js';
import type { PublishedEvent } from '../domain/models.js';
import { fetchPage } from './list-query.js';
import type { Db, EventsTable } from './schema.js';

const toEvent = (row: Selectable<EventsTable>): PublishedEvent => ({
  id: row.id,
  seq: row.seq,
  workspaceId: row.workspace_id,
  type: row.type,
  data: (JSON.parse(row.payload) as { data: unknown }).data,
  idempotencyKey: row.idempotency_key,
  createdAt: row.created_at,
});

/** One page of a workspace's events; with `owner`, only those delivered to a webhook that user created. */
export async function listEvents(db: Db, workspaceId: string, request: ListRequest, owner?: string): Promise<Page<PublishedEvent>> {
  let query = db.selectFrom('events').selectAll('events').where('events.workspace_id', '=', workspaceId);
  if (owner !== undefined) {
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('deliveries as d')
          .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
          .select('d.id')
          .whereRef('d.event_id', '=', 'events.id')
          .where('w.created_by', '=', owner),
      ),
    );
  }
  const page = await fetchPage(query, request);
  return { ...page, items: page.items.map(toEvent) };
}

/** One event of a workspace, or null. */
export async function findEvent(db: Db, workspaceId: string, id: string): Promise<PublishedEvent | null> {
  const row = await db.selectFrom('events').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
  return row ? toEvent(row) : null;
}
