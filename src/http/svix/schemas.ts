import { type TSchema, Type } from '@sinclair/typebox';

/** Svix's ids chosen by the caller (`uid`, `eventId`): 1–256 of [a-zA-Z0-9_.-]. */
export const Uid = Type.String({ minLength: 1, maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' });

/** Svix channels: free-form names of [a-zA-Z0-9_.-], at most `max` distinct ones. */
export const Channels = (max: number) => Type.Array(Type.String({ minLength: 1, maxLength: 128, pattern: '^[a-zA-Z0-9\\-_.]+$' }), { minItems: 1, maxItems: max, uniqueItems: true });

/** `rateLimit` (SDK 1.x) and `throttleRate` (2.x): requests per second. */
export const RateLimit = Type.Integer({ minimum: 1, maximum: 65_535 });

/** Svix list parameters: `limit` (1–250, default 50), `iterator` (opaque; a leading `-` pages backwards), `order`. */
export const IteratorQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 250 })),
  iterator: Type.Optional(Type.String({ maxLength: 64 })),
  order: Type.Optional(Type.Union([Type.Literal('ascending'), Type.Literal('descending')])),
});

/** Svix's ListResponse: `{data, iterator, prevIterator, done}`. */
export const ListResponse = (item: TSchema) =>
  Type.Object({ data: Type.Array(item), iterator: Type.Union([Type.String(), Type.Null()]), prevIterator: Type.Union([Type.String(), Type.Null()]), done: Type.Boolean() });

export function readIteratorQuery(query: unknown): { limit: number; iterator?: string; descending: boolean } {
  const { limit, iterator, order } = query as { limit?: number; iterator?: string; order?: string };
  return { limit: limit ?? 50, ...(iterator !== undefined && { iterator }), descending: order === 'descending' };
}
