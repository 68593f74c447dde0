import pino, { type DestinationStream, type Logger } from 'pino';
import { createRequire } from 'node:module';
import type { Config, LogLevel } from './config.js';

/** Lines a person reads (`hookd serve --dev`): one line per entry with its fields, colours on a terminal. */
export function readableLogStream(): DestinationStream {
  // Loaded only when asked for: JSON-logging processes (production, the delivery thread) never pay for it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return pretty({
    destination: 1,
    sync: true,
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    singleLine: true,
  });
}

/**
 * The root logger: JSON lines, or readable ones in `--dev`. Credentials and secrets are redacted
 * wherever they could appear.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'hookd' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-api-key"]',
          'secret',
          '*.secret',
          'key',
          '*.key',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** The logger a hookd process runs with: its level and format. */
export function loggerFor(config: Pick<Config, 'logLevel' | 'logFormat'>): Logger {
  return createLogger(config.logLevel, config.logFormat === 'pretty' ? readableLogStream() : undefined);
}
