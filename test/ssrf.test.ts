import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSender } from '../src/delivery/http-sender.js';
import { BlockedTargetError, guardedLookup } from '../src/delivery/ssrf-guard.js';
import { Receiver } from './support/receiver.js';

describe('SSRF guard at connect time', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await Receiver.start();
  });
  afterAll(() => receiver.close());

  const port = () => new URL(receiver.url).port;
  const sender = (answers: Record<string, string[]>) => {
    let calls = 0;
    const resolve = async (hostname: string) => {
      const list = calls++ === 0 || !answers[`${hostname}#2`] ? answers[hostname] : answers[`${hostname}#2`];
      if (!list) throw Object.assign(new Error(`no such host ${hostname}`), { code: 'ENOTFOUND' });
      return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    return new HttpSender({ timeoutMs: 2000, retryAfterCapMs: 60_000, allowPrivateTargets: false, resolve, now: Date.now });
  };

  it.each([
    '127.0.0.1', '10.0.0.1', '172.16.0.1', '192.168.1.1', '100.64.0.1', '169.254.169.254', '0.0.0.0', '::1', '::ffff:127.0.0.1', 'fd00::1', 'fe80::1',
  ])('refuses a name that resolves to %s, with no connection made', async (address) => {
    const before = receiver.connections;
    const s = sender({ 'evil.example': [address] });
    const result = await s.send(`http://evil.example:${port()}/x`, {}, '{}');
    await s.close();
    expect(result.outcome.kind).toBe('blocked');
    expect(receiver.connections).toBe(before);
  });

  it('refuses a name with any private answer among public ones', async () => {
    const s = sender({ 'mixed.example': ['93.184.216.34', '127.0.0.1'] });
    expect((await s.send(`http://mixed.example:${port()}/`, {}, '{}')).outcome.kind).toBe('blocked');
    await s.close();
  });

  it.each(['http://127.0.0.1', 'http://[::1]', 'http://2130706433', 'http://0x7f.1', 'http://[::ffff:127.0.0.1]'])(
    'refuses the literal target %s without connecting',
    async (base) => {
      const before = receiver.connections;
      const s = sender({});
      const result = await s.send(`${base}:${port()}/x`, {}, '{}');
      await s.close();
      expect(result.outcome.kind).toBe('blocked');
      expect(receiver.connections).toBe(before);
    },
  );

  it('connects to exactly the address it checked, and re-checks on every connection (DNS rebinding)', async () => {
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    const lookup = guardedLookup(async () => answers.shift()!.map((address) => ({ address, family: 4 })));
    const call = () =>
      new Promise<{ error: unknown; address: unknown }>((resolve) =>
        lookup('rebind.example', { all: true }, (error: unknown, address: unknown) => resolve({ error, address })),
      );
    // First resolution is public: the socket is handed that very address, with no second lookup.
    expect(await call()).toEqual({ error: null, address: [{ address: '93.184.216.34', family: 4 }] });
    // The name now points at loopback: the next connection is refused before it is made.
    const second = await call();
    expect(second.error).toBeInstanceOf(BlockedTargetError);
    expect(answers).toHaveLength(0);
  });

  it('treats a DNS failure as an ordinary retryable network error', async () => {
    const s = sender({});
    const result = await s.send('http://nowhere.example/', {}, '{}');
    await s.close();
    expect(result.outcome).toEqual({ kind: 'network', code: 'ENOTFOUND' });
  });
});
