// Pure statistics over signal series for the live rules and the recommendation engine.
// Written here (not in src/metrics/) because the live rules need them independently of how
// the series were fetched; everything tolerates NaN gaps and ±Inf.
import type { Series } from '../metrics/signals-model.js';

export interface Point {
  t: number;
  v: number;
}

/** Finite points of a series, in time order. */
export function points(s: Series | undefined): Point[] {
  if (!s) return [];
  const out: Point[] = [];
  const n = Math.min(s.t.length, s.v.length);
  for (let i = 0; i < n; i++) if (Number.isFinite(s.v[i]) && Number.isFinite(s.t[i])) out.push({ t: s.t[i], v: s.v[i] });
  return out;
}

export function values(s: Series | undefined): number[] {
  return points(s).map((p) => p.v);
}

export function last(s: Series | undefined): number | undefined {
  const p = points(s);
  return p.length ? p[p.length - 1].v : undefined;
}

export function mean(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Linear-interpolated quantile (type 7, like numpy's default); q in [0, 1]. */
export function quantile(xs: number[], q: number): number | undefined {
  if (xs.length === 0) return undefined;
  const sorted = [...xs].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf approximation, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export interface Trend {
  /** Theil–Sen slope, units per second. */
  slopePerSecond: number;
  /** Mann–Kendall S statistic and two-sided p-value (with the ties correction). */
  s: number;
  z: number;
  pValue: number;
  /** Points used (after thinning). */
  n: number;
}

/** Largest number of points the O(n²) trend test looks at; longer series are thinned by bucket medians. */
export const TREND_MAX_POINTS = 240;

/**
 * Robust trend: Theil–Sen slope with a Mann–Kendall significance test. Long series are reduced
 * to TREND_MAX_POINTS bucket medians first, which keeps the test O(1) in series length and makes
 * it insensitive to single spikes.
 */
export function trend(s: Series | undefined): Trend | undefined {
  let pts = points(s);
  if (pts.length < 4) return undefined;
  if (pts.length > TREND_MAX_POINTS) pts = thin(pts, TREND_MAX_POINTS);
  const n = pts.length;
  const slopes: number[] = [];
  let S = 0;
  for (let i = 0; i < n - 1; i++) {
    for (let j = i + 1; j < n; j++) {
      const dv = pts[j].v - pts[i].v;
      const dt = pts[j].t - pts[i].t;
      if (dt > 0) slopes.push(dv / dt);
      S += Math.sign(dv);
    }
  }
  // ties correction: sum over groups of equal values of g(g-1)(2g+5)
  const counts = new Map<number, number>();
  for (const p of pts) counts.set(p.v, (counts.get(p.v) ?? 0) + 1);
  let ties = 0;
  for (const g of counts.values()) if (g > 1) ties += g * (g - 1) * (2 * g + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - ties) / 18;
  const z = variance <= 0 ? 0 : S > 0 ? (S - 1) / Math.sqrt(variance) : S < 0 ? (S + 1) / Math.sqrt(variance) : 0;
  const pValue = variance <= 0 ? 1 : 2 * (1 - normalCdf(Math.abs(z)));
  return { slopePerSecond: quantile(slopes, 0.5) ?? 0, s: S, z, pValue, n };
}

function thin(pts: Point[], target: number): Point[] {
  const out: Point[] = [];
  const size = pts.length / target;
  for (let b = 0; b < target; b++) {
    const chunk = pts.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (chunk.length === 0) continue;
    out.push({ t: quantile(chunk.map((p) => p.t), 0.5)!, v: quantile(chunk.map((p) => p.v), 0.5)! });
  }
  return out;
}

/** Value of `s` at time t (the latest point at or before t), for aligning series on different grids. */
export function sampleAt(pts: Point[], t: number): number | undefined {
  let lo = 0;
  let hi = pts.length - 1;
  if (hi < 0 || pts[0].t > t) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pts[mid].t <= t) lo = mid;
    else hi = mid - 1;
  }
  return pts[lo].v;
}

/** Typical spacing of a series' points (median of the gaps), seconds. */
export function stepOf(pts: Point[], fallback = 60): number {
  if (pts.length < 2) return fallback;
  const gaps: number[] = [];
  for (let i = 1; i < pts.length; i++) gaps.push(pts[i].t - pts[i - 1].t);
  return quantile(gaps, 0.5) ?? fallback;
}

export interface RunStats {
  /** Fraction of points where the predicate held. */
  fraction: number;
  /** Longest uninterrupted stretch where it held, seconds (point count × step). */
  longestSeconds: number;
  /** Whether it holds at the last point. */
  holdsNow: boolean;
}

/** How long a per-point predicate held: fraction of the window and the longest stretch. */
export function runs(pts: Point[], holds: (p: Point, i: number) => boolean): RunStats {
  if (pts.length === 0) return { fraction: 0, longestSeconds: 0, holdsNow: false };
  const step = stepOf(pts);
  let count = 0;
  let current = 0;
  let longest = 0;
  let now = false;
  pts.forEach((p, i) => {
    now = holds(p, i);
    if (now) {
      count++;
      current += i > 0 && holds(pts[i - 1], i - 1) ? p.t - pts[i - 1].t : step;
      longest = Math.max(longest, current);
    } else current = 0;
  });
  return { fraction: count / pts.length, longestSeconds: longest, holdsNow: now };
}

export interface ChangeStats {
  /** Number of times the value changed. */
  changes: number;
  ups: number;
  downs: number;
  /** Scale-downs followed by a scale-up within `window` seconds. */
  downThenUp: number;
  /** Span of the series, seconds. */
  spanSeconds: number;
}

/** Step changes of an integer-valued series (replicas), and down-then-up flaps within `window`. */
export function changes(s: Series | undefined, window: number): ChangeStats {
  const pts = points(s).map((p) => ({ t: p.t, v: Math.round(p.v) }));
  const out: ChangeStats = { changes: 0, ups: 0, downs: 0, downThenUp: 0, spanSeconds: pts.length > 1 ? pts[pts.length - 1].t - pts[0].t : 0 };
  let lastDown: number | undefined;
  for (let i = 1; i < pts.length; i++) {
    const d = pts[i].v - pts[i - 1].v;
    if (d === 0) continue;
    out.changes++;
    if (d > 0) {
      out.ups++;
      if (lastDown !== undefined && pts[i].t - lastDown <= window) {
        out.downThenUp++;
        lastDown = undefined;
      }
    } else {
      out.downs++;
      lastDown = pts[i].t;
    }
  }
  return out;
}
