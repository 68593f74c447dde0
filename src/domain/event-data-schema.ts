import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

// One compiler for every event type's schema; `strict: false` accepts the annotations and vocabularies
// users copy from their own documents (examples, $comment, formats it does not know) instead of refusing them.
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });

/** A compiled event-data schema, or the reason it does not compile. */
export type CompiledSchema = { ok: true; validate: ValidateFunction } | { ok: false; reason: string };

/** Compiles a JSON schema (draft 2020-12) for an event type's `data`. */
export function compileEventSchema(schema: Record<string, unknown>): CompiledSchema {
  try {
    return { ok: true, validate: ajv.compile(schema) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** One way `data` fails its schema: the path inside `data` and what is wrong there. */
export interface DataProblem {
  path: (string | number)[];
  msg: string;
  keyword: string;
}

/** The problems of `data` against a compiled schema; empty when it validates. */
export function dataProblems(validate: ValidateFunction, data: unknown): DataProblem[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).slice(0, 20).map((error) => {
    const path = error.instancePath
      .split('/')
      .slice(1)
      .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
    const missing = error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty : undefined;
    return { path: missing === undefined ? path : [...path, missing], msg: error.message ?? 'is invalid', keyword: error.keyword };
  });
}
