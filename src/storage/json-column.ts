/** Parses a JSON text column, answering `fallback` for null. */
export function readJson<T>(text: string | null, fallback: T): T {
  return text === null ? fallback : (JSON.parse(text) as T);
}
