import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import PgBoss from 'pg-boss';
import { freePort, type BenchPostgres } from '../postgres.js';
import { cpuSeconds, ReceiverProcess } from '../processes.js';
import { monotonicMs } from '../monotonic.js';

export interface BaselineResult {
  name: string;
  perSecond: number;
  cpuMsPerDelivery: number;
  note?: string;
}

const jobs = (urls: string[], count: number) =>
  Array.from({ length: count }, (_, i) => {
    const id = `evt_base_${i}`;
    return { id, url: urls[i % urls.length]!, body: JSON.stringify({ id, type: 'job.completed', timestamp: new Date().toISOString(), workspace_id: 'base', data: { n: i } }) };
  });

async function startWorker(script: string, args: string[]): Promise<ChildProcess> {
  const child = fork(join(import.meta.dirname, script), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise((resolve) => child.once('message', resolve));
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ kind: 'stop' });
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  child.kill('SIGKILL');
}

function redisBinary(): string | null {
  try {
    return execFileSync('which', ['redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    try {
      execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'ignore', timeout: 180_000 });
      return execFileSync('which', ['redis-server'], { encoding: 'utf8' }).trim() || null;
    } catch {
      return null;
    }
  }
}

/** BullMQ + a private Redis (Debian's redis-server on a free port, no persistence). */
export async function bullmq(webhooks: number, count: number): Promise<BaselineResult> {
  const binary = redisBinary();
  if (!binary) return { name: 'BullMQ + Redis', perSecond: 0, cpuMsPerDelivery: 0, note: 'skipped: redis-server could not be installed' };
  const port = await freePort();
  const redis = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const receiver = await ReceiverProcess.start();
  const worker = await startWorker('bullmq-worker.js', [String(port), String(10 * webhooks)]);
  const queue = new Queue('deliveries', { connection: { host: '127.0.0.1', port } });
  try {
    const urls = Array.from({ length: webhooks }, (_, i) => `${receiver.url}/w${i}`);
    const all = jobs(urls, count);
    const cpu0 = cpuSeconds(worker.pid!) + cpuSeconds(redis.pid!);
    const started = monotonicMs();
    for (let i = 0; i < all.length; i += 500) {
      await queue.addBulk(all.slice(i, i + 500).map((data) => ({ name: 'deliver', data, opts: { removeOnComplete: true, attempts: 4 } })));
    }
    const stats = await receiver.waitFor(count, 600_000);
    const cpu = cpuSeconds(worker.pid!) + cpuSeconds(redis.pid!) - cpu0;
    return { name: 'BullMQ + Redis', perSecond: Math.round((stats.count / (stats.last - started)) * 1000), cpuMsPerDelivery: (cpu * 1000) / stats.count };
  } finally {
    await queue.close();
    await stopWorker(worker);
    await receiver.stop();
    redis.kill('SIGKILL');
  }
}

/** pg-boss 10.4 on the same PostgreSQL. */
export async function pgBoss(postgres: BenchPostgres, webhooks: number, count: number): Promise<BaselineResult> {
  const url = await postgres.database(`pgboss_${process.pid}`);
  const receiver = await ReceiverProcess.start();
  const boss = new PgBoss({ connectionString: url, max: 4 });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue('deliveries');
  const worker = await startWorker('pgboss-worker.js', [url, String(10 * webhooks)]);
  try {
    const urls = Array.from({ length: webhooks }, (_, i) => `${receiver.url}/w${i}`);
    const all = jobs(urls, count);
    const cpu0 = cpuSeconds(worker.pid!) + postgres.cpuSeconds();
    const started = monotonicMs();
    for (let i = 0; i < all.length; i += 500) {
      await boss.insert(all.slice(i, i + 500).map((data) => ({ name: 'deliveries', data, retryLimit: 3 })));
    }
    const stats = await receiver.waitFor(count, 600_000);
    const cpu = cpuSeconds(worker.pid!) + postgres.cpuSeconds() - cpu0;
    return { name: 'pg-boss (tuned)', perSecond: Math.round((stats.count / (stats.last - started)) * 1000), cpuMsPerDelivery: (cpu * 1000) / stats.count };
  } finally {
    await stopWorker(worker);
    await boss.stop({ graceful: false, wait: false });
    await receiver.stop();
  }
}
