import { Agent, type Dispatcher, request } from 'undici';
import { signGithubStyle, signStandardWebhook } from '../../src/domain/signing.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

export interface Job {
  id: string;
  url: string;
  body: string;
}

/** What every baseline worker (and the raw loop) does per job: sign both ways and POST, as hookd does. */
export async function signAndSend(job: Job, dispatcher: Dispatcher = agent): Promise<void> {
  const ts = Math.floor(Date.now() / 1000);
  const response = await request(job.url, {
    method: 'POST',
    dispatcher,
    headers: {
      'content-type': 'application/json',
      'webhook-id': job.id,
      'webhook-timestamp': String(ts),
      'webhook-signature': signStandardWebhook(SECRET, job.id, ts, job.body),
      'x-hub-signature-256': signGithubStyle(SECRET, job.body),
    },
    body: job.body,
    signal: AbortSignal.timeout(15_000),
  });
  await response.body.text();
  if (response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode}`);
}
