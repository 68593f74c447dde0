import { describe, expect, it } from 'vitest';
import { newEventId, timeOrderedUuidHex } from './ids.js';

describe('event ids', () => {
  it('are UUIDv7s: 48 bits of milliseconds, version 7, the RFC 9562 variant', () => {
    const ms = Date.UTC(2026, 11, 1, 12, 0, 0, 123);
    const hex = timeOrderedUuidHex(ms);
    expect(hex).toMatch(/^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    expect(Number.parseInt(hex.slice(0, 12), 16)).toBe(ms);
  });

  it('sort by creation time across milliseconds and never repeat', () => {
    const ids = [1_000, 1_001, 2_000, 1_764_590_400_000].map((ms) => timeOrderedUuidHex(ms));
    expect([...ids].sort()).toEqual(ids);
    const many = new Set(Array.from({ length: 10_000 }, () => newEventId()));
    expect(many.size).toBe(10_000);
    for (const id of many) expect(id).toMatch(/^evt_[0-9a-f]{32}$/);
  });
});
