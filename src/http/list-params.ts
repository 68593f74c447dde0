import { AppError } from '../domain/errors.js';
import {
  checkPaging,
  type Filter,
  type ListRequest,
  type ListSpec,
  parseFilter,
  parseSort,
} from '../domain/list.js';

export const MAX_PER_PAGE = 100;

/** Query parameters of the native list convention that are not filters. */
const RESERVED = new Set(['page', 'per_page', 'sort', 'fields']);

/**
 * Reads the native list convention: `page`, `per_page` (≤ 100), `sort=-a,b`, `filter[f]=v`, `fields=a,b`,
 * plus `shortcuts` (plain query names such as `status` that stand for a filter).
 */
export function readNativeList(
  query: Record<string, unknown>,
  spec: ListSpec,
  shortcuts: Record<string, string> = {},
): { request: ListRequest; fields: string[] | null } {
  const page = query['page'] === undefined ? 1 : Number(query['page']);
  const perPage = query['per_page'] === undefined ? 20 : Number(query['per_page']);
  checkPaging(page, perPage, MAX_PER_PAGE, [
    ['query', 'page'],
    ['query', 'per_page'],
  ]);
  const filters: Filter[] = [];
  for (const [name, raw] of Object.entries(query)) {
    if (raw === undefined || RESERVED.has(name)) continue;
    const value = Array.isArray(raw) ? String(raw[raw.length - 1]) : String(raw);
    const match = /^filter\[([^\]]+)\]$/.exec(name);
    if (match) filters.push(parseFilter(match[1]!, value, spec, ['query', name]));
    else if (Object.hasOwn(shortcuts, name)) filters.push(parseFilter(shortcuts[name]!, value, spec, ['query', name]));
    else if (name.startsWith('filter')) {
      throw new AppError('validation_failed', 'invalid filter', [
        { loc: ['query', name], msg: 'filters are written filter[field]=value', type: 'filter_syntax' },
      ]);
    }
  }
  const sort = parseSort(typeof query['sort'] === 'string' ? query['sort'] : undefined, spec, [
    'query',
    'sort',
  ]);
  const fieldsText = typeof query['fields'] === 'string' ? query['fields'] : null;
  const fields = fieldsText
    ? fieldsText
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    : null;
  return { request: { page, perPage, sort, filters }, fields };
}

/** Keeps only `fields` of each item (sparse fieldsets); `null` keeps everything. */
export function pickFields<T extends Record<string, unknown>>(
  items: T[],
  fields: string[] | null,
): Partial<T>[] {
  if (!fields) return items;
  return items.map(
    (item) => Object.fromEntries(fields.filter((f) => f in item).map((f) => [f, item[f]])) as Partial<T>,
  );
}

/** GitHub-style pagination headers: totals plus a `Link` with first/prev/next/last. */
export function paginationHeaders(
  url: string,
  page: number,
  perPage: number,
  total: number,
): Record<string, string> {
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const base = new URL(url, 'http://hookd.local');
  const link = (target: number, rel: string) => {
    base.searchParams.set('page', String(target));
    base.searchParams.set('per_page', String(perPage));
    return `<${base.pathname}${base.search}>; rel="${rel}"`;
  };
  const links = [link(1, 'first')];
  if (page > 1) links.push(link(Math.min(page - 1, totalPages), 'prev'));
  if (page < totalPages) links.push(link(page + 1, 'next'));
  links.push(link(totalPages, 'last'));
  return {
    'x-total-count': String(total),
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-total-pages': String(totalPages),
    link: links.join(', '),
  };
}
