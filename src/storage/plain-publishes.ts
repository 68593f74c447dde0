import { Batcher, outcomeOf } from './batcher.js';
import type { Store } from './database.js';
import { enforcesSchema, type EventTypeForPublish, eventTypeForPublish, eventTypesForPublish } from './event-types.js';
import { runPostgres } from './fixed-statement.js';
import { jsonListOrNull } from './json-column.js';
import { dueAtOf, type EventWithDeliveries, type OutboxEvent, writeEventsWithDeliveries } from './outbox.js';
import type { Db } from './schema.js';
import { postgresSubscribers, reachedBy, subscribersOnce } from './subscriptions.js';
import { WAKEUP_CHANNEL } from './wakeups.js';

/** A plain publish's outcome: written with its deliveries, or nothing written and the type as catalogued (null: unknown). */
export type PlainWrite = { written: true; deliveries: number } | { written: false; type: EventTypeForPublish | null };

// A workspace whose last plain publish made more deliveries than this publishes alone: a batch holding a
// large fan-out would make every publish beside it wait for its thousands of rows.
const LARGE_FAN_OUT = 100;
const REMEMBERED_WORKSPACES = 10_000;

/**
 * Plain single publishes (one event, no idempotency key or external id): those that arrive together — from
 * any workspace — are written in one transaction by a few statements for them all (`writePlainEvents`),
 * instead of a transaction (PostgreSQL) or a savepoint (SQLite's group commit) and five statements each.
 * Each request is answered after that commit. If the shared write fails, each event is tried alone, so one
 * bad event fails only its own request. A workspace whose events fan out widely writes them alone, beside
 * the batches (on PostgreSQL on a connection of its own), so its fan-out never holds up other tenants'.
 */
export class PlainPublishes {
  readonly #batcher: Batcher<OutboxEvent, PlainWrite>;
  readonly #write: (events: OutboxEvent[]) => Promise<PlainWrite[]>;
  /** Workspaces whose last plain publish fanned out widely. */
  readonly #wide = new Set<string>();

  constructor(
    store: Store,
    strictSchemas: boolean,
    private readonly largeFanOut = LARGE_FAN_OUT,
  ) {
    this.#write = (events) => writePlainEvents(store, events, strictSchemas);
    const writeAlone = (event: OutboxEvent) => outcomeOf(() => this.#writeAlone(event));
    this.#batcher = new Batcher(async (events) => {
      const together = await outcomeOf(() => this.#write(events));
      if (together.ok) {
        together.value.forEach((result, i) => this.#learn(events[i]!.workspaceId, result));
        return together.value.map((value) => ({ ok: true, value }));
      }
      if (events.length === 1) throw together.error;
      return Promise.all(events.map(writeAlone));
    });
  }

  write(event: OutboxEvent): Promise<PlainWrite> {
    return this.#wide.has(event.workspaceId) ? this.#writeAlone(event) : this.#batcher.run(event);
  }

  async #writeAlone(event: OutboxEvent): Promise<PlainWrite> {
    const [result] = await this.#write([event]);
    this.#learn(event.workspaceId, result!);
    return result!;
  }

  #learn(workspaceId: string, result: PlainWrite): void {
    if (!result.written) return;
    if (result.deliveries <= this.largeFanOut) this.#wide.delete(workspaceId);
    else if (this.#wide.size < REMEMBERED_WORKSPACES) this.#wide.add(workspaceId);
  }
}

/**
 * Writes, atomically, each event whose type is catalogued with no schema to enforce (none, or not strict
 * while `strictSchemas` is off), with one pending delivery per active subscribed webhook it reaches, and
 * the workers' wake-up. Answers, per event in order, how many deliveries it created or, having written
 * nothing for it, its type as catalogued for the caller to validate against. PostgreSQL runs it as one
 * statement, which leaves to the caller an event with a subscriber's payload filter to evaluate; SQLite
 * evaluates filters in the transaction.
 */
export async function writePlainEvents(store: Store, events: readonly OutboxEvent[], strictSchemas: boolean): Promise<PlainWrite[]> {
  if (store.kind === 'postgres') return writePlainEventsInOneStatement(store.db, events, strictSchemas);
  return store.db.transaction().execute(async (trx) => {
    const types = await eventTypesForPublish(trx, 'sqlite', [...new Set(events.map((event) => event.type))]);
    const subscribersFor = subscribersOnce(trx, 'sqlite');
    const written: EventWithDeliveries[] = [];
    const results: PlainWrite[] = [];
    for (const event of events) {
      const type = types.get(event.type) ?? null;
      if (!type || enforcesSchema(type, strictSchemas)) {
        results.push({ written: false, type });
        continue;
      }
      const webhookIds = reachedBy(await subscribersFor(event.workspaceId, event.type, event.channels), event.payload);
      written.push({ event, webhookIds });
      results.push({ written: true, deliveries: webhookIds.length });
    }
    await writeEventsWithDeliveries(trx, 'sqlite', written);
    if (written.some((item) => item.webhookIds.length)) await store.wakeups.announce(trx);
    return results;
  });
}

// `writePlainEvents` on PostgreSQL; an event with a subscriber's payload filter is left unwritten (filters are JS).
async function writePlainEventsInOneStatement(db: Db, events: readonly OutboxEvent[], strictSchemas: boolean): Promise<PlainWrite[]> {
  const rows = await runPostgres<{ written: boolean; known: boolean; schema: string | null; strict: number | null; updated_at: number | null; deliveries: number }>(
    db,
    PLAIN_EVENTS,
    [
      events.map((e) => e.workspaceId),
      events.map((e) => e.type),
      events.map((e) => e.id),
      events.map((e) => e.payload),
      events.map((e) => jsonListOrNull(e.channels)),
      events.map((e) => jsonListOrNull(e.tags)),
      events.map((e) => e.deliverAt),
      events.map((e) => e.createdAt),
      events.map(dueAtOf),
      WAKEUP_CHANNEL,
      strictSchemas,
    ],
  );
  return rows.map((row) =>
    row.written
      ? { written: true, deliveries: Number(row.deliveries) }
      : { written: false, type: row.known ? eventTypeForPublish(row) : null },
  );
}

// Events in list order (`n`); each one's subscribers by the one subscription rule, over its own columns.
const PLAIN_EVENTS = `
    with input as materialized (
      select v.*, array(select json_array_elements_text(coalesce(v.channels, '[]')::json)) as channel_list
      from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[])
        with ordinality as v(workspace_id, type, id, payload, channels, tags, deliver_at, created_at, due_at, n)
    ), subscribers as materialized (
      select i.n, s.id, s.seq, s.filter from input i
      cross join lateral (${postgresSubscribers('i.workspace_id', 'i.type', 'i.channel_list')}) s
    ), checked as materialized (
      -- ok: the type is known, \`enforcesSchema\` (event-types.ts) is false for it, and no subscriber filters.
      select i.n, t.name is not null as known, t.schema, t.strict, t.updated_at,
        coalesce(t.name is not null and (t.schema is null or (t.strict <> 1 and not $11::boolean))
          and not exists (select 1 from subscribers s where s.n = i.n and s.filter is not null), false) as ok
      from input i left join event_types t on t.name = i.type
    ), event as (
      insert into events (id, workspace_id, type, payload, channels, tags, deliver_at, created_at)
      select i.id, i.workspace_id, i.type, i.payload, i.channels, i.tags, i.deliver_at, i.created_at
      from input i join checked c using (n) where c.ok order by i.n
    ), created as (
      insert into deliveries (event_id, webhook_id, workspace_id, event_type, status, attempt_count, created_at, updated_at)
      select i.id, s.id, i.workspace_id, i.type, 'pending', 0, i.created_at, i.created_at
      from subscribers s join input i using (n) join checked c using (n) where c.ok order by s.n, s.seq
      returning id, webhook_id, workspace_id, event_id
    ), queued as (
      insert into delivery_queue (delivery_id, workspace_id, webhook_id, due_at)
      select c.id, c.workspace_id, c.webhook_id, i.due_at from created c join input i on i.id = c.event_id
    ), wakeup as (
      select pg_notify($10, '') where exists (select 1 from created)
    )
    select c.n, c.ok as written, c.known, c.schema, c.strict, c.updated_at,
      (select count(*) from subscribers s where s.n = c.n) as deliveries, (select count(*) from wakeup) as woken
    from checked c order by c.n`;
