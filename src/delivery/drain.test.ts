import { describe, expect, it } from 'vitest';
import { Drain } from './drain.js';

describe('Drain', () => {
  it('resolves once the last piece of work leaves, at once when there is none', async () => {
    const drain = new Drain();
    await drain.drained();
    drain.enter();
    drain.enter();
    let done = false;
    const waiting = drain.drained().then(() => (done = true));
    drain.leave();
    await Promise.resolve();
    expect(done).toBe(false);
    drain.leave();
    await waiting;
    expect(done).toBe(true);
    expect(drain.count).toBe(0);
  });

  it('gives up waiting after a grace period and says so', async () => {
    const drain = new Drain();
    drain.enter();
    expect(await drain.drainedWithin(20)).toBe(false);
    setTimeout(() => drain.leave(), 10);
    expect(await drain.drainedWithin(1000)).toBe(true);
  });
});
