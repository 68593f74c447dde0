import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './json-depth.js';

describe('nestsDeeperThan', () => {
  it('counts object and array nesting, not brackets inside strings', () => {
    expect(nestsDeeperThan('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":1}]}', 2)).toBe(true);
    expect(nestsDeeperThan(JSON.stringify({ s: '[[[[[[{{{{"\\\\' }), 1)).toBe(false);
    expect(nestsDeeperThan('['.repeat(20_000) + ']'.repeat(20_000), 64)).toBe(true);
  });
});
