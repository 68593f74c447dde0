import type { Config } from '../config.js';
import { startHookd } from '../main.js';
import { VERSION } from '../version.js';
import { watchParent } from './parent-watch.js';

/** `hookd serve`: runs until SIGTERM/SIGINT (or its launcher goes away), then drains and exits 0. */
export async function serveCommand(config: Config): Promise<number> {
  const hookd = await startHookd(config, { deliveryThread: true });
  if (hookd.url) process.stderr.write(banner(hookd.url, config));
  await new Promise<void>((resolve) => {
    const shutdown = (reason: string) => {
      hookd.ctx.logger.info({ reason }, 'shutting down');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      clearInterval(parentWatch);
      resolve();
    };
    const onSignal = (signal: NodeJS.Signals) => shutdown(signal);
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    const parentWatch = watchParent(() => shutdown('parent process exited'));
  });
  await hookd.stop();
  return 0;
}

/** What a person starting hookd wants to see: where the API, its docs and the dashboard are. */
function banner(url: string, config: Config): string {
  const base = url.replace('://0.0.0.0:', '://localhost:').replace('://[::]:', '://localhost:');
  const lines = [
    `hookd ${VERSION} (${config.role}, ${config.database.kind}) listening on ${url}`,
    ...(config.role === 'worker' ? [] : [`  API        ${base}/api/v1`, `  docs       ${base}/docs`, `  dashboard  ${base}/dashboard`]),
    `  metrics    ${base}/metrics`,
  ];
  if (config.dev) lines.push('  --dev: plain http:// and private targets allowed; listening on 127.0.0.1 unless --host is given');
  return `${lines.join('\n')}\n`;
}
