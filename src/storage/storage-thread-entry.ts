// The entry point of the storage thread (see storage-thread.ts): its own connection to the database,
// running the hot-path writes it is sent in the order they arrive (its one connection runs one at a time).
import { parentPort, workerData } from 'node:worker_threads';
import { type DatabaseTarget, openStore } from './database.js';
import { directWrites } from './delivery-writes.js';
import { packClaim, type StorageCall, type StorageReply } from './storage-thread.js';

const port = parentPort!;
const post = (reply: StorageReply) => port.postMessage(reply);
const store = openStore((workerData as { target: DatabaseTarget }).target);
const writes = directWrites(store);

const run = (call: StorageCall): Promise<unknown> =>
  call.operation === 'leaseAndLoad' ? writes.leaseAndLoad(...call.args).then(packClaim) : writes.recordAttempts(...call.args);

port.on('message', (message: StorageCall | { type: 'close' }) => {
  if ('type' in message) {
    void store.close().then(() => (post({ type: 'closed' }), port.close()));
    return;
  }
  run(message).then(
    (value) => post({ type: 'done', id: message.id, value }),
    (error: Error & { code?: string }) => post({ type: 'failed', id: message.id, error: { name: error.name, message: error.message, code: error.code } }),
  );
});
post({ type: 'ready' });
