import { describe, expect, it } from 'vitest';
import { blockedAddressReason } from './target-address.js';
import { webhookUrlProblem } from './webhook-url.js';

describe('target addresses', () => {
  it.each([
    '127.0.0.1',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.169.254',
    '::1',
    'fd00::1',
    'fd00:ec2::254',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '224.0.0.1',
    '::',
    '::7f00:1',
    '::127.0.0.1',
    'fec0::1',
    'ff02::1',
    '2001:db8::1',
  ])('blocks %s', (address) => {
    expect(blockedAddressReason(address)).not.toBeNull();
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])('allows public %s', (address) => {
    expect(blockedAddressReason(address)).toBeNull();
  });

  const strict = { allowHttp: false, allowPrivateTargets: false };
  it.each([
    ['not a url', 'url_parsing'],
    ['ftp://example.com/x', 'url_scheme'],
    ['http://example.com/x', 'url_scheme'],
    ['https://user:pw@example.com/', 'url_credentials'],
    ['https://127.0.0.1/hook', 'url_private_target'],
    ['https://2130706433/hook', 'url_private_target'],
    ['https://0x7f.1/hook', 'url_private_target'],
    ['https://[::1]/hook', 'url_private_target'],
    ['https://[::ffff:127.0.0.1]/hook', 'url_private_target'],
    ['https://localhost/hook', 'url_private_target'],
    ['https://localhost./hook', 'url_private_target'],
    ['https://metadata.google.internal./x', 'url_private_target'],
    ['https://169.254.169.254/latest', 'url_private_target'],
    ['https://[::127.0.0.1]:19001/', 'url_private_target'],
    ['https://[fec0::1]/', 'url_private_target'],
    ['https://example.com:22/', 'url_port'],
    ['https://example.com:25/', 'url_port'],
  ])('refuses %s as %s', (url, type) => {
    expect(webhookUrlProblem(url, strict)?.type).toBe(type);
  });

  it('names the setting that allows a private target', () => {
    expect(webhookUrlProblem('https://10.0.0.1/x', strict)?.msg).toContain('HOOKD_ALLOW_PRIVATE_TARGETS');
  });

  it('accepts public https and, when allowed, http and private targets', () => {
    expect(webhookUrlProblem('https://example.com/hook', strict)).toBeNull();
    for (const port of ['80', '443', '1024', '6379', '8443', '65535']) expect(webhookUrlProblem(`https://example.com:${port}/hook`, strict)).toBeNull();
    expect(
      webhookUrlProblem('http://127.0.0.1:9/x', { allowHttp: true, allowPrivateTargets: true }),
    ).toBeNull();
  });
});
