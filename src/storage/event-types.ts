import type { Selectable } from 'kysely';
import type { EventType } from '../domain/models.js';
import { readJson } from './json-column.js';
import { type FixedStatement, runFixed } from './fixed-statement.js';
import type { Db, EventTypesTable, StoreKind } from './schema.js';

const toEventType = (row: Selectable<EventTypesTable>): EventType => ({
  name: row.name,
  description: row.description,
  schema: readJson(row.schema, null),
  example: readJson(row.example, null),
  strict: row.strict === 1,
  archived: row.archived === 1,
  deprecated: row.deprecated === 1,
  groupName: row.group_name,
  featureFlag: row.feature_flag,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

type SvixFlag = 'archived' | 'deprecated' | 'groupName' | 'featureFlag';

/** Every event type, by name. */
export async function listEventTypes(db: Db): Promise<EventType[]> {
  const rows = await db.selectFrom('event_types').selectAll().orderBy('name').execute();
  return rows.map(toEventType);
}

/** The names among `names` that are in the catalog. */
export async function knownEventTypeNames(db: Db, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db.selectFrom('event_types').select('name').where('name', 'in', names).execute();
  return new Set(rows.map((row) => row.name));
}

/** What publish needs of a catalogued type: its schema (text), whether strict, its version. */
export interface EventTypeForPublish {
  schema: string | null;
  strict: boolean;
  updatedAt: number;
}
export type EventTypesForPublish = Map<string, EventTypeForPublish>;

/** Whether a publish must validate its data against the type's schema: a strict type's, or any with `strictSchemas` on. */
export const enforcesSchema = (type: EventTypeForPublish, strictSchemas: boolean): boolean => type.schema !== null && (type.strict || strictSchemas);

/** What publish needs of each catalogued type among `names`: its schema (text), whether strict, its version. */
export async function eventTypesForPublish(db: Db, kind: StoreKind, names: string[]): Promise<EventTypesForPublish> {
  if (names.length === 0) return new Map();
  const rows = await runFixed<{ name: string; schema: string | null; strict: number; updated_at: number }>(db, kind, EVENT_TYPES_FOR_PUBLISH, [names]);
  return new Map(rows.map((row) => [row.name, eventTypeForPublish(row)]));
}

/** An `event_types` row's columns as publish needs them. */
export const eventTypeForPublish = (row: { schema: string | null; strict: number | null; updated_at: number | null }): EventTypeForPublish => ({
  schema: row.schema,
  strict: row.strict === 1,
  updatedAt: Number(row.updated_at),
});

// Every publish runs this.
const EVENT_TYPES_FOR_PUBLISH: FixedStatement = {
  sqlite: 'select name, schema, strict, updated_at from event_types where name in (select value from json_each(?))',
  postgres: 'select name, schema, strict, updated_at from event_types where name = any($1::text[])',
};

/** One event type, or null. */
export async function findEventType(db: Db, name: string): Promise<EventType | null> {
  const row = await db.selectFrom('event_types').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? toEventType(row) : null;
}

/** Adds an event type; a duplicate name raises a unique violation. */
export async function insertEventType(db: Db, type: Omit<EventType, 'updatedAt' | SvixFlag> & Partial<Pick<EventType, SvixFlag>>): Promise<EventType> {
  const row = await db
    .insertInto('event_types')
    .values({
      name: type.name,
      description: type.description,
      schema: type.schema === null ? null : JSON.stringify(type.schema),
      example: type.example === null ? null : JSON.stringify(type.example),
      strict: type.strict ? 1 : 0,
      archived: type.archived ? 1 : 0,
      deprecated: type.deprecated ? 1 : 0,
      group_name: type.groupName ?? null,
      feature_flag: type.featureFlag ?? null,
      created_at: type.createdAt,
      updated_at: type.createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEventType(row);
}

/** Changes description, schema, example or strictness; null if the type does not exist. */
export async function updateEventType(
  db: Db,
  name: string,
  changes: Partial<Pick<EventType, 'description' | 'schema' | 'example' | 'strict' | SvixFlag>>,
  now: number,
): Promise<EventType | null> {
  const row = await db
    .updateTable('event_types')
    .set({
      ...(changes.description !== undefined && { description: changes.description }),
      ...(changes.schema !== undefined && { schema: changes.schema === null ? null : JSON.stringify(changes.schema) }),
      ...(changes.example !== undefined && { example: changes.example === null ? null : JSON.stringify(changes.example) }),
      ...(changes.strict !== undefined && { strict: changes.strict ? 1 : 0 }),
      ...(changes.archived !== undefined && { archived: changes.archived ? 1 : 0 }),
      ...(changes.deprecated !== undefined && { deprecated: changes.deprecated ? 1 : 0 }),
      ...(changes.groupName !== undefined && { group_name: changes.groupName }),
      ...(changes.featureFlag !== undefined && { feature_flag: changes.featureFlag }),
      updated_at: now,
    })
    .where('name', '=', name)
    .returningAll()
    .executeTakeFirst();
  return row ? toEventType(row) : null;
}

/** Removes an event type; answers whether it existed. */
export async function deleteEventType(db: Db, name: string): Promise<boolean> {
  const result = await db.deleteFrom('event_types').where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
