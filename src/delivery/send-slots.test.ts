import { describe, expect, it } from 'vitest';
import type { ClaimedDelivery } from '../storage/claim-deliveries.js';
import { SendSlots } from './send-slots.js';

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
  isTest: 0,
});
const rows = (count: number, webhookId: string, workspaceId: string, url?: string) =>
  Array.from({ length: count }, () => row(webhookId, workspaceId, url));
const limits = { maxInFlight: 16, webhookConcurrency: 4, workspaceMaxInFlight: 8, hostMaxInFlight: 6 };

describe('SendSlots', () => {
  it('caps sends per webhook, per workspace and per destination host', () => {
    const slots = new SendSlots(limits);
    slots.enqueue([...rows(10, 'a', 'ws1'), ...rows(10, 'b', 'ws1'), ...rows(10, 'c', 'ws1')]);
    expect(slots.start('a', 10)).toHaveLength(4);
    expect(slots.start('b', 10)).toHaveLength(4);
    expect(slots.start('c', 10)).toHaveLength(0); // the workspace holds its 8
    const shared = 'https://shared.example.com/hook';
    slots.enqueue([...rows(4, 'd', 'ws2', shared), ...rows(4, 'e', 'ws3', shared)]);
    expect(slots.start('d', 4)).toHaveLength(4);
    expect(slots.start('e', 4)).toHaveLength(2); // the host holds its 6 across workspaces
    expect(slots.inFlight).toBe(14);
  });

  it('gives a webhook whose last attempt timed out one slot, within the slow share', () => {
    const slots = new SendSlots({ ...limits, workspaceMaxInFlight: 16 });
    for (const webhookId of ['a', 'b', 'c', 'd', 'e', 'f']) {
      slots.enqueue(rows(3, webhookId, 'ws1'));
      const [ticket] = slots.start(webhookId, 1);
      slots.finish(ticket!, { durationMs: 30_000, timedOut: true });
    }
    const started = ['a', 'b', 'c', 'd', 'e', 'f'].map((webhookId) => slots.start(webhookId, 3).length);
    // One each, and a quarter of the pool (4) for slow targets in all.
    expect(started).toEqual([1, 1, 1, 1, 0, 0]);
    slots.enqueue(rows(3, 'healthy', 'ws1'));
    expect(slots.start('healthy', 3)).toHaveLength(3);
  });

  it('prefetches rows only for fast endpoints, and bounds what unproven ones may hold per workspace', () => {
    const slots = new SendSlots(limits);
    const fresh = slots.claimBudget();
    expect(fresh.free('new', 'ws1')).toBe(4); // unproven: what it can send
    slots.enqueue(rows(1, 'fast', 'ws1'));
    const [ticket] = slots.start('fast', 1);
    slots.finish(ticket!, { durationMs: 5, timedOut: false });
    const budget = slots.claimBudget();
    expect(budget.free('fast', 'ws1')).toBe(20); // five sets of its concurrency
    for (let i = 0; i < 8; i++) budget.take(`hook${i}`, 'ws1');
    expect(budget.free('other', 'ws1')).toBe(0); // unproven rows fill the workspace's sending share
    expect(budget.free('fast', 'ws1')).toBe(20);
    expect(budget.room('ws1')).toBe('proven'); // only its fast webhook may take more
    expect([...budget.provenWebhooks('ws1')]).toEqual(['fast']);
    expect(budget.room('ws2')).toBe('all');
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
