// OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) is set: publish and
// every delivery attempt become spans, exported over OTLP/HTTP (JSON) in batches. Off, the API's no-op
// tracer is all that runs.
import { INVALID_SPAN_CONTEXT, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';

export interface TelemetrySettings {
  /** Where spans go (`…/v1/traces`), or null: tracing off. */
  otlpTracesUrl: string | null;
  serviceName: string;
}

let provider: TracerProvider | null = null;
let starting: Promise<void> | null = null;

const envNumber = (name: string): number | undefined => {
  const value = Number(process.env[name]);
  return process.env[name] && Number.isFinite(value) && value > 0 ? value : undefined;
};

/**
 * Starts exporting spans once per thread (API and delivery worker share it when they share a thread). The
 * SDK is loaded only then: every `hookd` command would otherwise pay ~200 ms to import it.
 */
export function startTelemetry(settings: TelemetrySettings, version: string, logger: Logger): Promise<void> {
  if (!settings.otlpTracesUrl) return Promise.resolve();
  return (starting ??= load(settings.otlpTracesUrl, settings.serviceName, version, logger));
}

async function load(url: string, serviceName: string, version: string, logger: Logger): Promise<void> {
  const [{ W3CTraceContextPropagator }, { OTLPTraceExporter }, { resourceFromAttributes }, { BatchSpanProcessor, TracerProvider }] = await Promise.all([
    import('@opentelemetry/core'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace'),
  ]);
  provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'service.version': version }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url }),
        // The SDK's defaults (2 048 queued, 512 every 5 s) drop spans past ~100 attempts/s; OTEL_BSP_* still win.
        maxQueueSize: envNumber('OTEL_BSP_MAX_QUEUE_SIZE') ?? 32_768,
        maxExportBatchSize: envNumber('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? 4_096,
        scheduledDelayMillis: envNumber('OTEL_BSP_SCHEDULE_DELAY') ?? 1_000,
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  logger.info({ endpoint: new URL(url).origin }, 'exporting traces over OTLP');
}

/** Sends the spans still buffered and stops (shutdown). */
export async function stopTelemetry(): Promise<void> {
  await starting;
  const stopping = provider;
  provider = null;
  starting = null;
  await stopping?.shutdown().catch(() => {});
}

const tracer = () => trace.getTracer('hookd');
const NOT_RECORDING = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Runs `work` inside a span named `name` with `attributes()` (asked only while tracing is on); a thrown
 * error marks the span failed and is rethrown.
 */
export async function inSpan<T>(name: string, attributes: () => Record<string, string | number>, work: (span: Span) => Promise<T>, kind = SpanKind.INTERNAL): Promise<T> {
  if (!provider) return work(NOT_RECORDING); // tracing off: no span, no wrapper, no attributes
  return tracer().startActiveSpan(name, { kind, attributes: attributes() }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The W3C `traceparent` of `span`, for a receiver (HOOKD_TRACEPARENT), or null when not tracing. */
export function traceparentHeader(span: Span): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier['traceparent'] ?? null;
}

export { SpanKind, SpanStatusCode };
