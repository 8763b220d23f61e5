// The queue model against queueing theory: M/M/c (Erlang C, exact) and M/D/c (Cosmetatos'
// approximation) on stationary synthetic arrivals, and fixed:N on a real trace.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/simulate/simulate.js';
import { simulateJobs, type SimulationConfig } from '../../src/simulate/engine.js';
import { jobsFrom } from '../../src/simulate/jobs.js';
import { createRng } from '../../src/simulate/rng.js';
import { fixedPolicy } from '../../src/simulate/policy.js';
import { parseTrace, traceFromSeries, traceStats } from '../../src/simulate/trace.js';

/** Erlang C: probability that an arrival waits in M/M/c with offered load a = λ/μ < c. */
function erlangC(c: number, a: number): number {
  let sum = 0;
  let term = 1;
  for (let k = 0; k < c; k++) {
    if (k > 0) term *= a / k;
    sum += term;
  }
  const top = ((term * a) / c) * (c / (c - a));
  return top / (sum + top);
}

const cfg: SimulationConfig = { startupSeconds: 0, concurrency: 1, graceSeconds: 0, targetWaitSeconds: 0, seed: 1, timelinePoints: 0, scoreFrom: 1000 };

describe('stationary queues vs theory', () => {
  // λ = 0.3/s, mean service 10 s, c = 4: a = 3, ρ = 0.75
  const lambda = 0.3;
  const mean = 10;
  const c = 4;
  const a = lambda * mean;
  const C = erlangC(c, a);
  const theta = c / mean - lambda;

  it('M/M/c: P(wait > 0), mean wait and p95 wait match Erlang C', () => {
    const rng = createRng(5);
    const arrival: number[] = [];
    const service: number[] = [];
    let t = 0;
    for (let i = 0; i < 200_000; i++) {
      t += -Math.log(1 - rng.next()) / lambda;
      arrival.push(t);
      service.push(-Math.log(1 - rng.next()) * mean);
    }
    const jobs = jobsFrom(arrival, service);
    const r = simulateJobs(jobs, { start: 0, end: t + 1 }, fixedPolicy(c), cfg);
    expect(C).toBeCloseTo(0.5094, 4);
    // targetWait 0: fractionOverTarget is P(W > 0)
    expect(Math.abs(r.fractionOverTarget - C)).toBeLessThan(0.015);
    expect(Math.abs(r.wait.mean / (C / theta) - 1)).toBeLessThan(0.07);
    // P(W > w) = C·exp(−(cμ − λ)w)  =>  p95 = ln(C / 0.05) / (cμ − λ)
    expect(Math.abs(r.wait.p95 / (Math.log(C / 0.05) / theta) - 1)).toBeLessThan(0.08);
    // one pod with 4 slots is the same queue as 4 pods with one slot
    const slots = simulateJobs(jobs, { start: 0, end: t + 1 }, fixedPolicy(1), { ...cfg, concurrency: 4 });
    expect(slots.wait).toEqual(r.wait);
  });

  it('M/D/c (a constant-rate series, fixed-length jobs): mean wait matches Cosmetatos’ approximation', () => {
    const t: number[] = [];
    const v: number[] = [];
    for (let x = 0; x < 600_000; x += 60) {
      t.push(x);
      v.push(lambda);
    }
    const trace = traceFromSeries({ t, v }, { mean, p95: mean, source: 'query' });
    const r = simulate(trace, fixedPolicy(c), { ...cfg, seed: 3 });
    const rho = a / c;
    const cosmetatos = 0.5 * (1 + ((1 - rho) * (c - 1) * (Math.sqrt(4 + 5 * c) - 2)) / (16 * rho * c)) * (C / theta);
    expect(Math.abs(r.wait.mean / cosmetatos - 1)).toBeLessThan(0.08);
    // deterministic service waits less than exponential
    expect(r.wait.mean).toBeLessThan(0.6 * (C / theta));
  });
});

describe('fixed:N on a real trace (Mooncake, offered load ≈ 41 busy workers)', () => {
  const trace = parseTrace(readFileSync(new URL('../../fixtures/traces/mooncake-kimi-conversation.csv', import.meta.url), 'utf8'), 'mooncake');
  const load = traceStats(trace).offeredLoad;
  const run = (n: number) => simulate(trace, fixedPolicy(n), { ...cfg, scoreFrom: 300 });

  it('below the offered load the queue grows without bound', () => {
    const r = run(Math.floor(load) - 5);
    expect(r.jobsUnfinished).toBeGreaterThan(1000);
    expect(r.wait.p95).toBeGreaterThan(300);
  });

  it('above it, waiting falls as theory says: monotone in N, never below Erlang C (the trace is burstier than Poisson), near zero with headroom', () => {
    const ns = [44, 46, 48, 50, 55, 60];
    const pw = ns.map((n) => run(n).fractionOverTarget);
    for (let i = 1; i < pw.length; i++) expect(pw[i]).toBeLessThan(pw[i - 1]);
    ns.forEach((n, i) => {
      expect(pw[i]).toBeGreaterThanOrEqual(erlangC(n, load) * 0.95);
      // and within a modest factor of it while waiting is common
      if (erlangC(n, load) > 0.1) expect(pw[i]).toBeLessThan(erlangC(n, load) * 2.5);
    });
    expect(pw[pw.length - 1]).toBeLessThan(0.05);
    expect(run(60).wait.p95).toBeLessThan(1);
  });
});
