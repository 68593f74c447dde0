// What finding a publish's subscribers costs with 10 000 webhooks in one workspace, on both stores:
// the exact, indexed match (`webhook_subscriptions`) against the LIKE scan on `webhooks.events` it
// replaced, and a whole single publish (event + deliveries, one transaction).
// `node dist-bench/bench/profile-subscriptions.js [webhooks] [types] [rounds]`
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { type Store, openStore } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrate.js';
import { newOutboxEvent, writeEventWithDeliveries } from '../src/storage/outbox.js';
import { replaceSubscriptions, subscribedWebhookIds, subscribersOf } from '../src/storage/subscriptions.js';
import { BenchPostgres } from './postgres.js';

const [webhooks = 10_000, types = 10, rounds = 200] = process.argv.slice(2, 5).map(Number);
const logger = pino({ level: 'silent' });
const WS = 'ws-subscriptions';

async function fill(store: Store): Promise<void> {
  await migrateToLatest(store);
  const now = Date.now();
  await store.db.insertInto('workspaces').values({ id: WS, name: 'bench', partner_id: null, settings: '{}', created_at: now, updated_at: now }).execute();
  for (let start = 0; start < webhooks; start += 500) {
    const rows = Array.from({ length: Math.min(500, webhooks - start) }, (_, i) => {
      const n = start + i;
      return { id: `wh_${n}`, workspace_id: WS, name: null, description: null, url: `https://example.com/${n}`, events: JSON.stringify([`type.${n % types}`]), is_active: 1, template_id: null, template_owner: null, headers: '{}', metadata: '{}', created_by: null, secret: 'x', previous_secret: null, previous_secret_expires_at: null, secret_rotated_at: null, retry_schedule: null, rate_limit_per_s: null, failure_count: 0, last_triggered_at: null, last_success_at: null, disabled_reason: null, created_at: now, updated_at: now };
    });
    await store.db.insertInto('webhooks').values(rows).execute();
    for (const row of rows) await replaceSubscriptions(store.db, { id: row.id, workspaceId: WS }, JSON.parse(row.events) as string[]);
  }
}

/** Median milliseconds of `rounds` runs of `work`, after a warm-up. */
async function median(work: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 10; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const likeScan = (store: Store, type: string) =>
  sql`select id from webhooks where workspace_id = ${WS} and is_active = 1
      and (events like ${`%${JSON.stringify(type)}%`} or events like '%"*"%') order by seq`.execute(store.db);

const dir = mkdtempSync(join(tmpdir(), 'hookd-subscriptions-'));
const postgres = await BenchPostgres.start();
try {
  console.log(`${webhooks} webhooks in one workspace, ${types} event types (${webhooks / types} subscribers each), median of ${rounds}`);
  console.log('| store | exact match (subscriptions table) | LIKE scan (before) | whole publish, 1 event | no subscriber |');
  console.log('|---|---|---|---|---|');
  for (const kind of ['sqlite', 'postgres'] as const) {
    const target = kind === 'sqlite' ? { kind, path: join(dir, 'hookd.db'), synchronous: 'normal' as const } : { kind, url: await postgres.database('subscriptions') };
    const store = openStore(target, { logger });
    try {
      await fill(store);
      const exact = await median(() => subscribersOf(store.db, store.kind, WS, 'type.3'));
      const like = await median(() => likeScan(store, 'type.3'));
      const publishTo = (type: string) =>
        store.db.transaction().execute(async (trx) => {
          const event = newOutboxEvent({ workspaceId: WS, type, data: {}, createdAt: Date.now() });
          await writeEventWithDeliveries(trx, store.kind, event, await subscribedWebhookIds(trx, store.kind, event));
        });
      const publish = await median(() => publishTo('type.3'));
      const none = await median(() => publishTo('type.unsubscribed'));
      const ms = (n: number) => `${n.toFixed(2)} ms`;
      console.log(`| ${kind} | ${ms(exact)} | ${ms(like)} | ${ms(publish)} (${webhooks / types} deliveries) | ${ms(none)} |`);
    } finally {
      await store.close();
    }
  }
} finally {
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}
