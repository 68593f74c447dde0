import { Agent } from 'undici';
import { signAndDispatch, signAndSend } from './baseline/send.js';

/**
 * The raw ceiling: a plain undici loop POSTing the same signed bodies to the same receiver at the same
 * concurrency, with no queue, no database and no bookkeeping. Answers deliveries per second. `api`: undici's
 * `request()`, the loop every run so far measured against, or its lower `dispatch`, which hookd's sender uses.
 */
export async function rawLoop(urls: string[], count: number, concurrency: number, api: 'request' | 'dispatch' = 'request'): Promise<{ perSecond: number; ms: number }> {
  const send = api === 'request' ? signAndSend : signAndDispatch;
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const id = `evt_raw_${i}`;
      const body = JSON.stringify({ id, type: 'job.completed', timestamp: new Date().toISOString(), workspace_id: 'raw', data: { n: i } });
      await send({ id, url: urls[i % urls.length]!, body }, agent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - started;
  await agent.close();
  return { perSecond: Math.round((count / ms) * 1000), ms };
}
