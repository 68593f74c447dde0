import { Agent, type Dispatcher, request } from 'undici';
import { signGithubStyle, signStandardWebhook } from '../../src/domain/signing.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

export interface Job {
  id: string;
  url: string;
  body: string;
}

function signedHeaders(job: Job): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': job.id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signStandardWebhook(SECRET, job.id, ts, job.body),
    'x-hub-signature-256': signGithubStyle(SECRET, job.body),
  };
}

/** What every baseline worker (and the raw loop) does per job: sign both ways and POST, as hookd does. */
export async function signAndSend(job: Job, dispatcher: Dispatcher = agent): Promise<void> {
  const response = await request(job.url, {
    method: 'POST',
    dispatcher,
    headers: signedHeaders(job),
    body: job.body,
    signal: AbortSignal.timeout(15_000),
  });
  await response.body.text();
  if (response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode}`);
}

/**
 * The same job through undici's lowest level, `dispatch` with a handler that keeps the answer: no AbortSignal,
 * body stream or async iterator, as hookd's sender does since the seventh session (the stricter raw ceiling).
 */
export function signAndDispatch(job: Job, dispatcher: Dispatcher): Promise<void> {
  const target = new URL(job.url);
  return new Promise((resolve, reject) => {
    let status = 0;
    dispatcher.dispatch(
      { origin: target.origin, path: target.pathname, method: 'POST', headers: signedHeaders(job), body: job.body },
      {
        onRequestStart: () => {}, // its presence is what makes undici treat this as a handler of this shape
        onResponseStart: (_controller, statusCode) => void (status = statusCode),
        onResponseData: () => {},
        onResponseEnd: () => (status >= 300 ? reject(new Error(`HTTP ${status}`)) : resolve()),
        onResponseError: (_controller, error) => reject(error),
      },
    );
  });
}
