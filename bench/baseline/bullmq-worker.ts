// BullMQ worker process: one Worker with `concurrency` sends in flight (its documented knob).
import { Worker } from 'bullmq';
import { type Job, signAndSend } from './send.js';

const [port, concurrency] = process.argv.slice(2).map(Number);
const worker = new Worker<Job>('deliveries', (job) => signAndSend(job.data), {
  connection: { host: '127.0.0.1', port: port! },
  concurrency: concurrency!,
  removeOnComplete: { count: 1000 },
});
await worker.waitUntilReady();
process.send!({ kind: 'ready' });
process.on('message', async () => {
  await worker.close();
  process.exit(0);
});
