// Properties that must hold for any trace, policy and configuration: conservation of jobs,
// non-negative queues, replicas within bounds, determinism.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulateJobs, type SimulationConfig } from '../../src/simulate/engine.js';
import { generateJobs, jobsFrom } from '../../src/simulate/jobs.js';
import { fixedPolicy, hpaCpuPolicy, kedaPolicy, type Policy } from '../../src/simulate/policy.js';
import { parseTrace } from '../../src/simulate/trace.js';
import { convertDesiredReplicasWithBehaviorRate, convertDesiredReplicasWithRules, withBehaviorDefaults } from '../../src/simulate/hpa.js';

const END = 900;

const jobsArb = fc
  .array(fc.tuple(fc.double({ min: 0, max: END - 1e-6, noNaN: true }), fc.double({ min: 0, max: 400, noNaN: true })), { maxLength: 250 })
  .map((pairs) => {
    pairs.sort((a, b) => a[0] - b[0]);
    return jobsFrom(
      pairs.map((p) => p[0]),
      pairs.map((p) => p[1]),
    );
  });

const behaviorArb = fc.option(
  fc.record({
    scaleUp: fc.record({
      stabilizationWindowSeconds: fc.integer({ min: 0, max: 120 }),
      policies: fc.array(fc.record({ type: fc.constantFrom('Pods' as const, 'Percent' as const), value: fc.integer({ min: 1, max: 200 }), periodSeconds: fc.integer({ min: 1, max: 120 }) }), { minLength: 1, maxLength: 2 }),
      selectPolicy: fc.constantFrom('Max' as const, 'Min' as const, 'Disabled' as const),
    }),
    scaleDown: fc.record({
      stabilizationWindowSeconds: fc.integer({ min: 0, max: 300 }),
      policies: fc.array(fc.record({ type: fc.constantFrom('Pods' as const, 'Percent' as const), value: fc.integer({ min: 1, max: 100 }), periodSeconds: fc.integer({ min: 1, max: 120 }) }), { minLength: 1, maxLength: 2 }),
      selectPolicy: fc.constantFrom('Max' as const, 'Min' as const),
    }),
  }),
  { nil: null },
);

const policyArb: fc.Arbitrary<{ policy: Policy; lo: number; hi: number }> = fc.oneof(
  fc.integer({ min: 0, max: 6 }).map((n) => ({ policy: fixedPolicy(n), lo: n, hi: n })),
  fc
    .record({
      min: fc.integer({ min: 0, max: 3 }),
      extra: fc.integer({ min: 0, max: 8 }),
      target: fc.double({ min: 0.5, max: 20, noNaN: true }),
      targetType: fc.constantFrom('Value' as const, 'AverageValue' as const),
      measure: fc.constantFrom('backlog' as const, 'backlog+inflight' as const),
      source: fc.constantFrom('prometheus' as const, 'native' as const),
      activation: fc.integer({ min: 0, max: 5 }),
      useCachedMetrics: fc.boolean(),
      polling: fc.integer({ min: 1, max: 60 }),
      cooldown: fc.integer({ min: 0, max: 300 }),
      behavior: behaviorArb,
    })
    .map((p) => ({
      policy: kedaPolicy({
        target: p.target,
        targetType: p.targetType,
        measure: p.measure,
        source: p.source,
        activation: p.activation,
        useCachedMetrics: p.useCachedMetrics,
        minReplicaCount: p.min,
        maxReplicaCount: Math.max(1, p.min + p.extra),
        pollingInterval: p.polling,
        cooldownPeriod: p.cooldown,
        behavior: p.behavior,
      }),
      lo: 0,
      hi: Math.max(1, p.min + p.extra),
    })),
  fc
    .record({ min: fc.integer({ min: 1, max: 3 }), extra: fc.integer({ min: 0, max: 6 }), target: fc.integer({ min: 5, max: 90 }) })
    .map((p) => ({ policy: hpaCpuPolicy({ targetUtilization: p.target, minReplicas: p.min, maxReplicas: p.min + p.extra }), lo: p.min, hi: p.min + p.extra })),
);

const configArb: fc.Arbitrary<SimulationConfig> = fc.record({
  startupSeconds: fc.integer({ min: 0, max: 90 }),
  concurrency: fc.integer({ min: 1, max: 4 }),
  graceSeconds: fc.integer({ min: 0, max: 120 }),
  targetWaitSeconds: fc.constant(30),
  seed: fc.integer({ min: 0, max: 1000 }),
  scrapeIntervalSeconds: fc.constantFrom(0, 15, 30),
  timelinePoints: fc.constantFrom(50, 900),
  cpuModel: fc.record({ idlePercent: fc.integer({ min: 0, max: 20 }), perBusySlotPercent: fc.integer({ min: 0, max: 100 }) }),
});

describe('conservation and bounds (fast-check)', () => {
  it('every job arrives once and is served, lost, or still queued/running at the end', () => {
    fc.assert(
      fc.property(jobsArb, policyArb, configArb, (jobs, { policy, lo, hi }, config) => {
        const r = simulateJobs(jobs, { start: 0, end: END }, policy, config);
        expect(r.jobsArrived).toBe(jobs.count);
        expect(r.jobsServed + r.jobsLost + r.jobsUnfinished).toBe(r.jobsArrived);
        // the timeline saw every arrival, and every completion is a served job
        expect(r.timeline.arrivals.reduce((a, b) => a + b, 0)).toBe(jobs.count);
        expect(r.timeline.completed.reduce((a, b) => a + b, 0)).toBe(r.jobsServed);
        // queue and in-flight never negative; the last point matches the unfinished count
        expect(Math.min(...r.timeline.backlog, ...r.timeline.inflight)).toBeGreaterThanOrEqual(0);
        const last = r.timeline.t.length - 1;
        expect(r.timeline.backlog[last] + r.timeline.inflight[last]).toBe(r.jobsUnfinished);
        // replicas within the policy's bounds; ready pods never exceed them; in-flight fits the slots
        for (let i = 0; i <= last; i++) {
          const n = r.timeline.replicas[i];
          expect(n).toBeGreaterThanOrEqual(lo);
          expect(n).toBeLessThanOrEqual(Math.max(hi, lo));
          expect(r.timeline.readyReplicas[i]).toBeLessThanOrEqual(n);
        }
        expect(r.replicas.min).toBeGreaterThanOrEqual(lo);
        expect(r.replicas.max).toBeLessThanOrEqual(hi);
        // waits ordered and non-negative
        const w = r.wait;
        expect(0 <= w.p50 && w.p50 <= w.p95 && w.p95 <= w.p99 && w.p99 <= w.max).toBe(true);
        expect(w.mean).toBeGreaterThanOrEqual(0);
        // cost covers the work that was done
        expect(r.podSeconds).toBeGreaterThanOrEqual(0);
        if (r.jobsServed === r.jobsArrived) expect(r.workSeconds).toBeLessThanOrEqual(r.podSeconds * config.concurrency + 1e-6);
        if (policy.kind === 'fixed') {
          expect(r.podSeconds).toBeCloseTo(policy.replicas * END, 6);
          expect(r.jobsLost).toBe(0);
        }
        expect(r.scaleEvents).toBe(r.scaleUps + r.scaleDowns);
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic for a seed', () => {
    fc.assert(
      fc.property(jobsArb, policyArb, configArb, (jobs, { policy }, config) => {
        const a = simulateJobs(jobs, { start: 0, end: END }, policy, config);
        const b = simulateJobs(jobs, { start: 0, end: END }, policy, config);
        expect(b).toEqual(a);
      }),
      { numRuns: 40 },
    );
  });

  it('a scoring window only ever counts a subset of the jobs', () => {
    fc.assert(
      fc.property(jobsArb, policyArb, configArb, fc.integer({ min: 0, max: END - 1 }), fc.integer({ min: 1, max: END }), (jobs, { policy }, config, a, len) => {
        const from = a;
        const to = Math.min(END, a + len);
        const whole = simulateJobs(jobs, { start: 0, end: END }, policy, config);
        const part = simulateJobs(jobs, { start: 0, end: END }, policy, { ...config, scoreFrom: from, scoreTo: to });
        const inWindow = Array.from(jobs.arrival).filter((t) => t >= from && t < to).length;
        expect(part.jobsArrived).toBe(inWindow);
        expect(part.jobsServed + part.jobsLost + part.jobsUnfinished).toBe(inWindow);
        expect(part.podSeconds).toBeLessThanOrEqual(whole.podSeconds + 1e-6);
        expect(part.jobsLost).toBeLessThanOrEqual(whole.jobsLost);
      }),
      { numRuns: 100 },
    );
  });
});

describe('job generation (fast-check)', () => {
  it('keeps every bucket count exactly and places arrivals inside their bucket, sorted', () => {
    const rowArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 50, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true })), { minLength: 2, maxLength: 40 });
    fc.assert(
      fc.property(rowArb, fc.integer({ min: 1, max: 120 }), fc.integer(), (rows, bucket, seed) => {
        const csv = ['t_s,arrivals,mean_service_s,p95_service_s', ...rows.map(([n, mean, k], i) => `${i * bucket},${n},${n ? mean.toFixed(3) : '0'},${n ? (mean * (1 + k)).toFixed(3) : '0'}`)].join('\n');
        const trace = parseTrace(csv, 'gen.csv');
        const jobs = generateJobs(trace, seed);
        expect(jobs.count).toBe(rows.reduce((a, r) => a + r[0], 0));
        let k = 0;
        rows.forEach(([n], i) => {
          for (let j = 0; j < n; j++, k++) {
            expect(jobs.arrival[k]).toBeGreaterThanOrEqual(i * bucket);
            expect(jobs.arrival[k]).toBeLessThan((i + 1) * bucket);
            expect(jobs.service[k]).toBeGreaterThanOrEqual(0);
            if (k > 0) expect(jobs.arrival[k]).toBeGreaterThanOrEqual(jobs.arrival[k - 1]);
          }
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('HPA normalisation bounds (fast-check)', () => {
  it('legacy normalisation (current within bounds) stays within [min, max] and never exceeds the scale-up cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 500 }), (cur, desired, min, extra) => {
        const max = min + extra;
        // the controller only normalises when current is within [min, max] (else it sets the bound)
        if (cur < min || cur > max) return;
        const r = convertDesiredReplicasWithRules(cur, desired, min, max).replicas;
        expect(r).toBeGreaterThanOrEqual(min);
        expect(r).toBeLessThanOrEqual(max);
        if (desired > cur) expect(r).toBeLessThanOrEqual(Math.max(min, 2 * cur, 4));
      }),
    );
  });

  it('rate limits move toward the desired count and never past it or outside [min, max]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 600 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 600 }), behaviorArb, (cur, desired, min, extra, b) => {
        const max = min + extra;
        if (cur < min || cur > max) return;
        const beh = withBehaviorDefaults(b ?? {});
        const r = convertDesiredReplicasWithBehaviorRate({ currentReplicas: cur, desiredReplicas: desired, minReplicas: min, maxReplicas: max, scaleUp: beh.scaleUp, scaleDown: beh.scaleDown, scaleUpEvents: [], scaleDownEvents: [], now: 0 }).replicas;
        expect(r).toBeGreaterThanOrEqual(Math.min(cur, Math.max(desired, min)));
        expect(r).toBeLessThanOrEqual(Math.max(cur, Math.min(desired, max)));
      }),
    );
  });
});
