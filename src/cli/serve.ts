import type { Config } from '../config.js';
import { startHookd } from '../main.js';

/** `hookd serve`: runs until SIGTERM/SIGINT, then drains and exits 0. */
export async function serveCommand(config: Config): Promise<number> {
  const hookd = await startHookd(config, { deliveryThread: true });
  await new Promise<void>((resolve) => {
    const shutdown = (signal: NodeJS.Signals) => {
      hookd.ctx.logger.info({ signal }, 'shutting down');
      process.off('SIGTERM', shutdown);
      process.off('SIGINT', shutdown);
      resolve();
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
  });
  await hookd.stop();
  return 0;
}
