import type { Config } from '../config.js';
import { openStore } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';

/** `hookd migrate`: applies pending migrations and names them. */
export async function migrateCommand(config: Config): Promise<number> {
  const store = openStore(config.database);
  try {
    const applied = await migrateToLatest(store);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    return 0;
  } finally {
    await store.close();
  }
}
