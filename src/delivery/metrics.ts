import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The worker's Prometheus metrics; names start `hookd_`. */
export class DeliveryMetrics {
  readonly attempts: Counter<'outcome'>;
  readonly finished: Counter<'status'>;
  readonly latency: Histogram;
  readonly inFlight: Gauge;

  constructor(registry: Registry) {
    this.attempts = new Counter({
      name: 'hookd_delivery_attempts_total',
      help: 'Delivery attempts by outcome (success, http_error, timeout, network, blocked).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.finished = new Counter({
      name: 'hookd_deliveries_total',
      help: 'Deliveries that reached a state after an attempt (succeeded, retrying, failed).',
      labelNames: ['status'],
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'hookd_delivery_attempt_duration_seconds',
      help: 'Time from sending a delivery attempt to its outcome.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.inFlight = new Gauge({ name: 'hookd_deliveries_in_flight', help: 'Attempts being sent now by this process.', registers: [registry] });
  }
}
