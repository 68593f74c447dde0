import type { ExpressionBuilder, Selectable } from 'kysely';
import type { ListRequest, Page } from '../domain/list.js';
import type { PublishedEvent } from '../domain/models.js';
import { onListed, readJson } from './json-column.js';
import { fetchAroundSeq, fetchPage, type SeqPosition } from './list-query.js';
import type { Database, Db, EventsTable } from './schema.js';

export const toEvent = (row: Selectable<EventsTable>): PublishedEvent => ({
  id: row.id,
  seq: row.seq,
  workspaceId: row.workspace_id,
  type: row.type,
  data: (JSON.parse(row.payload) as { data: unknown }).data,
  idempotencyKey: row.idempotency_key,
  externalId: row.external_id,
  channels: readJson<string[] | null>(row.channels, null),
  tags: readJson<string[] | null>(row.tags, null),
  deliverAt: row.deliver_at === null ? null : Number(row.deliver_at),
  createdAt: row.created_at,
});

/** One page of a workspace's events; with `owner`, only those delivered to a webhook that user created. */
export async function listEvents(db: Db, workspaceId: string, request: ListRequest, owner?: string): Promise<Page<PublishedEvent>> {
  let query = db.selectFrom('events').selectAll('events').where('events.workspace_id', '=', workspaceId);
  if (owner !== undefined) query = query.where(deliveredToOwner(owner));
  const page = await fetchPage(query, request);
  return { ...page, items: page.items.map(toEvent) };
}

/** The workspace's event with this Svix `eventId`, or null. */
export async function findEventByExternalId(db: Db, workspaceId: string, externalId: string): Promise<PublishedEvent | null> {
  const row = await db.selectFrom('events').selectAll().where('workspace_id', '=', workspaceId).where('external_id', '=', externalId).executeTakeFirst();
  return row ? toEvent(row) : null;
}

/** A Svix iterator page of a workspace's events (`limit + 1` rows), of some types and within a time range. */
export async function eventsAround(
  db: Db,
  workspaceId: string,
  position: SeqPosition,
  filter: { types?: string[]; before?: number; after?: number; owner?: string; channel?: string; tag?: string },
): Promise<PublishedEvent[]> {
  let query = db.selectFrom('events').selectAll('events').where('events.workspace_id', '=', workspaceId);
  if (filter.owner !== undefined) query = query.where(deliveredToOwner(filter.owner));
  if (filter.types?.length) query = query.where('type', 'in', filter.types);
  if (filter.before !== undefined) query = query.where('created_at', '<', filter.before);
  if (filter.after !== undefined) query = query.where('created_at', '>', filter.after);
  if (filter.channel !== undefined) query = query.where(onListed('channels', filter.channel));
  if (filter.tag !== undefined) query = query.where(onListed('tags', filter.tag));
  return (await fetchAroundSeq(query, position)).map(toEvent);
}

/** Events with a delivery to a webhook `owner` created (owner visibility). */
const deliveredToOwner =
  (owner: string) =>
  ({ exists, selectFrom }: ExpressionBuilder<Database, 'events'>) =>
    exists(
      selectFrom('deliveries as d')
        .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
        .select('d.id')
        .whereRef('d.event_id', '=', 'events.id')
        .where('w.created_by', '=', owner),
    );

/** One event of a workspace, or null. */
export async function findEvent(db: Db, workspaceId: string, id: string): Promise<PublishedEvent | null> {
  const row = await db.selectFrom('events').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
  return row ? toEvent(row) : null;
}

/** The stored envelope of an event (what its deliveries send), or null once retention removed it. */
export async function findEventPayload(db: Db, id: string): Promise<string | null> {
  const row = await db.selectFrom('events').select('payload').where('id', '=', id).executeTakeFirst();
  return row?.payload ?? null;
}
