import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

/** The root logger. Credentials and secrets are redacted wherever they could appear. */
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
