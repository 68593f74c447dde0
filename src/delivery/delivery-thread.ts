import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { spawnThread } from '../threads.js';

/** Messages from the delivery thread to the thread that started it. */
export type FromDeliveryThread = { type: 'ready' } | { type: 'metrics'; id: number; text: string } | { type: 'stopped' };
/** Messages to the delivery thread. */
export type ToDeliveryThread = { type: 'metrics'; id: number } | { type: 'stop' };

const RESTART_DELAY_MS = 1000;

/**
 * The delivery worker and retention job running in a worker thread with their own database connection
 * (`delivery-thread-entry.ts`), so publishing and delivering use two cores. A thread that dies is
 * restarted; its claimed deliveries are sent again when their leases expire.
 */
export class DeliveryThread {
  #thread: Worker;
  #stopping = false;
  #nextId = 0;
  readonly #metricsWaiters = new Map<number, (text: string) => void>();

  private constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    thread: Worker,
  ) {
    this.#thread = thread;
    this.#watch(thread);
  }

  /** Starts the thread and resolves once its worker is running (rejects if it fails to start). */
  static async start(config: Config, logger: Logger): Promise<DeliveryThread> {
    const thread = await spawn(config);
    return new DeliveryThread(config, logger, thread);
  }

  /** The thread's Prometheus metrics (empty if it does not answer within a second). */
  metrics(): Promise<string> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.#metricsWaiters.delete(id), resolve('')), 1000);
      this.#metricsWaiters.set(id, (text) => (clearTimeout(timer), resolve(text)));
      this.#thread.postMessage({ type: 'metrics', id } satisfies ToDeliveryThread);
    });
  }

  /** Drains the worker (within the shutdown grace), closes its database connection and ends the thread. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const thread = this.#thread;
    const done = new Promise<void>((resolve) => {
      thread.once('exit', () => resolve());
      thread.on('message', (message: FromDeliveryThread) => message.type === 'stopped' && resolve());
    });
    thread.postMessage({ type: 'stop' } satisfies ToDeliveryThread);
    await done;
    await thread.terminate();
  }

  #watch(thread: Worker): void {
    thread.on('message', (message: FromDeliveryThread) => {
      if (message.type === 'metrics') this.#metricsWaiters.get(message.id)?.(message.text);
    });
    thread.on('error', (error) => this.logger.error({ err: error }, 'delivery thread failed'));
    thread.on('exit', (code) => {
      if (this.#stopping) return;
      this.logger.error({ code }, `delivery thread exited; restarting in ${RESTART_DELAY_MS} ms`);
      setTimeout(() => void this.#restart(), RESTART_DELAY_MS).unref();
    });
  }

  async #restart(): Promise<void> {
    if (this.#stopping) return;
    try {
      this.#thread = await spawn(this.config);
      this.#watch(this.#thread);
    } catch (error) {
      this.logger.error({ err: error }, `delivery thread did not start; trying again in ${RESTART_DELAY_MS} ms`);
      setTimeout(() => void this.#restart(), RESTART_DELAY_MS).unref();
    }
  }
}

function spawn(config: Config): Promise<Worker> {
  return spawnThread(new URL('./delivery-thread-entry.js', import.meta.url), { config }, 'delivery thread');
}
