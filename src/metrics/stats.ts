// Pure statistics over series: robust trend (Theil–Sen slope + Mann–Kendall test), quantiles,
// gaps, non-finite values, counter resets and staleness. No I/O, no clock: `at` is passed in.
import type { Series } from './signals-model.js';

/** Values that are real numbers (NaN, +Inf and -Inf dropped). */
export function finite(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out.push(values[i]);
  return out;
}

/** How many values are NaN, +Inf or -Inf. */
export function countNonFinite(values: ArrayLike<number>): { nan: number; posInf: number; negInf: number } {
  const c = { nan: 0, posInf: 0, negInf: 0 };
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) c.nan++;
    else if (v === Infinity) c.posInf++;
    else if (v === -Infinity) c.negInf++;
  }
  return c;
}

export function mean(values: ArrayLike<number>): number | undefined {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) {
      sum += values[i];
      n++;
    }
  }
  return n === 0 ? undefined : sum / n;
}

/**
 * The q-quantile (0..1) of the finite values, linearly interpolated between order statistics
 * (Hyndman & Fan type 7, the default of R and NumPy). Undefined when there are no finite values.
 */
export function quantile(values: ArrayLike<number>, q: number): number | undefined {
  return quantiles(values, [q])[0];
}

/** Several quantiles with one sort. */
export function quantiles(values: ArrayLike<number>, qs: number[]): Array<number | undefined> {
  const sorted = Float64Array.from(finite(values)).sort();
  return qs.map((q) => quantileSorted(sorted, q));
}

function quantileSorted(sorted: ArrayLike<number>, q: number): number | undefined {
  const n = sorted.length;
  if (n === 0 || !(q >= 0 && q <= 1)) return undefined;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo];
  const b = sorted[hi];
  const f = h - lo;
  if (f === 0 || a === b) return a;
  let x: number;
  if (Number.isFinite(b - a)) x = a + f * (b - a);
  else {
    // b − a overflows (values near ±Number.MAX_VALUE): step by halves, which cannot overflow
    // and stay monotonic in f
    const half = b / 2 - a / 2;
    x = a + f * half + f * half;
  }
  // rounding must not leave the two neighbours (nor the data's range)
  return Math.min(b, Math.max(a, x));
}

export function median(values: ArrayLike<number>): number | undefined {
  return quantile(values, 0.5);
}

/** Fraction (0..1) of points that carry no finite value. */
export function gapFraction(series: Series): number {
  if (series.v.length === 0) return 1;
  let missing = 0;
  for (const v of series.v) if (!Number.isFinite(v)) missing++;
  return missing / series.v.length;
}

/** The longest run of consecutive points without a finite value, in seconds. */
export function longestGapSeconds(series: Series): number {
  let longest = 0;
  let runStart = -1;
  const { t, v } = series;
  for (let i = 0; i <= v.length; i++) {
    const missing = i < v.length && !Number.isFinite(v[i]);
    if (missing && runStart < 0) runStart = i;
    if (!missing && runStart >= 0) {
      const from = runStart > 0 ? t[runStart - 1] : t[runStart];
      const to = i < t.length ? t[i] : t[t.length - 1];
      longest = Math.max(longest, to - from);
      runStart = -1;
    }
  }
  return longest;
}

/** Time of the last finite sample, or undefined. */
export function lastSampleTime(series: Series): number | undefined {
  for (let i = series.v.length - 1; i >= 0; i--) if (Number.isFinite(series.v[i])) return series.t[i];
  return undefined;
}

/** The last finite value, or undefined. */
export function lastValue(series: Series | undefined): number | undefined {
  if (!series) return undefined;
  for (let i = series.v.length - 1; i >= 0; i--) if (Number.isFinite(series.v[i])) return series.v[i];
  return undefined;
}

/**
 * A series is stale when its last finite sample is older than `maxAgeSeconds` at time `at`
 * (an exporter that stopped reporting, a queue that was deleted). A series with no samples
 * is stale too.
 */
export function isStale(series: Series, at: number, maxAgeSeconds: number): boolean {
  const last = lastSampleTime(series);
  return last === undefined || at - last > maxAgeSeconds;
}

/**
 * Increase of a raw counter over the series, with Prometheus's reset rule: a value lower
 * than the previous one means the counter restarted from zero, so the new value is the
 * increase since the reset. Non-finite samples are skipped.
 */
export function counterIncrease(values: ArrayLike<number>): { increase: number; resets: number } {
  let increase = 0;
  let resets = 0;
  let prev: number | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (prev !== undefined) {
      if (v < prev) {
        resets++;
        increase += v;
      } else increase += v - prev;
    }
    prev = v;
  }
  return { increase, resets };
}

/**
 * Per-second rate of a raw counter series, point by point (NaN where it cannot be
 * computed), with the same reset rule as `counterIncrease`.
 */
export function counterRate(series: Series): Series {
  const v = new Array<number>(series.v.length).fill(NaN);
  let prevI = -1;
  for (let i = 0; i < series.v.length; i++) {
    const x = series.v[i];
    if (!Number.isFinite(x)) continue;
    if (prevI >= 0) {
      const prev = series.v[prevI];
      const dt = series.t[i] - series.t[prevI];
      if (dt > 0) v[i] = (x < prev ? x : x - prev) / dt;
    }
    prevI = i;
  }
  return { t: series.t, v };
}

/**
 * Point-wise derivative (units per second) by a least-squares slope over a centred window of
 * `halfWidth` points on each side, ignoring non-finite points. Smoother than a first
 * difference, which turns every scrape jitter into a spike.
 */
export function derivative(series: Series, halfWidth = 2): Series {
  const { t, v } = series;
  const out = new Array<number>(v.length).fill(NaN);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) continue;
    let n = 0;
    let st = 0;
    let sv = 0;
    let stt = 0;
    let stv = 0;
    for (let j = Math.max(0, i - halfWidth); j <= Math.min(v.length - 1, i + halfWidth); j++) {
      if (!Number.isFinite(v[j])) continue;
      const x = t[j] - t[i];
      n++;
      st += x;
      sv += v[j];
      stt += x * x;
      stv += x * v[j];
    }
    const den = n * stt - st * st;
    if (n >= 2 && den > 0) out[i] = (n * stv - st * sv) / den;
  }
  return { t, v: out };
}

/** Point-wise a ⊕ b on the same grid; NaN where either side is not finite. */
export function combine(a: Series, b: Series, op: (x: number, y: number) => number): Series {
  const n = Math.min(a.v.length, b.v.length);
  const v = new Array<number>(n);
  for (let i = 0; i < n; i++) v[i] = Number.isFinite(a.v[i]) && Number.isFinite(b.v[i]) ? op(a.v[i], b.v[i]) : NaN;
  return { t: a.t.length === n ? a.t : a.t.slice(0, n), v };
}

/** Sum several series on the same grid; a point is NaN only when every input is. */
export function sumSeries(list: Series[]): Series | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  const n = list[0].v.length;
  const v = new Array<number>(n).fill(NaN);
  for (const s of list) {
    for (let i = 0; i < n; i++) {
      const x = s.v[i];
      if (Number.isFinite(x)) v[i] = Number.isFinite(v[i]) ? v[i] + x : x;
    }
  }
  return { t: list[0].t, v };
}

/**
 * Little's law L = λW, so W = L / λ: the mean time a job spends in service is the mean number
 * in service (in-flight) over the mean completion rate. Only points where both are finite
 * and throughput is positive count; undefined when there are none.
 */
export function littlesLaw(inflight: Series, throughput: Series): { meanSeconds: number; points: number } | undefined {
  let sumL = 0;
  let sumX = 0;
  let points = 0;
  const n = Math.min(inflight.v.length, throughput.v.length);
  for (let i = 0; i < n; i++) {
    const l = inflight.v[i];
    const x = throughput.v[i];
    if (Number.isFinite(l) && Number.isFinite(x) && x > 0 && l >= 0) {
      sumL += l;
      sumX += x;
      points++;
    }
  }
  if (points === 0 || sumX <= 0) return undefined;
  return { meanSeconds: sumL / sumX, points };
}

// ---------------------------------------------------------------------------------------------
// Trend

export interface Trend {
  /** Theil–Sen slope, units per second. */
  slope: number;
  /** Intercept at the first point's time. */
  intercept: number;
  /** slope × covered span: the fitted change over the window. */
  change: number;
  /** Median level of the series. */
  level: number;
  /** Points used (after down-sampling). */
  n: number;
  /** Mann–Kendall S statistic, its normal score and two-sided p-value. */
  s: number;
  z: number;
  pValue: number;
  /** Significant (p < alpha) and material (|change| >= max(minChange, relChange × level)). */
  rising: boolean;
  falling: boolean;
}

export interface TrendOptions {
  /** Significance level of the Mann–Kendall test. */
  alpha?: number;
  /** Down-sample to at most this many points (bucket medians) before testing. */
  maxPoints?: number;
  /** A change smaller than this (absolute) is not called a trend. */
  minChange?: number;
  /** …nor one smaller than this fraction of the median level. */
  relChange?: number;
}

/**
 * Robust trend of a series: the Theil–Sen slope (median of pairwise slopes, insensitive to
 * outliers) and a Mann–Kendall test for monotonic trend with the tie correction.
 *
 * Queue series are strongly autocorrelated, which makes Mann–Kendall over-confident on raw
 * scrape-rate data; down-sampling to bucket medians (default ≤ 60 points) spaces the points
 * out so neighbouring values are closer to independent, and keeps the O(n²) cost bounded.
 * Undefined with fewer than 4 finite points.
 */
export function trend(series: Series, options: TrendOptions = {}): Trend | undefined {
  const alpha = options.alpha ?? 0.05;
  const { t, v } = downsample(series, options.maxPoints ?? 60);
  const n = v.length;
  if (n < 4) return undefined;

  const slopes = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    for (let j = i + 1; j < n; j++) {
      const dv = v[j] - v[i];
      s += dv > 0 ? 1 : dv < 0 ? -1 : 0;
      const dt = t[j] - t[i];
      if (dt > 0) slopes[k++] = dv / dt;
    }
  }
  const slope = k === 0 ? 0 : quantileSorted(slopes.subarray(0, k).sort(), 0.5)!;
  const intercepts = v.map((x, i) => x - slope * (t[i] - t[0]));
  const intercept = quantile(intercepts, 0.5)!;

  // variance of S with ties: [n(n-1)(2n+5) − Σ g(g-1)(2g+5)] / 18
  const ties = new Map<number, number>();
  for (const x of v) ties.set(x, (ties.get(x) ?? 0) + 1);
  let tieTerm = 0;
  for (const g of ties.values()) if (g > 1) tieTerm += g * (g - 1) * (2 * g + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  const z = variance <= 0 ? 0 : s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
  const pValue = z === 0 ? 1 : Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));

  const span = t[n - 1] - t[0];
  const change = slope * span;
  const level = quantile(v, 0.5)!;
  const material = Math.abs(change) >= Math.max(options.minChange ?? 1, (options.relChange ?? 0.1) * Math.abs(level));
  const significant = pValue < alpha;
  return {
    slope,
    intercept,
    change,
    level,
    n,
    s,
    z,
    pValue,
    rising: significant && material && slope > 0,
    falling: significant && material && slope < 0,
  };
}

/**
 * Reduce a series to at most `maxPoints` points: finite values only, grouped in equal index
 * buckets, each represented by its median value at its median time.
 */
export function downsample(series: Series, maxPoints: number): { t: number[]; v: number[] } {
  const ts: number[] = [];
  const vs: number[] = [];
  for (let i = 0; i < series.v.length; i++) {
    if (Number.isFinite(series.v[i]) && Number.isFinite(series.t[i])) {
      ts.push(series.t[i]);
      vs.push(series.v[i]);
    }
  }
  if (vs.length <= maxPoints) return { t: ts, v: vs };
  const t: number[] = [];
  const v: number[] = [];
  const size = vs.length / maxPoints;
  for (let b = 0; b < maxPoints; b++) {
    const from = Math.floor(b * size);
    const to = Math.floor((b + 1) * size);
    if (to <= from) continue;
    t.push(quantile(ts.slice(from, to), 0.5)!);
    v.push(quantile(vs.slice(from, to), 0.5)!);
  }
  return { t, v };
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf approximation, |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const tt = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * tt - 1.453152027) * tt + 1.421413741) * tt - 0.284496736) * tt + 0.254829592) * tt * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
