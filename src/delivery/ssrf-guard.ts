import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { blockedAddressReason, ipLiteralOfHost } from '../domain/target-address.js';

/** Raised when a target resolves to an address hookd may not reach. */
export class BlockedTargetError extends Error {
  readonly code = 'HOOKD_BLOCKED_TARGET';
  constructor(readonly reason: string) {
    super(`target blocked: ${reason}`);
  }
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** The host's addresses (of `family`, when given); rejects with BlockedTargetError if any is private. */
export async function resolvePublic(hostname: string, resolve: Resolver = systemResolver, family?: number): Promise<{ address: string; family: number }[]> {
  const answers = (await resolve(hostname)).filter((a) => !family || a.family === family);
  const blocked = answers.map((a) => blockedAddressReason(a.address)).find((reason) => reason !== null);
  if (blocked) throw new BlockedTargetError(`${hostname} resolves to a ${blocked} address`);
  if (!answers.length) throw Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
  return answers;
}

/**
 * A `lookup` for the socket that resolves the host once, refuses the connection if any answer is private,
 * and connects to exactly the addresses it checked, so a DNS rebinding between check and connect is moot.
 */
export function guardedLookup(resolve: Resolver = systemResolver): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    resolvePublic(hostname, resolve, options.family).then(
      (answers) => (options.all ? callback(null, answers) : callback(null, answers[0]!.address, answers[0]!.family)),
      (error) => callback(error),
    );
  }) as LookupFunction;
}

/** Why a URL with an IP-literal host may not be reached (sockets skip `lookup` for literals), or null. */
export function literalTargetProblem(url: URL): string | null {
  const literal = ipLiteralOfHost(url.hostname);
  const reason = literal ? blockedAddressReason(literal) : null;
  return reason ? `${url.hostname} is a ${reason} address` : null;
}
