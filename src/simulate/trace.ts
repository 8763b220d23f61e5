// Arrival traces: the bucketed CSV format of ../shared/traces (t_s,arrivals,mean_service_s,
// p95_service_s) or a recorded arrival-rate series plus a job-duration summary.
import type { JobDuration, Series } from '../metrics/signals-model.js';
import { fitJobDuration, fitMeanP95, fitMoments, Z95 } from './service-fit.js';

/**
 * A bucketed arrival trace. Times are seconds on the trace's own clock (0-based for CSV files,
 * unix seconds for traces built from Prometheus series). Bucket i covers [t[i], t[i] + len[i]).
 */
export interface Trace {
  /** Where it came from (file name or a description), for messages. */
  label: string;
  /** 'counts': `arrivals` are exact counts (placed uniformly inside the bucket);
   *  'expected': `arrivals` are expected counts (drawn as Poisson per bucket). */
  kind: 'counts' | 'expected';
  t: Float64Array;
  len: Float64Array;
  arrivals: Float64Array;
  /** As recorded (CSV) or implied by the fitted distribution (series). */
  meanService: Float64Array;
  p95Service: Float64Array;
  /** Lognormal service-time parameters per bucket (see service-fit.ts). */
  mu: Float64Array;
  sigma: Float64Array;
  start: number;
  end: number;
  /** Notes about the input (gaps filled, values clamped). */
  notes: string[];
  /**
   * Jobs already waiting when the trace starts (a recorded backlog): they arrive exactly at
   * `start`, with service times from the first bucket's distribution. Default 0.
   */
  initialQueue?: number;
}

/** An input error with the line it was found on (1-based). */
export class TraceError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'TraceError';
  }
}

const COLUMNS = ['t_s', 'arrivals', 'mean_service_s', 'p95_service_s'] as const;
/** exp(z95² / 2): the largest p95 ÷ mean a lognormal has (see service-fit.ts). */
const MAX_P95_OVER_MEAN = Math.exp((Z95 * Z95) / 2);

/** Half a unit of the last decimal written: "0.000" hides a mean under 0.0005, "0" one under 0.5. */
function roundingBound(written: string): number {
  const m = /^[+-]?\d*(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(written);
  const decimals = (m?.[1]?.length ?? 0) - Number(m?.[2] ?? 0);
  return 0.5 * 10 ** -decimals;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parse a trace CSV. The header line is optional (columns may then be in any order, extra
 * columns are ignored); `#` comments and blank lines are skipped. Rows must have strictly
 * increasing `t_s`; the last bucket is as long as the one before it. Throws TraceError
 * (message `file:line: what is wrong`) on the first bad row.
 */
export function parseTrace(text: string, fileLabel: string): Trace {
  const n = text.length;
  let pos = 0;
  let lineNo = 0;
  let index: number[] = [0, 1, 2, 3];
  let width = 4;
  let sawHeader = false;
  let count = 0;
  let cap = 1024;
  let t = new Float64Array(cap);
  let arr = new Float64Array(cap);
  let mean = new Float64Array(cap);
  let p95 = new Float64Array(cap);
  let firstDataLine = 0;
  if (text.charCodeAt(0) === 0xfeff) pos = 1;
  while (pos < n) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = n;
    lineNo++;
    let line = text.slice(pos, eol);
    pos = eol + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const cells = trimmed.split(',');
    if (!sawHeader && count === 0 && !NUMBER.test(cells[0].trim())) {
      const names = cells.map((c) => c.trim().toLowerCase());
      index = COLUMNS.map((c) => names.indexOf(c));
      const missing = COLUMNS.filter((_, i) => index[i] < 0);
      if (missing.length) throw new TraceError(fileLabel, lineNo, `header lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (expected ${COLUMNS.join(',')})`);
      width = names.length;
      sawHeader = true;
      continue;
    }
    if (cells.length < width) throw new TraceError(fileLabel, lineNo, `expected ${width} comma-separated values (${COLUMNS.join(',')}), found ${cells.length}`);
    if (!sawHeader && cells.length > width) throw new TraceError(fileLabel, lineNo, `expected ${width} comma-separated values (${COLUMNS.join(',')}), found ${cells.length}`);
    const v = [0, 0, 0, 0];
    for (let k = 0; k < 4; k++) {
      const raw = cells[index[k]].trim();
      if (!NUMBER.test(raw)) throw new TraceError(fileLabel, lineNo, `${COLUMNS[k]} "${clip(raw)}" is not a number`);
      v[k] = Number(raw);
      if (!Number.isFinite(v[k])) throw new TraceError(fileLabel, lineNo, `${COLUMNS[k]} "${clip(raw)}" is not a finite number`);
    }
    if (v[1] < 0 || !Number.isInteger(v[1])) throw new TraceError(fileLabel, lineNo, `arrivals must be a whole number ≥ 0, got ${cells[index[1]].trim()}`);
    if (v[2] < 0) throw new TraceError(fileLabel, lineNo, `mean_service_s must be ≥ 0, got ${v[2]}`);
    if (v[3] < 0) throw new TraceError(fileLabel, lineNo, `p95_service_s must be ≥ 0, got ${v[3]}`);
    if (v[1] > 0 && v[2] === 0 && v[3] > 0) {
      // A mean written as 0 may be a small mean rounded away (0.000 beside a p95 of 0.001): keep
      // the row when some mean under the rounding bound fits that p95, taking the smallest one
      // (a lognormal's p95 is at most MAX_P95_OVER_MEAN × its mean); otherwise the row is wrong.
      const smallest = v[3] / MAX_P95_OVER_MEAN;
      if (smallest >= roundingBound(cells[index[2]].trim())) throw new TraceError(fileLabel, lineNo, `mean_service_s is 0 but p95_service_s is ${v[3]}`);
      v[2] = smallest;
    }
    if (count > 0 && !(v[0] > t[count - 1])) throw new TraceError(fileLabel, lineNo, `t_s ${v[0]} does not increase (previous row has ${t[count - 1]})`);
    if (count === cap) {
      cap *= 2;
      t = grow(t, cap);
      arr = grow(arr, cap);
      mean = grow(mean, cap);
      p95 = grow(p95, cap);
    }
    if (count === 0) firstDataLine = lineNo;
    t[count] = v[0];
    arr[count] = v[1];
    mean[count] = v[2];
    p95[count] = v[3];
    count++;
  }
  if (count === 0) throw new TraceError(fileLabel, Math.max(1, lineNo), 'no data rows (expected t_s,arrivals,mean_service_s,p95_service_s)');
  if (count === 1) throw new TraceError(fileLabel, firstDataLine, 'a trace needs at least two rows (the bucket length is the step between rows)');
  return buildTrace(fileLabel, 'counts', t.slice(0, count), arr.slice(0, count), mean.slice(0, count), p95.slice(0, count), []);
}

/**
 * A trace from a recorded arrival-rate series (jobs/s at each sample) and a job-duration
 * summary. Sample i is taken to cover [t[i], t[i+1]); NaN gaps and negative rates count as
 * no arrivals (and are noted). Arrivals in each bucket are drawn as Poisson(rate × length)
 * when simulated; service times come from one lognormal fitted to `duration`.
 */
export function traceFromSeries(arrivalRate: Series, duration: JobDuration, label = 'recorded arrival rate'): Trace {
  const n = arrivalRate.t.length;
  if (n < 2) throw new Error(`${label}: at least two samples are needed, got ${n}`);
  if (arrivalRate.v.length !== n) throw new Error(`${label}: t and v have different lengths (${n} vs ${arrivalRate.v.length})`);
  const fit = fitJobDuration(duration);
  const m = fitMoments(fit);
  const t = Float64Array.from(arrivalRate.t);
  const len = new Float64Array(n);
  const arrivals = new Float64Array(n);
  let gaps = 0;
  let negative = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && !(t[i] > t[i - 1])) throw new Error(`${label}: timestamps must increase (sample ${i})`);
  }
  for (let i = 0; i < n; i++) {
    len[i] = i < n - 1 ? t[i + 1] - t[i] : t[n - 1] - t[n - 2];
    const r = arrivalRate.v[i];
    if (!Number.isFinite(r)) gaps++;
    else if (r < 0) negative++;
    else arrivals[i] = r * len[i];
  }
  const notes: string[] = [];
  if (gaps) notes.push(`${gaps} of ${n} arrival-rate samples were missing and count as no arrivals`);
  if (negative) notes.push(`${negative} negative arrival-rate samples count as no arrivals`);
  const mean = new Float64Array(n).fill(m.mean);
  const p95 = new Float64Array(n).fill(m.p95);
  const trace = buildTrace(label, 'expected', t, arrivals, mean, p95, notes, len);
  trace.mu.fill(fit.mu);
  trace.sigma.fill(fit.sigma);
  return trace;
}

function buildTrace(
  label: string,
  kind: Trace['kind'],
  t: Float64Array,
  arrivals: Float64Array,
  meanService: Float64Array,
  p95Service: Float64Array,
  notes: string[],
  lenIn?: Float64Array,
): Trace {
  const n = t.length;
  const len = lenIn ?? new Float64Array(n);
  if (!lenIn) for (let i = 0; i < n; i++) len[i] = i < n - 1 ? t[i + 1] - t[i] : t[n - 1] - t[n - 2];
  const mu = new Float64Array(n);
  const sigma = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const f = fitMeanP95(meanService[i], p95Service[i]);
    mu[i] = f.mu;
    sigma[i] = f.sigma;
  }
  return { label, kind, t, len, arrivals, meanService, p95Service, mu, sigma, start: t[0], end: t[n - 1] + len[n - 1], notes };
}

/** Summary numbers of a trace (expected values for 'expected' traces). */
export interface TraceStats {
  buckets: number;
  /** Most common bucket length (s). */
  bucketSeconds: number;
  durationSeconds: number;
  jobs: number;
  /** Jobs per second over the whole trace. */
  meanRate: number;
  /** Σ arrivals × mean service ÷ duration: average busy job slots needed. */
  offeredLoad: number;
  /** The highest offered load of any 60 s (or one-bucket, if longer) window. */
  peakOfferedLoad: number;
  meanServiceSeconds: number;
}

export function traceStats(trace: Trace): TraceStats {
  const n = trace.t.length;
  let jobs = 0;
  let work = 0;
  const lens = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    jobs += trace.arrivals[i];
    work += trace.arrivals[i] * trace.meanService[i];
    lens.set(trace.len[i], (lens.get(trace.len[i]) ?? 0) + 1);
  }
  let bucketSeconds = trace.len[0];
  let best = 0;
  for (const [l, c] of lens) if (c > best) [best, bucketSeconds] = [c, l];
  // peak over windows of max(60 s, one bucket)
  const windowSeconds = Math.max(60, bucketSeconds);
  let peak = 0;
  let lo = 0;
  let acc = 0;
  for (let hi = 0; hi < n; hi++) {
    acc += trace.arrivals[hi] * trace.meanService[hi];
    while (trace.t[hi] + trace.len[hi] - trace.t[lo] > windowSeconds + 1e-9 && lo < hi) {
      acc -= trace.arrivals[lo] * trace.meanService[lo];
      lo++;
    }
    const span = trace.t[hi] + trace.len[hi] - trace.t[lo];
    if (span >= windowSeconds - 1e-9) peak = Math.max(peak, acc / span);
  }
  const duration = trace.end - trace.start;
  if (peak === 0 && duration > 0) peak = work / duration;
  return {
    buckets: n,
    bucketSeconds,
    durationSeconds: duration,
    jobs,
    meanRate: duration > 0 ? jobs / duration : 0,
    offeredLoad: duration > 0 ? work / duration : 0,
    peakOfferedLoad: peak,
    meanServiceSeconds: jobs > 0 ? work / jobs : 0,
  };
}

/** The part of a trace whose buckets start in [from, to) (trace clock). */
export function sliceTrace(trace: Trace, from: number, to: number): Trace {
  let a = 0;
  while (a < trace.t.length && trace.t[a] < from) a++;
  let b = a;
  while (b < trace.t.length && trace.t[b] < to) b++;
  if (b - a < 1) throw new Error(`${trace.label}: no buckets between ${from} and ${to}`);
  const end = trace.t[b - 1] + trace.len[b - 1];
  return {
    ...trace,
    t: trace.t.slice(a, b),
    len: trace.len.slice(a, b),
    arrivals: trace.arrivals.slice(a, b),
    meanService: trace.meanService.slice(a, b),
    p95Service: trace.p95Service.slice(a, b),
    mu: trace.mu.slice(a, b),
    sigma: trace.sigma.slice(a, b),
    start: trace.t[a],
    end,
    notes: [...trace.notes],
  };
}

/** The time `fraction` (0..1) of the way through the trace — e.g. 0.6 to score the last 40 %. */
export function traceTimeAt(trace: Trace, fraction: number): number {
  return trace.start + (trace.end - trace.start) * Math.min(1, Math.max(0, fraction));
}

function grow(a: Float64Array, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}
