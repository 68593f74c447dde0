// Payload filters (Outpost's JSON syntax): a webhook with a filter gets only the events whose envelope
// `{id, type, timestamp, workspace_id, data}` matches it.
//
// - `{"key": <filter>}` matches when the value at `key` matches; several keys must all match.
// - A plain value (string, number, boolean, null) matches an equal value, or an array holding one.
// - An object of operators tests the value: `$eq $neq` (equality), `$gt $gte $lt $lte` (numbers with
//   numbers, strings with strings), `$in $nin` (one of a list; for an array value, any element),
//   `$exist` (true: present, false: absent), `$startsWith $endsWith` (strings).
// - `$or`, `$and` (lists of filters) and `$not` (a filter) combine filters at any level.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Test = (value: Json | undefined) => boolean;

const COMPARISONS = ['$gt', '$gte', '$lt', '$lte'] as const;
const OPERATORS = new Set(['$eq', '$neq', ...COMPARISONS, '$in', '$nin', '$exist', '$startsWith', '$endsWith', '$or', '$and', '$not']);
export const MAX_FILTER_BYTES = 8192;
const MAX_DEPTH = 16;

/** A filter that cannot be compiled: `path` is where in the filter, `message` says what is wrong. */
export class FilterError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(path ? `${path}: ${message}` : message);
  }
}

const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isPrimitive = (value: unknown): value is null | boolean | number | string => value === null || typeof value !== 'object';

function equals(value: Json | undefined, expected: Json): boolean {
  if (Array.isArray(value)) return value.some((item) => equals(item, expected));
  if (isPrimitive(expected) || isPrimitive(value) || value === undefined) return value === expected;
  return JSON.stringify(value) === JSON.stringify(expected);
}

function compare(op: (typeof COMPARISONS)[number], operand: number | string): Test {
  const holds = (a: number | string) => (op === '$gt' ? a > operand : op === '$gte' ? a >= operand : op === '$lt' ? a < operand : a <= operand);
  return (value) => typeof value === typeof operand && holds(value as number | string);
}

function compileOperator(name: string, operand: Json, path: string, depth: number): Test {
  const at = `${path}.${name}`;
  switch (name) {
    case '$eq':
      return (value) => equals(value, operand);
    case '$neq':
      return (value) => !equals(value, operand);
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (typeof operand !== 'number' && typeof operand !== 'string') throw new FilterError(at, 'takes a number or a string');
      return compare(name, operand);
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand) || !operand.length) throw new FilterError(at, 'takes a non-empty list');
      const inList: Test = (value) => operand.some((candidate) => equals(value, candidate));
      return name === '$in' ? inList : (value) => !inList(value);
    }
    case '$exist':
      if (typeof operand !== 'boolean') throw new FilterError(at, 'takes true or false');
      return (value) => (value !== undefined) === operand;
    case '$startsWith':
    case '$endsWith':
      if (typeof operand !== 'string') throw new FilterError(at, 'takes a string');
      return name === '$startsWith' ? (value) => typeof value === 'string' && value.startsWith(operand) : (value) => typeof value === 'string' && value.endsWith(operand);
    case '$or':
    case '$and': {
      if (!Array.isArray(operand) || !operand.length) throw new FilterError(at, 'takes a non-empty list of filters');
      const tests = operand.map((item, i) => compileNode(item, `${at}[${i}]`, depth + 1));
      return name === '$or' ? (value) => tests.some((test) => test(value)) : (value) => tests.every((test) => test(value));
    }
    case '$not': {
      const test = compileNode(operand, at, depth + 1);
      return (value) => !test(value);
    }
    default:
      throw new FilterError(at, `unknown operator (use ${[...OPERATORS].join(' ')})`);
  }
}

function compileNode(node: Json, path: string, depth: number): Test {
  if (depth > MAX_DEPTH) throw new FilterError(path, `nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(node)) throw new FilterError(path, 'a list is only an operand of $in, $nin, $or or $and');
  if (!isObject(node)) return (value) => equals(value, node);
  const tests = Object.entries(node).map(([key, child]): Test => {
    if (key.startsWith('$')) {
      if (!OPERATORS.has(key)) throw new FilterError(`${path}.${key}`, `unknown operator (use ${[...OPERATORS].join(' ')})`);
      return compileOperator(key, child, path, depth);
    }
    const test = compileNode(child, `${path}.${key}`, depth + 1);
    // A field of an array value: any element whose field matches.
    const at = (value: Json | undefined): boolean =>
      Array.isArray(value) ? value.some((item) => at(item)) : test(isObject(value) ? value[key] : undefined);
    return at;
  });
  return (value) => tests.every((test) => test(value));
}

/** Compiles a filter into a test of an envelope; throws FilterError naming what is wrong. */
export function compileFilter(filter: unknown): (envelope: unknown) => boolean {
  if (!isObject(filter)) throw new FilterError('', 'must be a JSON object');
  if (JSON.stringify(filter).length > MAX_FILTER_BYTES) throw new FilterError('', `must be at most ${MAX_FILTER_BYTES} bytes of JSON`);
  const test = compileNode(filter, '$', 0);
  return (envelope) => test(envelope as Json);
}

// Compiled filters by their stored text; a webhook edit stores new text, so stale entries just age out.
const compiled = new Map<string, (envelope: unknown) => boolean>();
const CACHE_MAX = 20_000;

/** The test for a stored filter (compiled once per text). A stored filter was checked when written. */
export function storedFilter(text: string): (envelope: unknown) => boolean {
  let test = compiled.get(text);
  if (!test) {
    test = compileFilter(JSON.parse(text));
    if (compiled.size >= CACHE_MAX) compiled.delete(compiled.keys().next().value!);
    compiled.set(text, test);
  }
  return test;
}
