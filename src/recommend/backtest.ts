// The backtest: replay the workload's recorded arrivals through the simulator under its current
// autoscaler and under candidate ScaledObjects around the formula's numbers, and keep the
// cheapest candidate whose p95 wait meets the target with a margin on two random seeds.
// Candidates are the exact objects that would be printed (built by buildScaledObject and read
// back by the simulator's policyFromManifest), so what is backtested is what is recommended.
import type { Workload } from '../inventory/model.js';
import type { JobDuration, Series, WorkloadSignals } from '../metrics/signals-model.js';
import type { Backtest, BacktestMetrics, BacktestOptions } from './model.js';
import type { Profile } from './profile.js';
import { size, WAIT_BUDGET_FRACTION, type Sizing, type SizingOverrides } from './sizing.js';
import type { TriggerPlan } from './trigger.js';
import { buildScaledObject, isKedaGeneratedHpa } from './scaled-object.js';
import { graceAdvice } from './advice.js';
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
/** Demand quantiles whose busy-replica count is tried as minReplicaCount (stage 1), besides 0, 1 and the formula's. */
export const MIN_DEMAND_QUANTILES = [0.1, 0.25, 0.5, 0.75] as const;
/** Scale-down stabilisation windows tried around the stage-1 leaders (stage 2). */
export const WINDOW_GRID = [30, 60, 120, 300];
/** Cooldowns tried for leaders that scale to zero (stage 2). */
export const COOLDOWN_GRID = [60, 300];
/** Candidates within this cost of the cheapest are a tie: the one with the lowest p95 wins (more headroom for the same money). */
export const COST_TIE = 0.03;
/** When nothing meets the objective: the cheapest candidate whose p95 is within this of the lowest. */
export const NEAR_BEST_P95 = 0.05;
/** Stage-1 candidates refined in stage 2. */
export const STAGE2_LEADERS = 3;
export const DEFAULT_MARGIN = 0.15;
export const DEFAULT_SEEDS: [number, number] = [1, 2];

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
}

export interface BacktestPlan {
  trace: Trace;
  config: SimulationConfig;
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

function jobDurationOf(p: Profile, s: WorkloadSignals | undefined): JobDuration | undefined {
  if (s?.jobDuration && (s.jobDuration.mean || s.jobDuration.p50 || s.jobDuration.p95)) return s.jobDuration;
  if (p.meanDuration) return { mean: p.meanDuration.value, source: 'annotation' };
  if (p.perReplicaThroughput) return { mean: p.concurrency.value / p.perReplicaThroughput.value, source: 'littles-law' };
  return undefined;
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
  const duration = jobDurationOf(profile, s);
  if (!duration) return { skip: 'Not backtested: job duration unknown.' };
  if (plan.placeholder?.key === 'query') return { skip: 'Not backtested: no queue metric bound.' };
  const notes: string[] = [];
  if (arr.note) notes.push(arr.note);
  let trace: Trace;
  try {
    trace = traceFromSeries(arr.series, duration, `${w.namespace}/${w.name} recorded arrivals`);
  } catch (e) {
    return { skip: `Not backtested: ${(e as Error).message}.` };
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
  const objective: SearchObjective = { targetWaitSeconds: profile.targetWait.value, margin: opts.margin ?? DEFAULT_MARGIN, secondSeed: seeds[1] };
  const statusQuo = statusQuoPolicy(w, s, graceNow, base);
  if (statusQuo.note) notes.push(statusQuo.note);
  const space = new CandidateSpace(input);

  // stage 1: threshold × floor, with the formula's scale-down window
  const f0 = input.formula.params;
  const mins = minOptions(profile, f0.minReplicas);
  for (const budget of BUDGET_GRID) for (const m of mins) space.add({ budgetFraction: budget, minReplicas: m.value, minReplicasFrom: m.from });
  const formulaIndex = space.add({});
  const grid =
    `Stage 1: threshold budget f ∈ {${BUDGET_GRID.join(', ')}} of the target wait (formula ${WAIT_BUDGET_FRACTION}) × minReplicaCount ∈ {${mins.map((m) => m.value).join(', ')}} ` +
    `(0, 1, 2, the formula's and the busy replicas at the p${MIN_DEMAND_QUANTILES.map((q) => q * 100).join('/p')} arrival rate); stage 2: the ${STAGE2_LEADERS} cheapest ` +
    `× scale-down window ∈ {${WINDOW_GRID.join(', ')}}s${f0.minReplicas === 0 || mins.some((m) => m.value === 0) ? ` × cooldown ∈ {${COOLDOWN_GRID.join(', ')}}s when scaling to zero` : ''}. ` +
    `Replayed on the recorded arrivals (${duration.source} job durations, start-up ${fmt(profile.startup.value)}s, concurrency ${c}).`;
  return { trace, config: base, objective, space, formulaIndex, statusQuo: statusQuo.policy ? { policy: statusQuo.policy, config: statusQuo.config! } : undefined, grid, notes };
}

/** minReplicaCount options: 0, 1, 2, the formula's, and the busy replicas at arrival-rate quantiles. */
function minOptions(p: Profile, formula: number): Array<{ value: number; from?: string }> {
  const out = new Map<number, string | undefined>([[formula, undefined], [0, undefined], [1, undefined], [2, undefined]]);
  const a = p.arrival;
  const S = p.meanDuration?.value ?? (p.perReplicaThroughput ? p.concurrency.value / p.perReplicaThroughput.value : undefined);
  if (a && S !== undefined) {
    const key = { 0.1: 'p10', 0.25: 'p25', 0.5: 'p50', 0.75: 'p75' } as const;
    for (const q of MIN_DEMAND_QUANTILES) {
      const rate = a[key[q]];
      const n = Math.floor((rate * S) / p.concurrency.value);
      if (!out.has(n)) out.set(n, `floor(${key[q]} arrivals ${fmt(rate)}/s × ${fmt(S)}s ÷ concurrency ${p.concurrency.value})`);
    }
  }
  return [...out.entries()].map(([value, from]) => ({ value, from }));
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

/** Stage 2: scale-down windows (and cooldowns when scaling to zero) around the stage-1 leaders. */
function stage2(p: BacktestPlan, first: SearchResult): number[] {
  const leaders = first.ranked.filter((o) => o.feasible).slice(0, STAGE2_LEADERS);
  if (leaders.length === 0) leaders.push(...nearBest(first).slice(0, STAGE2_LEADERS));
  const out = new Set<number>();
  for (const l of leaders) {
    const o = p.space.list[l.index].overrides;
    const min = l.policy.kind === 'keda' ? l.policy.keda.minReplicaCount : undefined;
    out.add(l.index);
    for (const win of WINDOW_GRID) {
      if (min === 0) for (const cd of COOLDOWN_GRID) out.add(p.space.add({ ...o, scaleDownWindow: win, cooldownPeriod: cd }));
      else out.add(p.space.add({ ...o, scaleDownWindow: win }));
    }
  }
  return [...out];
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
function nearBest(r: SearchResult): SearchResult['ranked'] {
  const best = Math.min(...r.ranked.map((o) => o.result.wait.p95));
  return r.ranked
    .filter((o) => o.result.wait.p95 <= best * (1 + NEAR_BEST_P95) + 0.5)
    .sort((a, b) => a.result.podSeconds - b.result.podSeconds || a.result.wait.p95 - b.result.wait.p95);
}

/**
 * Among feasible candidates costing at most COST_TIE more than the winner, the one with the
 * lowest p95 that also meets the objective on the second seed: a cost difference inside the
 * simulation's noise should not decide, headroom should.
 */
function preferSafer(p: BacktestPlan, run: { result: SearchResult; indices: number[] }): SearchResult['ranked'][number] {
  const r = run.result;
  const win = r.winner!;
  const limit = win.result.podSeconds * (1 + COST_TIE);
  const ties = r.ranked.filter((o) => o.feasible && o.robust !== false && o.result.podSeconds <= limit).sort((a, b) => a.result.wait.p95 - b.result.wait.p95);
  const maxLost = 0.001;
  for (const o of ties) {
    if (o === win) return win;
    if (o.robust === undefined) {
      o.second = simulate(p.trace, o.policy, { ...p.config, seed: r.seeds[1], timelinePoints: 0 });
      const s2 = o.second;
      o.robust = s2.wait.p95 <= r.bound && !(s2.jobsArrived > 0 && s2.jobsLost / s2.jobsArrived > maxLost);
    }
    if (o.robust) return o;
  }
  return win;
}

type Search = (policies: Policy[]) => SearchResult | Promise<SearchResult>;

/** Stage 1, then stage 2 around its leaders; the winner is stage 2's (which contains the leaders). */
async function searchBoth(p: BacktestPlan, search: Search): Promise<{ result: SearchResult; indices: number[]; first: SearchResult }> {
  const stage1 = p.space.list.map((_, i) => i);
  const first = await search(stage1.map((i) => p.space.list[i].policy));
  // map stage-1 outcome indices (positions in its list) back to candidate indices: identical here
  const indices = stage2(p, first);
  const result = await search(indices.map((i) => p.space.list[i].policy));
  return { result, indices, first };
}

export function concludeBacktest(p: BacktestPlan, run: { result: SearchResult; indices: number[]; first: SearchResult }): BacktestRun {
  const notes = [...p.notes];
  const search = run.result;
  let chosen = search.winner ? preferSafer(p, run) : undefined;
  if (!chosen) {
    // nothing met the objective: the cheapest of those nearly as good as the best
    chosen = nearBest(search)[0];
    notes.push(
      `No candidate met p95 wait ≤ ${fmt(search.bound)}s on the recorded history: recommended the cheapest whose p95 (${fmt(chosen.result.wait.p95)}s) is within ${NEAR_BEST_P95 * 100} % of the lowest — ` +
        'bursts faster than pod start-up need more concurrency per pod, a faster start-up or a higher minReplicaCount.',
    );
  }
  const index = run.indices[chosen.index];
  const cand = p.space.list[index];
  const before = p.statusQuo ? toMetrics(simulate(p.trace, p.statusQuo.policy, { ...p.statusQuo.config, timelinePoints: 0 })) : undefined;
  const formulaOutcome = run.first.ranked.find((o) => o.index === p.formulaIndex);
  const total = p.space.list.length;
  const tie = search.winner && chosen !== search.winner;
  const reason = search.winner
    ? tie
      ? `backtest: lowest p95 of the candidates within ${COST_TIE * 100} % of the cheapest meeting p95 ≤ ${fmt(search.bound)}s on seeds ${search.seeds.join(' and ')}`
      : `backtest: cheapest of ${total} candidates meeting p95 ≤ ${fmt(search.bound)}s on seeds ${search.seeds.join(' and ')}`
    : `backtest: cheapest of ${total} candidates within ${NEAR_BEST_P95 * 100} % of the lowest p95`;
  const overrides: SizingOverrides | undefined = index === p.formulaIndex ? undefined : { ...cand.overrides, reason };
  const backtest: Backtest = {
    window: { start: p.trace.start, end: p.trace.end, jobs: chosen.result.jobsArrived },
    before,
    after: toMetrics(chosen.result),
    formula: formulaOutcome ? toMetrics(formulaOutcome.result) : undefined,
    searched: `${p.grid} Stage 1: ${run.first.ranked.filter((o) => o.feasible).length} of ${run.first.ranked.length} met the objective on seed ${search.seeds[0]}. Stage 2: ${search.why}${tie ? ` Within ${COST_TIE * 100} % of its cost, ${chosen.policy.name} has the lowest p95 (${fmt(chosen.result.wait.p95)}s) and met the objective on both seeds: recommended for the headroom.` : ''}`,
    candidates: total,
  };
  return { backtest, overrides, notes };
}

export function runBacktest(input: BacktestInput): BacktestRun {
  const p = planBacktest(input);
  if ('skip' in p) return { notes: [p.skip] };
  const search = (policies: Policy[]) => searchCandidatesSync(p.trace, policies, p.config, p.objective);
  const first = search(p.space.list.map((c) => c.policy));
  const indices = stage2(p, first);
  return concludeBacktest(p, { result: search(indices.map((i) => p.space.list[i].policy)), indices, first });
}

export async function runBacktestAsync(input: BacktestInput): Promise<BacktestRun> {
  const p = planBacktest(input);
  if ('skip' in p) return { notes: [p.skip] };
  return concludeBacktest(p, await searchBoth(p, (policies) => searchCandidates(p.trace, policies, p.config, p.objective)));
}
