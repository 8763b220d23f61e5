// One workload's signals summarised into the numbers the live rules (QD201–QD208) and the
// recommendation engine reason about. Pure: signals + inventory in, plain numbers out.
import type { Autoscaler, Workload } from '../inventory/model.js';
import type { WorkloadSignals } from '../metrics/signals-model.js';
import { changes, last, mean, points, quantile, runs, sampleAt, stepOf, trend, values, type ChangeStats, type RunStats, type Trend } from './signal-stats.js';
import { formatDuration } from '../units/duration.js';

/** "Sustained": the backlog stayed above one job per replica at least this long without a break. */
export const SUSTAINED_SECONDS = 15 * 60;
/** Kubernetes HPA tolerance (kube-controller-manager default): no action while |ratio − 1| ≤ 0.1. */
export const HPA_TOLERANCE = 0.1;
/** Default HPA scale-down stabilisation (kube-controller-manager flag default). */
export const HPA_DOWNSCALE_STABILIZATION_SECONDS = 300;

export interface BacklogView {
  now: number;
  mean: number;
  max: number;
  trend?: Trend;
  /** Theil–Sen slope, jobs per minute. */
  trendPerMinute: number;
  /** Significant (Mann–Kendall p < 0.05) and material positive trend (src/metrics/stats.ts trend().rising). */
  rising: boolean;
  /** Backlog > replicas (one job waiting per replica). */
  aboveReplicas: RunStats;
  /** rising, or above one job per replica for SUSTAINED_SECONDS (or most of the window and still now). */
  sustained: boolean;
  /** Backlog below one job. */
  idle: RunStats;
}

export interface ReplicaView {
  now: number;
  first: number;
  min: number;
  max: number;
  mean: number;
  /** Never rose above its value at the start of the window. */
  flat: boolean;
  changes: ChangeStats;
}

export interface WaitEstimate {
  seconds: number;
  /** One line: how it was computed, with the numbers. */
  formula: string;
}

export interface LiveView {
  workload: Workload;
  signals: WorkloadSignals;
  targetWaitSeconds: number;
  concurrency: number;
  windowSeconds: number;
  backlog?: BacklogView;
  replicas?: ReplicaView;
  cpu?: { mean: number; p10: number; p90: number; min: number; max: number };
  /** The CPU utilisation target of the autoscaler that scales on CPU, when any. */
  cpuTarget?: { value: number; autoscaler: Autoscaler };
  /** Jobs per second one busy replica completes. */
  perReplicaThroughput?: { value: number; source: string };
  /** Jobs per second completed now (measured, else replicas × per-replica throughput). */
  drainRateNow?: { value: number; source: string };
  waitNow?: WaitEstimate;
  waitP95?: WaitEstimate;
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

export function targetWaitFor(w: Workload, fallback: number): number {
  return w.settings.targetWaitSeconds ?? fallback;
}

export function cpuTargetOf(w: Workload): { value: number; autoscaler: Autoscaler } | undefined {
  for (const a of w.autoscalers) {
    for (const m of a.metrics) {
      if (m.source === 'resource' && m.resourceName === 'cpu' && m.targetType === 'Utilization' && m.target !== undefined) return { value: m.target, autoscaler: a };
    }
  }
  return undefined;
}

/** Per-replica throughput: measured, else concurrency ÷ mean job duration, else the annotation. */
export function perReplicaThroughputOf(w: Workload, s: WorkloadSignals | undefined): { value: number; source: string } | undefined {
  const c = w.settings.concurrency ?? 1;
  if (s?.perReplicaThroughput !== undefined && s.perReplicaThroughput > 0) return { value: s.perReplicaThroughput, source: 'measured per-replica throughput' };
  const d = s?.jobDuration;
  const dur = d?.mean ?? d?.p50;
  if (dur !== undefined && dur > 0) return { value: c / dur, source: `concurrency ${c} ÷ ${d?.mean !== undefined ? 'mean' : 'median'} job duration ${round(dur)}s (${d!.source})` };
  if (w.settings.jobDurationSeconds) return { value: c / w.settings.jobDurationSeconds, source: `concurrency ${c} ÷ job duration ${w.settings.jobDurationSeconds}s (annotation)` };
  return undefined;
}

export function liveView(w: Workload, s: WorkloadSignals, defaultTargetWait: number): LiveView {
  const concurrency = w.settings.concurrency ?? 1;
  const view: LiveView = {
    workload: w,
    signals: s,
    targetWaitSeconds: targetWaitFor(w, defaultTargetWait),
    concurrency,
    windowSeconds: Math.max(0, s.window.end - s.window.start),
    cpuTarget: cpuTargetOf(w),
  };
  if (view.cpuTarget === undefined && s.hpa?.targetCpuUtilization !== undefined) {
    const a = w.autoscalers.find((x) => x.kind === 'HorizontalPodAutoscaler');
    if (a) view.cpuTarget = { value: s.hpa.targetCpuUtilization, autoscaler: a };
  }

  const rep = points(s.replicas);
  if (rep.length > 0) {
    const vs = rep.map((p) => p.v);
    const window = scaleDownWindowOf(w);
    view.replicas = {
      now: rep[rep.length - 1].v,
      first: rep[0].v,
      min: Math.min(...vs),
      max: Math.max(...vs),
      mean: mean(vs)!,
      flat: Math.max(...vs) <= rep[0].v,
      changes: changes(s.replicas, window),
    };
  }

  const cpu = values(s.cpuUtilization);
  if (cpu.length > 0) view.cpu = { mean: mean(cpu)!, p10: quantile(cpu, 0.1)!, p90: quantile(cpu, 0.9)!, min: Math.min(...cpu), max: Math.max(...cpu) };

  view.perReplicaThroughput = perReplicaThroughputOf(w, s);

  const bl = points(s.backlog);
  if (bl.length > 0) {
    const vs = bl.map((p) => p.v);
    const tr = trend(s.backlog);
    const span = bl[bl.length - 1].t - bl[0].t;
    const rising = tr?.rising === true;
    const repAt = (t: number) => sampleAt(rep, t) ?? view.replicas?.now ?? w.replicas ?? 1;
    const above = runs(bl, (p) => p.v > Math.max(1, repAt(p.t)));
    const sustained = rising || above.longestSeconds >= SUSTAINED_SECONDS || (above.fraction >= 0.5 && above.holdsNow && span > 0);
    view.backlog = {
      now: vs[vs.length - 1],
      mean: mean(vs)!,
      max: Math.max(...vs),
      trend: tr,
      trendPerMinute: tr ? tr.slope * 60 : 0,
      rising,
      aboveReplicas: above,
      sustained,
      idle: runs(bl, (p) => p.v < 1),
    };
    view.drainRateNow = drainRateNow(view);
    if (view.drainRateNow) view.waitNow = waitFrom(view.backlog.now, view.drainRateNow.value, view.drainRateNow.source);
    view.waitP95 = waitP95(view);
  }
  return view;
}

/** Scale-down stabilisation of the workload's autoscaler (HPA default 300 s). */
export function scaleDownWindowOf(w: Workload): number {
  for (const a of w.autoscalers) {
    const win = a.behavior?.scaleDown?.stabilizationWindowSeconds;
    if (typeof win === 'number') return win;
  }
  return HPA_DOWNSCALE_STABILIZATION_SECONDS;
}

function drainRateNow(v: LiveView): { value: number; source: string } | undefined {
  const tp = points(v.signals.throughput);
  if (tp.length > 0) {
    // the last few points, so one noisy scrape does not decide
    const recent = tp.slice(-Math.max(1, Math.min(5, tp.length)));
    const rate = mean(recent.map((p) => p.v))!;
    if (rate > 0) return { value: rate, source: `measured throughput ${fmtRate(rate)}` };
  }
  if (v.perReplicaThroughput && v.replicas) {
    const rate = v.replicas.now * v.perReplicaThroughput.value;
    return { value: rate, source: `${v.replicas.now} replicas × ${fmtRate(v.perReplicaThroughput.value)} per replica` };
  }
  return undefined;
}

export function fmtRate(perSecond: number): string {
  if (perSecond === 0) return '0 jobs/s';
  if (perSecond >= 1) return `${round(perSecond, 2)} jobs/s`;
  return `${round(perSecond * 60, 2)} jobs/min`;
}

export function fmtWait(seconds: number): string {
  return Number.isFinite(seconds) ? formatDuration(seconds) : 'unbounded';
}

function waitFrom(backlog: number, rate: number, rateSource: string): WaitEstimate {
  if (backlog <= 0) return { seconds: 0, formula: 'backlog 0' };
  if (rate <= 0) return { seconds: Infinity, formula: `backlog ${round(backlog)} with nothing completing (${rateSource})` };
  const seconds = backlog / rate;
  return { seconds, formula: `backlog ${round(backlog)} ÷ ${rateSource} = ${fmtWait(seconds)}` };
}

/**
 * p95 over the window of the wait a job would face on arrival: backlog(t) ÷ drain rate(t), where
 * the drain rate is the measured throughput, else replicas(t) × per-replica throughput. Weighted
 * by arrivals when the arrival rate is known (a wait nobody experiences does not count), else by time.
 */
function waitP95(v: LiveView): WaitEstimate | undefined {
  const bl = points(v.signals.backlog);
  const tp = points(v.signals.throughput);
  const rep = points(v.signals.replicas);
  const arr = points(v.signals.arrivalRate);
  const mu = v.perReplicaThroughput?.value;
  const samples: Array<{ wait: number; weight: number }> = [];
  let method = '';
  for (const p of bl) {
    let rate: number | undefined;
    const measured = sampleAt(tp, p.t);
    const r = sampleAt(rep, p.t);
    if (measured !== undefined && measured > 0) {
      rate = measured;
      method ||= 'backlog ÷ measured throughput';
    } else if (mu !== undefined && r !== undefined) {
      rate = r * mu;
      method ||= 'backlog ÷ (replicas × per-replica throughput)';
    }
    if (rate === undefined) continue;
    const wait = p.v <= 0 ? 0 : rate > 0 ? p.v / rate : Infinity;
    const weight = arr.length > 0 ? Math.max(0, sampleAt(arr, p.t) ?? 0) : 1;
    samples.push({ wait, weight });
  }
  if (samples.length === 0) return undefined;
  const total = samples.reduce((s, x) => s + x.weight, 0);
  const weighted = total > 0;
  const sorted = [...samples].sort((a, b) => a.wait - b.wait);
  let acc = 0;
  let p95 = sorted[sorted.length - 1].wait;
  for (const x of sorted) {
    acc += weighted ? x.weight : 1;
    if (acc >= 0.95 * (weighted ? total : sorted.length)) {
      p95 = x.wait;
      break;
    }
  }
  const step = stepOf(bl);
  return {
    seconds: p95,
    formula: `p95 of ${method} over ${samples.length} points (${formatDuration(step)} apart), ${weighted && arr.length > 0 ? 'weighted by arrivals' : 'time-weighted'} = ${fmtWait(p95)}`,
  };
}

/** Last value of a series or the workload's declared replicas. */
export function replicasNow(v: LiveView): number | undefined {
  return v.replicas?.now ?? last(v.signals.hpa?.current) ?? v.workload.replicas;
}

const VIEW_CACHE = new WeakMap<object, Map<string, LiveView>>();

/**
 * Views of the workloads that have signals in this run, computed once per rule context and
 * shared by the live rules. Only queue workers (or workloads bound to a queue) are included.
 */
export function liveViews(context: { inventory: { workloads: Workload[] }; options: { targetWaitSeconds: number }; signals?: Map<string, WorkloadSignals> }): LiveView[] {
  const signals = context.signals;
  if (!signals) return [];
  let cache = VIEW_CACHE.get(signals);
  if (!cache) VIEW_CACHE.set(signals, (cache = new Map()));
  const out: LiveView[] = [];
  for (const w of context.inventory.workloads) {
    const s = signals.get(w.id);
    if (!s || !(w.worker.isQueueWorker || s.binding || s.backlog)) continue;
    const key = `${w.id}\u0000${context.options.targetWaitSeconds}`;
    let v = cache.get(key);
    if (!v || v.workload !== w) cache.set(key, (v = liveView(w, s, context.options.targetWaitSeconds)));
    out.push(v);
  }
  return out;
}
