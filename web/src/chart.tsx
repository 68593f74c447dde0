// Charts of a webhook's stats buckets, drawn by uPlot (small, canvas, no dependencies).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { WebhookStats } from '../../src/client/types.js';

type Bucket = WebhookStats['buckets'][number];

/** A theme colour as the browser resolved it (the variables hold light-dark() pairs, which canvas cannot read). */
function cssVar(name: string): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${name})`;
  document.body.append(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color;
}

function useChart(buckets: Bucket[], series: { label: string; color: string; value: (b: Bucket) => number | null; bars?: boolean }[], unit: string) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const x = buckets.map((b) => Date.parse(b.start) / 1000);
    const data: uPlot.AlignedData = [x, ...series.map((s) => buckets.map(s.value))];
    const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--line'), width: 1 }, ticks: { stroke: cssVar('--line') } };
    const bars = uPlot.paths.bars!({ size: [0.7, 24] });
    const plot = new uPlot(
      {
        width: Math.max(240, element.clientWidth),
        height: 180,
        legend: { show: true },
        cursor: { points: { show: false } },
        scales: { x: { time: true } },
        axes: [axis, { ...axis, size: 60, values: (_u, values) => values.map((v) => `${v}${unit}`) }],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            fill: s.bars ? s.color : undefined,
            width: s.bars ? 0 : 2,
            paths: s.bars ? bars : undefined,
            spanGaps: !s.bars,
            points: { show: !s.bars },
          })),
        ],
      },
      data,
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(240, element.clientWidth), height: 180 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [JSON.stringify(buckets)]);
  return holder;
}

/** Attempts that succeeded and failed per bucket. */
export function OutcomesChart(props: { buckets: Bucket[] }) {
  const ref = useChart(
    props.buckets,
    [
      { label: 'succeeded', color: cssVar('--ok'), value: (b) => b.succeeded, bars: true },
      { label: 'failed', color: cssVar('--bad'), value: (b) => b.failed, bars: true },
    ],
    '',
  );
  return <div class="chart" ref={ref} role="img" aria-label="Attempts succeeded and failed per time bucket" />;
}

/** Response time p50 and p95 per bucket (attempts that got an answer). */
export function LatencyChart(props: { buckets: Bucket[] }) {
  const ref = useChart(
    props.buckets,
    [
      { label: 'p50', color: cssVar('--accent'), value: (b) => b.p50_ms },
      { label: 'p95', color: cssVar('--warn'), value: (b) => b.p95_ms },
    ],
    ' ms',
  );
  return <div class="chart" ref={ref} role="img" aria-label="Response time p50 and p95 per time bucket" />;
}

/** The success rate per bucket as a small inline line (the webhook list's health at a glance). */
export function Sparkline(props: { buckets: Bucket[] }) {
  const rates = props.buckets.map((b) => (b.succeeded + b.failed ? b.succeeded / (b.succeeded + b.failed) : null));
  const succeeded = props.buckets.reduce((sum, b) => sum + b.succeeded, 0);
  const attempts = props.buckets.reduce((sum, b) => sum + b.succeeded + b.failed, 0);
  if (!attempts) return <span class="muted">no traffic</span>;
  const step = 100 / Math.max(1, rates.length - 1);
  const known = rates.flatMap((r, i) => (r === null ? [] : [[i * step, 22 - r * 20] as const]));
  // One bucket with traffic is drawn as a level line across the whole width.
  const points = (known.length === 1 ? [[0, known[0]![1]] as const, [100, known[0]![1]] as const] : known).map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  const overall = succeeded / attempts;
  const tone = overall >= 0.99 ? 'ok' : overall >= 0.9 ? 'warn' : 'bad';
  return (
    <span class="spark-wrap">
      <svg class={`spark ${tone}`} viewBox="0 0 100 24" preserveAspectRatio="none" aria-hidden="true">
        <polyline points={points} fill="none" vector-effect="non-scaling-stroke" />
      </svg>
      <span>{formatRate(overall)}</span>
    </span>
  );
}

/** A success rate as people read it: 100 %, 99.5 %, 0 %. */
export const formatRate = (rate: number) => `${rate === 1 || rate === 0 ? rate * 100 : (rate * 100).toFixed(1)} %`;
