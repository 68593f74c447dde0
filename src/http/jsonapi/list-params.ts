import { AppError } from '../../domain/errors.js';
import { checkPaging, type Filter, type ListRequest, type ListSpec, parseFilter, parseSort } from '../../domain/list.js';

/** Seed 001's list attributes, as its document names them. */
const SPEC: ListSpec = {
  fields: {
    id: 'integer',
    account_id: 'integer',
    name: 'text',
    url: 'text',
    secret: 'text',
    events: 'set',
    scopes: 'set',
    created_at: 'time',
    updated_at: 'time',
  },
  sortable: ['id', 'account_id', 'name', 'url', 'created_at', 'updated_at'],
  defaultSort: [{ field: 'id', desc: false }],
};
const MAX_PAGE_SIZE = 1000;

export interface JsonApiList {
  request: ListRequest;
  fields: string[] | null;
  count: boolean;
  secret?: string;
  /** A filter on another account can match nothing. */
  matchesNothing: boolean;
}

/** Reads `page[number]`, `page[size]` (default 1000), `sort`, `count`, `filter[…]`, `fields[webhooks]`. */
export function readJsonApiList(query: Record<string, unknown>, accountId: number): JsonApiList {
  const text = (name: string) => (query[name] === undefined ? undefined : String(query[name]));
  const page = Number(text('page[number]') ?? 1);
  const perPage = Number(text('page[size]') ?? MAX_PAGE_SIZE);
  checkPaging(page, perPage, MAX_PAGE_SIZE, [['query', 'page[number]'], ['query', 'page[size]']]);
  const count = text('count');
  if (count !== undefined && count !== 'true' && count !== 'false') {
    throw new AppError('validation_failed', 'invalid count', [{ loc: ['query', 'count'], msg: 'must be true or false', type: 'bool_parsing' }]);
  }
  const filters: Filter[] = [];
  let secret: string | undefined;
  let matchesNothing = false;
  for (const [name, raw] of Object.entries(query)) {
    const match = /^filter\[([^\]]+)\]$/.exec(name);
    if (!match) continue;
    const filter = parseFilter(match[1]!, String(raw), SPEC, ['query', name]);
    if (filter.field === 'secret') secret = String(filter.value);
    else if (filter.field === 'account_id') matchesNothing ||= filter.value !== accountId;
    else filters.push({ ...filter, field: filter.field === 'id' ? 'seq' : filter.field });
  }
  const sort = parseSort(text('sort'), SPEC, ['query', 'sort'])
    .filter((key) => key.field !== 'account_id') // one account per caller: a constant sorts nothing
    .map((key) => ({ ...key, field: key.field === 'id' ? 'seq' : key.field }));
  const fieldsText = text('fields[webhooks]');
  return {
    request: { page, perPage, sort: sort.length ? sort : [{ field: 'seq', desc: false }], filters },
    fields: fieldsText ? fieldsText.split(',').map((f) => f.trim()).filter(Boolean) : null,
    count: count === 'true',
    secret,
    matchesNothing,
  };
}
