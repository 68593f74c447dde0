import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { VERSION } from '../version.js';
import { keysCommand } from './keys.js';
import { listenCommand } from './listen.js';
import { migrateCommand } from './migrate.js';
import { serveCommand } from './serve.js';

const HELP = `hookd ${VERSION} — self-hostable webhook service

Usage:
  hookd serve [--dev] [--role all|api|worker] [--port N] [--host H]
  hookd migrate
  hookd keys create --admin [--name N]
  hookd keys create --workspace ID [--scopes a,b] [--name N] [--user USER_ID]
  hookd keys list --admin | --workspace ID
  hookd keys revoke KEY_ID [--workspace ID]
  hookd listen [--port N] [--secret S]   local receiver that verifies and prints deliveries
  hookd --help | --version

Configuration comes from environment variables (see README.md); flags override them.
`;

/** Runs one `hookd` command and answers its exit code (2 for bad usage or configuration). */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(HELP);
        return command === undefined ? 2 : 0;
      case '--version':
      case '-v':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case 'serve': {
        const { values } = parseArgs({
          args: rest,
          options: {
            dev: { type: 'boolean' },
            role: { type: 'string' },
            port: { type: 'string' },
            host: { type: 'string' },
          },
        });
        return await serveCommand(loadConfig(env, { ...values, terminal: process.stdout.isTTY === true }));
      }
      case 'migrate':
        parseArgs({ args: rest, options: {} });
        return await migrateCommand(loadConfig(env));
      case 'keys':
        return await keysCommand(rest, env);
      case 'listen':
        return await listenCommand(rest);
      default:
        process.stderr.write(`hookd: unknown command '${command}'\n${HELP}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`hookd: ${error.message}\n`);
      return 2;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`hookd: ${(error as Error).message}\n`);
      return 2;
    }
    const failure = error as NodeJS.ErrnoException;
    const hint = failure.code === 'EADDRINUSE' ? ': another process holds that port; choose another with --port N' : '';
    process.stderr.write(`hookd: ${failure.message}${hint}\n`);
    return 1;
  }
}
