import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, Receiver } from './support/receiver.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'hookd.js');

function run(args: string[], env: Record<string, string> = {}, cwd?: string) {
  return spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, ...env },
    cwd,
    encoding: 'utf8',
    timeout: 20_000,
  });
}

/** Waits for the `hookd started` log line and answers its URL. */
function waitForStart(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no start line: ${output}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.includes('"hookd started"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line).url);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
}

describe('hookd CLI (subprocess)', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-cli-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('prints its version and help', () => {
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('hookd serve');
    expect(run(['frobnicate']).status).toBe(2);
  });

  it('exits 2 with one line naming a bad setting', () => {
    const result = run(['serve'], { HOOKD_PORT: 'abc' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('HOOKD_PORT');
  });

  it('migrates, creates an admin key, serves and delivers (from its delivery thread), and drains on SIGTERM', async () => {
    const dir = tempDir();
    const env = { DATABASE_URL: join(dir, 'db', 'hookd.db'), HOOKD_LOG_LEVEL: 'info' };
    const migrated = run(['migrate'], env);
    expect(migrated.status).toBe(0);
    expect(migrated.stdout).toContain('001-initial');
    const key = run(['keys', 'create', '--admin'], env);
    expect(key.status).toBe(0);
    // The generated encryption key file is private to its owner.
    expect(statSync(join(dir, 'db', 'hookd.key')).mode & 0o777).toBe(0o600);
    const adminKey = key.stdout.trim();
    expect(adminKey).toMatch(/^hk_/);

    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      env: { PATH: process.env.PATH, ...env, HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const url = await waitForStart(child);
    const created = await fetch(`${url}/api/v1/admin/workspaces`, {
      method: 'POST',
      headers: { 'x-api-key': adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cli' }),
    });
    expect(created.status).toBe(201);
    expect((await fetch(`${url}/api/v1/admin/workspaces`)).status).toBe(401);

    const receiver = await Receiver.start();
    try {
      const headers = { 'x-api-key': adminKey, 'content-type': 'application/json' };
      const base = `${url}/api/v1/workspaces/${(await created.json()).id}`;
      const hook = await fetch(`${base}/webhooks`, { method: 'POST', headers, body: JSON.stringify({ url: receiver.url }) });
      expect(hook.status).toBe(201);
      const published = await fetch(`${base}/events`, { method: 'POST', headers, body: JSON.stringify({ type: 'job.completed', data: {} }) });
      expect(published.status).toBe(202);
      await receiver.waitFor(1);
      // /metrics joins the API thread's metrics and the delivery thread's.
      await eventually(async () => {
        const metrics = await (await fetch(`${url}/metrics`)).text();
        return /hookd_delivery_attempts_total\{outcome="success"\} 1\b/.test(metrics) && /hookd_queue_depth 0\b/.test(metrics);
      });
    } finally {
      await receiver.close();
    }

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('runs the API and a worker as two processes on one database file: the worker delivers and the API reads its records', async () => {
    const env = { PATH: process.env.PATH!, DATABASE_URL: join(tempDir(), 'hookd.db'), HOOKD_LOG_LEVEL: 'info', HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true' };
    expect(run(['migrate'], env).status).toBe(0);
    const adminKey = run(['keys', 'create', '--admin'], env).stdout.trim();
    const start = (role: string) => {
      const child = spawn(process.execPath, [BIN, 'serve', '--role', role, '--port', '0', '--host', '127.0.0.1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      return child;
    };
    const url = await waitForStart(start('api'));
    const worker = start('worker');
    const workerUrl = await waitForStart(worker);
    const receiver = await Receiver.start();
    try {
      const headers = { 'x-api-key': adminKey, 'content-type': 'application/json' };
      const created = await fetch(`${url}/api/v1/admin/workspaces`, { method: 'POST', headers, body: JSON.stringify({ name: 'split' }) });
      const base = `${url}/api/v1/workspaces/${(await created.json()).id}`;
      const hook = await fetch(`${base}/webhooks`, { method: 'POST', headers, body: JSON.stringify({ url: receiver.url }) });
      expect(hook.status).toBe(201);
      const hookId = ((await hook.json()) as { id: string }).id;
      const events = Array.from({ length: 5 }, (_, n) => ({ type: 'job.completed', data: { n } }));
      expect((await fetch(`${base}/events`, { method: 'POST', headers, body: JSON.stringify({ events }) })).status).toBe(202);
      await receiver.waitFor(5);
      // The worker committed each attempt: the API process reads them from the shared file.
      await eventually(async () => {
        const succeeded = (await (await fetch(`${base}/webhooks/${hookId}/deliveries?status=succeeded`, { headers })).json()) as unknown[];
        return succeeded.length === 5;
      });
      expect(await (await fetch(`${workerUrl}/metrics`)).text()).toMatch(/hookd_delivery_attempts_total\{outcome="success"\} 5\b/);
    } finally {
      await receiver.close();
    }
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);

  it('lists and revokes operator keys (and workspace keys) from the command line and the API', async () => {
    const env = { DATABASE_URL: join(tempDir(), 'hookd.db') };
    const first = run(['keys', 'create', '--admin', '--name', 'ops'], env);
    const second = run(['keys', 'create', '--admin', '--name', 'ci'], env);
    const idOf = (result: ReturnType<typeof run>) => /created key (key_\w+)/.exec(result.stderr)![1]!;
    const listed = run(['keys', 'list', '--admin'], env);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(idOf(first));
    expect(listed.stdout).toContain(idOf(second));
    expect(listed.stdout).not.toContain(first.stdout.trim()); // the secret is never shown again
    const revoked = run(['keys', 'revoke', idOf(first)], env);
    expect(revoked.status).toBe(0);
    expect(run(['keys', 'list', '--admin'], env).stdout).not.toContain(idOf(first));
    const again = run(['keys', 'revoke', idOf(first)], env);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('not found');
    expect(run(['keys', 'frobnicate'], env).status).toBe(2);

    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1'], { env: { PATH: process.env.PATH, ...env, HOOKD_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const url = await waitForStart(child);
    const as = (key: string) => ({ headers: { 'x-api-key': key } });
    expect((await fetch(`${url}/api/v1/admin/api-keys`, as(first.stdout.trim()))).status).toBe(401);
    const keys = (await (await fetch(`${url}/api/v1/admin/api-keys`, as(second.stdout.trim()))).json()) as { id: string }[];
    expect(keys.map((k) => k.id)).toEqual([idOf(second)]);
    const third = run(['keys', 'create', '--admin'], env);
    expect((await fetch(`${url}/api/v1/admin/api-keys/${idOf(second)}`, { method: 'DELETE', ...as(third.stdout.trim()) })).status).toBe(204);
    expect((await fetch(`${url}/api/v1/admin/api-keys`, as(second.stdout.trim()))).status).toBe(401);
  }, 90_000); // several `hookd` processes one after another: on a busy 2-core machine each start can take seconds

  it('starts a worker without its health port when that port is taken, instead of failing', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((taken.address() as AddressInfo).port);
      const child = spawn(process.execPath, [BIN, 'serve', '--role', 'worker', '--port', port, '--host', '127.0.0.1'], {
        env: { PATH: process.env.PATH, DATABASE_URL: join(tempDir(), 'hookd.db'), HOOKD_LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      expect(await waitForStart(child)).toBeNull();
    } finally {
      taken.close();
    }
  });

  it('--dev listens on 127.0.0.1 unless told otherwise, and the banner names the API, docs and dashboard', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--dev', '--port', '0'], {
      env: { PATH: process.env.PATH, DATABASE_URL: join(tempDir(), 'hookd.db'), HOOKD_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await waitForStart(child);
    expect(new URL(url).hostname).toBe('127.0.0.1');
    await eventually(async () => stderr.includes('/dashboard'));
    expect(stderr).toContain(`${url}/api/v1`);
    expect(stderr).toContain(`${url}/docs`);
    expect(stderr).toContain(`${url}/dashboard`);
  });

  it('on a port already in use, says so and suggests --port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((taken.address() as AddressInfo).port);
      const result = run(['serve', '--port', port, '--host', '127.0.0.1'], { DATABASE_URL: join(tempDir(), 'hookd.db'), HOOKD_LOG_LEVEL: 'silent' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('EADDRINUSE');
      expect(result.stderr).toContain('--port');
    } finally {
      taken.close();
    }
  });

  it('writes readable log lines when asked (HOOKD_LOG_FORMAT=pretty; the default in --dev on a terminal)', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--dev', '--port', '0'], {
      env: { PATH: process.env.PATH, DATABASE_URL: join(tempDir(), 'hookd.db'), HOOKD_LOG_FORMAT: 'pretty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await eventually(async () => stdout.includes('hookd started'));
    const line = stdout.split('\n').find((l) => l.includes('hookd started'))!;
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO/);
    expect(() => JSON.parse(line)).toThrow();
  });

  it('stops when `npx hookd serve` is stopped with SIGTERM (npm does not pass it on), freeing its port', async () => {
    const root = join(import.meta.dirname, '..');
    const npx = spawn('npx', ['--offline', 'hookd', 'serve', '--port', '0', '--host', '127.0.0.1'], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME ?? tempDir(), DATABASE_URL: join(tempDir(), 'hookd.db'), HOOKD_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(npx);
    let started = '';
    npx.stdout!.on('data', (chunk: Buffer) => (started += chunk.toString()));
    // npm's first `npx` in a fresh clone links the project into its cache, which takes 15 s or more.
    const line = await eventually(async () => started.split('\n').find((l) => l.includes('"hookd started"')), 100_000);
    const { url } = JSON.parse(line) as { url: string };
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    npx.kill('SIGTERM');
    // hookd notices that its launcher is gone, drains and exits: its port stops answering.
    await eventually(async () => fetch(`${url}/healthz`, { headers: { connection: 'close' } }).then(() => false, () => true), 15_000);
  }, 130_000);

  it('`hookd listen` stops with its launcher too (`npx hookd listen &` then `kill %1`), and says when its port is taken', async () => {
    const root = join(import.meta.dirname, '..');
    const npx = spawn('npx', ['--offline', 'hookd', 'listen', '--port', '0'], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME ?? tempDir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(npx);
    let output = '';
    npx.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await eventually(async () => /receiving on (http:\/\/\S+)\//.exec(output)?.[1], 100_000);
    const { port } = new URL(url);
    const taken = run(['listen', '--port', port]);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain('--port');
    npx.kill('SIGTERM');
    await eventually(async () => fetch(`${url}/healthz`, { headers: { connection: 'close' } }).then(() => false, () => true), 15_000);
  }, 130_000);

  it('tells how to create the first admin key on an empty database', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      env: { PATH: process.env.PATH, DATABASE_URL: join(dir, 'hookd.db') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitForStart(child);
    expect(output).toContain('hookd keys create --admin');
  });
});
