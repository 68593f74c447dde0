import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { AppError } from '../domain/errors.js';
import { normalizeError } from '../http/errors.js';
import { isScope, type Scope } from '../domain/scopes.js';
import { createLogger } from '../logger.js';
import { createApiKey, listApiKeys, listOperatorKeys, revokeApiKey, revokeOperatorKey } from '../services/api-keys.js';
import type { ServiceContext } from '../services/context.js';
import { openContext } from '../services/open-context.js';

const USAGE = `hookd: usage:
  hookd keys create --admin | --workspace ID [--scopes a,b] [--name N] [--user USER_ID]
  hookd keys list --admin | --workspace ID
  hookd keys revoke KEY_ID [--workspace ID]   (an operator key without --workspace)
`;

/** `hookd keys create | list | revoke`: operator and workspace keys, straight on the database. */
export async function keysCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'create' && action !== 'list' && action !== 'revoke') {
    process.stderr.write(USAGE);
    return 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: action === 'revoke',
    options: {
      admin: { type: 'boolean' },
      workspace: { type: 'string' },
      scopes: { type: 'string' },
      name: { type: 'string' },
      user: { type: 'string' },
    },
  });
  if (action === 'revoke' ? positionals.length !== 1 || values.admin : Boolean(values.admin) === Boolean(values.workspace)) {
    process.stderr.write(USAGE);
    return 2;
  }
  const scopes = values.scopes?.split(',').map((s) => s.trim());
  const unknown = scopes?.find((scope) => !isScope(scope));
  if (unknown !== undefined) {
    process.stderr.write(`hookd: unknown scope '${unknown}'\n`);
    return 2;
  }
  const workspaceId = values.workspace ?? null;
  const run = async (ctx: ServiceContext): Promise<number> => {
    switch (action) {
      case 'create': {
        const { key, secret } = await createApiKey(ctx, workspaceId, { name: values.name, scopes: scopes as Scope[] | undefined, user_id: values.user ?? null });
        process.stdout.write(`${secret}\n`);
        process.stderr.write(`created key ${key.id} (${key.scopes.join(' ')}); it is shown only this once\n`);
        return 0;
      }
      case 'list': {
        const keys = workspaceId === null ? await listOperatorKeys(ctx) : await listApiKeys(ctx, workspaceId);
        for (const key of keys) {
          const lastUsed = key.lastUsedAt === null ? 'never used' : `last used ${new Date(key.lastUsedAt).toISOString()}`;
          process.stdout.write(`${key.id}\t${key.prefix}…\t${key.name}\t${key.scopes.join(' ')}\t${lastUsed}\n`);
        }
        return 0;
      }
      case 'revoke': {
        const keyId = positionals[0]!;
        await (workspaceId === null ? revokeOperatorKey(ctx, keyId) : revokeApiKey(ctx, workspaceId, keyId));
        process.stderr.write(`revoked key ${keyId}\n`);
        return 0;
      }
    }
  };
  const ctx = await openContext(loadConfig(env), { logger: createLogger('warn') });
  try {
    return await run(ctx);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    process.stderr.write(`hookd: ${normalizeError(error).detail}\n`);
    return 1;
  } finally {
    await ctx.store.close();
  }
}
