import { describe, expect, it } from 'vitest';
import { HeldBytes } from './held-bytes.js';

describe('HeldBytes', () => {
  it('lets a claim take only as many rows as fit at the sizes seen lately', () => {
    const bytes = new HeldBytes(1_000_000);
    for (let i = 0; i < 100; i++) bytes.hold(256_000);
    // Far over budget: nothing more until rows are released.
    expect(bytes.rowsThatFit(500)).toBe(0);
    for (let i = 0; i < 100; i++) bytes.release(256_000);
    expect(bytes.held).toBe(0);
    // Nothing held: rows of 256 KB lately, so 3 fit in 1 MB.
    expect(bytes.rowsThatFit(500)).toBe(3);
    // Small payloads again: the typical size falls back, slowly.
    for (let i = 0; i < 100; i++) bytes.hold(10);
    bytes.release(1000);
    expect(bytes.rowsThatFit(500)).toBe(500);
  });

  it('takes at least one row when nothing is held, however large', () => {
    const bytes = new HeldBytes(1000);
    bytes.hold(50_000);
    expect(bytes.rowsThatFit(10)).toBe(0);
    bytes.release(50_000);
    expect(bytes.rowsThatFit(10)).toBe(1);
  });

  it('does not limit small payloads below the row bound', () => {
    const bytes = new HeldBytes(32 * 1024 * 1024);
    for (let i = 0; i < 50; i++) bytes.hold(200);
    expect(bytes.rowsThatFit(500)).toBe(500);
    expect(bytes.rowsThatFit(0)).toBe(0);
  });
});
