import { type TSchema, Type } from '@sinclair/typebox';
import { MAX_PAGE } from '../domain/list.js';

/** The 422 body (seed 004's HTTPValidationError). */
export const ValidationErrorBody = Type.Object(
  {
    detail: Type.Array(
      Type.Object({
        loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
        msg: Type.String(),
        type: Type.String(),
      }),
    ),
  },
  { $id: 'HTTPValidationError' },
);

/** Every other error body: `{detail, code}`. */
export const ErrorBody = Type.Object(
  { detail: Type.String(), code: Type.String(), request_id: Type.Optional(Type.String()) },
  { $id: 'Error' },
);

const errorRef = Type.Ref('Error');

/** Error responses every guarded native route may answer. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = { 401: errorRef, 403: errorRef, 404: errorRef };
  for (const status of statuses) out[status] = status === 422 ? Type.Ref('HTTPValidationError') : errorRef;
  return out;
}

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const Timestamp = Type.String({ format: 'date-time' });

/** Query parameters shared by native lists. */
export const NativeListQuery = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 })),
    per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    sort: Type.Optional(Type.String({ description: 'comma list; `-` for descending' })),
    fields: Type.Optional(Type.String({ description: 'sparse fieldset, comma list' })),
  },
  { additionalProperties: true },
);

export const bearerSecurity: { [label: string]: string[] }[] = [{ apiKey: [] }, { bearer: [] }];

/** A params schema naming every `:param` of `url` (strings unless `types` says otherwise). */
export function pathParams(url: string, types: Record<string, TSchema> = {}) {
  const names = [...url.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  return Type.Object(Object.fromEntries(names.map((name) => [name, types[name] ?? Type.String()])));
}
