// Jobs from a trace: arrival instants and service times, drawn once per seed so that every
// policy compared on the same seed sees exactly the same jobs (common random numbers).
import type { Trace } from './trace.js';
import { createRng, poisson, type Rng } from './rng.js';

export interface Jobs {
  /** Arrival times, ascending (trace clock, seconds). */
  arrival: Float64Array;
  /** Service time of each job (seconds of one job slot). */
  service: Float64Array;
  count: number;
  seed: number;
  /**
   * The first `preloaded` jobs are a backlog that was already waiting when the trace starts
   * (Trace.initialQueue): they load the pool, but their waits began before the history and
   * are not scored.
   */
  preloaded?: number;
}

/**
 * Draw the jobs of `trace` for `seed`. Counts from 'counts' traces are kept exactly and placed
 * uniformly inside their bucket; 'expected' traces draw a Poisson count per bucket. Service
 * times are lognormal with the bucket's fitted μ, σ.
 */
export function generateJobs(trace: Trace, seed: number): Jobs {
  const rng = createRng(seed);
  const nb = trace.t.length;
  let counts: Float64Array | Int32Array = trace.arrivals;
  if (trace.kind === 'expected') {
    const drawn = new Int32Array(nb);
    for (let i = 0; i < nb; i++) drawn[i] = poisson(rng, trace.arrivals[i]);
    counts = drawn;
  }
  const initial = Math.max(0, Math.round(trace.initialQueue ?? 0));
  let total = initial;
  for (let i = 0; i < nb; i++) total += counts[i];
  const arrival = new Float64Array(total);
  const service = new Float64Array(total);
  let k = 0;
  // a recorded backlog: those jobs are all waiting at the start (first bucket's service times)
  for (; k < initial; k++) {
    arrival[k] = trace.start;
    const mu = trace.mu[0];
    const sigma = trace.sigma[0];
    service[k] = mu === -Infinity ? 0 : sigma === 0 ? Math.exp(mu) : Math.exp(mu + sigma * rng.normal());
  }
  for (let i = 0; i < nb; i++) {
    const c = counts[i];
    if (c === 0) continue;
    const t0 = trace.t[i];
    const len = trace.len[i];
    const from = k;
    const t1 = t0 + len;
    for (let j = 0; j < c; j++) {
      const a = t0 + rng.next() * len;
      // rounding can land on the bucket's end; keep the arrival inside its bucket
      arrival[k++] = a < t1 ? a : t0 + len * 0.9999999;
    }
    if (c > 1) sortRange(arrival, from, k);
    const mu = trace.mu[i];
    const sigma = trace.sigma[i];
    if (mu === -Infinity) continue; // zero-length jobs
    if (sigma === 0) {
      const d = Math.exp(mu);
      for (let j = from; j < k; j++) service[j] = d;
    } else for (let j = from; j < k; j++) service[j] = Math.exp(mu + sigma * rng.normal());
  }
  return { arrival, service, count: total, seed, ...(initial > 0 ? { preloaded: initial } : {}) };
}

/** Jobs given directly (tests, other models): arrivals must be ascending. */
export function jobsFrom(arrival: ArrayLike<number>, service: ArrayLike<number>, seed = 0): Jobs {
  if (arrival.length !== service.length) throw new Error('arrival and service must have the same length');
  const a = Float64Array.from(arrival);
  for (let i = 1; i < a.length; i++) if (a[i] < a[i - 1]) throw new Error(`arrivals must be ascending (index ${i})`);
  return { arrival: a, service: Float64Array.from(service), count: a.length, seed };
}

function sortRange(a: Float64Array, from: number, to: number): void {
  if (to - from < 24) {
    for (let i = from + 1; i < to; i++) {
      const x = a[i];
      let j = i - 1;
      while (j >= from && a[j] > x) {
        a[j + 1] = a[j];
        j--;
      }
      a[j + 1] = x;
    }
  } else a.subarray(from, to).sort();
}

export type { Rng };
