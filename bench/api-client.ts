import { Agent, request } from 'undici';

// A bounded pool: a publisher faster than hookd queues requests here instead of opening sockets without end.
const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

/** Minimal admin/workspace API calls the benchmarks need. */
export class ApiClient {
  constructor(
    readonly url: string,
    readonly key: string,
  ) {}

  async call<T = any>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await request(`${this.url}${path}`, {
      method,
      dispatcher: agent,
      headers: { 'x-api-key': this.key, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async workspace(): Promise<string> {
    const created = await this.call('POST', '/api/v1/admin/workspaces', { name: `bench-${Date.now()}` });
    if (created.status !== 201) throw new Error(`workspace: ${JSON.stringify(created.body)}`);
    return created.body.id;
  }

  /** A new workspace key with every workspace scope: what a producer publishes with. */
  async workspaceKey(workspaceId: string): Promise<string> {
    const created = await this.call('POST', `/api/v1/admin/workspaces/${workspaceId}/api-keys`, { name: 'bench' });
    if (created.status !== 201) throw new Error(`api key: ${JSON.stringify(created.body)}`);
    return created.body.key;
  }

  async webhook(workspaceId: string, url: string): Promise<string> {
    const created = await this.call('POST', `/api/v1/workspaces/${workspaceId}/webhooks`, { url, events: ['job.completed'] });
    if (created.status !== 201) throw new Error(`webhook: ${JSON.stringify(created.body)}`);
    return created.body.id;
  }

  /** Publishes `count` events in batches of `batch` (500). */
  async publish(workspaceId: string, count: number, data: (i: number) => unknown = (i) => ({ n: i }), batch = 500): Promise<void> {
    for (let sent = 0; sent < count; sent += batch) {
      const events = Array.from({ length: Math.min(batch, count - sent) }, (_, i) => ({ type: 'job.completed', data: data(sent + i) }));
      const reply = await this.call('POST', `/api/v1/workspaces/${workspaceId}/events`, { events });
      if (reply.status !== 202) throw new Error(`publish: ${reply.status} ${JSON.stringify(reply.body)}`);
    }
  }
}
