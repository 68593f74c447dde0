import { describe, expect, it } from 'vitest';
import { HeldBytes } from './held-bytes.js';

const ROW = 1024; // each row's own overhead

describe('HeldBytes', () => {
  it('lets a claim take only as many rows as fit at the sizes seen lately', () => {
    const bytes = new HeldBytes(1_000_000);
    bytes.holdClaim(Array.from({ length: 100 }, (_, i) => ({ share: `e${i}`, payloadBytes: 256_000 })));
    // Far over budget: nothing more until rows are released.
    expect(bytes.rowsThatFit(500)).toBe(0);
    for (let i = 0; i < 100; i++) bytes.release(`e${i}`);
    expect(bytes.held).toBe(0);
    // Nothing held: rows of 256 KB lately, so 3 fit in 1 MB.
    expect(bytes.rowsThatFit(500)).toBe(3);
    // Small payloads again: the typical size falls back, slowly, claim after claim.
    for (let i = 0; i < 100; i++) bytes.holdClaim([{ share: `small${i}`, payloadBytes: 10 }]);
    bytes.release('small0');
    expect(bytes.rowsThatFit(500)).toBe(500);
  });

  it('counts a payload its rows share once, until the last of them is released', () => {
    const bytes = new HeldBytes(1_000_000);
    // One claim of two events fanned out to ten webhooks each.
    bytes.holdClaim(['one', 'two'].flatMap((share) => Array.from({ length: 10 }, () => ({ share, payloadBytes: 256_000 }))));
    expect(bytes.held).toBe(2 * 256_000 + 20 * ROW);
    // A row of it added about 26 KB: the next claim may take what fits at that size, not at 256 KB.
    expect(bytes.rowsThatFit(500)).toBe(Math.floor((1_000_000 - bytes.held) / (2 * 256_000 / 20 + ROW)));
    for (let i = 0; i < 10; i++) bytes.release('two');
    for (let i = 0; i < 9; i++) bytes.release('one');
    expect(bytes.held).toBe(256_000 + ROW);
    bytes.release('one');
    expect(bytes.held).toBe(0);
    bytes.release('one'); // nothing left to release: no change
    expect(bytes.held).toBe(0);
  });

  it('takes at least one row when nothing is held, however large', () => {
    const bytes = new HeldBytes(1000);
    bytes.holdClaim([{ share: 'e', payloadBytes: 50_000 }]);
    expect(bytes.rowsThatFit(10)).toBe(0);
    bytes.release('e');
    expect(bytes.rowsThatFit(10)).toBe(1);
  });

  it('does not limit small payloads below the row bound', () => {
    const bytes = new HeldBytes(32 * 1024 * 1024);
    bytes.holdClaim(Array.from({ length: 50 }, (_, i) => ({ share: `e${i}`, payloadBytes: 200 })));
    expect(bytes.rowsThatFit(500)).toBe(500);
    expect(bytes.rowsThatFit(0)).toBe(0);
  });
});
