// The entry point of the delivery thread (see delivery-thread.ts): its own database connection, the
// delivery worker and the retention job, answering metrics requests and draining on `stop`.
import { parentPort, workerData } from 'node:worker_threads';
import { Registry } from 'prom-client';
import type { Config } from '../config.js';
import { loggerFor } from '../logger.js';
import { openContext } from '../services/open-context.js';
import { StorageThread } from '../storage/storage-thread.js';
import { stopTelemetry } from '../telemetry.js';
import { startDelivery } from './start-delivery.js';
import type { FromDeliveryThread, ToDeliveryThread } from './delivery-thread.js';

const port = parentPort!;
const given = (workerData as { config: Config }).config;
// Structured cloning turns the key's Buffer into a plain Uint8Array.
const config: Config = { ...given, encryptionKey: given.encryptionKey && Buffer.from(given.encryptionKey) };
const post = (message: FromDeliveryThread) => port.postMessage(message);

const ctx = await openContext(config, { logger: loggerFor(config).child({ thread: 'delivery' }) });
const registry = new Registry();
// better-sqlite3's statements are synchronous: on this thread they would stop every send while they run.
// A storage thread that dies takes this thread with it, to be restarted as one (delivery-thread.ts).
const { database } = config;
const writes =
  database.kind === 'sqlite' && database.path !== ':memory:'
    ? await StorageThread.start(database, (code, error) => {
        ctx.logger.error({ code, err: error ?? undefined }, 'storage thread exited; ending the delivery thread');
        process.exit(1);
      })
    : null;
const delivery = startDelivery(ctx, registry, { writes: writes ?? undefined });

port.on('message', (message: ToDeliveryThread) => {
  if (message.type === 'metrics') void registry.metrics().then((text) => post({ type: 'metrics', id: message.id, text }));
  if (message.type === 'stop') {
    void (async () => {
      await delivery.stop();
      await writes?.close();
      await stopTelemetry();
      await ctx.store.close();
      post({ type: 'stopped' });
      port.close();
    })();
  }
});
post({ type: 'ready' });
