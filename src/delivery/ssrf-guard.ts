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

/**
 * A `lookup` for the socket that resolves the host once, refuses the connection if any answer is private,
 * and connects to exactly the addresses it checked, so a DNS rebinding between check and connect is moot.
 */
export function guardedLookup(resolve: Resolver = systemResolver): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    resolve(hostname).then(
      (answers) => {
        const wanted = answers.filter((a) => !options.family || a.family === options.family);
        const blocked = wanted.map((a) => blockedAddressReason(a.address)).find((reason) => reason !== null);
        if (blocked) return callback(new BlockedTargetError(`${hostname} resolves to a ${blocked} address`));
        if (!wanted.length) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }));
        if (options.all) return callback(null, wanted);
        return callback(null, wanted[0]!.address, wanted[0]!.family);
      },
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
