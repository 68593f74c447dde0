import type { FieldError } from '../../domain/errors.js';
import type { NormalizedError } from '../errors.js';

export const JSONAPI_TYPE = 'application/vnd.api+json';

// Native webhook fields whose JSON:API attribute has another name.
const ATTRIBUTE_NAMES: Record<string, string> = { seq: 'id' };

/** The JSON:API error document: `{errors:[{status, code, title, detail, source}]}`. */
export function renderJsonApiError(error: NormalizedError): { body: unknown; contentType: string } {
  const title = error.status === 422 ? 'Invalid attribute' : error.detail;
  const errors = error.fields?.length
    ? error.fields.map((field) => ({ status: String(error.status), code: field.type, title, detail: field.msg, source: source(field) }))
    : [{ status: String(error.status), code: error.code, title: error.detail, detail: error.detail }];
  return { body: { errors }, contentType: JSONAPI_TYPE };
}

function source(field: FieldError): Record<string, string> {
  const [where, ...path] = field.loc;
  if (where !== 'body') return { parameter: String(path[0] ?? where) };
  // Service rules speak native field names (`url`); the document puts them under /data/attributes.
  const inAttributes = path[0] === 'data' ? path.slice(path[1] === 'attributes' ? 2 : 1) : path;
  const prefix = path[0] === 'data' && path[1] !== 'attributes' ? '/data' : '/data/attributes';
  const named = inAttributes.map((part, i) => (i === 0 && typeof part === 'string' && Object.hasOwn(ATTRIBUTE_NAMES, part) ? ATTRIBUTE_NAMES[part]! : part));
  return { pointer: [prefix, ...named].join('/') };
}
