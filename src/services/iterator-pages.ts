import { AppError } from '../domain/errors.js';

/** A Svix list page: `iterator` resumes after the last item, `prevIterator` (a leading `-`) before the first. */
export interface IteratorPage<T> {
  data: T[];
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
}

/** `123` resumes after seq 123, `-123` before it (paging backwards); anything else is a 422 on `iterator`. */
export function readIterator(text: string | undefined): { position: { after?: number; before?: number }; backwards: boolean } {
  if (text === undefined || text === '') return { position: {}, backwards: false };
  const match = /^(-?)(\d{1,15})$/.exec(text);
  if (!match) {
    throw new AppError('validation_failed', 'invalid iterator', [{ loc: ['query', 'iterator'], msg: 'is not an iterator this API returned', type: 'value_error' }]);
  }
  const seq = Number(match[2]);
  return match[1] === '-' ? { position: { before: seq }, backwards: true } : { position: { after: seq }, backwards: false };
}

/** The page of `rows` (fetched `limit + 1` around the position, so one extra says more follow). */
export function iteratorPage<T>(rows: T[], limit: number, backwards: boolean, keyOf: (row: T) => number = (row) => (row as { seq: number }).seq): IteratorPage<T> {
  const page = rows.slice(0, limit);
  if (backwards) page.reverse();
  const first = page[0];
  const last = page[page.length - 1];
  return {
    data: page,
    iterator: last ? String(keyOf(last)) : null,
    prevIterator: first ? `-${keyOf(first)}` : null,
    // Paging backwards, "done" means nothing comes before this page.
    done: rows.length <= limit,
  };
}
