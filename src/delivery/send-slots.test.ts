import { describe, expect, it } from 'vitest';
import type { ClaimedDelivery } from '../storage/claim-deliveries.js';
import { SendSlots, type SendTicket } from './send-slots.js';

let nextId = 1;
const row = (webhookId: string, workspaceId: string, url = `https://${webhookId}.example.com/hook`): ClaimedDelivery => ({
  id: nextId++,
  eventId: 'evt',
  webhookId,
  workspaceId,
  eventType: 'job.completed',
  attemptsMade: 0,
  payload: '{}',
  url,
  headers: '{}',
  secret: 's',
  previousSecret: null,
  previousSecretExpiresAt: null,
  retrySchedule: null,
  rateLimitPerS: null,
  webhookUpdatedAt: 0,
  payloadFormat: 'envelope',
  tlsClientCert: null,
  tlsClientKey: null,
  oauth2: null,
  isTest: 0,
});
const rows = (count: number, webhookId: string, workspaceId: string, url?: string) =>
  Array.from({ length: count }, () => row(webhookId, workspaceId, url));
// A pool of 16: a quarter (4) for sends that might hang per workspace and for slow ones in all.
const limits = { maxInFlight: 16, webhookConcurrency: 4, workspaceMaxInFlight: 12, hostMaxInFlight: 6, prefetchMaxBytes: 32 * 1024 * 1024 };
const answer = (slots: SendSlots, tickets: SendTicket[], durationMs: number, timedOut = false) => {
  for (const ticket of tickets) slots.finish(ticket, { durationMs, timedOut });
};
/** Makes `webhookId` (and its host) fast by one quick answer. */
const prove = (slots: SendSlots, webhookId: string, workspaceId: string, url?: string) => {
  slots.enqueue(rows(1, webhookId, workspaceId, url));
  answer(slots, slots.start(webhookId, 1), 5);
};

describe('SendSlots', () => {
  it('bounds what a claim may take by the payload bytes held, not only by rows', () => {
    const slots = new SendSlots({ ...limits, prefetchMaxBytes: 1024 * 1024 });
    expect(slots.claimRoom).toBe(16 * 21);
    const large = rows(4, 'a', 'ws1').map((r) => ({ ...r, payload: 'x'.repeat(256 * 1024) }));
    slots.enqueue(large);
    expect(slots.heldBytes).toBe(4 * (256 * 1024 + 1024));
    expect(slots.claimRoom).toBe(0); // 1 MB held: nothing more until rows are sent
    answer(slots, slots.start('a', 2), 5);
    expect(slots.heldBytes).toBe(2 * (256 * 1024 + 1024));
    expect(slots.claimRoom).toBeGreaterThan(0);
    expect(slots.claimRoom).toBeLessThanOrEqual(2);
    slots.clearQueue();
    expect(slots.heldBytes).toBe(0);
  });

  it('gives endpoints not proven fast a quarter of the pool per workspace', () => {
    const slots = new SendSlots(limits);
    slots.enqueue([...rows(10, 'a', 'ws1'), ...rows(10, 'b', 'ws1'), ...rows(10, 'c', 'ws2')]);
    expect(slots.start('a', 10)).toHaveLength(4);
    expect(slots.start('b', 10)).toHaveLength(0); // ws1's guarded share is spent
    expect(slots.start('c', 10)).toHaveLength(4); // ws2 has its own
  });

  it('lets fast endpoints use the pool up to the workspace cap, and caps what might hang per host', () => {
    const slots = new SendSlots(limits);
    for (const id of ['a', 'b', 'c', 'd']) prove(slots, id, 'ws1');
    slots.enqueue(['a', 'b', 'c', 'd'].flatMap((id) => rows(10, id, 'ws1')));
    const started = ['a', 'b', 'c', 'd'].map((id) => slots.start(id, 10));
    expect(started.map((tickets) => tickets.length)).toEqual([4, 4, 4, 0]); // the workspace's 12
    answer(slots, started.flat(), 5);
    // Unproven webhooks of three workspaces on one host: the host's 6 in all.
    const shared = 'https://shared.example.com/hook';
    slots.enqueue([...rows(4, 'e', 'ws2', shared), ...rows(4, 'f', 'ws3', shared), ...rows(4, 'g', 'ws4', shared)]);
    expect(['e', 'f', 'g'].map((id) => slots.start(id, 4).length)).toEqual([4, 2, 0]);
    // A webhook proven fast on that host is not held back by them.
    const other = new SendSlots(limits);
    prove(other, 'fast', 'ws5', shared);
    other.enqueue([...rows(6, 'slowpoke', 'ws6', shared), ...rows(4, 'fast', 'ws5', shared)]);
    for (const ticket of other.start('slowpoke', 6)) other.finish(ticket, { durationMs: 30_000, timedOut: true });
    expect(other.start('fast', 4)).toHaveLength(4);
  });

  it('gives a webhook whose last attempt timed out one slot, within the slow share', () => {
    const slots = new SendSlots({ ...limits, maxInFlight: 32 }); // slow share 8, guarded share 8, 4 slow per workspace
    const hooks = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const id of hooks) {
      slots.enqueue(rows(3, id, 'ws1'));
      answer(slots, slots.start(id, 1), 30_000, true);
    }
    expect(hooks.map((id) => slots.start(id, 3).length)).toEqual([1, 1, 1, 1, 0, 0]); // half the workspace's share
    prove(slots, 'healthy', 'ws1');
    slots.enqueue(rows(3, 'healthy', 'ws1'));
    expect(slots.start('healthy', 3)).toHaveLength(3);
  });

  it('prefetches rows only for fast endpoints, and bounds the unproven rows a workspace may hold', () => {
    const slots = new SendSlots(limits);
    expect(slots.claimBudget().free('new', 'ws1')).toBe(4); // unproven: what it can send
    prove(slots, 'fast', 'ws1');
    const budget = slots.claimBudget();
    expect(budget.free('fast', 'ws1')).toBe(24); // twenty sets of its concurrency (80), within the workspace's hold: twice its cap
    for (let i = 0; i < 4; i++) budget.take(`hook${i}`, 'ws1');
    expect(budget.free('other', 'ws1')).toBe(0); // unproven rows fill the workspace's guarded share
    expect(budget.free('fast', 'ws1')).toBe(20); // the workspace's hold less the 4 taken;
    expect(budget.room('ws1')).toBe('proven'); // only its fast webhook may take more
    expect([...budget.provenWebhooks('ws1')]).toEqual(['fast']);
    expect(budget.room('ws2')).toBe('all');
  });

  it('claims for a webhook never attempted within the guarded share, even on a host proven fast', () => {
    const slots = new SendSlots({ ...limits, webhookConcurrency: 6 }); // guarded share still 4
    prove(slots, 'known', 'ws1', 'https://shared.example.com/known');
    // It may be one of many hanging on that host: at most the guarded share (4) of them is held...
    const budget = slots.claimBudget();
    for (let i = 0; i < 4; i++) budget.take(`fresh${i}`, 'ws1');
    expect(budget.free('fresh4', 'ws1')).toBe(0);
    // ...while sending, with the row in hand, it counts as its host: its own concurrency, not the guarded share's.
    slots.enqueue(rows(8, 'fresh', 'ws1', 'https://shared.example.com/fresh'));
    expect(slots.start('fresh', 8)).toHaveLength(6);
  });

  it('offers proven webhooks least recently served first, and sends a sought one to the back', () => {
    const slots = new SendSlots(limits);
    for (const id of ['a', 'b', 'c']) prove(slots, id, 'ws1');
    const budget = slots.claimBudget();
    expect([...budget.provenWebhooks('ws1')]).toEqual(['a', 'b', 'c']);
    budget.sought('a', 'ws1'); // sought and found nothing: the others come first next time
    expect([...budget.provenWebhooks('ws1')]).toEqual(['b', 'c', 'a']);
    prove(slots, 'b', 'ws1'); // attempted again
    expect([...budget.provenWebhooks('ws1')]).toEqual(['c', 'a', 'b']);
  });

  it('returns every count to zero when sends finish and the queue is cleared', () => {
    const slots = new SendSlots(limits);
    slots.enqueue([...rows(6, 'a', 'ws1'), ...rows(6, 'b', 'ws2')]);
    const tickets = [...slots.start('a', 6), ...slots.start('b', 6)];
    for (const ticket of tickets) slots.finish(ticket, null);
    slots.clearQueue();
    expect([slots.inFlight, slots.queuedCount]).toEqual([0, 0]);
    expect(slots.claimBudget().free('a', 'ws1')).toBe(4);
  });
});
