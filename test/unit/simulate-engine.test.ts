// The simulator's queue, pods and controllers on small hand-checked scenarios.
import { describe, expect, it } from 'vitest';
import { simulateJobs, type SimulationConfig } from '../../src/simulate/engine.js';
import { jobsFrom } from '../../src/simulate/jobs.js';
import { fixedPolicy, hpaCpuPolicy, kedaPolicy, type KedaPolicyParams, type Policy } from '../../src/simulate/policy.js';

const base: SimulationConfig = {
  startupSeconds: 30,
  concurrency: 1,
  graceSeconds: 30,
  targetWaitSeconds: 30,
  seed: 1,
  controllerOffsets: { hpa: 0, keda: 0, scrape: 0 },
};
const native = (p: Partial<KedaPolicyParams>): Policy => kedaPolicy({ target: 1, source: 'native', pollingInterval: 30, maxReplicaCount: 10, ...p });
/** distinct consecutive values of a series */
const steps = (xs: number[]) => xs.filter((x, i) => i === 0 || x !== xs[i - 1]);

describe('queue and pods', () => {
  it('a fixed pool serves FIFO: 6 jobs of 10 s at t=0 on 2 pods wait 0,0,10,10,20,20', () => {
    const jobs = jobsFrom([0, 0, 0, 0, 0, 0], [10, 10, 10, 10, 10, 10]);
    const r = simulateJobs(jobs, { start: 0, end: 100 }, fixedPolicy(2), base);
    expect(r.wait).toEqual({ p50: 10, p95: 20, p99: 20, max: 20, mean: 10 });
    expect([r.jobsArrived, r.jobsServed, r.jobsLost, r.jobsUnfinished]).toEqual([6, 6, 0, 0]);
    expect(r.podSeconds).toBe(200);
    expect(r.workSeconds).toBe(60);
    expect(r.costRatio).toBeCloseTo(200 / 60, 10);
    expect(r.scaleEvents).toBe(0);
  });

  it('concurrency slots run jobs side by side', () => {
    const jobs = jobsFrom([0, 0, 0, 0], [10, 10, 10, 10]);
    const r = simulateJobs(jobs, { start: 0, end: 100 }, fixedPolicy(1), { ...base, concurrency: 4 });
    expect(r.wait.max).toBe(0);
    expect(r.costRatio).toBeCloseTo((100 * 4) / 40, 10);
  });

  it('jobs still queued at the end count with their wait so far, and as unfinished', () => {
    const jobs = jobsFrom([0, 10, 20], [1000, 1, 1]);
    const r = simulateJobs(jobs, { start: 0, end: 100 }, fixedPolicy(1), base);
    expect([r.jobsServed, r.jobsUnfinished]).toEqual([0, 3]);
    expect(r.wait.max).toBe(90); // job at t=10 waited until the end
    expect(r.targetMet).toBe(false);
  });

  it('fixed:0 never serves', () => {
    const r = simulateJobs(jobsFrom([5], [1]), { start: 0, end: 60 }, fixedPolicy(0), base);
    expect([r.jobsServed, r.jobsUnfinished, r.wait.p50, r.podSeconds]).toEqual([0, 1, 55, 0]);
  });

  it('scores only the window, pro-rating pod-seconds', () => {
    const jobs = jobsFrom([0, 50, 150], [10, 10, 10]);
    const r = simulateJobs(jobs, { start: 0, end: 200 }, fixedPolicy(3), { ...base, scoreFrom: 40, scoreTo: 140 });
    expect(r.window).toEqual({ from: 40, to: 140 });
    expect(r.jobsArrived).toBe(1);
    expect(r.podSeconds).toBe(300);
    expect(r.workSeconds).toBe(10);
  });

  it('the timeline samples backlog, replicas, in-flight and arrivals', () => {
    const jobs = jobsFrom([0, 0, 0], [50, 50, 50]);
    const r = simulateJobs(jobs, { start: 0, end: 100 }, fixedPolicy(1), { ...base, timelinePoints: 10 });
    expect(r.timeline.t).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(r.timeline.backlog.slice(0, 7)).toEqual([2, 2, 2, 2, 2, 1, 1]); // first job done at t=50
    expect(r.timeline.inflight[3]).toBe(1);
    expect(r.timeline.replicas.every((x) => x === 1)).toBe(true);
    expect(r.timeline.arrivals.reduce((a, b) => a + b, 0)).toBe(3);
    // one busy slot: idle 5 % + 10 % per busy slot
    expect(r.timeline.cpuPercent[5]).toBe(15);
  });
});

describe('KEDA: activation, scale from and to zero, cooldown', () => {
  it('activates at the next poll, serves after start-up, and goes to zero after cooldown', () => {
    const jobs = jobsFrom([5], [100]);
    const r = simulateJobs(jobs, { start: 0, end: 400 }, native({ measure: 'backlog', cooldownPeriod: 300 }), { ...base, timelinePoints: 400 });
    // poll at 30 sees backlog 1 > 0 -> 1 replica; ready at 60
    expect(r.wait.p50).toBe(55);
    // last active at 30; 30 + 300 < 360 -> scaled to 0 at the poll of t=360
    expect(r.podSeconds).toBe(330);
    expect([r.scaleUps, r.scaleDowns]).toEqual([1, 1]);
    expect(steps(r.timeline.replicas)).toEqual([0, 1, 0]);
  });

  it('backlog+inflight keeps the trigger active while the job runs', () => {
    const r = simulateJobs(jobsFrom([5], [100]), { start: 0, end: 400 }, native({ measure: 'backlog+inflight', cooldownPeriod: 300 }), base);
    // active through the poll at 150 -> cooldown ends at 450, after the trace
    expect(r.podSeconds).toBe(370);
    expect(r.scaleDowns).toBe(0);
  });

  it('activation is strictly greater than activationThreshold', () => {
    const five = jobsFrom([1, 1, 1, 1, 1], [1, 1, 1, 1, 1]);
    const r5 = simulateJobs(five, { start: 0, end: 200 }, native({ activation: 5 }), base);
    expect(r5.jobsServed).toBe(0);
    expect(r5.scaleEvents).toBe(0);
    const six = jobsFrom([1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]);
    const r6 = simulateJobs(six, { start: 0, end: 200 }, native({ activation: 5 }), base);
    expect(r6.jobsServed).toBe(6);
  });

  it('activation is ignored when minReplicaCount ≥ 1 (the HPA scales on the value)', () => {
    const jobs = jobsFrom(Array(40).fill(1), Array(40).fill(60));
    const r = simulateJobs(jobs, { start: 0, end: 300 }, native({ activation: 1000, minReplicaCount: 1 }), base);
    expect(r.replicas.max).toBe(10);
  });

  it('cooldown governs only the step to zero, and it jumps straight from N to 0', () => {
    const jobs = jobsFrom(Array(30).fill(1), Array(30).fill(20));
    const r = simulateJobs(jobs, { start: 0, end: 600 }, native({ cooldownPeriod: 30, maxReplicaCount: 8, measure: 'backlog+inflight' }), { ...base, timelinePoints: 600 });
    const s = steps(r.timeline.replicas);
    expect(s[0]).toBe(0);
    expect(s[s.length - 1]).toBe(0);
    // the HPA's own scale-down (legacy: 300 s stabilisation) never ran: from the peak straight to 0
    expect(s.slice(s.indexOf(r.replicas.max))).toEqual([r.replicas.max, 0]);
    expect(r.replicas.max).toBeGreaterThan(1);
  });

  it('with minReplicaCount ≥ 1, N → min follows the HPA (300 s legacy stabilisation), not the cooldown', () => {
    const jobs = jobsFrom(Array(30).fill(1), Array(30).fill(20));
    const r = simulateJobs(jobs, { start: 0, end: 900 }, native({ minReplicaCount: 1, cooldownPeriod: 0, maxReplicaCount: 8, measure: 'backlog+inflight' }), { ...base, timelinePoints: 900 });
    const peakAt = r.timeline.replicas.indexOf(r.replicas.max);
    const downAt = r.timeline.replicas.findIndex((x, i) => i > peakAt && x < r.replicas.max);
    // last proposal ≥ peak was made while work remained (≤ t=100); down-scale comes ≥ 300 s later
    expect(downAt - peakAt).toBeGreaterThanOrEqual(300);
    expect(r.timeline.replicas[r.timeline.replicas.length - 1]).toBe(1);
  });

  it('initialCooldownPeriod delays scaling to zero after creation when never active', () => {
    const r = simulateJobs(jobsFrom([], []), { start: 0, end: 600 }, native({ initialCooldownPeriod: 120 }), { ...base, initialReplicas: 2 });
    // polls at 0, 30 … ; first poll after 0 + 120 is t=150
    expect(r.podSeconds).toBe(2 * 150);
  });

  it('Prometheus staleness delays activation by up to a scrape interval', () => {
    const jobs = jobsFrom([1], [10]);
    const prom = kedaPolicy({ target: 1, source: 'prometheus', pollingInterval: 30, maxReplicaCount: 5 });
    const live = simulateJobs(jobs, { start: 0, end: 300 }, prom, { ...base, scrapeIntervalSeconds: 0 });
    const stale = simulateJobs(jobs, { start: 0, end: 300 }, prom, { ...base, scrapeIntervalSeconds: 60 });
    expect(live.wait.p50).toBe(59); // poll at 30, ready at 60
    expect(stale.wait.p50).toBe(89); // scrape at 60 is the first to see it, poll at 60, ready at 90
  });

  it('idleReplicaCount: inactive goes to idle after cooldown, active returns to min', () => {
    const jobs = jobsFrom([400], [10]);
    const r = simulateJobs(jobs, { start: 0, end: 700 }, native({ minReplicaCount: 2, idleReplicaCount: 0, cooldownPeriod: 60 }), { ...base, initialReplicas: 2, timelinePoints: 700 });
    expect(steps(r.timeline.replicas)).toEqual([2, 0, 2, 0]);
  });
});

describe('HPA', () => {
  it('legacy path: scale-up capped at max(2 × current, 4) per 15 s sync', () => {
    const jobs = jobsFrom(Array(500).fill(1), Array(500).fill(1000));
    const r = simulateJobs(jobs, { start: 0, end: 120 }, native({ minReplicaCount: 1, maxReplicaCount: 100 }), { ...base, timelinePoints: 120 });
    expect(steps(r.timeline.replicas)).toEqual([1, 4, 8, 16, 32, 64, 100]);
  });

  it('behavior policies limit the rate: Pods 1 per 60 s', () => {
    const jobs = jobsFrom(Array(100).fill(1), Array(100).fill(1000));
    const p = native({ minReplicaCount: 1, maxReplicaCount: 50, behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } } });
    const r = simulateJobs(jobs, { start: 0, end: 300 }, p, { ...base, timelinePoints: 300 });
    // syncs at 15, 75 (60 s later the event at 15 is exactly periodSeconds old: excluded), 135, 195, 255
    expect(steps(r.timeline.replicas)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('Value metrics scale with ready pods: ceil(value / target × ready)', () => {
    const jobs = jobsFrom(Array(20).fill(1), Array(20).fill(1000));
    const p = native({ minReplicaCount: 2, maxReplicaCount: 100, targetType: 'Value', target: 10 });
    const r = simulateJobs(jobs, { start: 0, end: 20 }, p, { ...base, initialReplicas: 2, timelinePoints: 20, controllerOffsets: { hpa: 15, keda: 0 } });
    // at t=15: backlog 18 (2 running), ratio 1.8 × 2 ready = 3.6 -> 4
    expect(r.timeline.replicas[r.timeline.replicas.length - 1]).toBe(4);
  });

  it('a cpu HPA never scales an I/O-bound worker, whatever the backlog', () => {
    const jobs = jobsFrom(Array(200).fill(1), Array(200).fill(30));
    const r = simulateJobs(jobs, { start: 0, end: 1800 }, hpaCpuPolicy({ targetUtilization: 70, minReplicas: 1, maxReplicas: 20 }), base);
    expect(r.replicas).toEqual({ min: 1, max: 1, mean: 1 });
    expect(r.targetMet).toBe(false);
  });

  it('a cpu HPA does scale a CPU-bound worker', () => {
    const jobs = jobsFrom(Array(200).fill(1), Array(200).fill(30));
    const r = simulateJobs(jobs, { start: 0, end: 1800 }, hpaCpuPolicy({ targetUtilization: 50, minReplicas: 1, maxReplicas: 20 }), {
      ...base,
      cpuModel: { idlePercent: 5, perBusySlotPercent: 90 },
    });
    expect(r.replicas.max).toBeGreaterThan(2);
    expect(r.jobsServed).toBe(200);
  });

  it('useCachedMetrics: the HPA reads the value of the last KEDA poll', () => {
    const jobs = jobsFrom(Array(20).fill(20), Array(20).fill(1000));
    const cfg = { ...base, initialReplicas: 1, timelinePoints: 40, controllerOffsets: { hpa: 0, keda: 10 } };
    const poll = { minReplicaCount: 1, maxReplicaCount: 100, pollingInterval: 3600 } as const;
    const fresh = simulateJobs(jobs, { start: 0, end: 40 }, native(poll), cfg);
    const cachedRun = simulateJobs(jobs, { start: 0, end: 40 }, native({ ...poll, useCachedMetrics: true }), cfg);
    expect(fresh.replicas.max).toBeGreaterThan(1); // syncs at 30: backlog 19
    expect(cachedRun.replicas.max).toBe(1); // the only poll (t=10) saw 0
  });
});

describe('scale-in: grace period and lost jobs', () => {
  it('a job running past the grace period is lost (and not re-queued)', () => {
    const jobs = jobsFrom([1], [1000]);
    const r = simulateJobs(jobs, { start: 0, end: 400 }, native({ measure: 'backlog', cooldownPeriod: 0 }), { ...base, graceSeconds: 30 });
    // active at 30 -> pod ready 60 -> backlog 0 at poll 60 -> straight to 0 at 60 (30 + 0 < 60), killed at 90
    expect([r.jobsServed, r.jobsLost, r.jobsUnfinished]).toEqual([0, 1, 0]);
    expect(r.podSeconds).toBe(60);
  });

  it('a job that finishes within the grace period is served and the pod leaves when it is done', () => {
    const jobs = jobsFrom([1], [40]);
    const r = simulateJobs(jobs, { start: 0, end: 400 }, native({ measure: 'backlog', cooldownPeriod: 0 }), { ...base, graceSeconds: 300 });
    expect([r.jobsServed, r.jobsLost]).toEqual([1, 0]);
    expect(r.podSeconds).toBe(70); // created 30, drained from 60, job done at 100
  });
});

describe('determinism', () => {
  it('same seed, same result; controller phases follow the seed', () => {
    const jobs = jobsFrom(Array.from({ length: 300 }, (_, i) => i * 2), Array(300).fill(7));
    const p = kedaPolicy({ target: 2, maxReplicaCount: 20 });
    const cfg = { ...base, controllerOffsets: undefined };
    const a = simulateJobs(jobs, { start: 0, end: 700 }, p, cfg);
    const b = simulateJobs(jobs, { start: 0, end: 700 }, p, cfg);
    expect(b).toEqual(a);
    const c = simulateJobs(jobs, { start: 0, end: 700 }, p, { ...cfg, seed: 99 });
    expect(c.timeline.replicas).not.toEqual(a.timeline.replicas);
  });

  it('rejects invalid configuration with one clear message', () => {
    expect(() => simulateJobs(jobsFrom([], []), { start: 0, end: 10 }, fixedPolicy(1), { ...base, concurrency: 0 })).toThrow(/concurrency must be a whole number ≥ 1/);
    expect(() => simulateJobs(jobsFrom([], []), { start: 0, end: 10 }, fixedPolicy(1), { ...base, scoreFrom: 20 })).toThrow(/score window/);
  });
});

describe('a backlog waiting when the history starts (Trace.initialQueue)', () => {
  it('loads the pool, is conserved, and its own waits are not scored', async () => {
    const { parseTrace, simulate, fixedPolicy, generateJobs } = await import('../../src/simulate/index.js');
    const csv = ['t_s,arrivals,mean_service_s,p95_service_s', ...Array.from({ length: 60 }, (_, i) => `${i * 10},1,5.000,5.000`)].join('\n');
    const trace = parseTrace(csv, 'steady');
    const config = { startupSeconds: 0, concurrency: 1, graceSeconds: 30, targetWaitSeconds: 30, seed: 1 };
    const clean = simulate(trace, fixedPolicy(1), config);
    const loaded = { ...trace, initialQueue: 40 };
    expect(generateJobs(loaded, 1).preloaded).toBe(40);
    const r = simulate(loaded, fixedPolicy(1), config);
    expect(r.jobsArrived).toBe(clean.jobsArrived + 40);
    expect(r.jobsArrived).toBe(r.jobsServed + r.jobsLost + r.jobsUnfinished);
    // the later jobs queue behind the 40 (200 s of work on one slot): their waits show it
    expect(r.wait.p95).toBeGreaterThan(clean.wait.p95 + 60);
    expect(clean.wait.p95).toBeLessThan(30);
  });
});
