// The sizing formulas: every number of a recommended ScaledObject, with a one-line derivation
// that shows the formula with the numbers. The backtest (backtest.ts) then checks and tunes them.
//
// Why threshold = c + μ·W·f: with an AverageValue trigger on backlog + in-flight, the HPA holds
// replicas N ≈ (backlog + in-flight) ÷ threshold. When all N·c slots are busy, the backlog settles
// near N·(threshold − c) and drains at N·μ jobs/s, so a new job waits ≈ (threshold − c) ÷ μ. Setting
// that to a fraction f of the target W leaves the rest of W for bursts and for the scale-up lag
// (HPA sync + pod start-up). Without in-flight in the metric the backlog alone is N·threshold and
// the wait ≈ threshold ÷ μ.
import type { Profile } from './profile.js';

/** Share of the target wait the steady-state backlog may use; the rest absorbs bursts and scale-up lag. */
export const WAIT_BUDGET_FRACTION = 0.5;
/** maxReplicaCount headroom over the replicas the measured arrival peak needs. */
export const MAX_HEADROOM = 1.5;
/** Kubernetes HPA sync period (kube-controller-manager default). */
export const HPA_SYNC_SECONDS = 15;
/** KEDA defaults (scaledobject_types.go / scale_scaledobjects.go). */
export const KEDA_DEFAULT_POLLING = 30;
export const KEDA_DEFAULT_COOLDOWN = 300;
export const KEDA_DEFAULT_MAX = 100;
/** A backlog like the largest one seen should drain within max(5 min, 10 × target wait). */
export const DRAIN_HORIZON_MIN_SECONDS = 300;
export const DRAIN_HORIZON_WAITS = 10;
/** Upper bound for the scale-down stabilisation we derive (the HPA's own default). */
export const MAX_SCALE_DOWN_WINDOW = 300;

/**
 * Pods the HPA may add per sync (with Percent 100 beside it, selectPolicy Max): all the way to
 * maxReplicaCount. A queue metric's desired count is the queued work itself — no feedback loop
 * to overshoot, as with CPU — so a rate limit only delays serving jobs that are already waiting
 * (on burst history it cost 2–3 s of p95 wait at no saving); maxReplicaCount is the bound.
 */
export function scaleUpPodsFor(maxReplicas: number): number {
  return Math.max(4, maxReplicas);
}

/** Scale-down rate limit: at most this percent of the pods per SCALE_DOWN_PERIOD seconds. */
export const SCALE_DOWN_PERCENT = 50;
export const SCALE_DOWN_PERIOD = 30;

export interface ScalingParams {
  threshold: number;
  activationThreshold: number;
  minReplicas: number;
  maxReplicas: number;
  pollingInterval: number;
  cooldownPeriod: number;
  scaleUpPods: number;
  scaleUpPercent: number;
  scaleUpPeriod: number;
  scaleUpWindow: number;
  scaleDownWindow: number;
  scaleDownPercent: number;
  scaleDownPeriod: number;
  fallbackFailureThreshold: number;
  fallbackReplicas: number;
}

export type ParamName = keyof ScalingParams;

export interface Sizing {
  params: ScalingParams;
  /** One line per parameter: the formula with the numbers. */
  why: Record<ParamName, string>;
  /** Whether the trigger's value counts in-flight jobs as well as the backlog. */
  countsInflight: boolean;
  notes: string[];
}

/** Choices the backtest search may override; undefined = the formula's value. */
export interface SizingOverrides {
  budgetFraction?: number;
  minReplicas?: number;
  /** How the overriding minReplicas was computed (for the derivation). */
  minReplicasFrom?: string;
  scaleDownWindow?: number;
  cooldownPeriod?: number;
  /** Why the override was chosen (appended to the derivation). */
  reason?: string;
}

const fmt = (x: number, digits = 3) => String(Number(x.toPrecision(digits)));

/** The formula's value, or the backtest's override with the formula kept in the derivation. */
function pick(value: number, why: string, override: number | undefined, reason: string | undefined, from?: string): [number, string] {
  if (override === undefined || override === value) return [value, why];
  return [override, `${from ? `${from} = ` : ''}${override} (${reason ?? 'override'}; the formula gave ${why})`];
}
const roundUpTo = (x: number, step: number) => Math.ceil(x / step) * step;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Threshold values KEDA reads as floats; keep them short and round down (a lower threshold = more replicas = safe side). */
export function roundThreshold(x: number): number {
  if (x >= 10) return Math.floor(x);
  return Math.max(0.1, Math.floor(x * 10) / 10);
}

/**
 * The AverageValue threshold for a target wait: c + μ·W·f with in-flight counted, μ·W·f without.
 * Never below one job per replica's worth of the metric (c with in-flight, 1 without).
 */
export function thresholdFor(input: { perReplicaThroughput: number; targetWait: number; concurrency: number; countsInflight: boolean; budgetFraction?: number }): { value: number; derivation: string } {
  const f = input.budgetFraction ?? WAIT_BUDGET_FRACTION;
  const mu = input.perReplicaThroughput;
  const c = input.concurrency;
  const backlogPart = mu * input.targetWait * f;
  const raw = input.countsInflight ? c + backlogPart : Math.max(1, backlogPart);
  const value = roundThreshold(raw);
  const formula = input.countsInflight
    ? `concurrency ${c} + per-replica throughput ${fmt(mu)}/s × target wait ${fmt(input.targetWait)}s × ${fmt(f)} = ${fmt(raw)}`
    : `per-replica throughput ${fmt(mu)}/s × target wait ${fmt(input.targetWait)}s × ${fmt(f)} = ${fmt(raw)}${backlogPart < 1 ? ' → at least 1 job per replica' : ''}`;
  return { value, derivation: `${formula} → ${value} (${input.countsInflight ? 'backlog + in-flight' : 'backlog'} per replica)` };
}

/** Queue wait the threshold implies in steady state, the inverse of thresholdFor with f = 1. */
export function impliedWaitSeconds(threshold: number, perReplicaThroughput: number, concurrency: number, countsInflight: boolean): number {
  const backlogPerReplica = countsInflight ? Math.max(0, threshold - concurrency) : threshold;
  return backlogPerReplica / perReplicaThroughput;
}

export function size(profile: Profile, countsInflight: boolean, overrides: SizingOverrides = {}): Sizing {
  const notes: string[] = [];
  const c = profile.concurrency.value;
  const W = profile.targetWait.value;
  const startup = profile.startup.value;
  const why = {} as Record<ParamName, string>;
  const by = overrides.reason ? ` (${overrides.reason})` : '';

  // per-replica throughput: without it we size for the target with one job per replica's worth
  const mu = profile.perReplicaThroughput?.value;
  let threshold: number;
  if (mu !== undefined) {
    const t = thresholdFor({ perReplicaThroughput: mu, targetWait: W, concurrency: c, countsInflight, budgetFraction: overrides.budgetFraction });
    threshold = t.value;
    why.threshold = t.derivation + (overrides.budgetFraction !== undefined && overrides.budgetFraction !== WAIT_BUDGET_FRACTION ? ` — fraction ${fmt(overrides.budgetFraction)} instead of ${WAIT_BUDGET_FRACTION}${by}` : '');
  } else {
    threshold = countsInflight ? c : 1;
    why.threshold = `per-replica throughput unknown: ${countsInflight ? `concurrency ${c} (one replica per ${c} queued or running jobs)` : 'one replica per waiting job'} → ${threshold}`;
    notes.push('Job duration and throughput were not measured: the threshold is one replica per job — set queue-doctor.io/job-duration for a sized threshold.');
  }

  // demand = busy replicas the arrivals need: λ × S ÷ c (Little's law)
  const S = profile.meanDuration?.value ?? (mu !== undefined ? c / mu : undefined);
  const a = profile.arrival;
  const demand = (rate: number) => (S !== undefined ? (rate * S) / c : undefined);

  // minReplicas: 0 when the quiet periods are real and a cold start fits the target, else the trough's demand
  const polling0 = clamp(Math.floor((W - startup) / 2), 5, KEDA_DEFAULT_POLLING);
  const coldStart = startup + polling0;
  let minReplicas: number;
  const troughDemand = a ? demand(a.p05) : undefined;
  if (a && a.idleFraction >= 0.05 && coldStart <= W) {
    minReplicas = 0;
    why.minReplicas = `no arrivals ${Math.round(a.idleFraction * 100)} % of the window and a cold start (start-up ${fmt(startup)}s + polling ${polling0}s = ${fmt(coldStart)}s) fits the ${fmt(W)}s target → 0`;
  } else if (troughDemand !== undefined) {
    minReplicas = Math.max(1, Math.floor(troughDemand));
    why.minReplicas = `max(1, floor(p5 arrivals ${fmt(a!.p05)}/s × ${fmt(S!)}s ÷ concurrency ${c})) = ${minReplicas}` +
      (a!.idleFraction >= 0.05 ? ` (scale to zero not used: cold start ${fmt(coldStart)}s > target ${fmt(W)}s)` : '');
  } else {
    minReplicas = 1;
    why.minReplicas = 'arrival pattern unknown: keep 1 replica warm → 1';
  }
  [minReplicas, why.minReplicas] = pick(minReplicas, why.minReplicas, overrides.minReplicas, overrides.reason, overrides.minReplicasFrom);

  // maxReplicas: the measured peak's demand with headroom, and enough to drain the largest backlog seen
  let maxReplicas: number;
  const peakDemand = a ? demand(a.max) : undefined;
  if (peakDemand !== undefined) {
    const fromPeak = Math.ceil(peakDemand * MAX_HEADROOM);
    const parts = [`ceil(peak arrivals ${fmt(a!.max)}/s × ${fmt(S!)}s ÷ concurrency ${c} × headroom ${MAX_HEADROOM}) = ${fromPeak}`];
    let fromBacklog = 0;
    if (profile.backlogMax !== undefined && profile.backlogMax > 0) {
      const horizon = Math.max(DRAIN_HORIZON_MIN_SECONDS, DRAIN_HORIZON_WAITS * W);
      fromBacklog = Math.ceil(demand(a!.mean + profile.backlogMax / horizon)!);
      parts.push(`ceil((mean arrivals ${fmt(a!.mean)}/s + largest backlog ${fmt(profile.backlogMax)} ÷ ${fmt(horizon)}s) × ${fmt(S!)}s ÷ ${c}) = ${fromBacklog}`);
    }
    maxReplicas = Math.max(minReplicas + 1, 2, fromPeak, fromBacklog);
    why.maxReplicas = (parts.length > 1 ? `max(${parts.join(', ')})` : parts[0]) + ` → ${maxReplicas}`;
  } else {
    maxReplicas = Math.max(minReplicas + 1, 10);
    why.maxReplicas = `arrival peak unknown: ${maxReplicas} (review it: replicas never exceed it)`;
    notes.push('No arrival or throughput series: maxReplicaCount is a placeholder, not derived.');
  }

  // activation: any job wakes the pool from zero (KEDA activates on value > activationThreshold)
  const activationThreshold = 0;
  why.activationThreshold =
    minReplicas === 0 ? 'activate on the first job: KEDA activates when value > 0 → 0' : `0 (ignored while minReplicaCount ${minReplicas} ≥ 1: the HPA keeps ${minReplicas} running)`;

  // pollingInterval: only drives activation from zero (the HPA itself reads the metric every 15 s)
  let pollingInterval: number;
  if (minReplicas === 0) {
    pollingInterval = polling0;
    why.pollingInterval = `clamp((target ${fmt(W)}s − start-up ${fmt(startup)}s) ÷ 2, 5, 30) = ${pollingInterval}: the first job after idle waits ≤ polling + start-up`;
  } else {
    pollingInterval = KEDA_DEFAULT_POLLING;
    why.pollingInterval = `KEDA default ${KEDA_DEFAULT_POLLING}: with minReplicaCount ≥ 1 polling only drives activation; the HPA reads the metric every ${HPA_SYNC_SECONDS}s`;
  }

  // cooldownPeriod: only governs the last step to zero
  let cooldownPeriod: number;
  if (minReplicas === 0) {
    cooldownPeriod = clamp(roundUpTo(2 * (startup + pollingInterval), 15), 60, KEDA_DEFAULT_COOLDOWN);
    why.cooldownPeriod = `clamp(2 × (start-up ${fmt(startup)}s + polling ${pollingInterval}s), 60, 300) rounded up to 15 s = ${cooldownPeriod}: a quiet gap shorter than two cold starts is cheaper to idle through`;
  } else {
    cooldownPeriod = KEDA_DEFAULT_COOLDOWN;
    why.cooldownPeriod = `KEDA default ${KEDA_DEFAULT_COOLDOWN}: it only governs scaling to zero, which minReplicaCount ${minReplicas} rules out`;
  }
  [cooldownPeriod, why.cooldownPeriod] = pick(cooldownPeriod, why.cooldownPeriod, overrides.cooldownPeriod, overrides.reason);

  // scale-up: no stabilisation and no rate limit below maxReplicaCount: the queue says how many are needed
  const scaleUpPods = scaleUpPodsFor(maxReplicas);
  why.scaleUpPods = `max(4, maxReplicaCount ${maxReplicas}) = ${scaleUpPods}: the queue metric is the work waiting, so reach what it asks for in one sync (maxReplicaCount is the bound)`;
  const scaleUpPercent = 100;
  why.scaleUpPercent = '100: at least double every period (selectPolicy Max takes the larger step)';
  const scaleUpPeriod = HPA_SYNC_SECONDS;
  why.scaleUpPeriod = `${HPA_SYNC_SECONDS}: one HPA sync`;
  const scaleUpWindow = 0;
  why.scaleUpWindow = '0: act on a growing queue at once';

  // scale-down: a window longer than short dips (job-completion noise, a cold start) but short of holding idle pods long
  let scaleDownWindow: number;
  {
    const p95 = profile.p95Duration?.value ?? (S !== undefined ? 2 * S : 60);
    const raw = Math.max(60, 2 * p95, 2 * startup);
    scaleDownWindow = clamp(roundUpTo(raw, 15), 60, MAX_SCALE_DOWN_WINDOW);
    why.scaleDownWindow = `clamp(max(60, 2 × p95 job ${fmt(p95)}s, 2 × start-up ${fmt(startup)}s), 60, 300) rounded up to 15 s = ${scaleDownWindow}: rides out dips shorter than two jobs or two cold starts`;
  }
  [scaleDownWindow, why.scaleDownWindow] = pick(scaleDownWindow, why.scaleDownWindow, overrides.scaleDownWindow, overrides.reason);
  const scaleDownPercent = SCALE_DOWN_PERCENT;
  why.scaleDownPercent = '50: remove at most half the pods per period, so a wrong dip costs one start-up, not the pool';
  const scaleDownPeriod = SCALE_DOWN_PERIOD;
  why.scaleDownPeriod = '30: two HPA syncs between scale-down steps';

  // fallback: hold the typical demand when the metric cannot be read
  const fallbackFailureThreshold = 3;
  why.fallbackFailureThreshold = `3 failed polls (≈ ${3 * pollingInterval}s) before falling back`;
  const typical = a ? demand(a.p50) : undefined;
  const fallbackReplicas = clamp(typical !== undefined ? Math.ceil(typical * MAX_HEADROOM) : Math.max(minReplicas, 1), Math.max(minReplicas, 1), maxReplicas);
  why.fallbackReplicas =
    typical !== undefined
      ? `clamp(ceil(median arrivals ${fmt(a!.p50)}/s × ${fmt(S!)}s ÷ ${c} × ${MAX_HEADROOM}), max(min, 1), max) = ${fallbackReplicas}: typical demand while the metric is unreadable`
      : `max(minReplicaCount, 1) = ${fallbackReplicas}: demand unknown`;

  return {
    params: {
      threshold,
      activationThreshold,
      minReplicas,
      maxReplicas,
      pollingInterval,
      cooldownPeriod,
      scaleUpPods,
      scaleUpPercent,
      scaleUpPeriod,
      scaleUpWindow,
      scaleDownWindow,
      scaleDownPercent,
      scaleDownPeriod,
      fallbackFailureThreshold,
      fallbackReplicas,
    },
    why,
    countsInflight,
    notes,
  };
}
