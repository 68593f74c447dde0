import { sql } from 'kysely';

/** Parses a JSON text column, answering `fallback` for null. */
export function readJson<T>(text: string | null, fallback: T): T {
  return text === null ? fallback : (JSON.parse(text) as T);
}

/** A list stored as a JSON array: null when empty (or null). */
export const jsonListOrNull = (list: readonly string[] | null): string | null => (list?.length ? JSON.stringify(list) : null);

/**
 * `column` (a JSON array of [a-zA-Z0-9_.-] names: channels, tags) holds `name`: the quoted name is one exact
 * element. `_` is a valid name character and a LIKE wildcard, so the pattern escapes it (and `%`, `\`).
 */
export const onListed = (column: string, name: string) =>
  sql<boolean>`${sql.ref(column)} like ${`%${JSON.stringify(name).replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`;
