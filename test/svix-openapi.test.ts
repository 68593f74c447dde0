import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { Svix } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, TEST_ADMIN_KEY, type TestHookd } from './support/hookd.js';
import { eventually, Receiver } from './support/receiver.js';

interface Operation {
  responses: Record<string, { content?: { 'application/json'?: { schema: unknown } } }>;
}
type Spec = { paths: Record<string, Record<string, Operation>> };

/** Svix's own OpenAPI document (server/openapi.json at v1.99.1): the contract the SDKs are generated from. */
const spec = JSON.parse(readFileSync(new URL('./fixtures/svix/openapi-v1.99.1.json', import.meta.url), 'utf8')) as Spec;

/** Ajv over the whole document (OpenAPI 3.0: `nullable`, and Svix's integer formats checked by range). */
function validatorOf(): (schema: unknown) => ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  ajv.addFormat('uri', { validate: (text: string) => URL.canParse(text) });
  const range = (min: number, max: number) => ({ type: 'number' as const, validate: (n: number) => Number.isInteger(n) && n >= min && n <= max });
  ajv.addFormat('uint16', range(0, 65_535));
  ajv.addFormat('int16', range(-32_768, 32_767));
  ajv.addFormat('uint32', range(0, 2 ** 32 - 1));
  ajv.addFormat('int64', range(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
  ajv.addFormat('uint64', range(0, Number.MAX_SAFE_INTEGER));
  ajv.addSchema(spec as object, 'svix');
  const cache = new Map<string, ValidateFunction>();
  return (schema) => {
    const key = JSON.stringify(schema);
    if (!cache.has(key)) {
      // Refs inside the document resolve against it: rewrite `#/components/…` to `svix#/components/…`.
      cache.set(key, ajv.compile(JSON.parse(key.replaceAll('"#/components/', '"svix#/components/')) as object));
    }
    return cache.get(key)!;
  };
}

/** The spec operation a request went to: its path template matched segment by segment. */
function operationOf(method: string, path: string): { template: string; operation: Operation } | null {
  for (const [template, operations] of Object.entries(spec.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    const operation = operations[method.toLowerCase()];
    if (operation && pattern.test(path)) return { template, operation };
  }
  return null;
}

interface Exchange {
  method: string;
  path: string;
  status: number;
  body: string;
}

describe.each(STORES)("hookd's answers against Svix's OpenAPI schemas (%s)", (store) => {
  let h: TestHookd;
  let receiver: Receiver;
  const exchanges: Exchange[] = [];
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    h = await startTestHookd(store, { HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true', HOOKD_PUBLIC_URL: 'https://hooks.example.com' }, { listen: true });
    receiver = await Receiver.start();
    // Every answer the SDK gets, as it came off the wire.
    globalThis.fetch = async (input, init) => {
      const response = await realFetch(input, init);
      const url = new URL(String(input instanceof Request ? input.url : input));
      exchanges.push({ method: init?.method ?? 'GET', path: url.pathname, status: response.status, body: await response.clone().text() });
      return response;
    };
  });
  afterAll(async () => {
    globalThis.fetch = realFetch;
    await h?.close();
    await receiver?.close();
  });

  it('validates every answer the SDK got for a tour of the surface', async () => {
    const svix = new Svix(TEST_ADMIN_KEY, { serverUrl: h.hookd.url! });
    const app = await svix.application.create({ name: 'Spec', uid: `spec-${store}`, metadata: { a: 'b' } });
    await svix.application.list({ limit: 1 });
    await svix.application.get(app.id);
    await svix.application.patch(app.id, { name: 'Spec 2' });
    await svix.application.update(app.id, { name: 'Spec 3', uid: `spec-${store}` });
    const typeName = `spec.${store}`;
    await svix.eventType.create({ name: typeName, description: 'spec', schemas: { '1': { type: 'object' } } });
    await svix.eventType.list({ limit: 5 });
    await svix.eventType.get(typeName);
    await svix.eventType.patch(typeName, { description: 'patched' });
    await svix.eventType.update(typeName, { description: 'put', schemas: { '1': { type: 'object' } } });
    const endpoint = await svix.endpoint.create(app.id, { url: `${receiver.url}/spec`, uid: 'spec-ep', channels: ['c1'], filterTypes: [typeName, 'job.completed'] });
    await svix.endpoint.list(app.id);
    await svix.endpoint.get(app.id, endpoint.id);
    await svix.endpoint.patch(app.id, endpoint.id, { description: 'patched' });
    await svix.endpoint.update(app.id, endpoint.id, { url: `${receiver.url}/spec`, channels: ['c1'] });
    await svix.endpoint.getSecret(app.id, endpoint.id);
    await svix.endpoint.rotateSecret(app.id, endpoint.id, {});
    await svix.endpoint.updateHeaders(app.id, endpoint.id, { headers: { 'x-team': 'spec' } });
    await svix.endpoint.patchHeaders(app.id, endpoint.id, { headers: { 'x-more': '1' } });
    await svix.endpoint.getHeaders(app.id, endpoint.id);
    await svix.endpoint.getStats(app.id, endpoint.id);
    const message = await svix.message.create(app.id, { eventType: 'job.completed', payload: { n: 1 }, eventId: 'spec-1', channels: ['c1'], tags: ['t'] });
    await svix.message.list(app.id, { limit: 5 });
    await svix.message.get(app.id, message.id);
    await receiver.waitFor(1);
    const attempts = await eventually(async () => {
      const page = await svix.messageAttempt.listByMsg(app.id, message.id);
      return page.data.length ? page : null;
    });
    await svix.messageAttempt.listByEndpoint(app.id, endpoint.id);
    await svix.messageAttempt.get(app.id, message.id, attempts.data[0]!.id);
    await svix.messageAttempt.listAttemptedMessages(app.id, endpoint.id);
    await svix.messageAttempt.listAttemptedDestinations(app.id, message.id);
    await svix.messageAttempt.resend(app.id, message.id, endpoint.id);
    await svix.endpoint.recover(app.id, endpoint.id, { since: new Date(Date.now() - 3_600_000) });
    await svix.endpoint.sendExample(app.id, endpoint.id, { eventType: typeName });
    await svix.authentication.appPortalAccess(app.id, { readOnly: true });
    await svix.health.get();
    // Error answers have Svix's shapes too.
    await svix.application.get('no-such-app').catch(() => undefined);
    await svix.application.create({ name: 'dup', uid: `spec-${store}` }).catch(() => undefined);
    await svix.message.create(app.id, { eventType: 'job.completed', payload: 1 as never }).catch(() => undefined);

    const validatorFor = validatorOf();
    const problems: string[] = [];
    const checked = new Set<string>();
    for (const exchange of exchanges) {
      const found = operationOf(exchange.method, exchange.path);
      if (!found) {
        problems.push(`${exchange.method} ${exchange.path}: not in Svix's document`);
        continue;
      }
      const answer = found.operation.responses[String(exchange.status)];
      if (!answer) {
        problems.push(`${exchange.method} ${found.template}: status ${exchange.status} is not one Svix documents`);
        continue;
      }
      checked.add(`${exchange.method} ${found.template} ${exchange.status}`);
      const schema = answer.content?.['application/json']?.schema;
      if (!schema) {
        if (exchange.body !== '') problems.push(`${exchange.method} ${found.template} ${exchange.status}: Svix documents no body, got ${exchange.body.slice(0, 80)}`);
        continue;
      }
      const validate = validatorFor(schema);
      if (!validate(JSON.parse(exchange.body))) {
        problems.push(`${exchange.method} ${found.template} ${exchange.status}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
      }
    }
    expect(problems).toEqual([]);
    // The tour reached the operations it meant to, successes and errors alike.
    expect(checked.size).toBeGreaterThanOrEqual(37);
    expect([...checked]).toEqual(expect.arrayContaining(['GET /api/v1/app/{app_id} 404', 'POST /api/v1/app 409', 'POST /api/v1/app/{app_id}/msg 422']));
  });
});
