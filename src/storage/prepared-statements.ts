import type pg from 'pg';

// Distinct statements prepared per connection; later ones run unnamed. hookd's fixed queries are well
// under this; the rest are batch statements whose text varies with the batch size.
const MAX_PREPARED = 200;

/**
 * Makes a pooled PostgreSQL connection prepare each distinct statement once (a named statement), so
 * the server parses and plans it once per connection instead of on every call; the statement cache of
 * the SQLite side does the same. Kysely calls `query(text, values)`; anything else passes through.
 */
export function prepareStatements(client: pg.PoolClient): void {
  const names = new Map<string, string>();
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const [text, values] = args;
    if (typeof text !== 'string' || args.length !== 2 || !Array.isArray(values)) return query(...args);
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED) {
      name = `hookd_${names.size}`;
      names.set(text, name);
    }
    return name === undefined ? query(text, values) : query({ name, text, values });
  }) as typeof client.query;
}
