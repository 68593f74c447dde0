import { Agent, request } from 'undici';
import { signGithubStyle, signStandardWebhook } from '../src/domain/signing.js';

/**
 * The raw ceiling: a plain undici loop POSTing the same signed bodies to the same receiver at the same
 * concurrency, with no queue, no database and no bookkeeping. Answers deliveries per second.
 */
export async function rawLoop(urls: string[], count: number, concurrency: number): Promise<{ perSecond: number; ms: number }> {
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const id = `evt_raw_${i}`;
      const body = JSON.stringify({ id, type: 'job.completed', timestamp: new Date().toISOString(), workspace_id: 'raw', data: { n: i } });
      const ts = Math.floor(Date.now() / 1000);
      const response = await request(urls[i % urls.length]!, {
        method: 'POST',
        dispatcher: agent,
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(ts),
          'webhook-signature': signStandardWebhook(secret, id, ts, body),
          'x-hub-signature-256': signGithubStyle(secret, body),
        },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      await response.body.text();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - started;
  await agent.close();
  return { perSecond: Math.round((count / ms) * 1000), ms };
}
