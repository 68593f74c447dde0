import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher, ProxyAgent } from 'undici';
import type { AttemptOutcome } from '../domain/delivery-states.js';
import { parseRetryAfter } from '../domain/retry-schedule.js';
import { ipLiteralOfHost } from '../domain/target-address.js';
import { BlockedTargetError, guardedLookup, literalTargetProblem, type Resolver, resolvePublic } from './ssrf-guard.js';

/** Response bytes kept per attempt; the rest is never read. */
export const RESPONSE_CAPTURE_BYTES = 16 * 1024;

export interface SendResult {
  outcome: AttemptOutcome;
  durationMs: number;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
}

export interface SenderOptions {
  timeoutMs: number;
  retryAfterCapMs: number;
  allowPrivateTargets: boolean;
  /** An HTTP CONNECT proxy for every request (HOOKD_PROXY_URL), or null. */
  proxyUrl?: string | null;
  /** Override DNS for tests (a resolver that answers private addresses). */
  resolve?: Resolver;
  now: () => number;
}

/** A client certificate a webhook presents to its receiver (mTLS), PEM; `version` changes when it does. */
export interface ClientCertificate {
  cert: string;
  key: string;
  version: string;
}

// Dispatchers kept for webhooks with a client certificate; the least recently used is closed past this.
const TLS_DISPATCHERS_MAX = 500;

/** POSTs signed bodies over pooled keep-alive connections; outcomes are values, never exceptions. */
export class HttpSender {
  readonly #agent: Dispatcher;
  readonly #options: SenderOptions;
  readonly #withCertificate = new Map<string, Dispatcher>();
  // One sweeper aborts attempts past their deadline; a timer and a combined signal per request cost
  // 4 % of the worker's CPU in profiles.
  readonly #deadlines = new Map<Exchange, number>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: SenderOptions) {
    this.#options = options;
    this.#agent = this.#dispatcher();
    this.#sweeper = setInterval(() => this.#expire(performance.now()), Math.min(100, options.timeoutMs / 4));
    this.#sweeper.unref();
  }

  /**
   * A pool to receivers, presenting `certificate` when given. Without a proxy the socket's lookup refuses
   * private addresses; through a proxy the proxy connects, so targets are checked before (#proxiedTargetProblem).
   */
  #dispatcher(certificate?: ClientCertificate): Dispatcher {
    const { timeoutMs, allowPrivateTargets, proxyUrl, resolve } = this.#options;
    const tls = certificate && { cert: certificate.cert, key: certificate.key };
    const pool = {
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      // No per-origin connection cap: the worker's in-flight and per-webhook limits bound concurrency, and a
      // shared cap let webhooks hanging on one host starve healthy webhooks on the same host (bench isolation).
      connections: null,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    };
    const connectTimeout = Math.min(timeoutMs, 10_000);
    if (proxyUrl) return new ProxyAgent({ ...pool, uri: proxyUrl, proxyTls: { timeout: connectTimeout }, requestTls: { timeout: connectTimeout, ...tls } });
    return new Agent({ ...pool, connect: { timeout: connectTimeout, ...tls, ...(!allowPrivateTargets && { lookup: guardedLookup(resolve) }) } });
  }

  #dispatcherFor(certificate: ClientCertificate | undefined): Dispatcher {
    if (!certificate) return this.#agent;
    let dispatcher = this.#withCertificate.get(certificate.version);
    if (dispatcher) this.#withCertificate.delete(certificate.version); // re-inserted below: most recently used
    else {
      dispatcher = this.#dispatcher(certificate);
      if (this.#withCertificate.size >= TLS_DISPATCHERS_MAX) {
        const [oldest, evicted] = this.#withCertificate.entries().next().value!;
        this.#withCertificate.delete(oldest);
        void evicted.close().catch(() => {});
      }
    }
    this.#withCertificate.set(certificate.version, dispatcher);
    return dispatcher;
  }

  /** Through a proxy, the target's name is resolved and checked here first (the proxy resolves it again). */
  async #proxiedTargetProblem(target: URL): Promise<string | null> {
    const { proxyUrl, allowPrivateTargets } = this.#options;
    if (!proxyUrl || allowPrivateTargets || ipLiteralOfHost(target.hostname)) return null;
    try {
      await resolvePublic(target.hostname, this.#options.resolve);
      return null;
    } catch (error) {
      if (error instanceof BlockedTargetError) return error.reason;
      throw error;
    }
  }

  #expire(now: number): void {
    for (const [exchange, deadline] of this.#deadlines) {
      if (deadline <= now) {
        this.#deadlines.delete(exchange);
        exchange.abort(new TimeoutError());
      }
    }
  }

  /** Aborts every attempt in flight (shutdown after the grace period). */
  abortAll(): void {
    for (const exchange of this.#deadlines.keys()) exchange.abort(new Error('shutting down'));
    this.#deadlines.clear();
  }

  /**
   * POSTs one attempt (or an OAuth2 token request, under the same guard, pools and deadline). Redirects are
   * not followed: a 3xx is an http_error like any non-2xx.
   */
  async send(url: string, headers: Record<string, string>, body: string, certificate?: ClientCertificate): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const target = new URL(url);
    const exchange = new Exchange();
    this.#deadlines.set(exchange, started + this.#options.timeoutMs);
    try {
      const blocked = (this.#options.allowPrivateTargets ? null : literalTargetProblem(target)) ?? (await this.#proxiedTargetProblem(target));
      if (blocked) return { outcome: { kind: 'blocked', reason: blocked }, durationMs: 0, responseHeaders: null, responseBody: null };
      const path = target.pathname + target.search;
      this.#dispatcherFor(certificate).dispatch({ origin: target.origin, path, method: 'POST', headers, body }, exchange);
      const { status, responseHeaders, responseBody } = await exchange.response;
      const durationMs = elapsed();
      if (status >= 200 && status < 300) return { outcome: { kind: 'success', status }, durationMs, responseHeaders, responseBody };
      const retryAfterMs =
        status === 429 || status === 503
          ? parseRetryAfter(responseHeaders['retry-after'], this.#options.now(), this.#options.retryAfterCapMs)
          : null;
      return {
        outcome: { kind: 'http_error', status, ...(retryAfterMs !== null && { retryAfterMs }) },
        durationMs,
        responseHeaders,
        responseBody,
      };
    } catch (error) {
      return { outcome: classifyError(error, exchange.abortedBy instanceof TimeoutError), durationMs: elapsed(), responseHeaders: null, responseBody: null };
    } finally {
      this.#deadlines.delete(exchange);
    }
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await Promise.all([this.#agent, ...this.#withCertificate.values()].map((dispatcher) => dispatcher.close()));
  }
}

class TimeoutError extends Error {
  constructor() {
    super('attempt timed out');
  }
}

interface CapturedResponse {
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: string;
}

/**
 * One request's life as undici's dispatch handler: its response's status, headers and first
 * RESPONSE_CAPTURE_BYTES of body, or its error. `request()` wraps the same exchange in an AbortSignal, a
 * body stream and its async iterator, which cost as much CPU again as the exchange itself (docs/decisions/015).
 */
class Exchange implements Dispatcher.DispatchHandler {
  readonly response: Promise<CapturedResponse>;
  /** Why the exchange was cut short by its caller (a TimeoutError when past its deadline), else null. */
  abortedBy: Error | null = null;
  #controller: Dispatcher.DispatchController | null = null;
  #settle!: (response: CapturedResponse) => void;
  #fail!: (error: Error) => void;
  #settled = false;
  #status = 0;
  #headers: Record<string, string> = {};
  #chunks: Buffer[] = [];
  #size = 0;

  constructor() {
    this.response = new Promise((resolve, reject) => {
      this.#settle = resolve;
      this.#fail = reject;
    });
  }

  /** Ends the exchange with `reason`: now if it is on a socket, else as soon as it gets one. */
  abort(reason: Error): void {
    if (this.#settled || this.abortedBy) return;
    this.abortedBy = reason;
    this.#controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.abortedBy) controller.abort(this.abortedBy);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    this.#status = status;
    this.#headers = flattenHeaders(headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    if (this.#size >= RESPONSE_CAPTURE_BYTES) {
      // Stop reading: a 50 MB answer costs 16 KiB of memory and closes that one connection.
      this.#finish();
      controller.abort(new Error('response capture full'));
    }
  }

  onResponseEnd(): void {
    this.#finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#fail(error);
  }

  #finish(): void {
    if (this.#settled) return;
    this.#settled = true;
    const responseBody = Buffer.concat(this.#chunks).subarray(0, RESPONSE_CAPTURE_BYTES).toString('utf8');
    this.#settle({ status: this.#status, responseHeaders: this.#headers, responseBody });
  }
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function classifyError(error: unknown, timedOut: boolean): AttemptOutcome {
  const chain: unknown[] = [];
  for (let current: unknown = error; current && chain.length < 5; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
  }
  const blocked = chain.find((e): e is BlockedTargetError => e instanceof BlockedTargetError || (e as { code?: string }).code === 'HOOKD_BLOCKED_TARGET');
  if (blocked) return { kind: 'blocked', reason: blocked.message };
  const codes = chain.map((e) => (e as { code?: string }).code).filter((c): c is string => typeof c === 'string');
  if (timedOut || codes.some((c) => c === 'UND_ERR_HEADERS_TIMEOUT' || c === 'UND_ERR_BODY_TIMEOUT' || c === 'UND_ERR_CONNECT_TIMEOUT')) {
    return { kind: 'timeout' };
  }
  if ((error as { name?: string }).name === 'AbortError') return { kind: 'network', code: 'aborted' };
  return { kind: 'network', code: codes.find((c) => c !== 'UND_ERR_SOCKET') ?? codes[0] ?? 'network_error' };
}
