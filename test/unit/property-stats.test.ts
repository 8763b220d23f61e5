// Properties of the series statistics (src/metrics/stats.ts) on series with gaps, NaN and ±Inf:
// quantiles stay within the finite values' range and are monotonic in q; the trend's sign
// follows a monotone series; counters never lose increase. (test/unit/stats.test.ts has the
// worked examples; these are the invariants for any input.)
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { counterIncrease, quantile, quantiles, trend } from '../../src/metrics/stats.js';
import { checkProperty } from '../helpers/property.js';

const messy = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: -1e15, max: 1e15, noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) },
  ),
  { maxLength: 200 },
);

describe('quantiles', () => {
  test('within [min, max] of the finite values, exact at q = 0 and 1, monotonic in q; undefined without data', async () => {
    await checkProperty(
      fc.property(messy, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }), (xs, qs) => {
        const finite = xs.filter(Number.isFinite);
        const sortedQs = [...qs].sort((a, b) => a - b);
        const got = quantiles(xs, sortedQs);
        if (finite.length === 0) {
          expect(got.every((g) => g === undefined)).toBe(true);
          return;
        }
        const lo = Math.min(...finite);
        const hi = Math.max(...finite);
        expect(quantile(xs, 0) === lo).toBe(true); // === : -0 and 0 are the same level
        expect(quantile(xs, 1) === hi).toBe(true);
        for (let i = 0; i < got.length; i++) {
          expect(got[i]).toBeGreaterThanOrEqual(lo);
          expect(got[i]).toBeLessThanOrEqual(hi);
          if (i > 0) expect(got[i]!).toBeGreaterThanOrEqual(got[i - 1]!);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('q outside [0, 1] or NaN is undefined, never a throw', async () => {
    await checkProperty(
      fc.property(messy, fc.oneof(fc.double({ min: 1.0000001 }), fc.double({ max: -1e-9 }), fc.constant(NaN)), (xs, q) => {
        expect(quantile(xs, q)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });
});

/** A series with strictly increasing times, some points missing (NaN or ±Inf). */
function series(values: number[], gaps: number[], holes: boolean[]): { t: number[]; v: number[] } {
  const t: number[] = [];
  let now = 1_795_800_000;
  for (let i = 0; i < values.length; i++) {
    now += gaps[i % gaps.length];
    t.push(now);
  }
  return { t, v: values.map((x, i) => (holes[i % holes.length] ? [NaN, Infinity, -Infinity][i % 3] : x)) };
}

const steps = fc.array(fc.double({ min: 0.01, max: 1000, noNaN: true }), { minLength: 5, maxLength: 150 });
const gaps = fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 10 });
const holes = fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }).map((h) => [false, ...h]);

describe('trend on monotone series', () => {
  test('strictly rising: slope > 0, Mann–Kendall S maximal, never falling; rising exactly when material', async () => {
    await checkProperty(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), steps, gaps, holes, (start, incs, g, h) => {
        const values = incs.reduce<number[]>((acc, d) => [...acc, (acc.length ? acc[acc.length - 1] : start) + d], []);
        const s = series(values, g, h);
        const tr = trend(s);
        const n = s.v.filter(Number.isFinite).length;
        if (n < 4) {
          expect(tr).toBeUndefined();
          return;
        }
        expect(tr).toBeDefined();
        expect(tr!.slope).toBeGreaterThan(0);
        expect(tr!.s).toBe((tr!.n * (tr!.n - 1)) / 2);
        expect(tr!.falling).toBe(false);
        const material = Math.abs(tr!.change) >= Math.max(1, 0.1 * Math.abs(tr!.level));
        if (tr!.n >= 5) expect(tr!.rising).toBe(material);
      }),
      { numRuns: 1500 },
    );
  });

  test('non-increasing (ties allowed): never rising; non-decreasing: never falling', async () => {
    const nonNeg = fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 100, noNaN: true })), { minLength: 0, maxLength: 120 });
    await checkProperty(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), nonNeg, gaps, holes, (start, incs, g, h) => {
        const up = incs.reduce<number[]>((acc, d) => [...acc, (acc.length ? acc[acc.length - 1] : start) + d], []);
        const down = up.map((x) => 2 * start - x);
        const tu = trend(series(up, g, h));
        const td = trend(series(down, g, h));
        if (tu) {
          expect(tu.falling).toBe(false);
          expect(tu.slope).toBeGreaterThanOrEqual(0);
        }
        if (td) {
          expect(td.rising).toBe(false);
          expect(td.slope).toBeLessThanOrEqual(0);
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe('counters', () => {
  test('a non-decreasing counter increases by last − first, with no resets; any counter increases by ≥ 0', async () => {
    await checkProperty(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { maxLength: 100 }), fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { maxLength: 100 }), (incs, raw) => {
        const mono = incs.reduce<number[]>((acc, d) => [...acc, (acc.length ? acc[acc.length - 1] : 0) + d], []);
        const r = counterIncrease(mono);
        expect(r.resets).toBe(0);
        if (mono.length) expect(r.increase).toBeCloseTo(mono[mono.length - 1] - mono[0], 3);
        expect(counterIncrease(raw).increase).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 1500 },
    );
  });
});
