// Svix's own JS SDK end-to-end test, `javascript/src/KitchenSink.test.ts` at tag v1.99.1 of
// svix/svix-webhooks, run against hookd: the body below is theirs unchanged; only the harness differs
// (vitest instead of node:test, the client pointed at a hookd started here instead of SVIX_TOKEN and
// SVIX_SERVER_URL, and `svix` and its HttpErrorOut imported from the package instead of the SDK's source).
import { strict as assert } from 'node:assert/strict';
import { type ApiException, Svix } from 'svix';
import type { HttpErrorOut } from 'svix';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, TEST_ADMIN_KEY, type TestHookd } from './support/hookd.js';

describe.each(STORES)("Svix's KitchenSink e2e test against hookd (%s)", (store) => {
  let h: TestHookd;
  let client: Svix | null = null;
  beforeAll(async () => {
    h = await startTestHookd(store, { HOOKD_ROLE: 'api' }, { listen: true });
    client = new Svix(TEST_ADMIN_KEY, { serverUrl: h.hookd.url! });
  });
  afterAll(() => h?.close());

  it('endpoint crud', async () => {
    if (client === null || client === undefined) {
      throw new Error('unreachable');
    }

    const appOut = await client.application.create({ name: 'App' });
    try {
      await client.eventType.create({
        name: 'event.started',
        description: 'Something started',
      });
    } catch (e) {
      // Conflicts are expected from test run to test run, but other statuses are not.
      assert.deepEqual((e as ApiException<HttpErrorOut>).code, 409);
    }
    try {
      await client.eventType.create({
        name: 'event.ended',
        description: 'Something ended',
      });
    } catch (e) {
      // Conflicts are expected from test run to test run, but other statuses are not.
      assert.deepEqual((e as ApiException<HttpErrorOut>).code, 409);
    }

    const epOut = await client.endpoint.create(appOut.id, {
      url: 'https://example.svix.com/',
      channels: ['ch0', 'ch1'],
    });
    assert.deepEqual(epOut.channels?.sort(), ['ch0', 'ch1']);
    assert.deepEqual(epOut.filterTypes || [], []);

    const epPatched = await client.endpoint.patch(appOut.id, epOut.id, {
      filterTypes: ['event.started', 'event.ended'],
    });

    assert.deepEqual(epPatched.channels?.sort(), ['ch0', 'ch1']);
    assert.deepEqual(epPatched.filterTypes?.sort(), ['event.ended', 'event.started']);

    // Should not throw an error while trying to deserialize the empty body.
    await client.endpoint.delete(appOut.id, epOut.id);
  });
});
