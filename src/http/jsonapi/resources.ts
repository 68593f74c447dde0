import { type TSchema, Type } from '@sinclair/typebox';
import type { Webhook } from '../../domain/models.js';
import { iso } from '../time.js';

export const BASE = '/api/v3/notification/webhooks';

const attributeSchemas = {
  id: Type.Integer(),
  account_id: Type.Integer(),
  name: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  secret: Type.String({ maxLength: 512 }),
  events: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 }),
  scopes: Type.Record(Type.String(), Type.Unknown()),
  created_at: Type.String(),
  updated_at: Type.String(),
};

const optional = <K extends keyof typeof attributeSchemas>(...keys: K[]): Record<K, TSchema> =>
  Object.fromEntries(keys.map((key) => [key, Type.Optional(attributeSchemas[key] as TSchema)])) as Record<K, TSchema>;

export const CreateDocument = Type.Object({
  data: Type.Object({
    type: Type.String(),
    attributes: Type.Object(
      { ...optional('id', 'account_id', 'name', 'secret', 'events', 'scopes', 'created_at', 'updated_at'), url: attributeSchemas.url },
      { additionalProperties: false },
    ),
  }),
});

export const UpdateDocument = Type.Object({
  data: Type.Object({
    type: Type.String(),
    id: Type.Optional(Type.String()),
    attributes: Type.Object(optional('id', 'name', 'url', 'secret', 'events', 'scopes'), { additionalProperties: false }),
  }),
});

export const ResourceSchema = Type.Object({
  type: Type.Literal('webhooks'),
  id: Type.String(),
  attributes: Type.Object({
    id: Type.Integer(),
    account_id: Type.Integer(),
    name: Type.Union([Type.String(), Type.Null()]),
    url: Type.String(),
    secret: Type.Optional(Type.String({ description: 'only in the create answer' })),
    events: Type.Array(Type.String()),
    scopes: Type.Record(Type.String(), Type.Unknown()),
    created_at: Type.String(),
    updated_at: Type.String(),
  }),
  links: Type.Object({ self: Type.String() }),
});

/** A webhook as a JSON:API resource; `fields` keeps only those attributes (sparse fieldsets). */
export function webhookResource(webhook: Webhook, accountId: number, fields: string[] | null, secret?: string) {
  const attributes: Record<string, unknown> = {
    id: webhook.seq,
    account_id: accountId,
    name: webhook.name,
    url: webhook.url,
    ...(secret !== undefined && { secret }),
    events: webhook.events,
    scopes: webhook.scopes,
    created_at: iso(webhook.createdAt),
    updated_at: iso(webhook.updatedAt),
  };
  return {
    type: 'webhooks' as const,
    id: String(webhook.seq),
    attributes: fields ? Object.fromEntries(Object.entries(attributes).filter(([key]) => fields.includes(key))) : attributes,
    links: { self: `${BASE}/${webhook.seq}` },
  };
}
