// Run-length and step-change statistics over signal series for the live rules and the
// recommendation engine (the trend test and quantiles are src/metrics/stats.ts's, re-exported).
// Everything tolerates NaN gaps and ±Inf.
import type { Series } from '../metrics/signals-model.js';
import { mean, quantile, trend as seriesTrend, type Trend } from '../metrics/stats.js';

export { mean, quantile, type Trend };

/** Robust trend (Theil–Sen + Mann–Kendall, from src/metrics/stats.ts), undefined without a series. */
export function trend(s: Series | undefined): Trend | undefined {
  return s ? seriesTrend(s) : undefined;
}

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
