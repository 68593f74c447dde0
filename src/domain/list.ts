import { AppError } from './errors.js';

export type ListFieldKind = 'text' | 'integer' | 'boolean' | 'time' | 'set';

/** Which fields of a resource may be sorted and filtered, and how their values are read. */
export interface ListSpec {
  readonly fields: Readonly<Record<string, ListFieldKind>>;
  readonly sortable: readonly string[];
  readonly defaultSort: readonly SortKey[];
}

export interface SortKey {
  field: string;
  desc: boolean;
}

export interface Filter {
  field: string;
  kind: ListFieldKind;
  value: string | number;
}

/** A validated page request, independent of how a surface spells it. */
export interface ListRequest {
  page: number;
  perPage: number;
  sort: SortKey[];
  filters: Filter[];
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  perPage: number;
}

/** Parses `-created_at,name`; throws a 422 at `loc` for a field that is not sortable. */
export function parseSort(text: string | undefined, spec: ListSpec, loc: string[]): SortKey[] {
  if (text === undefined || text.trim() === '') return [...spec.defaultSort];
  const keys = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const sort = keys.map((key) => ({ field: key.replace(/^[-+]/, ''), desc: key.startsWith('-') }));
  const unknown = sort.find((key) => !spec.sortable.includes(key.field));
  if (unknown) {
    throw new AppError('validation_failed', 'invalid sort', [
      {
        loc,
        msg: `cannot sort by '${unknown.field}'; sortable: ${spec.sortable.join(', ')}`,
        type: 'sort_field',
      },
    ]);
  }
  return sort;
}

/** Reads one filter value for a field; throws a 422 at `loc` if the field is unknown or the value malformed. */
export function parseFilter(field: string, raw: string, spec: ListSpec, loc: string[]): Filter {
  // Own properties only: `filter[__proto__]` must be an unknown field, not Object.prototype.
  const kind = Object.hasOwn(spec.fields, field) ? spec.fields[field] : undefined;
  const fail = (msg: string, type: string) =>
    new AppError('validation_failed', 'invalid filter', [{ loc, msg, type }]);
  if (!kind)
    throw fail(
      `cannot filter by '${field}'; filterable: ${Object.keys(spec.fields).join(', ')}`,
      'filter_field',
    );
  switch (kind) {
    case 'boolean':
      if (!['true', 'false', '1', '0'].includes(raw)) throw fail('must be true or false', 'bool_parsing');
      return { field, kind, value: raw === 'true' || raw === '1' ? 1 : 0 };
    case 'integer':
      if (!/^-?\d+$/.test(raw)) throw fail('must be an integer', 'int_parsing');
      return { field, kind, value: Number(raw) };
    case 'time': {
      const ms = Date.parse(raw);
      if (Number.isNaN(ms)) throw fail('must be an ISO 8601 date-time', 'datetime_parsing');
      return { field, kind, value: ms };
    }
    default:
      return { field, kind, value: raw };
  }
}

/** Restricts `page`/`perPage` to whole numbers in range, naming the bad one in a 422. */
/** The highest page number any list accepts: beyond it an offset overflows the stores' integers. */
export const MAX_PAGE = 1_000_000;

export function checkPaging(
  page: number,
  perPage: number,
  maxPerPage: number,
  names: [string[], string[]],
): void {
  if (!Number.isInteger(page) || page < 1 || page > MAX_PAGE) {
    throw new AppError('validation_failed', 'invalid page', [
      { loc: names[0], msg: `must be an integer from 1 to ${MAX_PAGE}`, type: 'less_than_equal' },
    ]);
  }
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > maxPerPage) {
    throw new AppError('validation_failed', 'invalid page size', [
      { loc: names[1], msg: `must be an integer from 1 to ${maxPerPage}`, type: 'less_than_equal' },
    ]);
  }
}
