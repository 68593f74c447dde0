// `npm run bench [-- --quick] [--json FILE] [--store sqlite|postgres] [--only throughput,latency,fanout,isolation,fairness,api,baselines]
//   [--no-baselines] [--write BENCHMARKS.md]`
// Every process talks only to 127.0.0.1; every loop is bounded in count and time.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { type BaselineResult, bullmq, pgBoss } from './baseline/baselines.js';
import { BenchPostgres } from './postgres.js';
import { apiLoad, fairness, fanOut, isolation, latency, throughput } from './scenarios.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    json: { type: 'string' },
    store: { type: 'string' },
    'no-baselines': { type: 'boolean' },
    write: { type: 'string' },
    only: { type: 'string' },
  },
});
const quick = Boolean(values.quick);
const stores = (values.store ? [values.store] : quick ? ['sqlite'] : ['sqlite', 'postgres']) as ('sqlite' | 'postgres')[];
const size = quick
  ? { deliveries: 5000, latencySeconds: 5, fanOut: 500, isolationEvents: 100, fairness: { hangingWebhooks: 1000, backlogEvents: 100, rate: 200, seconds: 5 }, apiSeconds: 3 }
  : { deliveries: 50_000, latencySeconds: 30, fanOut: 10_000, isolationEvents: 500, fairness: { hangingWebhooks: 1000, backlogEvents: 500, rate: 200, seconds: 20 }, apiSeconds: 10 };
const only = values.only ? new Set(values.only.split(',')) : null;
const runs = (scenario: string) => only === null || only.has(scenario);
const baselines = runs('baselines') && !quick && !values['no-baselines'] && (only === null || runs('throughput'));

const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  date: new Date().toISOString(),
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
};
console.log(`hookd benchmarks — ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}${quick ? ' (quick)' : ''}`);

const results: Record<string, unknown> = { machine, size };
const lines: string[] = [];
const log = (line: string) => {
  console.log(line);
  lines.push(line);
};
const pct = (n: number) => `${Math.round(n * 100)} %`;
const mark = (ok: boolean) => (ok ? '✔' : '✘');

const postgres = stores.includes('postgres') ? await BenchPostgres.start() : null;
try {
  for (const store of stores) {
    const pg = store === 'postgres' ? postgres : null;
    const targets = store === 'sqlite'
      ? { ratio: 0.7, cpu: 2, p50: 10, p99: 50, baseline: 1.5 }
      : { ratio: 0.6, cpu: 3, p50: 15, p99: 75, baseline: 1.2 };
    log(`\n### ${store === 'sqlite' ? 'SQLite (one `hookd serve`)' : 'PostgreSQL (`--role api` + `--role worker`)'}\n`);

    if (runs('throughput')) log('| scenario | hookd | raw undici loop | hookd ÷ raw | CPU ms/delivery (hookd+db) | raw CPU ms/request | CPU ratio | peak RSS MB |');
    if (runs('throughput')) log('|---|---|---|---|---|---|---|---|');
    const tp: Record<number, Awaited<ReturnType<typeof throughput>>> = {};
    for (const webhooks of runs('throughput') ? [1, 10] : []) {
      const r = await throughput(store, pg, webhooks, size.deliveries);
      tp[webhooks] = r;
      const cpuRatio = r.cpuMsPerDelivery / r.rawCpuMsPerRequest;
      log(
        `| throughput, ${webhooks} webhook${webhooks > 1 ? 's' : ''} (${r.deliveries} deliveries) | ${r.perSecond}/s | ${r.rawPerSecond}/s | ${pct(r.ratio)} ${mark(r.ratio >= targets.ratio)} | ${r.cpuMsPerDelivery.toFixed(3)} | ${r.rawCpuMsPerRequest.toFixed(3)} | ${cpuRatio.toFixed(1)}× ${mark(cpuRatio <= targets.cpu)} | ${r.peakRssMb.join(' / ')} ${mark(r.peakRssMb.every((m) => m <= 256))} |`,
      );
    }
    results[`${store}.throughput`] = tp;

    log('');
    for (const rate of runs('latency') ? [1000, 250] : []) {
      const lat = await latency(store, pg, rate, size.latencySeconds);
      results[`${store}.latency.${rate}`] = lat;
      const judged = rate === 1000 ? ` ${mark(lat.p50 <= targets.p50)}` : '';
      log(
        `latency at ${lat.rate} events/s for ${lat.seconds} s (${lat.received} received, ${lat.failed} publishes failed): p50 ${lat.p50} ms${judged}, p95 ${lat.p95} ms, p99 ${lat.p99} ms${rate === 1000 ? ` ${mark(lat.p99 <= targets.p99)}` : ''}, max ${lat.max} ms`,
      );
    }

    const fan = runs('fanout') ? await fanOut(store, pg, size.fanOut) : null;
    if (fan) results[`${store}.fanOut`] = fan;
    if (fan) log(`fan-out to ${fan.webhooks} webhooks: 202 after ${fan.acceptedMs} ms ${mark(fan.acceptedMs <= 1000)}, all received after ${fan.allReceivedMs} ms ${mark(fan.allReceivedMs <= 5000)}; another tenant's reads meanwhile: slowest ${fan.slowestOtherReadMs} ms ${mark(fan.slowestOtherReadMs <= 1000)}`);

    const iso = runs('isolation') ? await isolation(store, pg, size.isolationEvents) : null;
    if (iso) results[`${store}.isolation`] = iso;
    if (iso) log(`isolation (10 of 20 webhooks hang until a 2 s timeout): healthy ${iso.hangingPerWebhook}/s per webhook vs ${iso.baselinePerWebhook}/s with none hanging: drop ${pct(Math.max(0, iso.drop))} ${mark(iso.drop <= 0.1)}`);

    const fair = runs('fairness') ? await fairness(store, pg, size.fairness) : null;
    if (fair) results[`${store}.fairness`] = fair;
    if (fair) {
      const { alone, withHanging } = fair;
      log(
        `fairness (4 tenants × 5 webhooks; another tenant's ${fair.hangingWebhooks} webhooks hang 15 s, ${withHanging.hangingHeld} requests held): ` +
          `${withHanging.perSecond}/s vs ${alone.perSecond}/s alone, drop ${pct(Math.max(0, fair.drop))} ${mark(fair.drop <= 0.1)}; ` +
          `at ${size.fairness.rate} events/s p50 ${withHanging.p50} ms, p99 ${withHanging.p99} ms ${mark(withHanging.p99 <= 1000)} vs alone p50 ${alone.p50} ms, p99 ${alone.p99} ms`,
      );
    }

    const api = runs('api') ? await apiLoad(store, pg, size.apiSeconds) : null;
    if (api) results[`${store}.api`] = api;
    if (api) log(`API (autocannon, 20 connections, ${size.apiSeconds} s): list ${api.list.rps} req/s p99 ${api.list.p99} ms; publish ${api.publish.rps} req/s p99 ${api.publish.p99} ms`);

    if (baselines) {
      const base: BaselineResult[] = [];
      for (const webhooks of [1, 10]) {
        const result = store === 'sqlite' ? await bullmq(webhooks, size.deliveries) : await pgBoss(postgres!, webhooks, size.deliveries);
        base.push(result);
        const ours = tp[webhooks]!.perSecond;
        const ratio = result.perSecond ? ours / result.perSecond : 0;
        const need = targets.baseline;
        log(
          result.note
            ? `baseline ${result.name}, ${webhooks} webhook(s): ${result.note}`
            : `baseline ${result.name}, ${webhooks} webhook(s): ${result.perSecond}/s, CPU ${result.cpuMsPerDelivery.toFixed(3)} ms/delivery; hookd ÷ baseline ${ratio.toFixed(2)}× ${mark(ratio >= need)}`,
        );
      }
      results[`${store}.baselines`] = base;
    }
  }
} finally {
  await postgres?.stop();
}

if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
if (values.write) {
  const file = values.write;
  const header = `## Run of ${machine.date}\n\nMachine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}. Command: \`${machine.command}\`\n`;
  const previous = (() => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  })();
  const marker = '<!-- results -->';
  const intro = previous.includes(marker) ? previous.slice(0, previous.indexOf(marker) + marker.length) : `# Benchmarks\n\n${marker}`;
  writeFileSync(file, `${intro}\n\n${header}${lines.join('\n')}\n`);
}
