// pg-boss worker process, tuned fairly: its defaults poll every 2 s with batch size 1. Here one work()
// loop fetches 1 000 jobs at a time, polls every 0.5 s (its minimum) and keeps `concurrency` sends in
// flight. pg-boss waits out the rest of the interval after each batch, so the batch bounds it at 2 000/s;
// a batch of 200 capped it at exactly 400/s in an earlier run.
import PgBoss from 'pg-boss';
import { type Job, signAndSend } from './send.js';

const [url, concurrencyText] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const boss = new PgBoss({ connectionString: url!, max: 10 });
boss.on('error', () => {});
await boss.start();
await boss.createQueue('deliveries');
await boss.work<Job>('deliveries', { batchSize: 1000, pollingIntervalSeconds: 0.5 }, async (jobs) => {
  let next = 0;
  const lane = async () => {
    for (;;) {
      const job = jobs[next++];
      if (!job) return;
      await signAndSend(job.data);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane));
});
process.send!({ kind: 'ready' });
process.on('message', async () => {
  await boss.stop({ graceful: false, wait: false });
  process.exit(0);
});
