import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { isScope, type Scope } from '../domain/scopes.js';
import { createLogger } from '../logger.js';
import { openContext } from '../services/open-context.js';
import { createApiKey } from '../services/api-keys.js';

/** `hookd keys create --admin | --workspace ID [--scopes a,b]`: prints the new key once. */
export async function keysCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'create') {
    process.stderr.write('hookd: usage: hookd keys create --admin | --workspace ID [--scopes a,b]\n');
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      admin: { type: 'boolean' },
      workspace: { type: 'string' },
      scopes: { type: 'string' },
      name: { type: 'string' },
      user: { type: 'string' },
    },
  });
  if (Boolean(values.admin) === Boolean(values.workspace)) {
    process.stderr.write('hookd: give exactly one of --admin or --workspace ID\n');
    return 2;
  }
  const scopes = values.scopes?.split(',').map((s) => s.trim());
  const unknown = scopes?.find((scope) => !isScope(scope));
  if (unknown !== undefined) {
    process.stderr.write(`hookd: unknown scope '${unknown}'\n`);
    return 2;
  }
  const config = loadConfig(env);
  const ctx = await openContext(config, { logger: createLogger('warn') });
  try {
    const { key, secret } = await createApiKey(ctx, values.workspace ?? null, {
      name: values.name,
      scopes: scopes as Scope[] | undefined,
      user_id: values.user ?? null,
    });
    process.stdout.write(`${secret}\n`);
    process.stderr.write(`created key ${key.id} (${key.scopes.join(' ')}); it is shown only this once\n`);
    return 0;
  } finally {
    await ctx.store.close();
  }
}
