import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ kind: 'sqlite', path: './data/hookd.db', synchronous: 'normal' });
    expect(config.port).toBe(8080);
    expect(config.retryScheduleMs).toEqual([10_000, 60_000, 300_000]);
    expect(config.requestTimeoutMs).toBe(15_000);
    expect(config.allowHttp).toBe(false);
    expect(config.allowPrivateTargets).toBe(false);
    expect(config.disableAfter).toBe(50);
    expect(config.maxPayloadBytes).toBe(256 * 1024);
    expect(config.defaultEvents).toEqual(['job.completed']);
    expect(config.retentionMs).toBe(30 * 86_400_000);
    expect(config.logLevel).toBe('info');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ['sqlite:/tmp/x.db', { kind: 'sqlite', path: '/tmp/x.db', synchronous: 'normal' }],
    ['file:./y.db', { kind: 'sqlite', path: './y.db', synchronous: 'normal' }],
    ['data/z.db', { kind: 'sqlite', path: 'data/z.db', synchronous: 'normal' }],
    ['postgres://u:p@h/db', { kind: 'postgres', url: 'postgres://u:p@h/db' }],
    ['postgresql://u:p@h/db', { kind: 'postgres', url: 'postgresql://u:p@h/db' }],
  ])('reads DATABASE_URL %s', (url, expected) => {
    expect(loadConfig({ DATABASE_URL: url, HOOKD_ENCRYPTION_KEY: 'a'.repeat(64) }).database).toEqual(
      expected,
    );
  });

  it('lets --dev allow http and private targets, and flags override the environment', () => {
    const config = loadConfig({ HOOKD_PORT: '9000' }, { dev: true, port: '9100' });
    expect(config.allowHttp && config.allowPrivateTargets).toBe(true);
    expect(config.port).toBe(9100);
  });

  it.each([
    [{ HOOKD_PORT: 'abc' }, 'HOOKD_PORT'],
    [{ HOOKD_PORT: '70000' }, 'HOOKD_PORT'],
    [{ HOOKD_ALLOW_HTTP: 'yes' }, 'HOOKD_ALLOW_HTTP'],
    [{ HOOKD_RETRY_SCHEDULE: '10s,soon' }, 'HOOKD_RETRY_SCHEDULE'],
    [{ HOOKD_REQUEST_TIMEOUT: 'forever' }, 'HOOKD_REQUEST_TIMEOUT'],
    [{ HOOKD_MAX_PAYLOAD: 'big' }, 'HOOKD_MAX_PAYLOAD'],
    [{ HOOKD_LOG_LEVEL: 'loud' }, 'HOOKD_LOG_LEVEL'],
    [{ HOOKD_ENCRYPTION_KEY: 'short' }, 'HOOKD_ENCRYPTION_KEY'],
    [{ DATABASE_URL: 'postgres://h/db' }, 'HOOKD_ENCRYPTION_KEY'],
    [{ DATABASE_URL: 'mysql://h/db' }, 'DATABASE_URL'],
    [{ HOOKD_JWT_SECRET: 'short' }, 'HOOKD_JWT_SECRET'],
    [{ HOOKD_PROXY_URL: 'smokescreen:4750' }, 'HOOKD_PROXY_URL'],
    [{ HOOKD_PROXY_URL: 'http://proxy/path' }, 'HOOKD_PROXY_URL'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
  ])('rejects %o naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrowError(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message).toContain(variable);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('reads the egress proxy and the OTLP endpoint, and never repeats a proxy password in an error', () => {
    expect(loadConfig({}).proxyUrl).toBeNull();
    expect(loadConfig({ HOOKD_PROXY_URL: 'http://user:pw@smokescreen:4750' }).proxyUrl).toBe('http://user:pw@smokescreen:4750/');
    expect(() => loadConfig({ HOOKD_PROXY_URL: 'ftp://user:hunter2@proxy' })).toThrowError(/^(?!.*hunter2)/);
    expect(loadConfig({}).otlpTracesUrl).toBeNull();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).otlpTracesUrl).toBe('http://collector:4318/v1/traces');
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/traces' }).otlpTracesUrl).toBe('http://b:4318/traces');
  });

  it('accepts 1/0 booleans', () => {
    expect(loadConfig({ HOOKD_ALLOW_HTTP: '1' }).allowHttp).toBe(true);
    expect(loadConfig({ HOOKD_ALLOW_HTTP: '0' }).allowHttp).toBe(false);
  });
});
