import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseDurationList, parseSize } from './durations.js';

describe('durations', () => {
  it('parses units', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('30d')).toBe(2_592_000_000);
    expect(parseDuration('15')).toBe(15_000);
    expect(parseDuration('soon')).toBeNull();
    expect(parseDurationList('10s, 60s,300s')).toEqual([10_000, 60_000, 300_000]);
    expect(parseDurationList('10s,x')).toBeNull();
    expect(parseSize('256kb')).toBe(262_144);
    expect(parseSize('1mb')).toBe(1_048_576);
    expect(parseSize('12 parsecs')).toBeNull();
  });

  it('round-trips formatDuration through parseDuration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const value = parseDuration(text);
        expect(value === null || (Number.isFinite(value) && value >= 0)).toBe(true);
      }),
    );
  });
});
