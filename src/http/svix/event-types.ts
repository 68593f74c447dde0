import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { replacedOrKept } from '../../domain/replace-semantics.js';
import type { EventType } from '../../domain/models.js';
import * as catalog from '../../services/catalog.js';
import { bearerSecurity, errorResponses, Nullable, Timestamp } from '../schemas.js';
import { iso } from '../time.js';
import { ListResponse } from './schemas.js';

// Svix keeps versioned schemas ({"1": {...}}); hookd keeps one, served and accepted as version "1".
const Schemas = Nullable(Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())));
const Flags = {
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  archived: Type.Optional(Type.Boolean()),
  deprecated: Type.Optional(Type.Boolean()),
  schemas: Type.Optional(Schemas),
  groupName: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
  featureFlag: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
};
const EventTypeIn = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), ...Flags });
const EventTypeUpdate = Type.Object(Flags);
const EventTypeOut = Type.Object({
  name: Type.String(),
  description: Type.String(),
  archived: Type.Boolean(),
  deprecated: Type.Boolean(),
  schemas: Schemas,
  groupName: Nullable(Type.String()),
  featureFlag: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const NameParams = Type.Object({ event_type_name: Type.String({ minLength: 1, maxLength: 100 }) });
const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 250 })),
  iterator: Type.Optional(Type.String({ maxLength: 101 })),
  include_archived: Type.Optional(Type.Boolean()),
  with_content: Type.Optional(Type.Boolean()),
});

type Body = { name?: string; description?: string; archived?: boolean; deprecated?: boolean; schemas?: Record<string, Record<string, unknown>> | null; groupName?: string | null; featureFlag?: string | null };

/** Svix's EventTypeOut of a catalogued type. */
export const eventTypeJson = (type: EventType, withContent = true) => ({
  name: type.name,
  description: type.description,
  archived: type.archived,
  deprecated: type.deprecated,
  schemas: withContent && type.schema ? { '1': type.schema } : null,
  groupName: type.groupName,
  featureFlag: type.featureFlag,
  createdAt: iso(type.createdAt),
  updatedAt: iso(type.updatedAt),
});

/** The catalog changes of a Svix body: the newest of its schema versions is the one hookd keeps. */
function changesOf(body: Body, replace: boolean): catalog.EventTypeChanges {
  const versions = body.schemas ? Object.keys(body.schemas).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b)) : [];
  const schema = body.schemas === undefined ? undefined : versions.length ? body.schemas![versions[versions.length - 1]!]! : null;
  return {
    description: replacedOrKept(body.description, '', replace),
    schema: replacedOrKept(schema, null, replace),
    archived: replacedOrKept(body.archived, false, replace),
    deprecated: replacedOrKept(body.deprecated, false, replace),
    groupName: replacedOrKept(body.groupName, null, replace),
    featureFlag: replacedOrKept(body.featureFlag, null, replace),
  };
}

/** `/event-type`: Svix event types, which are the native catalog (operator only). */
export async function eventTypeRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  const common = { tags: ['svix'], security: bearerSecurity };
  const admin = app.guard('admin');
  const nameOf = (params: unknown) => (params as { event_type_name: string }).event_type_name;

  app.get(
    '/event-type',
    { onRequest: admin, schema: { ...common, summary: 'List event types by name (Svix)', querystring: ListQuery, response: { 200: ListResponse(EventTypeOut), ...errorResponses(422) } } },
    async (request) => {
      const query = request.query as { limit?: number; iterator?: string; include_archived?: boolean; with_content?: boolean };
      const limit = query.limit ?? 50;
      const all = (await catalog.listEventTypes(ctx))
        .filter((type) => query.include_archived || !type.archived)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      // The catalog is small: an iterator is a name, paged over the sorted list (a leading `-` pages backwards).
      const backwards = query.iterator?.startsWith('-') ?? false;
      const mark = backwards ? query.iterator!.slice(1) : query.iterator;
      const rest = mark === undefined ? all : backwards ? all.filter((t) => t.name < mark) : all.filter((t) => t.name > mark);
      const page = backwards ? rest.slice(-limit) : rest.slice(0, limit);
      const done = rest.length <= limit;
      return {
        data: page.map((type) => eventTypeJson(type, query.with_content !== false)),
        iterator: page.length ? page[page.length - 1]!.name : null,
        prevIterator: page.length ? `-${page[0]!.name}` : null,
        done,
      };
    },
  );
  app.post(
    '/event-type',
    { onRequest: admin, schema: { ...common, summary: 'Create an event type (Svix)', body: EventTypeIn, response: { 201: EventTypeOut, ...errorResponses(409, 422) } } },
    async (request, reply) => {
      const body = request.body as Body & { name: string };
      return reply.status(201).send(eventTypeJson(await catalog.createEventType(ctx, { name: body.name, ...changesOf(body, true) })));
    },
  );
  app.get(
    '/event-type/:event_type_name',
    { onRequest: admin, schema: { ...common, summary: 'Get an event type (Svix)', params: NameParams, response: { 200: EventTypeOut, ...errorResponses() } } },
    async (request) => eventTypeJson(await catalog.getEventType(ctx, nameOf(request.params))),
  );
  app.put(
    '/event-type/:event_type_name',
    {
      onRequest: admin,
      schema: { ...common, summary: 'Replace an event type, creating it if needed (Svix)', params: NameParams, body: EventTypeUpdate, response: { 200: EventTypeOut, 201: EventTypeOut, ...errorResponses(422) } },
    },
    async (request, reply) => {
      const name = nameOf(request.params);
      const changes = changesOf(request.body as Body, true);
      const existing = await catalog.getEventType(ctx, name).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'event_type_not_found') return null;
        throw error;
      });
      if (!existing) return reply.status(201).send(eventTypeJson(await catalog.createEventType(ctx, { name, ...changes })));
      return eventTypeJson(await catalog.updateEventType(ctx, name, changes));
    },
  );
  app.patch(
    '/event-type/:event_type_name',
    { onRequest: admin, schema: { ...common, summary: 'Change an event type (Svix)', params: NameParams, body: EventTypeUpdate, response: { 200: EventTypeOut, ...errorResponses(422) } } },
    async (request) => eventTypeJson(await catalog.updateEventType(ctx, nameOf(request.params), changesOf(request.body as Body, false))),
  );
  app.delete(
    '/event-type/:event_type_name',
    {
      onRequest: admin,
      schema: {
        ...common,
        summary: 'Archive an event type, or with expunge=true delete it (Svix)',
        params: NameParams,
        querystring: Type.Object({ expunge: Type.Optional(Type.Boolean()) }),
        response: { 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      const name = nameOf(request.params);
      if ((request.query as { expunge?: boolean }).expunge) await catalog.deleteEventType(ctx, name);
      else await catalog.updateEventType(ctx, name, { archived: true });
      return reply.status(204).send();
    },
  );
}
