// Traces: the CSV format (with file:line errors), traces from recorded series, service-time fits.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTrace, traceFromSeries, traceStats, sliceTrace, traceTimeAt, TraceError } from '../../src/simulate/trace.js';
import { fitJobDuration, fitMeanP95, fitMoments, Z95 } from '../../src/simulate/service-fit.js';
import { generateJobs } from '../../src/simulate/jobs.js';
import { createRng, poisson } from '../../src/simulate/rng.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/traces/${name}`, import.meta.url), 'utf8');

describe('parseTrace', () => {
  it('reads the shared trace files with the statistics their README states', () => {
    const moon = traceStats(parseTrace(fixture('mooncake-kimi-conversation.csv'), 'moon.csv'));
    expect(moon).toMatchObject({ buckets: 354, bucketSeconds: 10, durationSeconds: 3540, jobs: 12031 });
    expect(moon.meanServiceSeconds).toBeCloseTo(12.07, 1);
    expect(moon.offeredLoad).toBeCloseTo(41, 0);
    const syn = traceStats(parseTrace(fixture('synthetic-onoff-ramp-burst-6h.csv'), 'syn.csv'));
    expect(syn).toMatchObject({ buckets: 2160, durationSeconds: 21600, jobs: 23639 });
    expect(syn.meanServiceSeconds).toBeCloseTo(8.2, 1);
    const hyb = traceStats(parseTrace(fixture('hybrid-servegen-mlarge-client48-14d.csv'), 'hyb.csv'));
    expect(hyb).toMatchObject({ buckets: 20160, bucketSeconds: 60, durationSeconds: 1209600, jobs: 1201371 });
    expect(hyb.offeredLoad).toBeCloseTo(2.9, 1);
  });

  it('accepts no header, comments, CRLF, a BOM and columns in any order', () => {
    const t = parseTrace('\ufeff# comment\r\np95_service_s,t_s,mean_service_s,arrivals,extra\r\n2,0,1,3,x\r\n\r\n0,10,0,0,y\r\n', 'a.csv');
    expect(Array.from(t.arrivals)).toEqual([3, 0]);
    expect(Array.from(t.meanService)).toEqual([1, 0]);
    expect([t.start, t.end]).toEqual([0, 20]);
    const noHeader = parseTrace('0,1,2,3\n5,1,2,3\n', 'b.csv');
    expect(Array.from(noHeader.len)).toEqual([5, 5]);
  });

  it('keeps a mean rounded to 0 when a small enough mean fits its p95 (found by a property test)', () => {
    const t = parseTrace('0,1,0.000,0.001\n10,0,0,0\n', 'r.csv');
    // the smallest mean a lognormal with that p95 can have: p95 ÷ exp(z95²/2)
    expect(t.meanService[0]).toBeCloseTo(0.001 / Math.exp(1.6448536269514722 ** 2 / 2), 12);
    expect(t.meanService[0]).toBeLessThan(0.0005);
    // "0.00" cannot hide a mean that a p95 of 0.5 needs (≥ 0.13)
    expect(() => parseTrace('0,1,0.00,0.5\n10,0,0,0\n', 'r.csv')).toThrow(/^r\.csv:1: mean_service_s is 0 but p95_service_s is 0\.5/);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['empty', '', /^e\.csv:1: no data rows/],
    ['header only', 't_s,arrivals,mean_service_s,p95_service_s\n', /^e\.csv:1: no data rows/],
    ['one row', 't_s,arrivals,mean_service_s,p95_service_s\n0,1,1,1\n', /^e\.csv:2: a trace needs at least two rows/],
    ['missing column in header', 't_s,arrivals,mean_service_s\n0,1,1\n', /^e\.csv:1: header lacks column p95_service_s/],
    ['short row', 't_s,arrivals,mean_service_s,p95_service_s\n0,1,1,1\n10,1,1\n', /^e\.csv:3: expected 4 comma-separated values .* found 3/],
    ['not a number', 't_s,arrivals,mean_service_s,p95_service_s\n0,1,1,1\n10,abc,1,1\n', /^e\.csv:3: arrivals "abc" is not a number/],
    ['fractional arrivals', '0,1.5,1,1\n10,1,1,1\n', /^e\.csv:1: arrivals must be a whole number/],
    ['negative service', '0,1,-1,1\n10,1,1,1\n', /^e\.csv:1: mean_service_s must be ≥ 0/],
    ['time going backwards', '0,1,1,1\n10,1,1,1\n10,1,1,1\n', /^e\.csv:3: t_s 10 does not increase/],
    ['p95 without a mean', '0,1,0,3\n10,1,1,1\n', /^e\.csv:1: mean_service_s is 0 but p95_service_s is 3/],
    ['infinity', '0,1,1e999,1\n10,1,1,1\n', /^e\.csv:1: mean_service_s "1e999" is not a finite number/],
  ];
  for (const [name, text, re] of bad) {
    it(`rejects ${name} with file:line`, () => {
      expect(() => parseTrace(text, 'e.csv')).toThrow(re);
      try {
        parseTrace(text, 'e.csv');
      } catch (e) {
        expect(e).toBeInstanceOf(TraceError);
        expect((e as Error).message).not.toContain('\n');
      }
    });
  }

  it('slices and locates times', () => {
    const t = parseTrace(fixture('synthetic-onoff-ramp-burst-6h.csv'), 's');
    expect(traceTimeAt(t, 0.6)).toBe(12960);
    const s = sliceTrace(t, 3600, 7200);
    expect([s.start, s.end, s.t.length]).toEqual([3600, 7200, 360]);
  });
});

describe('service-time fit', () => {
  it('fits a lognormal that keeps the mean and the p95', () => {
    const f = fitMeanP95(10, 25);
    const m = fitMoments(f);
    expect(m.mean).toBeCloseTo(10, 10);
    expect(m.p95).toBeCloseTo(25, 10);
  });
  it('p95 ≤ mean gives fixed-length jobs; p95 beyond the lognormal range keeps the mean', () => {
    expect(fitMeanP95(4, 4).sigma).toBe(0);
    expect(fitMeanP95(4, 3).sigma).toBe(0);
    const wide = fitMeanP95(1, 100);
    expect(wide.sigma).toBeCloseTo(Z95, 10);
    expect(fitMoments(wide).mean).toBeCloseTo(1, 10);
    expect(fitMeanP95(0, 0).mu).toBe(-Infinity);
  });
  it('fits job-duration summaries in order of preference', () => {
    expect(fitMoments(fitJobDuration({ mean: 8, p95: 20, source: 'histogram' }))).toMatchObject({ mean: expect.closeTo(8, 9), p95: expect.closeTo(20, 9) });
    expect(fitMoments(fitJobDuration({ p50: 5, p95: 12, source: 'histogram' }))).toMatchObject({ p50: expect.closeTo(5, 9), p95: expect.closeTo(12, 9) });
    expect(fitMoments(fitJobDuration({ p50: 5, p99: 30, source: 'histogram' })).p99).toBeCloseTo(30, 9);
    expect(fitMoments(fitJobDuration({ mean: 6, source: 'littles-law' })).mean).toBeCloseTo(6, 9);
    expect(() => fitJobDuration({ source: 'query' })).toThrow(/no positive mean, p50, p95 or p99/);
  });
  it('generated service times follow the fit (mean and p95 within 3 %)', () => {
    const csv = ['t_s,arrivals,mean_service_s,p95_service_s', ...Array.from({ length: 200 }, (_, i) => `${i * 60},500,12,30`)].join('\n');
    const jobs = generateJobs(parseTrace(csv, 'x'), 7);
    const s = Float64Array.from(jobs.service).sort();
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    expect(mean).toBeGreaterThan(12 * 0.97);
    expect(mean).toBeLessThan(12 * 1.03);
    const p95 = s[Math.ceil(0.95 * s.length) - 1];
    expect(p95).toBeGreaterThan(30 * 0.97);
    expect(p95).toBeLessThan(30 * 1.03);
  });
});

describe('traceFromSeries', () => {
  it('turns a rate series into expected counts per step and draws Poisson arrivals', () => {
    const t = Array.from({ length: 1440 }, (_, i) => 1_700_000_000 + i * 60);
    const v = t.map((_, i) => (i === 5 ? NaN : 2));
    const trace = traceFromSeries({ t, v }, { p50: 4, p95: 10, source: 'histogram' });
    expect(trace.kind).toBe('expected');
    expect(trace.start).toBe(1_700_000_000);
    expect(trace.end).toBe(1_700_000_000 + 1440 * 60);
    expect(trace.arrivals[0]).toBe(120);
    expect(trace.arrivals[5]).toBe(0);
    expect(trace.notes).toEqual(['1 of 1440 arrival-rate samples were missing and count as no arrivals']);
    const jobs = generateJobs(trace, 3);
    const expected = 1439 * 120;
    expect(Math.abs(jobs.count - expected)).toBeLessThan(4 * Math.sqrt(expected));
    expect(jobs.arrival[0]).toBeGreaterThanOrEqual(trace.start);
  });
  it('rejects unusable series', () => {
    expect(() => traceFromSeries({ t: [1], v: [1] }, { mean: 1, source: 'query' })).toThrow(/at least two samples/);
    expect(() => traceFromSeries({ t: [2, 1], v: [1, 1] }, { mean: 1, source: 'query' })).toThrow(/timestamps must increase/);
  });
});

describe('rng', () => {
  it('is seeded and uniform-ish', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 10000 }, () => a.next());
    expect(Array.from({ length: 10000 }, () => b.next())).toEqual(xs);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeCloseTo(0.5, 1);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(createRng(43).next()).not.toBe(createRng(42).next());
  });
  it('draws Poisson counts with the right mean for small and large λ', () => {
    const r = createRng(9);
    for (const lambda of [0.3, 4, 55, 400]) {
      let sum = 0;
      const n = 20000;
      for (let i = 0; i < n; i++) sum += poisson(r, lambda);
      expect(Math.abs(sum / n - lambda)).toBeLessThan(5 * Math.sqrt(lambda / n));
    }
  });
});
