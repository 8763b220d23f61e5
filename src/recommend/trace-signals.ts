// A replay trace seen the way Prometheus would have seen it: the arrival rate per bucket and
// the job-duration distribution (p50/p95/p99 of the mixture of the buckets' fitted lognormals),
// over a prefix of the trace. Used by the quality benchmark (recommend from the first 60 %) and
// by anyone who wants a recommendation for a trace file.
import type { JobDuration, WorkloadSignals } from '../metrics/signals-model.js';
import type { Trace } from '../simulate/index.js';
import { normalCdf } from '../metrics/stats.js';

export interface TraceSignalsOptions {
  workloadId: string;
  /** Use buckets starting before start + fraction × span. Default 1 (all). */
  fraction?: number;
  /** Jobs one replica runs at once (per-replica throughput = concurrency ÷ mean duration). */
  concurrency?: number;
}

/** Quantile q of a lognormal mixture (weights w, parameters μ, σ) by bisection on ln x. */
function mixtureQuantile(w: number[], mu: number[], sigma: number[], q: number): number {
  const total = w.reduce((a, b) => a + b, 0);
  const cdf = (lx: number) => {
    let f = 0;
    for (let i = 0; i < w.length; i++) f += w[i] * (sigma[i] === 0 ? (lx >= mu[i] ? 1 : 0) : normalCdf((lx - mu[i]) / sigma[i]));
    return f / total;
  };
  let lo = Math.min(...mu.map((m, i) => m - 8 * sigma[i]));
  let hi = Math.max(...mu.map((m, i) => m + 8 * sigma[i]));
  for (let k = 0; k < 80; k++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

export function signalsFromTrace(trace: Trace, options: TraceSignalsOptions): WorkloadSignals {
  const end = trace.start + (trace.end - trace.start) * Math.min(1, Math.max(0, options.fraction ?? 1));
  const t: number[] = [];
  const v: number[] = [];
  const w: number[] = [];
  const mu: number[] = [];
  const sigma: number[] = [];
  let jobs = 0;
  let work = 0;
  for (let i = 0; i < trace.t.length && trace.t[i] < end; i++) {
    t.push(trace.t[i]);
    v.push(trace.arrivals[i] / trace.len[i]);
    if (trace.arrivals[i] > 0 && Number.isFinite(trace.mu[i])) {
      w.push(trace.arrivals[i]);
      mu.push(trace.mu[i]);
      sigma.push(trace.sigma[i]);
      jobs += trace.arrivals[i];
      work += trace.arrivals[i] * trace.meanService[i];
    }
  }
  if (t.length < 2) throw new Error(`${trace.label}: fewer than two buckets before ${end}`);
  const c = options.concurrency ?? 1;
  const jobDuration: JobDuration | undefined =
    jobs > 0
      ? {
          mean: work / jobs,
          p50: mixtureQuantile(w, mu, sigma, 0.5),
          p95: mixtureQuantile(w, mu, sigma, 0.95),
          p99: mixtureQuantile(w, mu, sigma, 0.99),
          source: 'histogram',
        }
      : undefined;
  const step = trace.len[0];
  return {
    workloadId: options.workloadId,
    window: { start: trace.start, end: t[t.length - 1] + step, step },
    arrivalRate: { t, v },
    arrivalSource: 'counter',
    jobDuration,
    perReplicaThroughput: jobDuration?.mean ? c / jobDuration.mean : undefined,
    notes: [`from trace ${trace.label}, first ${Math.round((options.fraction ?? 1) * 100)} %`],
  };
}
