// The backtest: replay the workload's recorded arrivals through the simulator under its current
// autoscaler and under candidate ScaledObjects around the formula's numbers, and keep the
// cheapest candidate that
//   - meets the wait target with a margin on the recorded history, on two random seeds,
//   - also meets it through a wake-up from the history's quiet level to its typical level
//     (stress.ts: how often the load goes quiet in future is not in the history), and
//   - does not thrash by our own QD204 criterion on its replayed timeline.
// Candidates are the exact objects that would be printed (built by buildScaledObject and read
// back by the simulator's policyFromManifest), so what is backtested is what is recommended.
// Long histories are searched on a representative sample (history-sample.ts) and the finalists
// verified on all of it.
import type { Workload } from '../inventory/model.js';
import type { JobDuration, Series, WorkloadSignals } from '../metrics/signals-model.js';
import type { Backtest, BacktestMetrics, BacktestOptions } from './model.js';
import type { Profile } from './profile.js';
import { size, WAIT_BUDGET_FRACTION, type Sizing, type SizingOverrides } from './sizing.js';
import type { TriggerPlan } from './trigger.js';
import { buildScaledObject, isKedaGeneratedHpa } from './scaled-object.js';
import { graceAdvice } from './advice.js';
import { runStress, wakeUpStress, type StressOutcome, type WakeUpStress } from './stress.js';
import { historySample, type HistorySample } from './history-sample.js';
import { thrashStats } from '../../rules/QD204-thrashing.js';
import { points, quantile } from '../diagnose/signal-stats.js';
import {
  fixedPolicy,
  policyFromManifest,
  searchCandidates,
  searchCandidatesSync,
  simulate,
  traceFromSeries,
  type CpuModel,
  type Policy,
  type SearchObjective,
  type SearchResult,
  type SimulationConfig,
  type SimulationResult,
  type Trace,
} from '../simulate/index.js';

/** Threshold budget fractions tried around the formula's WAIT_BUDGET_FRACTION (stage 1). */
export const BUDGET_GRID = [0, 0.1, 0.25, 0.4, 0.5, 0.75, 1, 1.5];
/** Demand quantiles whose busy-replica count is tried as minReplicaCount (stage 1). */
export const MIN_DEMAND_QUANTILES = [0.1, 0.25, 0.5, 0.75] as const;
/** Small warm pools tried as minReplicaCount, up to the p75 demand (stage 1): dense where one pod matters. */
export const FLOOR_LADDER = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64];
/** Scale-down stabilisation windows tried around the stage-1 leaders (stage 2). 0 = follow the queue down at every sync. */
export const WINDOW_GRID = [0, 30, 60, 120, 300];
/** Cooldowns tried for leaders that scale to zero (stage 2). */
export const COOLDOWN_GRID = [60, 300];
/** When nothing meets the objective: the cheapest candidate whose p95 is within this of the lowest. */
export const NEAR_BEST_P95 = 0.05;
/**
 * A warm floor's cost hardly shows on a busy history (its pods are busy anyway) and is the whole
 * bill in a quieter future. Candidates whose cost on the history is within this of the cheapest —
 * inside the seed-to-seed noise of a replay's cost (median 2–4 %, p90 5–8 % on the benchmark
 * traces), so the history cannot tell them apart — are a tie, and the one with the lowest
 * minReplicaCount is tried first.
 */
export const FLOOR_TIE = 0.05;
/** Stage-1 candidates refined in stage 2. */
export const STAGE2_LEADERS = 3;
/** Finalists replayed on the whole history (with a timeline for the QD204 check) before one is chosen. */
export const VERIFY_MAX = 6;
/**
 * p95 must stay under target × (1 − margin) on the history. The p95 of one replay moves by about a
 * tenth of a 30 s target between random seeds (measured on the benchmark traces: median 3–4 s), so
 * the margin is about one such spread.
 */
export const DEFAULT_MARGIN = 0.15;
export const DEFAULT_SEEDS: [number, number] = [1, 2];
/** Largest fraction of jobs a candidate may lose at scale-in. */
const MAX_LOST = 0.001;
/** Replicas sampled like Prometheus would (one point a minute) for the QD204 check. */
const TIMELINE_STEP_SECONDS = 60;

export interface BacktestInput {
  workload: Workload;
  signals?: WorkloadSignals;
  profile: Profile;
  plan: TriggerPlan;
  formula: Sizing;
  options: BacktestOptions;
}

export interface BacktestRun {
  backtest?: Backtest;
  overrides?: SizingOverrides;
  notes?: string[];
}

interface Candidate {
  overrides: SizingOverrides;
  policy: Policy;
  key: string;
  stress?: StressOutcome;
}

export interface BacktestPlan {
  /** The recorded history. */
  history: Trace;
  /** What the search runs on: the history, or a representative sample of a long one. */
  sample: HistorySample;
  stress?: WakeUpStress;
  config: SimulationConfig;
  seeds: [number, number];
  objective: SearchObjective;
  space: CandidateSpace;
  /** Index of the formula's own configuration among the candidates. */
  formulaIndex: number;
  statusQuo?: { policy: Policy; config: SimulationConfig };
  grid: string;
  notes: string[];
}

const fmt = (x: number) => String(Number(x.toPrecision(3)));

/** The arrival series the backtest replays: the arrival rate, else completions (with a note). */
function arrivalSeries(s: WorkloadSignals | undefined): { series: Series; note?: string } | undefined {
  if (s?.arrivalRate && points(s.arrivalRate).length >= 2) return { series: s.arrivalRate };
  if (s?.throughput && points(s.throughput).length >= 2)
    return { series: s.throughput, note: 'Backtest replays completions (no arrival series): demand above the old capacity is not in the history.' };
  return undefined;
}

function jobDurationOf(p: Profile, s: WorkloadSignals | undefined): { duration?: JobDuration; note?: string } {
  let d: JobDuration | undefined;
  if (s?.jobDuration && (s.jobDuration.mean || s.jobDuration.p50 || s.jobDuration.p95)) d = s.jobDuration;
  else if (p.meanDuration) d = { mean: p.meanDuration.value, source: 'annotation' };
  else if (p.perReplicaThroughput) return { duration: { mean: p.concurrency.value / p.perReplicaThroughput.value, source: 'littles-law' } };
  if (!d) return {};
  // The simulated pool must have the capacity the workload showed: when it was busy (jobs
  // waiting), each replica completed `perReplicaThroughput` jobs/s. Overheads between jobs, or a
  // concurrency other than assumed, make that differ from concurrency ÷ job duration; scale the
  // duration distribution (keeping its shape) so the replay drains as fast as the real pods did.
  const prt = p.perReplicaThroughput;
  const mean = d.mean ?? d.p50;
  if (prt?.measured && prt.value > 0 && mean && mean > 0) {
    const effective = p.concurrency.value / prt.value;
    const k = effective / mean;
    if (k > 1.05 || k < 0.95) {
      const scale = (x: number | undefined) => (x === undefined ? undefined : x * k);
      return {
        duration: { ...d, mean: effective, p50: scale(d.p50), p95: scale(d.p95), p99: scale(d.p99) },
        note: `Job durations scaled ×${fmt(k)} so each simulated replica completes the measured ${fmt(prt.value)} jobs/s when busy (concurrency ${p.concurrency.value} ÷ ${fmt(effective)}s per job slot).`,
      };
    }
  }
  return { duration: d };
}

/** CPU model for the status quo's CPU HPA: calibrated from measured CPU when there is some. */
function cpuModelOf(s: WorkloadSignals | undefined, c: number): { model?: CpuModel; note?: string } {
  const cpu = points(s?.cpuUtilization).map((p) => p.v);
  if (cpu.length < 4) return {};
  const idle = quantile(cpu, 0.05)!;
  const busy = Math.max(0, quantile(cpu, 0.95)! - idle) / Math.max(1, c);
  return { model: { idlePercent: idle, perBusySlotPercent: busy }, note: `Status quo CPU model from measured CPU: ${fmt(idle)} % idle + ${fmt(busy)} % per busy slot.` };
}

export function planBacktest(input: BacktestInput): BacktestPlan | { skip: string } {
  const { workload: w, signals: s, profile, plan } = input;
  const arr = arrivalSeries(s);
  if (!arr) return { skip: 'Not backtested: no arrival or throughput series to replay.' };
  const { duration, note: durationNote } = jobDurationOf(profile, s);
  if (!duration) return { skip: 'Not backtested: job duration unknown.' };
  if (plan.placeholder?.key === 'query') return { skip: 'Not backtested: no queue metric bound.' };
  const notes: string[] = [];
  if (arr.note) notes.push(arr.note);
  if (durationNote) notes.push(durationNote);
  let history: Trace;
  try {
    history = traceFromSeries(arr.series, duration, `${w.namespace}/${w.name} recorded arrivals`);
  } catch (e) {
    return { skip: `Not backtested: ${(e as Error).message}.` };
  }
  // the backlog already waiting when the window starts is part of the history: without it a
  // queue that was deep all along replays as an empty one
  const queuedAtStart = Math.round((firstFinite(s?.backlog) ?? 0) + (firstFinite(s?.inflight) ?? 0));
  if (queuedAtStart > 0 && history.t.length > 0 && history.mu[0] !== -Infinity) {
    history.initialQueue = queuedAtStart;
    notes.push(`The ${queuedAtStart} jobs waiting or running when the window starts are replayed as queued at its start.`);
  }
  const opts = input.options;
  const c = opts.concurrency ?? profile.concurrency.value;
  const grace = graceAdvice(w, profile);
  const graceNow = w.terminationGracePeriodSeconds ?? 30;
  const cpu = cpuModelOf(s, c);
  if (cpu.note) notes.push(cpu.note);
  const seeds = opts.seeds ?? DEFAULT_SEEDS;
  const base: SimulationConfig = {
    startupSeconds: profile.startup.value,
    concurrency: c,
    // the recommendation comes with its grace-period advice: simulate it applied
    graceSeconds: Math.max(graceNow, grace?.recommendedSeconds ?? 0),
    targetWaitSeconds: profile.targetWait.value,
    seed: seeds[0],
    scoreFrom: opts.scoreFrom,
    ...(cpu.model ? { cpuModel: cpu.model } : {}),
  };
  const objective: SearchObjective = { targetWaitSeconds: profile.targetWait.value, margin: opts.margin ?? DEFAULT_MARGIN, secondSeed: seeds[1], maxLostFraction: MAX_LOST };
  const statusQuo = statusQuoPolicy(w, s, graceNow, base);
  if (statusQuo.note) notes.push(statusQuo.note);
  const space = new CandidateSpace(input);
  // a sample of a long history is searched; a window scored from scoreFrom is searched whole
  const sample = historySample(history, opts.scoreFrom === undefined ? opts.searchJobBudget : Infinity);
  const stress = wakeUpStress(profile.arrival, duration, profile.startup.value);

  // stage 1: threshold × floor, with the formula's scale-down window
  const f0 = input.formula.params;
  const mins = minOptions(profile, f0.minReplicas);
  for (const budget of BUDGET_GRID) for (const m of mins) space.add({ budgetFraction: budget, minReplicas: m.value, minReplicasFrom: m.from });
  const formulaIndex = space.add({});
  const grid =
    `Stage 1: threshold budget f ∈ {${BUDGET_GRID.join(', ')}} of the target wait (formula ${WAIT_BUDGET_FRACTION}) × minReplicaCount ∈ {${mins.map((m) => m.value).join(', ')}} ` +
    `(0, the formula's, ${FLOOR_LADDER[0]}–${FLOOR_LADDER[3]} and sparser up to the p75 demand, and the busy replicas at the p${MIN_DEMAND_QUANTILES.map((q) => q * 100).join('/p')} arrival rate); ` +
    `stage 2: the ${STAGE2_LEADERS} leaders (cheapest first, but within ${FLOOR_TIE * 100} % of the cheapest lowest minReplicaCount first) × scale-down window ∈ {${WINDOW_GRID.join(', ')}}s${f0.minReplicas === 0 || mins.some((m) => m.value === 0) ? ` × cooldown ∈ {${COOLDOWN_GRID.join(', ')}}s when scaling to zero` : ''}. ` +
    `Replayed on the recorded arrivals (${duration.source} job durations, start-up ${fmt(profile.startup.value)}s, concurrency ${c}); searched on ${sample.description}` +
    `${sample.subset ? ', finalists verified on the whole history' : ''}. ` +
    (stress ? `Wake-up stress: ${stress.description}, p95 ≤ target on seeds ${seeds.join(' and ')}.` : 'No wake-up stress (no typical arrival level).');
  return {
    history,
    sample,
    stress,
    config: base,
    seeds,
    objective,
    space,
    formulaIndex,
    statusQuo: statusQuo.policy ? { policy: statusQuo.policy, config: statusQuo.config! } : undefined,
    grid,
    notes,
  };
}

/** minReplicaCount options: 0, the formula's, a ladder of small pools up to the p75 demand, and the busy replicas at arrival-rate quantiles. */
function minOptions(p: Profile, formula: number): Array<{ value: number; from?: string }> {
  const out = new Map<number, string | undefined>([[formula, undefined], [0, undefined], [1, undefined], [2, undefined]]);
  const a = p.arrival;
  const S = p.meanDuration?.value ?? (p.perReplicaThroughput ? p.concurrency.value / p.perReplicaThroughput.value : undefined);
  if (a && S !== undefined) {
    const c = p.concurrency.value;
    const top = Math.ceil((a.p75 * S) / c);
    for (const n of FLOOR_LADDER) if (n <= top && !out.has(n)) out.set(n, undefined);
    const key = { 0.1: 'p10', 0.25: 'p25', 0.5: 'p50', 0.75: 'p75' } as const;
    for (const q of MIN_DEMAND_QUANTILES) {
      const rate = a[key[q]];
      const n = Math.floor((rate * S) / c);
      if (!out.has(n)) out.set(n, `floor(${key[q]} arrivals ${fmt(rate)}/s × ${fmt(S)}s ÷ concurrency ${c})`);
    }
  }
  return [...out.entries()].sort((x, y) => x[0] - y[0]).map(([value, from]) => ({ value, from }));
}

/** Distinct candidate ScaledObjects, built exactly as they would be printed, read back as simulator policies. */
class CandidateSpace {
  readonly list: Candidate[] = [];
  private readonly index = new Map<string, number>();
  constructor(private readonly input: BacktestInput) {}

  /** Add (or find) the candidate for these overrides; returns its index. */
  add(overrides: SizingOverrides): number {
    const { workload: w, profile, plan } = this.input;
    const sizing = size(profile, plan.countsInflight, overrides);
    const p = sizing.params;
    const key = `${p.threshold}|${p.minReplicas}|${p.maxReplicas}|${p.scaleDownWindow}|${p.cooldownPeriod}|${p.pollingInterval}`;
    const known = this.index.get(key);
    if (known !== undefined) return known;
    const obj = buildScaledObject(w, plan, sizing).object;
    const label = `threshold ${p.threshold}, min ${p.minReplicas}, max ${p.maxReplicas}, scale-down window ${p.scaleDownWindow}s${p.minReplicas === 0 ? `, cooldown ${p.cooldownPeriod}s` : ''}`;
    const policy = policyFromManifest(obj, { measure: plan.countsInflight ? 'backlog+inflight' : 'backlog', forceMeasure: true, name: label });
    this.list.push({ overrides, policy, key });
    this.index.set(key, this.list.length - 1);
    return this.list.length - 1;
  }
}

/** Run the wake-up stress on the candidates that have not had it; those that pass (all, when none does). */
function passStress(p: BacktestPlan, indices: number[]): { pass: number[]; noneMet: boolean } {
  if (!p.stress) return { pass: indices, noneMet: false };
  const todo = indices.filter((i) => !p.space.list[i].stress);
  const out = runStress(p.stress, todo.map((i) => p.space.list[i].policy), p.config, p.seeds, p.objective.targetWaitSeconds);
  todo.forEach((i, k) => (p.space.list[i].stress = out[k]));
  const pass = indices.filter((i) => p.space.list[i].stress!.pass);
  return pass.length ? { pass, noneMet: false } : { pass: indices, noneMet: true };
}

/**
 * Feasible outcomes in the order they are tried: those within FLOOR_TIE of the cheapest (the
 * tie) lowest minReplicaCount first, then the rest cheapest first. `ties` = size of the tie.
 */
function lowFloorFirst<T extends { policy: Policy; result: SimulationResult }>(feasible: T[]): { order: T[]; ties: number } {
  const byCost = [...feasible].sort((a, b) => a.result.podSeconds - b.result.podSeconds);
  const floorOf = (o: T) => (o.policy.kind === 'keda' ? o.policy.keda.minReplicaCount : 0);
  const limit = (byCost[0]?.result.podSeconds ?? 0) * (1 + FLOOR_TIE);
  const tie = byCost.filter((o) => o.result.podSeconds <= limit).sort((a, b) => floorOf(a) - floorOf(b) || a.result.podSeconds - b.result.podSeconds);
  return { order: [...tie, ...byCost.filter((o) => o.result.podSeconds > limit)], ties: tie.length };
}

/** Stage 2: scale-down windows (and cooldowns when scaling to zero) around the stage-1 leaders. */
function stage2(p: BacktestPlan, first: SearchResult, indices: number[]): number[] {
  const { order } = lowFloorFirst(first.ranked.filter((o) => o.feasible && o.robust !== false));
  let leaders = order.slice(0, STAGE2_LEADERS);
  // the cheapest is always refined, tie or not
  const cheapest = [...order].sort((a, b) => a.result.podSeconds - b.result.podSeconds)[0];
  if (cheapest && !leaders.includes(cheapest)) leaders.push(cheapest);
  if (leaders.length === 0) leaders = nearBest(first.ranked).slice(0, STAGE2_LEADERS);
  const out = new Set<number>();
  for (const l of leaders) {
    const index = indices[l.index];
    const o = p.space.list[index].overrides;
    const min = l.policy.kind === 'keda' ? l.policy.keda.minReplicaCount : undefined;
    out.add(index);
    for (const win of WINDOW_GRID) {
      if (min === 0) for (const cd of COOLDOWN_GRID) out.add(p.space.add({ ...o, scaleDownWindow: win, cooldownPeriod: cd }));
      else out.add(p.space.add({ ...o, scaleDownWindow: win }));
    }
  }
  return [...out];
}

interface Verified {
  index: number;
  first: SimulationResult;
  second: SimulationResult;
  pass: boolean;
  misses: string[];
}

/** Replay one candidate on the whole history on both seeds, with a timeline for the QD204 check. */
function verify(p: BacktestPlan, index: number): Verified {
  const cand = p.space.list[index];
  const span = p.history.end - p.history.start;
  const first = simulate(p.history, cand.policy, { ...p.config, seed: p.seeds[0], timelinePoints: Math.max(2, Math.ceil(span / TIMELINE_STEP_SECONDS)) });
  const second = simulate(p.history, cand.policy, { ...p.config, seed: p.seeds[1], timelinePoints: 0 });
  const bound = p.objective.targetWaitSeconds * (1 - p.objective.margin);
  const misses: string[] = [];
  for (const [r, seed] of [[first, p.seeds[0]], [second, p.seeds[1]]] as const) {
    if (r.wait.p95 > bound) misses.push(`p95 wait ${fmt(r.wait.p95)}s > ${fmt(bound)}s on seed ${seed}`);
    if (r.jobsArrived > 0 && r.jobsLost / r.jobsArrived > MAX_LOST) misses.push(`lost ${r.jobsLost} jobs on seed ${seed}`);
  }
  const thrash = thrashOf(first, cand.policy);
  if (thrash) misses.push(`thrashes by QD204 (${thrash})`);
  // the timeline was only needed for the check
  first.timeline = { t: [], backlog: [], inflight: [], replicas: [], readyReplicas: [], cpuPercent: [], arrivals: [], completed: [] };
  return { index, first, second, pass: misses.length === 0, misses };
}

/** QD204's criterion on a replay: replica reversals the queue (backlog + in-flight) did not make. */
export function thrashOf(r: SimulationResult, policy: Policy): string | undefined {
  const tl = r.timeline;
  if (tl.t.length < 2) return undefined;
  const window = policy.kind !== 'fixed' ? (policy.hpa.behavior?.scaleDown.stabilizationWindowSeconds ?? 300) : 0;
  const stats = thrashStats({
    replicas: { t: tl.t, v: tl.replicas },
    load: { t: tl.t, v: tl.backlog.map((b, i) => b + tl.inflight[i]) },
    loadName: 'backlog + in-flight',
    windowSeconds: window,
  });
  return stats.flagged ? stats.reasons.join('; ') : undefined;
}

function statusQuoPolicy(w: Workload, s: WorkloadSignals | undefined, graceNow: number, base: SimulationConfig): { policy?: Policy; config?: SimulationConfig; note?: string } {
  const current = w.autoscalers.find((a) => a.kind === 'ScaledObject') ?? w.autoscalers.find((a) => a.kind === 'HorizontalPodAutoscaler' && !isKedaGeneratedHpa(a));
  const rep = points(s?.replicas);
  const initial = rep.length ? Math.max(0, Math.round(rep[0].v)) : undefined;
  const config: SimulationConfig = { ...base, graceSeconds: graceNow, ...(initial !== undefined ? { initialReplicas: initial } : {}) };
  if (!current) {
    const n = initial ?? w.replicas ?? 1;
    return { policy: fixedPolicy(n, `current: fixed ${n} replicas`), config: { ...config, initialReplicas: n } };
  }
  try {
    const policy = policyFromManifest(current.object.raw, { name: `current: ${current.kind} ${current.name}` });
    if (initial !== undefined) {
      const hpa = policy.kind === 'fixed' ? undefined : policy.hpa;
      if (hpa) config.initialReplicas = Math.min(Math.max(initial, policy.kind === 'keda' ? policy.keda.minReplicaCount : hpa.minReplicas), hpa.maxReplicas);
    }
    return { policy, config };
  } catch (e) {
    return { note: `Current ${current.kind} ${current.name} not simulated: ${(e as Error).message}.` };
  }
}

export function toMetrics(r: SimulationResult): BacktestMetrics {
  return {
    policy: r.policy,
    waitP50: r.wait.p50,
    waitP95: r.wait.p95,
    waitP99: r.wait.p99,
    waitMax: r.wait.max,
    jobsLost: r.jobsLost,
    podSeconds: r.podSeconds,
    costRatio: r.costRatio,
    scaleEvents: r.scaleEvents,
    targetMet: r.targetMet,
  };
}

/**
 * When no candidate meets the objective: those whose p95 is within NEAR_BEST_P95 of the lowest,
 * cheapest first. Paying for a high floor to shave the last percent off a wait that misses the
 * target anyway is the wrong trade.
 */
function nearBest<T extends { result: SimulationResult }>(ranked: T[]): T[] {
  const best = Math.min(...ranked.map((o) => o.result.wait.p95));
  return ranked
    .filter((o) => o.result.wait.p95 <= best * (1 + NEAR_BEST_P95) + 0.5)
    .sort((a, b) => a.result.podSeconds - b.result.podSeconds || a.result.wait.p95 - b.result.wait.p95);
}

/**
 * The backtest's steps, shared by the synchronous and the threaded driver: each `yield` hands
 * a list of policies to search on the plan's sample and receives the search result.
 */
function* steps(p: BacktestPlan): Generator<Policy[], BacktestRun, SearchResult> {
  const notes = [...p.notes];
  const all = p.space.list.map((_, i) => i);
  const s1 = passStress(p, all);
  if (s1.noneMet && p.stress) notes.push(`No candidate met the wake-up stress (${p.stress.description}): chosen on the recorded history alone.`);
  const first: SearchResult = yield s1.pass.map((i) => p.space.list[i].policy);
  const s2all = stage2(p, first, s1.pass);
  const s2 = s1.noneMet ? { pass: s2all, noneMet: true } : passStress(p, s2all);
  const second: SearchResult = yield s2.pass.map((i) => p.space.list[i].policy);
  const indexOf = (o: SearchResult['ranked'][number]) => s2.pass[o.index];

  // finalists, cheapest first on the sample: verified on the whole history (both seeds) and for thrashing
  const { order, ties } = lowFloorFirst(second.ranked.filter((o) => o.feasible && o.robust !== false));
  const finalists = order.slice(0, VERIFY_MAX);
  const verified: Verified[] = [];
  let chosen: Verified | undefined;
  for (const o of finalists) {
    const v = verify(p, indexOf(o));
    verified.push(v);
    if (v.pass) {
      chosen = v;
      break;
    }
  }
  let reason: string;
  const total = p.space.list.length;
  const bound = p.objective.targetWaitSeconds * (1 - p.objective.margin);
  if (chosen) {
    const tie = ties > 1 && order.slice(0, ties).some((o) => indexOf(o) === chosen!.index);
    reason =
      `backtest: ${tie ? `lowest minReplicaCount among the candidates within ${FLOOR_TIE * 100} % of the cheapest` : 'cheapest'} of ${total} candidates meeting p95 ≤ ${fmt(bound)}s ` +
      `on seeds ${p.seeds.join(' and ')}${p.stress && !s1.noneMet ? ' and the wake-up stress' : ''}`;
  } else {
    // nothing met the objective: the cheapest of those nearly as good as the best, on the whole history when verified
    chosen = verified.length ? nearBest(verified.map((v) => ({ v, result: v.first })))[0].v : verify(p, indexOf(nearBest(second.ranked)[0]));
    reason = `backtest: cheapest of ${total} candidates within ${NEAR_BEST_P95 * 100} % of the lowest p95`;
    notes.push(
      `No candidate met p95 wait ≤ ${fmt(bound)}s on the recorded history: recommended the cheapest whose p95 (${fmt(chosen.first.wait.p95)}s) is within ${NEAR_BEST_P95 * 100} % of the lowest — ` +
        'bursts faster than pod start-up need more concurrency per pod, a faster start-up or a higher minReplicaCount.',
    );
  }
  const cand = p.space.list[chosen.index];
  const before = p.statusQuo ? toMetrics(simulate(p.history, p.statusQuo.policy, { ...p.statusQuo.config, timelinePoints: 0 })) : undefined;
  const formula =
    chosen.index === p.formulaIndex
      ? chosen.first
      : simulate(p.history, p.space.list[p.formulaIndex].policy, { ...p.config, timelinePoints: 0 });
  const overrides: SizingOverrides | undefined = chosen.index === p.formulaIndex ? undefined : { ...cand.overrides, reason };
  const stressLine = p.stress
    ? ` Wake-up stress: ${p.space.list.filter((c) => c.stress?.pass).length} of ${p.space.list.filter((c) => c.stress).length} candidates served it within the target${cand.stress ? `; the winner's p95 there ${fmt(cand.stress.worst)}s` : ''}.`
    : '';
  const rejected = verified.filter((v) => !v.pass && v !== chosen);
  const verifyLine =
    `Winner: ${cand.policy.name} — ${reason.replace(/^backtest: /, '')}. ` +
    `${p.sample.subset ? 'Verified on the whole history' : 'Verified'}: ${rejected.length ? `${rejected.length} finalist${rejected.length === 1 ? '' : 's'} before it rejected (${rejected.map((v) => `${p.space.list[v.index].policy.name}: ${v.misses.join(', ')}`).join('; ')}); ` : ''}` +
    `the winner's p95 ${fmt(chosen.first.wait.p95)}s / ${fmt(chosen.second.wait.p95)}s on seeds ${p.seeds.join(' and ')}, cost ratio ${chosen.first.costRatio === null ? '–' : chosen.first.costRatio.toFixed(2)}, ` +
    `${chosen.first.scaleEvents} replica changes, ${chosen.misses.some((m) => m.startsWith('thrashes')) ? 'thrashing by QD204 (nothing better was found)' : 'no thrashing by QD204'}.`;
  const stage2Line = `Stage 2: ${second.ranked.length} candidates (scale-down windows, and cooldowns for leaders that scale to zero), ${second.ranked.filter((o) => o.feasible).length} met the objective on seed ${p.seeds[0]}.`;
  const backtest: Backtest = {
    window: { start: p.history.start, end: p.history.end, jobs: chosen.first.jobsArrived },
    before,
    after: toMetrics(chosen.first),
    formula: toMetrics(formula),
    searched:
      `${p.grid} Results — stage 1: ${first.ranked.filter((o) => o.feasible).length} of the ${first.ranked.length} candidates ${p.stress && !s1.noneMet ? 'that passed the wake-up stress ' : ''}` +
      `met the objective on seed ${p.seeds[0]}. ${stage2Line}${stressLine} ${verifyLine}`,
    candidates: total,
  };
  return { backtest, overrides, notes };
}

export function runBacktest(input: BacktestInput): BacktestRun {
  const p = planBacktest(input);
  if ('skip' in p) return { notes: [p.skip] };
  const gen = steps(p);
  let r = gen.next();
  while (!r.done) r = gen.next(searchCandidatesSync(p.sample.trace, r.value, p.config, p.objective));
  return r.value;
}

export async function runBacktestAsync(input: BacktestInput): Promise<BacktestRun> {
  const p = planBacktest(input);
  if ('skip' in p) return { notes: [p.skip] };
  const gen = steps(p);
  let r = gen.next();
  while (!r.done) r = gen.next(await searchCandidates(p.sample.trace, r.value, p.config, p.objective));
  return r.value;
}

function firstFinite(series: Series | undefined): number | undefined {
  if (!series) return undefined;
  for (const v of series.v) if (Number.isFinite(v)) return Math.max(0, v);
  return undefined;
}
