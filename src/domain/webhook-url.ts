import { blockedAddressReason, ipLiteralOfHost } from './target-address.js';

export interface TargetPolicy {
  allowHttp: boolean;
  allowPrivateTargets: boolean;
}

/**
 * Checks a webhook URL without resolving DNS: absolute http(s), https unless allowed, no credentials,
 * and no literal private address. Answers the problem as `{type, msg}` or null when the URL is acceptable.
 */
export function webhookUrlProblem(text: string, policy: TargetPolicy): { type: string; msg: string } | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { type: 'url_parsing', msg: 'must be an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { type: 'url_scheme', msg: 'must use https (or http where allowed)' };
  }
  if (url.protocol === 'http:' && !policy.allowHttp) {
    return { type: 'url_scheme', msg: 'must use https; plain http is disabled (HOOKD_ALLOW_HTTP)' };
  }
  if (url.username || url.password) return { type: 'url_credentials', msg: 'must not contain credentials' };
  if (text.length > 2048) return { type: 'url_too_long', msg: 'must be at most 2048 characters' };
  if (!policy.allowPrivateTargets && !isWebPort(url)) {
    return {
      type: 'url_port',
      msg: 'must use port 80, 443 or 1024-65535 (ports of other services such as 22 or 25 are refused); HOOKD_ALLOW_PRIVATE_TARGETS=true allows any',
    };
  }
  if (!policy.allowPrivateTargets) {
    // The WHATWG parser already turns http://2130706433 and http://0x7f.1 into 127.0.0.1.
    const literal = ipLiteralOfHost(url.hostname);
    const reason = literal ? blockedAddressReason(literal) : isLocalName(url.hostname) ? 'loopback' : null;
    if (reason) {
      return {
        type: 'url_private_target',
        msg: `must not target a private address (${reason}); HOOKD_ALLOW_PRIVATE_TARGETS=true (or hookd serve --dev) allows it`,
      };
    }
  }
  return null;
}

// Below 1024 only HTTP's own ports: the rest belong to services (SSH, SMTP, …) a webhook has no business
// talking to. Above, receivers commonly listen anywhere (8080, 8443, 3000, …). An empty port is the scheme's.
const isWebPort = (url: URL): boolean => {
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return port === 80 || port === 443 || port >= 1024;
};

// A trailing dot names the same host (`localhost.`), so it is dropped before comparing.
const isLocalName = (name: string): boolean => {
  const host = name.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal');
};
