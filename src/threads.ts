import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread running `entry` and resolves once it posts `{ type: 'ready' }`; rejects if it
 * fails or exits first, or says anything else. `name` is how errors refer to it.
 */
export function spawnThread(entry: URL, workerData: unknown, name: string): Promise<Worker> {
  const thread = new Worker(entry, { workerData });
  return new Promise((resolve, reject) => {
    const failed = (error: unknown) => reject(error instanceof Error ? error : new Error(`${name} exited with code ${String(error)}`));
    thread.once('error', failed);
    thread.once('exit', failed);
    thread.once('message', (message: { type: string }) => {
      thread.off('error', failed);
      thread.off('exit', failed);
      if (message.type === 'ready') resolve(thread);
      else reject(new Error(`unexpected first message from the ${name}: ${message.type}`));
    });
  });
}
