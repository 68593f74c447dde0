import { type SelectQueryBuilder, sql } from 'kysely';
import type { ListRequest, Page } from '../domain/list.js';

/**
 * Applies filters, sort and paging of a ListRequest to `query` and answers one page plus the total.
 * `columns` maps API field names to columns where they differ (e.g. `tenant_id` → `workspace_id`).
 */
export async function fetchPage<DB, TB extends keyof DB, Row>(
  query: SelectQueryBuilder<DB, TB, Row>,
  request: ListRequest,
  columns: Record<string, string> = {},
): Promise<Page<Row>> {
  const column = (field: string) => sql.ref(columns[field] ?? field);
  let filtered = query;
  for (const filter of request.filters) {
    if (filter.kind === 'set') {
      // Sets are JSON arrays of strings stored as text: membership is a match on the quoted element.
      const needle = `%${JSON.stringify(String(filter.value)).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      filtered = filtered.where(sql<boolean>`${column(filter.field)} like ${needle} escape '\\'`);
    } else {
      filtered = filtered.where(sql<boolean>`${column(filter.field)} = ${filter.value}`);
    }
  }
  const countRow = await filtered.clearSelect().select(sql<number>`count(*)`.as('total')).executeTakeFirst();
  let ordered = filtered;
  for (const key of request.sort) {
    ordered = ordered.orderBy(column(key.field), key.desc ? 'desc' : 'asc');
  }
  const items = await ordered
    .limit(request.perPage)
    .offset((request.page - 1) * request.perPage)
    .execute();
  return {
    items: items as Row[],
    total: Number((countRow as { total?: number } | undefined)?.total ?? 0),
    page: request.page,
    perPage: request.perPage,
  };
}

/** Where a Svix iterator page starts: after (or, paging backwards, before) a `seq`, in either order. */
export interface SeqPosition {
  after?: number;
  before?: number;
  descending: boolean;
  limit: number;
}

/** Up to `limit + 1` rows of `query` around a position of its `column` (`seq` unless named), so the caller knows whether more follow. */
export function fetchAroundSeq<DB, TB extends keyof DB, Row>(query: SelectQueryBuilder<DB, TB, Row>, position: SeqPosition, column = 'seq'): Promise<Row[]> {
  const seq = sql.ref(column);
  let around = query;
  if (position.after !== undefined) around = around.where(sql<boolean>`${seq} ${sql.raw(position.descending ? '<' : '>')} ${position.after}`);
  if (position.before !== undefined) around = around.where(sql<boolean>`${seq} ${sql.raw(position.descending ? '>' : '<')} ${position.before}`);
  const ascending = position.descending === (position.before !== undefined);
  return around.orderBy(seq, ascending ? 'asc' : 'desc').limit(position.limit + 1).execute();
}
