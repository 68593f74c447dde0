import { describe, expect, it } from 'vitest';
import { compileFilter, FilterError } from './payload-filter.js';

const envelope = {
  id: 'evt_1',
  type: 'order.paid',
  timestamp: '2026-12-01T10:00:00.000Z',
  workspace_id: 'ws_1',
  data: { amount: 120, currency: 'EUR', customer: { tier: 'gold', tags: ['vip', 'eu'] }, items: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 1 }], note: null },
};
const matches = (filter: unknown) => compileFilter(filter)(envelope);

describe('payload filters', () => {
  it('matches nested objects by equality, and arrays by membership', () => {
    expect(matches({})).toBe(true);
    expect(matches({ type: 'order.paid' })).toBe(true);
    expect(matches({ type: 'order.refunded' })).toBe(false);
    expect(matches({ data: { currency: 'EUR', customer: { tier: 'gold' } } })).toBe(true);
    expect(matches({ data: { customer: { tier: 'silver' } } })).toBe(false);
    expect(matches({ data: { customer: { tags: 'vip' } } })).toBe(true);
    expect(matches({ data: { items: { sku: 'b' } } })).toBe(true);
    expect(matches({ data: { items: { sku: 'c' } } })).toBe(false);
    expect(matches({ data: { note: null } })).toBe(true);
    expect(matches({ data: { missing: null } })).toBe(false);
    expect(matches({ data: { amount: '120' } })).toBe(false); // no coercion
  });

  it('applies every operator', () => {
    expect(matches({ data: { amount: { $gt: 100, $lte: 120 } } })).toBe(true);
    expect(matches({ data: { amount: { $gte: 121 } } })).toBe(false);
    expect(matches({ data: { amount: { $lt: 'zzz' } } })).toBe(false); // a number is not compared with a string
    expect(matches({ timestamp: { $gte: '2026-12-01' } })).toBe(true);
    expect(matches({ data: { currency: { $in: ['EUR', 'GBP'] } } })).toBe(true);
    expect(matches({ data: { currency: { $nin: ['EUR', 'GBP'] } } })).toBe(false);
    expect(matches({ data: { customer: { tags: { $in: ['eu'] } } } })).toBe(true);
    expect(matches({ data: { currency: { $neq: 'USD' } } })).toBe(true);
    expect(matches({ data: { currency: { $eq: 'USD' } } })).toBe(false);
    expect(matches({ data: { coupon: { $exist: false }, amount: { $exist: true } } })).toBe(true);
    expect(matches({ type: { $startsWith: 'order.' } })).toBe(true);
    expect(matches({ type: { $endsWith: '.refunded' } })).toBe(false);
    expect(matches({ $or: [{ type: 'order.refunded' }, { data: { amount: { $gt: 100 } } }] })).toBe(true);
    expect(matches({ $and: [{ type: 'order.paid' }, { data: { currency: 'USD' } }] })).toBe(false);
    expect(matches({ $not: { data: { currency: 'USD' } } })).toBe(true);
    expect(matches({ data: { currency: { $not: { $in: ['USD'] } } } })).toBe(true);
    expect(matches({ data: { $or: [{ currency: 'USD' }, { customer: { tier: 'gold' } }] } })).toBe(true);
  });

  it('names what is wrong with a malformed filter', () => {
    const problem = (filter: unknown) => {
      try {
        compileFilter(filter);
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(FilterError);
        return (error as FilterError).message;
      }
    };
    expect(problem('type')).toBe('must be a JSON object');
    expect(problem([{ type: 'x' }])).toBe('must be a JSON object');
    expect(problem({ data: { amount: { $gt: [1] } } })).toBe('$.data.amount.$gt: takes a number or a string');
    expect(problem({ data: { $regex: 'x' } })).toMatch(/^\$\.data\.\$regex: unknown operator/);
    expect(problem({ type: { $in: 'order.paid' } })).toBe('$.type.$in: takes a non-empty list');
    expect(problem({ $or: [] })).toBe('$.$or: takes a non-empty list of filters');
    expect(problem({ data: { $exist: 'yes' } })).toBe('$.data.$exist: takes true or false');
    expect(problem({ type: ['a', 'b'] })).toBe('$.type: a list is only an operand of $in, $nin, $or or $and');
    let deep: Record<string, unknown> = { x: 1 };
    for (let i = 0; i < 20; i++) deep = { a: deep };
    expect(problem(deep)).toMatch(/nests deeper than 16 levels/);
    expect(problem({ data: { blob: 'x'.repeat(9000) } })).toBe('must be at most 8192 bytes of JSON');
  });
});
