import ipaddr from 'ipaddr.js';

// Ranges a webhook may never reach unless private targets are allowed: everything but the public internet.
const BLOCKED_RANGES = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'carrierGradeNat',
  'private',
  'reserved',
  'uniqueLocal',
  'ipv4Mapped',
  'rfc6145',
  'rfc6052',
  '6to4',
  'teredo',
  'benchmarking',
  'amt',
  'as112',
  'as112v6',
  'orchid2',
  'droneRemoteIdProtocolEntityTags',
  'deprecated',
  'discard',
]);

const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

/** Why an IP address is not a public target (e.g. `loopback`), or null if it is public. */
export function blockedAddressReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid_address';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    // ::ffff:127.0.0.1 and friends are judged by the IPv4 address they carry.
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
    // IPv6 by allow-list: only global unicast (2000::/3) is the public internet. A deny-list let through
    // IPv4-compatible ::7f00:1 (127.0.0.1) and site-local fec0::/10.
    else if (!v6.match(GLOBAL_UNICAST)) return 'not_global_unicast';
  }
  const range = parsed.range();
  return BLOCKED_RANGES.has(range) ? range : null;
}

/** The IP literal in a URL host (`[::1]` → `::1`), or null if the host is a name. */
export function ipLiteralOfHost(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (bare.includes(':') || /^[\d.]+$/.test(bare)) ? bare : null;
}
