import type { Registry } from 'prom-client';

/** Upper bounds, in seconds, of the request duration histogram's buckets. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

interface OperationStats {
  /** Answers by outcome: `Success` or the error type. */
  outcomes: Map<string, number>;
  /** Answers per bucket of DURATION_BUCKETS (not cumulative), then one for longer ones. */
  buckets: number[];
  seconds: number;
  count: number;
}

/**
 * Request counts and durations of the API, by operation. Counted into plain
 * numbers on every request and turned into Prometheus metrics only when
 * /metrics is scraped: prom-client's own counters hash their labels on every
 * increment, which cost about 1 µs of a request that takes 20.
 */
export class ApiMetrics {
  private readonly operations = new Map<string, OperationStats>();

  record(operation: string, outcome: string, seconds: number): void {
    let stats = this.operations.get(operation);
    if (!stats) {
      stats = { outcomes: new Map(), buckets: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), seconds: 0, count: 0 };
      this.operations.set(operation, stats);
    }
    stats.outcomes.set(outcome, (stats.outcomes.get(outcome) ?? 0) + 1);
    let bucket = 0;
    while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]!) bucket++;
    stats.buckets[bucket]!++;
    stats.seconds += seconds;
    stats.count++;
  }

  /** Publishes `tend_api_requests_total` and `tend_api_request_duration_seconds` in `registry`. */
  register(registry: Registry): void {
    const requests = {
      name: 'tend_api_requests_total',
      help: 'API requests by operation and outcome',
      type: 'counter',
      aggregator: 'sum',
      get: () => ({ ...requests, values: this.requestValues() }),
    };
    const duration = {
      name: 'tend_api_request_duration_seconds',
      help: 'API request duration by operation',
      type: 'histogram',
      aggregator: 'sum',
      get: () => ({ ...duration, values: this.durationValues() }),
    };
    // prom-client's registry takes any object that answers get() with a name, type and values.
    registry.registerMetric(requests as unknown as Parameters<Registry['registerMetric']>[0]);
    registry.registerMetric(duration as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  private requestValues(): Array<{ labels: Record<string, string>; value: number }> {
    const values: Array<{ labels: Record<string, string>; value: number }> = [];
    for (const [operation, stats] of this.operations) {
      for (const [outcome, value] of stats.outcomes) values.push({ labels: { operation, outcome }, value });
    }
    return values;
  }

  private durationValues(): Array<{ metricName: string; labels: Record<string, string | number>; value: number }> {
    const name = 'tend_api_request_duration_seconds';
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
    for (const [operation, stats] of this.operations) {
      let cumulative = 0;
      DURATION_BUCKETS.forEach((le, i) => {
        cumulative += stats.buckets[i]!;
        values.push({ metricName: `${name}_bucket`, labels: { le, operation }, value: cumulative });
      });
      values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', operation }, value: stats.count });
      values.push({ metricName: `${name}_sum`, labels: { operation }, value: stats.seconds });
      values.push({ metricName: `${name}_count`, labels: { operation }, value: stats.count });
    }
    return values;
  }
}
