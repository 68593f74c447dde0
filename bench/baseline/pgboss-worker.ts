// pg-boss worker process, tuned as well as we could: its defaults poll every 2 s with batch size 1. Here
// LOOPS work() loops each fetch BATCH jobs at a time, poll every 0.5 s (its minimum) and keep their share
// of `concurrency` sends in flight. pg-boss waits out the rest of the interval after each batch, so one
// loop is bound by BATCH / 0.5 s (a batch of 200 capped it at exactly 400/s, 1 000 at 2 000/s); several
// loops fetch while the others send.
import PgBoss from 'pg-boss';
import { type Job, signAndSend } from './send.js';

const [url, concurrencyText] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const boss = new PgBoss({ connectionString: url!, max: 10 });
boss.on('error', () => {});
await boss.start();
await boss.createQueue('deliveries');
const LOOPS = 4;
const BATCH = 2000;
const lanes = Math.max(1, Math.ceil(concurrency / LOOPS));
for (let loop = 0; loop < LOOPS; loop++) {
  await boss.work<Job>('deliveries', { batchSize: BATCH, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    let next = 0;
    const lane = async () => {
      for (;;) {
        const job = jobs[next++];
        if (!job) return;
        await signAndSend(job.data);
      }
    };
    await Promise.all(Array.from({ length: Math.min(lanes, jobs.length) }, lane));
  });
}
process.send!({ kind: 'ready' });
process.on('message', async () => {
  await boss.stop({ graceful: false, wait: false });
  process.exit(0);
});
