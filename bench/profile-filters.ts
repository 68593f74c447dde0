// What payload filters cost at publish: one event matched against the filters of 10 000 webhooks in one
// workspace, in process (the same `reachedBy` the publish path runs), against the same webhooks without
// filters. `node dist-bench/bench/profile-filters.js [webhooks] [rounds]`
import { performance } from 'node:perf_hooks';
import { eventPayload } from '../src/domain/event-payload.js';
import { reachedBy, type Subscriber } from '../src/storage/subscriptions.js';

const webhooks = Number(process.argv[2] ?? 10_000);
const rounds = Number(process.argv[3] ?? 200);

// Filters of the shapes customers write: a plain match, a range with a list, a compound.
const shapes = [
  (i: number) => ({ data: { customer_id: `c_${i}` } }),
  (i: number) => ({ data: { amount: { $gte: i % 500 }, currency: { $in: ['EUR', 'USD'] } } }),
  (i: number) => ({ $or: [{ type: { $startsWith: 'order.' } }, { data: { tags: `t${i % 50}` } }], data: { region: { $neq: 'apac' } } }),
];
const filtered: Subscriber[] = Array.from({ length: webhooks }, (_, i) => ({ id: `wh_${i}`, filter: JSON.stringify(shapes[i % shapes.length]!(i)) }));
const plain: Subscriber[] = filtered.map(({ id }) => ({ id, filter: null }));
const payload = eventPayload({
  id: 'evt_1',
  type: 'order.paid',
  createdAt: Date.now(),
  workspaceId: 'ws_1',
  data: { customer_id: 'c_42', amount: 250, currency: 'EUR', region: 'emea', tags: ['t7', 'vip'], lines: [{ sku: 'a', qty: 2 }] },
});

function median(run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

reachedBy(filtered, payload); // compile and cache every filter once, as a running hookd has
const withFilters = median(() => reachedBy(filtered, payload));
const without = median(() => reachedBy(plain, payload));
const cold = (() => {
  const fresh: Subscriber[] = filtered.map(({ id, filter }) => ({ id, filter: `${filter} ` })); // new texts: compiled now
  const start = performance.now();
  reachedBy(fresh, payload);
  return performance.now() - start;
})();
const matched = reachedBy(filtered, payload).length;
console.log(`| webhooks | filters matched | with filters (cached) | µs per webhook | without filters | first publish (compiling) |`);
console.log('|---|---|---|---|---|---|');
console.log(
  `| ${webhooks} | ${matched} | ${withFilters.toFixed(2)} ms | ${((withFilters * 1000) / webhooks).toFixed(3)} | ${without.toFixed(2)} ms | ${cold.toFixed(1)} ms (${((cold * 1000) / webhooks).toFixed(2)} µs each) |`,
);
