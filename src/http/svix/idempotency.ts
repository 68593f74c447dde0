import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';
import {
  claimIdempotencyKey,
  findIdempotentAnswer,
  IDEMPOTENCY_REPLAY_MS,
  releaseIdempotencyClaim,
  storeIdempotentAnswer,
} from '../../storage/idempotent-requests.js';
import { credentialKey } from '../auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The idempotency claim this request holds, to store its answer under. */
    idempotencyClaim: string | null;
  }
  interface FastifyContextConfig {
    /** false on a route whose answer holds a credential: it must never be stored for replay. */
    idempotentReplay?: boolean;
  }
}

/** How long a repeat waits for the first request to finish. */
const IN_PROGRESS_WAIT_MS = 10_000;

/**
 * Every POST with an `idempotency-key` (Svix SDKs send one on each) runs once per credential and key: a
 * repeat within 12 h gets the first answer again (`idempotent-replayed: true`), a repeat while the first
 * runs waits for it, and the same key with another request is a 409. A 5xx is not kept, so a retry runs again.
 */
export function replayIdempotentPosts(app: FastifyInstance): void {
  const { ctx } = app.deps;
  app.decorateRequest('idempotencyClaim', null);
  app.addHook('preHandler', async (request, reply) => {
    const given = request.headers['idempotency-key'];
    if (request.method !== 'POST' || typeof given !== 'string' || given === '' || !request.principal) return;
    // A route whose answer is a credential opts out: replaying it would mean storing the credential readable.
    if (request.routeOptions.config.idempotentReplay === false) return;
    if (given.length > 256) throw new AppError('validation_failed', 'idempotency-key too long', [{ loc: ['header', 'idempotency-key'], msg: 'must be at most 256 characters', type: 'string_too_long' }]);
    const key = `${credentialKey(request.principal)}:${given}`;
    const hash = createHash('sha256').update(`${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('base64url');
    const deadline = Date.now() + IN_PROGRESS_WAIT_MS;
    for (;;) {
      const now = ctx.clock.now();
      if (await claimIdempotencyKey(ctx.store.db, key, hash, now)) {
        request.idempotencyClaim = key;
        return;
      }
      const stored = await findIdempotentAnswer(ctx.store.db, key);
      if (stored && stored.createdAt < now - IDEMPOTENCY_REPLAY_MS) await releaseIdempotencyClaim(ctx.store.db, key);
      else if (stored && stored.requestHash !== hash) throw new AppError('idempotency_key_reused', 'this idempotency-key was used for a different request');
      else if (stored && stored.status !== null) {
        reply.header('idempotent-replayed', 'true');
        return reply.status(stored.status).type('application/json').send(stored.body === '' ? undefined : stored.body);
      } else if (Date.now() > deadline) throw new AppError('idempotency_key_in_progress');
      else await new Promise((resolve) => setTimeout(resolve, 25));
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const key = request.idempotencyClaim;
    if (!key) return payload;
    request.idempotencyClaim = null;
    if (reply.statusCode >= 500) await releaseIdempotencyClaim(ctx.store.db, key);
    else await storeIdempotentAnswer(ctx.store.db, key, reply.statusCode, typeof payload === 'string' ? payload : '');
    return payload;
  });
}
