// The backtest's robustness rules: our own recommendation never trips QD204 on its replay, a
// history that goes quiet keeps a warm pool when a cold start cannot meet the target (the
// wake-up stress) and scales to zero when it can, and long histories are searched on a sample
// and verified on all of it.
import { describe, expect, it } from 'vitest';
import { recommend } from '../../src/recommend/index.js';
import type { QueueBinding, WorkloadSignals } from '../../src/metrics/signals-model.js';
import { runStress, wakeUpStress } from '../../src/recommend/stress.js';
import { historySample } from '../../src/recommend/history-sample.js';
import { buildProfile } from '../../src/recommend/profile.js';
import { thrashStats, THRASH_REVERSALS_PER_HOUR } from '../../rules/QD204-thrashing.js';
import { kedaPolicy, policyFromManifest, simulate, traceFromSeries, traceStats } from '../../src/simulate/index.js';
import { celeryWorker, inventoryFrom, seriesOf } from './live-scenario.js';

const PROM = { inClusterAddress: 'http://prometheus.monitoring.svc:9090' };
const START = 1_700_000_000;

const WORKER = (name: string) => celeryWorker(name, 1);

/** A small seeded generator for the test's own noise (deterministic). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function binding(id: string): QueueBinding {
  return { workloadId: id, system: 'custom', backlogQuery: 'sum(q_depth{queue="default"})', inflightQuery: 'sum(q_running{queue="default"})', confidence: 1, evidence: ['test'], source: 'annotation' };
}

function signals(id: string, rates: number[], over: Partial<WorkloadSignals> = {}, step = 60): WorkloadSignals {
  return {
    workloadId: id,
    window: { start: START, end: START + (rates.length - 1) * step, step },
    arrivalRate: seriesOf(rates, step, START),
    arrivalSource: 'counter',
    jobDuration: { mean: 4, p50: 3.4, p95: 9, p99: 13, source: 'histogram' },
    perReplicaThroughput: 0.25,
    startupSeconds: 20,
    notes: [],
    ...over,
  };
}

describe('our own recommendation and QD204', () => {
  it('a recommendation that follows a demand cycle changes replicas often but does not thrash by QD204', () => {
    const rnd = lcg(7);
    // 12 hours a minute apart: a 4-hour cycle between ~0.1 and ~2.1 jobs/s, with minute-to-minute noise
    const rates = Array.from({ length: 720 }, (_, i) => Math.max(0, 1.1 + Math.sin((2 * Math.PI * i) / 240) + 0.25 * (rnd() - 0.5)));
    const w = inventoryFrom(WORKER('cycle')).workloads[0];
    const s = signals(w.id, rates);
    const rec = recommend({ workload: w, signals: s, binding: binding(w.id), targetWaitSeconds: 30, findings: [], prometheus: PROM });
    expect(rec.backtest!.after.targetMet).toBe(true);
    expect(rec.backtest!.searched).toContain('no thrashing by QD204');

    // replay the printed object as Prometheus would see it (a point a minute) and apply QD204's criterion
    const trace = traceFromSeries(s.arrivalRate!, s.jobDuration!);
    const policy = policyFromManifest(rec.scaledObject, { measure: 'backlog+inflight', forceMeasure: true });
    const r = simulate(trace, policy, { startupSeconds: 20, concurrency: 1, graceSeconds: 30, targetWaitSeconds: 30, seed: 11, timelinePoints: 720 });
    const tl = r.timeline;
    const window = rec.scaledObject.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds;
    const stats = thrashStats({ replicas: { t: tl.t, v: tl.replicas }, load: { t: tl.t, v: tl.backlog.map((b, i) => b + tl.inflight[i]) }, loadName: 'backlog + in-flight', windowSeconds: window });
    expect(stats.flagged, stats.reasons.join('; ')).toBe(false);
    expect(stats.unexplainedReversalsPerHour).toBeLessThanOrEqual(THRASH_REVERSALS_PER_HOUR);
    // what the old criterion (more than 6 changes an hour) would have flagged
    expect(stats.changesPerHour).toBeGreaterThan(6);
  });

  it('QD204 without any load series judges only scale-downs undone inside the window', () => {
    const flips = seriesOf(Array.from({ length: 61 }, (_, i) => (i % 2 ? 4 : 2)));
    expect(thrashStats({ replicas: flips, windowSeconds: 0 }).flagged).toBe(false);
    const within = thrashStats({ replicas: flips, windowSeconds: 120 });
    expect(within.flagged).toBe(true);
    expect(within.unexplainedDownThenUp).toBe(29);
    expect(within.reasons[0]).toContain('29 scale-downs undone by a scale-up within the 2m stabilisation window');
  });
});

describe('the wake-up stress', () => {
  // 8 hours: 40 minutes of nothing, then 80 minutes at 1 job/s, repeated (33 % idle)
  const onOff = Array.from({ length: 480 }, (_, i) => (i % 120 < 40 ? 0 : 1));

  it('is a step from the quiet level to the typical level, scored over ten reaction times', () => {
    const w = inventoryFrom(WORKER('stress')).workloads[0];
    const profile = buildProfile(w, signals(w.id, onOff), 30);
    const stress = wakeUpStress(profile.arrival, { mean: 4, p95: 9, source: 'histogram' }, 30)!;
    expect(stress.quietRate).toBe(0);
    expect(stress.busyRate).toBe(1);
    expect(stress.busySeconds).toBe(600);
    expect(stress.scoreTo - stress.scoreFrom).toBe(600);
    expect(stress.description).toContain('10 × (start-up 30s + 30s sync and scrape) = 600s');
    expect(traceStats(stress.trace).jobs).toBe(600);
    // a mostly idle workload steps to the median of its active samples, not to its (zero) median
    const idle = buildProfile(w, signals(w.id, onOff.map((v, i) => (i % 120 < 90 ? 0 : v * 2))), 30);
    expect(wakeUpStress(idle.arrival, { mean: 4, source: 'histogram' }, 30)!.busyRate).toBe(2);
  });

  it('keeps a warm pool on on/off traffic when a cold start cannot meet the target, and the pool serves the step', () => {
    const w = inventoryFrom(WORKER('onoff')).workloads[0];
    const s = signals(w.id, onOff, { startupSeconds: 30 });
    const rec = recommend({ workload: w, signals: s, binding: binding(w.id), targetWaitSeconds: 30, findings: [], prometheus: PROM });
    expect(rec.scaledObject.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    expect(rec.backtest!.searched).toMatch(/Wake-up stress: \d+ of \d+ candidates served it within the target/);
    const profile = buildProfile(w, s, 30);
    const stress = wakeUpStress(profile.arrival, s.jobDuration!, 30)!;
    const config = { startupSeconds: 30, concurrency: 1, graceSeconds: 30, targetWaitSeconds: 30, seed: 1 };
    const ours = policyFromManifest(rec.scaledObject, { measure: 'backlog+inflight', forceMeasure: true });
    const threshold = Number(rec.scaledObject.spec.triggers[0].metadata.threshold);
    const coldStart = kedaPolicy({ target: threshold, measure: 'backlog+inflight', minReplicaCount: 0, maxReplicaCount: rec.scaledObject.spec.maxReplicaCount, pollingInterval: 5 });
    const [mine, zero] = runStress(stress, [ours, coldStart], config, [1, 2], 30);
    expect(mine.pass).toBe(true);
    // scaling to zero cannot: every job of the first half-minute waits for a 30 s start-up
    expect(zero.pass).toBe(false);
    expect(zero.worst).toBeGreaterThan(30);
  });

  it('scales to zero on the same traffic when start-up is short against the target', () => {
    const w = inventoryFrom(WORKER('onoff-fast')).workloads[0];
    const rec = recommend({ workload: w, signals: signals(w.id, onOff, { startupSeconds: 5 }), binding: binding(w.id), targetWaitSeconds: 120, findings: [], prometheus: PROM });
    expect(rec.scaledObject.spec.minReplicaCount).toBe(0);
    expect(rec.backtest!.after.targetMet).toBe(true);
  });
});

describe('long histories', () => {
  /** Days of a daily cycle a minute apart; day `peakDay` has a one-hour surge. */
  function days(n: number, peakDay: number, base = 0.8): number[] {
    return Array.from({ length: n * 1440 }, (_, i) => {
      const day = Math.floor(i / 1440);
      const minute = i % 1440;
      const surge = day === peakDay && minute >= 600 && minute < 660 ? 2 : 0;
      return base * (1 + 0.8 * Math.sin((2 * Math.PI * minute) / 1440)) + surge;
    });
  }

  it('a sample of whole days holds the highest peak, the most recent and the quietest day, stitched on one clock', () => {
    const rates = days(10, 3).map((r, i) => (Math.floor(i / 1440) === 6 ? r / 2 : r));
    const trace = traceFromSeries(seriesOf(rates, 60, START), { mean: 4, source: 'histogram' });
    const perDay = traceStats(trace).jobs / 10;
    const sample = historySample(trace, perDay * 3.5);
    expect(sample.subset).toBe(true);
    expect(sample.description).toMatch(/^3 of 10 days \(the highest peak, the most recent, the quietest\), 3d of 10d$/);
    const t = sample.trace.t;
    for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThan(t[i - 1]);
    expect(sample.trace.end - sample.trace.start).toBe(3 * 86400);
    // days 3 (peak), 6 (quiet) and 9 (recent), in that order
    const rate = (day: number) => sample.trace.arrivals[day * 1440 + 630] / 60;
    expect(rate(0)).toBeCloseTo(rates[3 * 1440 + 630], 6);
    expect(rate(1)).toBeCloseTo(rates[6 * 1440 + 630], 6);
    expect(rate(2)).toBeCloseTo(rates[9 * 1440 + 630], 6);
    // a short history is searched whole
    expect(historySample(trace, Infinity)).toMatchObject({ subset: false });
  });

  it('searches a long history on a sample and verifies the winner on all of it', () => {
    const w = inventoryFrom(WORKER('long')).workloads[0];
    // 6 days at ~0.25 jobs/s: ~130 000 jobs, above a 40 000-job search budget (the default is for real histories)
    const s = signals(w.id, days(6, 2, 0.25));
    const rec = recommend({ workload: w, signals: s, binding: binding(w.id), targetWaitSeconds: 30, findings: [], prometheus: PROM, backtest: { searchJobBudget: 40_000 } });
    const b = rec.backtest!;
    expect(b.searched).toMatch(/searched on 3 of 6 days \(the highest peak, the most recent, the quietest\), 3d of 6d/);
    expect(b.searched).toContain('Verified on the whole history');
    expect(b.window.end - b.window.start).toBeCloseTo(6 * 86400, -2);
    expect(b.after.targetMet).toBe(true);
    expect(b.after.waitP95).toBeLessThanOrEqual(30 * 0.85);
  }, 120_000);
});
