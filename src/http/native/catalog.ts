import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { EventType, Template } from '../../domain/models.js';
import * as catalog from '../../services/catalog.js';
import { bearerSecurity, errorResponses, Nullable } from '../schemas.js';

const JsonObject = Type.Record(Type.String(), Type.Unknown());
const EventTypeResponse = Type.Object({
  name: Type.String({ examples: ['job.completed'] }),
  description: Type.String(),
  schema: Nullable(JsonObject),
  example: Nullable(JsonObject),
  strict: Type.Boolean({ description: 'publishes whose `data` does not match `schema` are refused with 422' }),
});
const CreateEventType = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    schema: Type.Optional(Nullable(JsonObject)),
    example: Type.Optional(Nullable(JsonObject)),
    strict: Type.Optional(Type.Boolean({ description: 'enforce `schema` (JSON Schema 2020-12) on published `data`' })),
  },
  { additionalProperties: false },
);
const UpdateEventType = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    schema: Type.Optional(Nullable(JsonObject)),
    example: Type.Optional(Nullable(JsonObject)),
    strict: Type.Optional(Type.Boolean({ description: 'enforce `schema` (JSON Schema 2020-12) on published `data`' })),
  },
  { additionalProperties: false },
);
const TemplateResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Type.String(),
  events: Type.Array(Type.String()),
});
const CreateTemplate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    events: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);

export const eventTypeJson = (t: EventType) => ({ name: t.name, description: t.description, schema: t.schema, example: t.example, strict: t.strict });
export const templateJson = (t: Template) => ({ id: t.id, name: t.name, description: t.description, events: t.events });

/** The event-type catalog and webhook templates: read by everyone, managed by the operator. */
export async function catalogRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  const admin = app.guard('admin');
  const listEvents = { schema: { tags: ['events'], security: bearerSecurity, summary: 'List supported event types', response: { 200: Type.Array(EventTypeResponse), ...errorResponses() } } };
  const events = async () => (await catalog.listEventTypes(ctx)).map(eventTypeJson);
  app.get('/events', { onRequest: app.guard('webhooks:read'), ...listEvents }, events);
  app.get('/workspaces/:workspace_id/webhooks/events', { onRequest: app.guard('webhooks:read'), ...listEvents }, events);
  app.get('/admin/webhooks/events', { onRequest: admin, ...listEvents }, events);

  const adminCommon = { tags: ['admin'], security: bearerSecurity };
  const NameParams = Type.Object({ name: Type.String() });
  app.post(
    '/admin/event-types',
    { onRequest: admin, schema: { ...adminCommon, summary: 'Add an event type', body: CreateEventType, response: { 201: EventTypeResponse, ...errorResponses(409, 422) } } },
    async (request, reply) => reply.status(201).send(eventTypeJson(await catalog.createEventType(ctx, request.body as catalog.EventTypeChanges & { name: string }))),
  );
  app.patch(
    '/admin/event-types/:name',
    { onRequest: admin, schema: { ...adminCommon, summary: 'Update an event type', params: NameParams, body: UpdateEventType, response: { 200: EventTypeResponse, ...errorResponses(422) } } },
    async (request) => eventTypeJson(await catalog.updateEventType(ctx, (request.params as { name: string }).name, request.body as catalog.EventTypeChanges)),
  );
  app.delete(
    '/admin/event-types/:name',
    { onRequest: admin, schema: { ...adminCommon, summary: 'Remove an event type', params: NameParams, response: { 204: Type.Null(), ...errorResponses() } } },
    async (request, reply) => {
      await catalog.deleteEventType(ctx, (request.params as { name: string }).name);
      return reply.status(204).send();
    },
  );

  const listTemplates = async () => (await catalog.listTemplates(ctx)).map(templateJson);
  const templateList = { schema: { tags: ['webhooks'], security: bearerSecurity, summary: 'List webhook templates', response: { 200: Type.Array(TemplateResponse), ...errorResponses() } } };
  app.get('/templates', { onRequest: app.guard('webhooks:read'), ...templateList }, listTemplates);
  app.get('/admin/templates', { onRequest: admin, ...templateList }, listTemplates);
  app.post(
    '/admin/templates',
    { onRequest: admin, schema: { ...adminCommon, summary: 'Create a webhook template', body: CreateTemplate, response: { 201: TemplateResponse, ...errorResponses(409, 422) } } },
    async (request, reply) =>
      reply.status(201).send(templateJson(await catalog.createTemplate(ctx, request.body as { name: string; events: string[] }))),
  );
  app.delete(
    '/admin/templates/:id',
    { onRequest: admin, schema: { ...adminCommon, summary: 'Delete a webhook template', params: Type.Object({ id: Type.String() }), response: { 204: Type.Null(), ...errorResponses() } } },
    async (request, reply) => {
      await catalog.deleteTemplate(ctx, (request.params as { id: string }).id);
      return reply.status(204).send();
    },
  );
}
