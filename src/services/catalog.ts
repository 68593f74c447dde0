import { AppError, validationError } from '../domain/errors.js';
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

/** Adds an event type to the catalog (operator). */
export async function createEventType(
  ctx: ServiceContext,
  input: { name: string; description?: string; schema?: Record<string, unknown> | null; example?: Record<string, unknown> | null },
): Promise<EventType> {
  if (!EVENT_NAME.test(input.name) || input.name.length > 100) {
    throw validationError([{ loc: ['body', 'name'], msg: 'must be dot-separated words such as invoice.paid', type: 'pattern' }]);
  }
  try {
    return await eventTypes.insertEventType(ctx.store.db, {
      name: input.name,
      description: input.description ?? '',
      schema: input.schema ?? null,
      example: input.example ?? null,
      createdAt: ctx.clock.now(),
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('event_type_exists');
    throw error;
  }
}

/** Changes an event type's description, schema or example. */
export async function updateEventType(
  ctx: ServiceContext,
  name: string,
  changes: { description?: string; schema?: Record<string, unknown> | null; example?: Record<string, unknown> | null },
): Promise<EventType> {
  const updated = await eventTypes.updateEventType(ctx.store.db, name, changes, ctx.clock.now());
  if (!updated) throw new AppError('event_type_not_found');
  return updated;
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
