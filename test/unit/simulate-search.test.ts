// Candidate search: the winner is the cheapest candidate that meets the objective with its
// margin on two seeds, and the explanation says so.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { searchCandidates, searchCandidatesSync } from '../../src/simulate/search.js';
import { simulate } from '../../src/simulate/simulate.js';
import { fixedPolicy, hpaCpuPolicy, kedaPolicy, type Policy } from '../../src/simulate/policy.js';
import { parseTrace, sliceTrace, traceTimeAt } from '../../src/simulate/trace.js';
import type { SimulationConfig } from '../../src/simulate/engine.js';

const full = parseTrace(readFileSync(new URL('../../fixtures/traces/synthetic-onoff-ramp-burst-6h.csv', import.meta.url), 'utf8'), 'synthetic');
// ramp and bursts: 1h30m .. 3h30m
const trace = sliceTrace(full, 5400, 12600);
const config: SimulationConfig = { startupSeconds: 30, concurrency: 1, graceSeconds: 60, targetWaitSeconds: 60, seed: 11 };
const objective = { targetWaitSeconds: 60, margin: 0.2 };

const candidates: Policy[] = [
  hpaCpuPolicy({ targetUtilization: 70, minReplicas: 1, maxReplicas: 60 }),
  fixedPolicy(20),
  fixedPolicy(70),
  ...[1, 2, 4, 8].flatMap((target) =>
    [30, 300].map((down) => kedaPolicy({ target, measure: 'backlog+inflight', maxReplicaCount: 80, pollingInterval: 15, behavior: { scaleDown: { stabilizationWindowSeconds: down } } })),
  ),
];

describe('searchCandidates', () => {
  const result = searchCandidatesSync(trace, candidates, config, objective);

  it('picks the cheapest candidate meeting p95 ≤ target × (1 − margin) on both seeds', () => {
    expect(result.bound).toBe(48);
    expect(result.seeds).toEqual([11, 12]);
    const w = result.winner!;
    expect(w).toBeDefined();
    expect(w.feasible && w.robust).toBe(true);
    expect(w.result.wait.p95).toBeLessThanOrEqual(48);
    expect(w.second!.wait.p95).toBeLessThanOrEqual(48);
    // brute force: every candidate cheaper than the winner misses on seed 11 or on seed 12
    for (const [i, p] of candidates.entries()) {
      const a = simulate(trace, p, { ...config, timelinePoints: 0 });
      expect(a.podSeconds).toBe(result.ranked.find((o) => o.index === i)!.result.podSeconds);
      if (a.podSeconds < w.result.podSeconds) {
        const b = simulate(trace, p, { ...config, seed: 12, timelinePoints: 0 });
        const ok = (r: typeof a) => r.wait.p95 <= 48 && r.jobsLost / r.jobsArrived <= 0.001;
        expect(ok(a) && ok(b)).toBe(false);
      }
    }
  });

  it('ranks robust winners first, cheapest first, then the rest by p95', () => {
    expect(result.ranked[0]).toBe(result.winner);
    expect(result.ranked).toHaveLength(candidates.length);
    const infeasible = result.ranked.filter((o) => !o.feasible);
    for (let i = 1; i < infeasible.length; i++) expect(infeasible[i].result.wait.p95).toBeGreaterThanOrEqual(infeasible[i - 1].result.wait.p95);
    // the cpu HPA on an I/O-bound worker misses, with the reason stated
    const cpu = result.ranked.find((o) => o.index === 0)!;
    expect(cpu.feasible).toBe(false);
    expect(cpu.misses[0]).toMatch(/^p95 wait .* > 48s$/);
    expect(result.ranked.every((o) => o.result.timeline.t.length === 0)).toBe(true);
  });

  it('explains what was searched and why the winner won', () => {
    expect(result.why).toContain(`Searched ${candidates.length} candidates on 2h of history (seed 11).`);
    expect(result.why).toContain('p95 wait ≤ 48s (target 1m less a 20 % margin)');
    expect(result.why).toContain(`Winner: ${result.winner!.policy.name} — the cheapest that met it`);
    expect(result.why).toMatch(/still met it on seed 12/);
    expect(result.why).not.toContain('\n');
  });

  it('scores a window when asked (recommend on 60 %, score the last 40 %)', () => {
    const from = traceTimeAt(trace, 0.6);
    const r = searchCandidatesSync(trace, candidates.slice(3, 6), { ...config, scoreFrom: from }, objective);
    expect(r.ranked[0].result.window.from).toBe(from);
    expect(r.why).toMatch(/^Searched 3 candidates on 2h of history, scored on the 48m from 1h12m/);
  });

  it('says so when nothing meets the objective', () => {
    const r = searchCandidatesSync(trace, [fixedPolicy(1), fixedPolicy(2)], config, objective);
    expect(r.winner).toBeUndefined();
    expect(r.why).toMatch(/No candidate met the objective; the closest was fixed:2 \(p95 wait/);
  });

  it('the async entry point gives the same answer (synchronous fallback from sources)', async () => {
    const r = await searchCandidates(trace, candidates, config, objective);
    expect(r.threads).toBe(1);
    expect(r.ranked.map((o) => o.index)).toEqual(result.ranked.map((o) => o.index));
    expect(r.why).toBe(result.why);
  });

  it('rejects a margin outside [0, 1)', () => {
    expect(() => searchCandidatesSync(trace, [fixedPolicy(1)], config, { targetWaitSeconds: 30, margin: 1 })).toThrow(/margin must be in \[0, 1\)/);
  });
});
