// What one retention pass costs when nothing is old enough to prune: `rows` recent finished deliveries, each
// with an attempt and an event, on SQLite (where the pass runs on the delivery thread and stalls it).
// `node dist-bench/bench/profile-retention.js [rows] [passes]`
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStore } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrate.js';
import { pruneBefore } from '../src/storage/prune.js';

const [rows = 300_000, passes = 5] = process.argv.slice(2, 4).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'hookd-retention-'));
const store = openStore({ kind: 'sqlite', path: join(dir, 'hookd.db') });
try {
  await migrateToLatest(store);
  const now = Date.now();
  const db = store.db;
  await sql`insert into workspaces (id, name, settings, created_at, updated_at) values ('ws', 'bench', '{}', ${now}, ${now})`.execute(db);
  const numbers = sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${rows})`;
  await sql`${numbers} insert into events (id, workspace_id, type, payload, created_at)
    select 'evt_' || i, 'ws', 'job.completed', '{"data":{}}', ${now} - i from n`.execute(db);
  await sql`${numbers} insert into deliveries (event_id, webhook_id, workspace_id, event_type, status, attempt_count, created_at, updated_at)
    select 'evt_' || i, 'wh', 'ws', 'job.completed', 'succeeded', 1, ${now} - i, ${now} from n`.execute(db);
  await sql`insert into delivery_attempts (delivery_id, webhook_id, attempt, outcome, status_code, duration_ms, request_headers, created_at)
    select id, 'wh', 1, 'success', 200, 1, '{"content-type":"application/json"}', ${now} from deliveries`.execute(db);
  const times: string[] = [];
  for (let i = 0; i < passes; i++) {
    const started = performance.now();
    await pruneBefore(db, now - 30 * 86_400_000);
    times.push((performance.now() - started).toFixed(1));
  }
  console.log(`${rows} finished deliveries with attempts, none past a 30-day retention: a pass takes ${times.join(', ')} ms`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
