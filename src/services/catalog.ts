import { AppError, type FieldError, validationError } from '../domain/errors.js';
import { compileEventSchema, dataProblems } from '../domain/event-data-schema.js';
import { newUuid } from '../domain/ids.js';
import type { EventType, Template } from '../domain/models.js';
import * as eventTypes from '../storage/event-types.js';
import * as templates from '../storage/templates.js';
import { isUniqueViolation } from '../storage/unique-violation.js';
import type { ServiceContext } from './context.js';
import { webhookInputProblems } from './webhook-rules.js';

const EVENT_NAME = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)*$/i;

/** Every event type a webhook may subscribe to. */
export function listEventTypes(ctx: ServiceContext): Promise<EventType[]> {
  return eventTypes.listEventTypes(ctx.store.db);
}

type JsonObject = Record<string, unknown>;
export interface EventTypeChanges {
  description?: string;
  schema?: JsonObject | null;
  example?: JsonObject | null;
  strict?: boolean;
  archived?: boolean;
  deprecated?: boolean;
  groupName?: string | null;
  featureFlag?: string | null;
}

/**
 * 422s for an event type as it would be after a write: the schema must compile (JSON Schema 2020-12),
 * the example must match it, and a strict type needs a schema to enforce.
 */
function eventTypeProblems(type: { schema: JsonObject | null; example: JsonObject | null; strict: boolean }): FieldError[] {
  if (type.schema === null) {
    return type.strict ? [{ loc: ['body', 'strict'], msg: 'a strict event type needs a schema', type: 'value_error' }] : [];
  }
  const compiled = compileEventSchema(type.schema);
  if (!compiled.ok) return [{ loc: ['body', 'schema'], msg: `not a valid JSON schema: ${compiled.reason}`, type: 'invalid_schema' }];
  if (type.example === null) return [];
  return dataProblems(compiled.validate, type.example).map((p) => ({ loc: ['body', 'example', ...p.path], msg: p.msg, type: p.keyword }));
}

/** Adds an event type to the catalog (operator). */
export async function createEventType(ctx: ServiceContext, input: EventTypeChanges & { name: string }): Promise<EventType> {
  if (!EVENT_NAME.test(input.name) || input.name.length > 100) {
    throw validationError([{ loc: ['body', 'name'], msg: 'must be dot-separated words such as invoice.paid', type: 'pattern' }]);
  }
  const type = { schema: input.schema ?? null, example: input.example ?? null, strict: input.strict ?? false };
  const problems = eventTypeProblems(type);
  if (problems.length) throw validationError(problems);
  try {
    return await eventTypes.insertEventType(ctx.store.db, {
      name: input.name,
      description: input.description ?? '',
      ...type,
      archived: input.archived ?? false,
      deprecated: input.deprecated ?? false,
      groupName: input.groupName ?? null,
      featureFlag: input.featureFlag ?? null,
      createdAt: ctx.clock.now(),
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('event_type_exists');
    throw error;
  }
}

/** Changes an event type's description, schema, example or strictness. */
export async function updateEventType(ctx: ServiceContext, name: string, changes: EventTypeChanges): Promise<EventType> {
  const current = await eventTypes.findEventType(ctx.store.db, name);
  if (!current) throw new AppError('event_type_not_found');
  const problems = eventTypeProblems({
    schema: changes.schema === undefined ? current.schema : changes.schema,
    example: changes.example === undefined ? current.example : changes.example,
    strict: changes.strict ?? current.strict,
  });
  if (problems.length) throw validationError(problems);
  const updated = await eventTypes.updateEventType(ctx.store.db, name, changes, ctx.clock.now());
  if (!updated) throw new AppError('event_type_not_found');
  return updated;
}

/** The event type, or a 404. */
export async function getEventType(ctx: ServiceContext, name: string): Promise<EventType> {
  const type = await eventTypes.findEventType(ctx.store.db, name);
  if (!type) throw new AppError('event_type_not_found');
  return type;
}

/** A catalogued type's name and example payload (`{}` without one), for sends of an example; unknown → 422 at `loc`. */
export async function exampleOf(ctx: ServiceContext, name: string, loc: string[]): Promise<{ type: string; data: unknown }> {
  const type = await getEventType(ctx, name).catch((error: unknown) => {
    if (!(error instanceof AppError && error.code === 'event_type_not_found')) throw error;
    throw new AppError('validation_failed', 'unknown event type', [{ loc, msg: `unknown event type '${name}'`, type: 'unknown_event_type' }]);
  });
  return { type: type.name, data: type.example ?? {} };
}

/** Removes an event type; webhooks subscribed to it simply stop matching new events. */
export async function deleteEventType(ctx: ServiceContext, name: string): Promise<void> {
  if (!(await eventTypes.deleteEventType(ctx.store.db, name))) throw new AppError('event_type_not_found');
}

/** Every webhook template (seed 003). */
export function listTemplates(ctx: ServiceContext): Promise<Template[]> {
  return templates.listTemplates(ctx.store.db);
}

/** One template or 404. */
export async function getTemplate(ctx: ServiceContext, id: string): Promise<Template> {
  const template = await templates.findTemplate(ctx.store.db, id);
  if (!template) throw new AppError('template_not_found');
  return template;
}

/** Adds a template; its events must be in the catalog. */
export async function createTemplate(
  ctx: ServiceContext,
  input: { name: string; description?: string; events: string[] },
): Promise<Template> {
  const problems = await webhookInputProblems(ctx.store.db, ctx.config, { events: input.events });
  if (problems.length) throw validationError(problems);
  const now = ctx.clock.now();
  try {
    return await templates.insertTemplate(ctx.store.db, {
      id: newUuid(),
      name: input.name,
      description: input.description ?? '',
      events: [...new Set(input.events)],
      createdAt: now,
      updatedAt: now,
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('template_exists');
    throw error;
  }
}

/** Removes a template; webhooks made from it keep working. */
export async function deleteTemplate(ctx: ServiceContext, id: string): Promise<void> {
  if (!(await templates.deleteTemplate(ctx.store.db, id))) throw new AppError('template_not_found');
}
