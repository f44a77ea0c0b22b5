/**
 * Load generator for bench/parameters, run as its own process (and CPU)
 * so it does not compete with the server it measures. Replays one request
 * with autocannon and prints a JSON summary on stdout; progress goes to stderr.
 *
 * Latency percentiles are computed here from every response time rather
 * than taken from autocannon's histogram, which has 1 ms resolution — too
 * coarse for sub-millisecond answers.
 */
import autocannon from 'autocannon';

export interface LoadSpec {
  label: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  /** Seconds measured. */
  duration: number;
  /** Seconds run first and discarded, so JIT compilation and caches settle. */
  warmup: number;
  /** Requests per second offered in all; unset: as fast as answers come (closed loop). */
  rate?: number;
}

export interface LoadSummary {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

function run(spec: LoadSpec, seconds: number, phase: string): Promise<LoadSummary> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let sinceTick = 0;
    let elapsed = 0;
    const instance = autocannon(
      { url: spec.url, method: 'POST', headers: spec.headers, body: spec.body, connections: spec.connections, duration: seconds, pipelining: 1, ...(spec.rate ? { overallRate: spec.rate } : {}) },
      (err, result) => {
        clearInterval(progress);
        if (err) return reject(err);
        const sorted = Float64Array.from(latencies).sort();
        const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN);
        const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
        resolve({
          requests: sorted.length,
          seconds: result.duration,
          requestsPerSecond: sorted.length / result.duration,
          p50Ms: at(0.5),
          p90Ms: at(0.9),
          p99Ms: at(0.99),
          maxMs: sorted.length ? sorted[sorted.length - 1]! : NaN,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      sinceTick++;
    });
    const progress = setInterval(() => {
      elapsed++;
      process.stderr.write(`  ${spec.label} ${phase}: ${elapsed}/${seconds} s, ${sinceTick} req/s\n`);
      sinceTick = 0;
    }, 1000);
  });
}

const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
if (spec.warmup > 0) await run(spec, spec.warmup, 'warm-up');
// Tells run.ts the measured window starts, so it can read the server's CPU time at that moment.
process.stdout.write('measuring\n');
const summary = await run(spec, spec.duration, 'measuring');
process.stdout.write(JSON.stringify(summary) + '\n');
