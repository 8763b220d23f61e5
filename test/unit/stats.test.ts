import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  combine,
  counterIncrease,
  counterRate,
  countNonFinite,
  derivative,
  downsample,
  finite,
  gapFraction,
  isStale,
  lastSampleTime,
  lastValue,
  littlesLaw,
  longestGapSeconds,
  mean,
  median,
  normalCdf,
  quantile,
  quantiles,
  sumSeries,
  trend,
} from '../../src/metrics/stats.js';
import type { Series } from '../../src/metrics/signals-model.js';

const grid = (n: number, step = 60, start = 1_700_000_000) => Array.from({ length: n }, (_, i) => start + i * step);
const series = (v: number[], step = 60): Series => ({ t: grid(v.length, step), v });

describe('quantiles', () => {
  it('interpolates linearly between order statistics (type 7)', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([4, 1, 3, 2], 1)).toBe(4);
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantiles([10, 20, 30], [0, 0.5, 1])).toEqual([10, 20, 30]);
  });

  it('ignores NaN and ±Inf, and is undefined without data or for q outside [0, 1]', () => {
    expect(quantile([NaN, 1, Infinity, 3, -Infinity], 0.5)).toBe(2);
    expect(quantile([NaN, Infinity], 0.5)).toBeUndefined();
    expect(quantile([1, 2], 1.5)).toBeUndefined();
    expect(median([])).toBeUndefined();
    expect(mean([1, NaN, 3])).toBe(2);
    expect(finite([1, NaN, -Infinity, 2])).toEqual([1, 2]);
    expect(countNonFinite([NaN, Infinity, -Infinity, Infinity, 1])).toEqual({ nan: 1, posInf: 2, negInf: 1 });
  });

  it('stays within the data near ±Number.MAX_VALUE, where the distance between neighbours overflows', () => {
    expect(quantile([-1.7e308, 1.7e308], 0.5)).toBe(0);
    expect(quantile([-Number.MAX_VALUE, Number.MAX_VALUE], 0.75)).toBeCloseTo(Number.MAX_VALUE / 2, -300);
    expect(Number.isFinite(quantile([-Number.MAX_VALUE, Number.MAX_VALUE], 0.999)!)).toBe(true);
    expect(quantiles([Number.MAX_VALUE, -Number.MAX_VALUE, 0], [0, 0.25, 0.5, 1])).toEqual([-Number.MAX_VALUE, -Number.MAX_VALUE / 2, 0, Number.MAX_VALUE]);
  });

  it('property: over the whole double range, finite, within [min, max] and monotonic in q', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 20 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }), (xs, qs) => {
        const sorted = [...qs].sort((x, y) => x - y);
        const got = quantiles(xs, sorted) as number[];
        const lo = Math.min(...xs);
        const hi = Math.max(...xs);
        for (let i = 0; i < got.length; i++) {
          expect(Number.isFinite(got[i])).toBe(true);
          expect(got[i]).toBeGreaterThanOrEqual(lo);
          expect(got[i]).toBeLessThanOrEqual(hi);
          if (i > 0) expect(got[i]).toBeGreaterThanOrEqual(got[i - 1]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('property: within [min, max] and monotonic in q', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 50 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const qa = quantile(xs, lo)!;
        const qb = quantile(xs, hi)!;
        expect(qa).toBeLessThanOrEqual(qb + 1e-9);
        expect(qa).toBeGreaterThanOrEqual(Math.min(...xs) - 1e-9);
        expect(qb).toBeLessThanOrEqual(Math.max(...xs) + 1e-9);
      }),
    );
  });
});

describe('trend: Theil–Sen slope and Mann–Kendall test', () => {
  it('matches the textbook Mann–Kendall example 1,2,3,4,5: S = 10, z = 2.20, p = 0.0275', () => {
    const t = trend({ t: [0, 1, 2, 3, 4], v: [1, 2, 3, 4, 5] }, { minChange: 0 })!;
    expect(t.s).toBe(10);
    expect(t.z).toBeCloseTo(9 / Math.sqrt(50 / 3), 6);
    expect(t.pValue).toBeCloseTo(0.0275, 3);
    expect(t.slope).toBe(1);
    expect(t.rising).toBe(true);
  });

  it('calls a noisy rising queue rising, with the right slope', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 10;
    const s = series(Array.from({ length: 480 }, (_, i) => 40 + (60 * i) / 480 + rnd()), 15);
    const t = trend(s)!;
    expect(t.rising).toBe(true);
    expect(t.falling).toBe(false);
    expect(t.slope).toBeCloseTo(60 / (480 * 15), 3);
    expect(t.change).toBeGreaterThan(50);
    expect(t.pValue).toBeLessThan(1e-6);
    expect(t.n).toBeLessThanOrEqual(60);
  });

  it('is robust to outliers where least squares is not', () => {
    const v = Array.from({ length: 100 }, (_, i) => 10 + 0.5 * i);
    for (const i of [90, 91, 92, 93, 94]) v[i] = -1000; // a broken exporter's zeros-and-worse
    const t = trend(series(v, 1), { maxPoints: 200 })!;
    expect(t.slope).toBeCloseTo(0.5, 6);
    expect(t.rising).toBe(true);
  });

  it('a flat queue, a tiny drift and a falling queue', () => {
    const flat = trend(series(Array(100).fill(5)))!;
    expect(flat).toMatchObject({ slope: 0, s: 0, z: 0, pValue: 1, rising: false, falling: false });
    // significant but immaterial: +0.5 jobs over the window
    const drift = trend(series(Array.from({ length: 100 }, (_, i) => 5 + i * 0.005)))!;
    expect(drift.pValue).toBeLessThan(0.001);
    expect(drift.rising).toBe(false);
    const falling = trend(series(Array.from({ length: 100 }, (_, i) => 300 - 2 * i)))!;
    expect(falling.falling).toBe(true);
    expect(falling.rising).toBe(false);
  });

  it('skips gaps, NaN and ±Inf, and needs 4 points', () => {
    expect(trend(series([1, NaN, 2, Infinity]))).toBeUndefined();
    const t = trend(series([1, NaN, 2, 3, -Infinity, 4, 5]), { minChange: 0 })!;
    expect(t.n).toBe(5);
    // points at 0, 120, 180, 300, 360 s: the median pairwise slope is 2 jobs / 180 s
    expect(t.slope).toBeCloseTo(1 / 90, 9);
  });

  it('property: the slope of an exact line is its slope, whatever the offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 80 }), fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: -1e4, max: 1e4, noNaN: true }), (n, b, a) => {
        const s = { t: grid(n, 30), v: grid(n, 30).map((x) => a + b * (x - 1_700_000_000)) };
        expect(trend(s)!.slope).toBeCloseTo(b, 6);
      }),
    );
  });

  it('down-samples to bucket medians', () => {
    const d = downsample(series(Array.from({ length: 1000 }, (_, i) => i)), 50);
    expect(d.v.length).toBe(50);
    expect(d.v[0]).toBe(9.5);
    expect(d.t.every((x, i) => i === 0 || x > d.t[i - 1])).toBe(true);
  });

  it('normal CDF', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.959964)).toBeCloseTo(0.025, 6);
  });
});

describe('counters', () => {
  it('treats a decrease as a reset (Prometheus semantics)', () => {
    expect(counterIncrease([1, 2, 3, 0, 1, 2])).toEqual({ increase: 4, resets: 1 });
    expect(counterIncrease([10, 12, 3, 5])).toEqual({ increase: 2 + 3 + 2, resets: 1 });
    expect(counterIncrease([5, NaN, 7, Infinity, 9])).toEqual({ increase: 4, resets: 0 });
    expect(counterIncrease([])).toEqual({ increase: 0, resets: 0 });
  });

  it('per-point rate with resets and gaps', () => {
    const r = counterRate(series([0, 60, 120, 30, NaN, 150]));
    expect(r.v).toEqual([NaN, 1, 1, 0.5, NaN, 1]);
  });
});

describe('gaps and staleness', () => {
  it('gap fraction and the longest gap', () => {
    const s = series([1, NaN, NaN, 4, NaN, 6]);
    expect(gapFraction(s)).toBe(0.5);
    expect(longestGapSeconds(s)).toBe(180);
    expect(gapFraction({ t: [], v: [] })).toBe(1);
  });

  it('last sample, last value, stale', () => {
    const s = series([1, 2, NaN, NaN]);
    expect(lastSampleTime(s)).toBe(s.t[1]);
    expect(lastValue(s)).toBe(2);
    expect(lastValue(undefined)).toBeUndefined();
    expect(isStale(s, s.t[3], 60)).toBe(true);
    expect(isStale(s, s.t[3], 120)).toBe(false);
    expect(isStale(series([NaN]), 0, 1e9)).toBe(true);
  });
});

describe('derived quantities', () => {
  it("Little's law: mean in-flight over mean throughput", () => {
    const inflight = series([2, 2, 2, NaN, 2]);
    const throughput = series([0.1, 0.1, 0, 0.1, 0.1]);
    expect(littlesLaw(inflight, throughput)!.meanSeconds).toBeCloseTo(20, 9);
    expect(littlesLaw(inflight, throughput)!.points).toBe(3);
    expect(littlesLaw(series([1]), series([0]))).toBeUndefined();
  });

  it('derivative of a line is its slope; combine and sum align points', () => {
    const s = series(Array.from({ length: 10 }, (_, i) => 3 * i), 60);
    expect(derivative(s, 2).v.every((x) => Math.abs(x - 3 / 60) < 1e-12)).toBe(true);
    const a = series([1, NaN, 3]);
    const b = series([10, 20, NaN]);
    expect(combine(a, b, (x, y) => x + y).v).toEqual([11, NaN, NaN]);
    expect(sumSeries([a, b])!.v).toEqual([11, 20, 3]);
    expect(sumSeries([])).toBeUndefined();
  });
});
