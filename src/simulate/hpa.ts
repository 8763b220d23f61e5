// The Kubernetes HorizontalPodAutoscaler (autoscaling/v2) arithmetic, as the controller does it.
// Restated from kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator.go and
// horizontal.go (see ../shared/reference/keda-notes.md §e). Every function here is reproduced
// against the upstream unit-test vectors in fixtures/hpa/ (test/unit/hpa-*.test.ts).
//
// Units: metric values are given in their natural unit and converted to milli-units, as the
// controller works on resource.Quantity.MilliValue(); CPU is given in millicores. Times are
// seconds on any clock ("now" is always passed in). Comparisons with time cut-offs are strict,
// like Go's time.After/Before.

/** Per-direction tolerance: no change while (1 − scaleDown) ≤ ratio ≤ (1 + scaleUp). */
export interface Tolerances {
  scaleUp: number;
  scaleDown: number;
}

/** --horizontal-pod-autoscaler-tolerance default. */
export const DEFAULT_TOLERANCE = 0.1;
export const DEFAULT_TOLERANCES: Tolerances = Object.freeze({ scaleUp: DEFAULT_TOLERANCE, scaleDown: DEFAULT_TOLERANCE });
/** --horizontal-pod-autoscaler-sync-period default (s). */
export const HPA_SYNC_SECONDS = 15;
/** --horizontal-pod-autoscaler-downscale-stabilization default (s). */
export const DOWNSCALE_STABILIZATION_SECONDS = 300;
/** Legacy (behavior == nil) scale-up cap: max(factor × current, minimum) per sync. */
export const SCALE_UP_LIMIT_FACTOR = 2;
export const SCALE_UP_LIMIT_MINIMUM = 4;

export function isWithinTolerance(ratio: number, t: Tolerances): boolean {
  return 1 - t.scaleDown <= ratio && ratio <= 1 + t.scaleUp;
}

/** A metric that cannot produce a proposal this sync (the controller's error path). */
export class HpaMetricError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HpaMetricError';
  }
}

const milli = (x: number) => Math.round(x * 1000);

// ---------------------------------------------------------------------------------------------
// Replica proposals per metric type (replica_calculator.go)

export interface ProposalResult {
  replicas: number;
  /** The metric's current value as the HPA status reports it (milli-units for External/Pods). */
  usage: number;
}

/**
 * External metric, target type Value: usage = Σ values; ratio = usage / target;
 * desired = ceil(ratio × readyPods), or current when within tolerance; ceil(ratio) from 0 replicas.
 */
export function externalValueReplicas(input: {
  currentReplicas: number;
  /** Running and Ready pods (terminating pods that are still Ready count). */
  readyPods: number;
  value: number | number[];
  target: number;
  tolerances?: Tolerances;
}): ProposalResult {
  const values = Array.isArray(input.value) ? input.value : [input.value];
  let usage = 0;
  for (const v of values) usage += milli(v);
  const usageRatio = usage / milli(input.target);
  return { replicas: usageRatioReplicaCount(input.currentReplicas, usageRatio, input.readyPods, input.tolerances ?? DEFAULT_TOLERANCES), usage };
}

function usageRatioReplicaCount(currentReplicas: number, usageRatio: number, readyPods: number, tol: Tolerances): number {
  if (currentReplicas !== 0) {
    if (isWithinTolerance(usageRatio, tol)) return currentReplicas;
    return Math.ceil(usageRatio * readyPods);
  }
  return Math.ceil(usageRatio);
}

/**
 * External metric, target type AverageValue: ratio = usage / (target × status.replicas);
 * outside tolerance desired = ceil(usage / target) — independent of readiness.
 */
export function externalAverageValueReplicas(input: {
  /** status.replicas of the scale target. */
  statusReplicas: number;
  value: number | number[];
  target: number;
  tolerances?: Tolerances;
}): ProposalResult {
  const values = Array.isArray(input.value) ? input.value : [input.value];
  let usage = 0;
  for (const v of values) usage += milli(v);
  const target = milli(input.target);
  let replicaCount = input.statusReplicas;
  const usageRatio = usage / (target * replicaCount);
  if (!isWithinTolerance(usageRatio, input.tolerances ?? DEFAULT_TOLERANCES)) replicaCount = Math.ceil(usage / target);
  return { replicas: replicaCount, usage: Math.ceil(usage / input.statusReplicas) };
}

/** One pod as the replica calculator sees it. */
export interface PodSample {
  /** Metric value (Pods metrics: natural units; cpu: millicores). Undefined: no metric reported. */
  value?: number;
  /** CPU request of the pod in millicores (cpu Utilization only). */
  requestMilli?: number;
  /** Ready condition; default true. For cpu, a not-ready pod is "unready" (see groupPods). */
  ready?: boolean;
  phase?: 'Running' | 'Pending' | 'Failed';
  /** Has a deletionTimestamp (terminating): ignored. */
  deleted?: boolean;
}

interface Grouped {
  readyPodCount: number;
  unready: number[];
  missing: number[];
  ignored: number[];
}

// groupPods: for cpu, readiness is simplified to the pod's Ready condition (the controller also
// treats a pod as unready within --horizontal-pod-autoscaler-cpu-initialization-period until one
// metric window has passed since it became ready; the simulator applies that before calling).
function groupPods(pods: PodSample[], cpu: boolean): Grouped {
  const g: Grouped = { readyPodCount: 0, unready: [], missing: [], ignored: [] };
  pods.forEach((p, i) => {
    if (p.deleted || p.phase === 'Failed') return void g.ignored.push(i);
    if (p.phase === 'Pending') return void g.unready.push(i);
    if (p.value === undefined) return void g.missing.push(i);
    if (cpu && p.ready === false) return void g.unready.push(i);
    g.readyPodCount++;
  });
  return g;
}

/**
 * Resource cpu, target type Utilization (GetResourceReplicas): utilization = ⌊Σusage×100 / Σrequest⌋
 * over pods with metrics; missing pods count at max(100 %, target) on scale-down and 0 on
 * scale-up; unready pods count at 0 on scale-up only; keep the current count when the
 * corrected ratio is within tolerance or flips direction. Throws HpaMetricError when no pod
 * has a usable metric.
 */
export function resourceUtilizationReplicas(input: {
  currentReplicas: number;
  /** Target average utilization, percent of request. */
  targetUtilization: number;
  pods: PodSample[];
  tolerances?: Tolerances;
}): { replicas: number; utilization: number } {
  const tol = input.tolerances ?? DEFAULT_TOLERANCES;
  const { pods, targetUtilization, currentReplicas } = input;
  if (pods.length === 0) throw new HpaMetricError('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, true);
  const metrics = new Map<number, number>();
  pods.forEach((p, i) => {
    if (p.value !== undefined) metrics.set(i, Math.trunc(p.value));
  });
  for (const i of g.ignored) metrics.delete(i);
  for (const i of g.unready) metrics.delete(i);
  if (metrics.size === 0) throw new HpaMetricError('did not receive metrics for targeted pods (pods might be unready)');
  const requests = new Map<number, number>();
  pods.forEach((p, i) => {
    if (p.requestMilli === undefined) throw new HpaMetricError('missing request for cpu');
    requests.set(i, Math.trunc(p.requestMilli));
  });
  const ratioOf = (m: Map<number, number>) => {
    let usage = 0;
    let req = 0;
    for (const [i, v] of m) {
      const r = requests.get(i);
      if (r === undefined) continue;
      usage += v;
      req += r;
    }
    if (req === 0) throw new HpaMetricError('no metrics returned matched known pods');
    const utilization = Math.trunc((usage * 100) / req);
    return { ratio: utilization / targetUtilization, utilization };
  };
  const { ratio: usageRatio, utilization } = ratioOf(metrics);
  const scaleUpWithUnready = g.unready.length > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && g.missing.length === 0) {
    if (isWithinTolerance(usageRatio, tol)) return { replicas: currentReplicas, utilization };
    return { replicas: Math.ceil(usageRatio * g.readyPodCount), utilization };
  }
  if (g.missing.length > 0) {
    if (usageRatio < 1.0) {
      const fallback = Math.max(100, targetUtilization);
      for (const i of g.missing) metrics.set(i, Math.trunc((requests.get(i)! * fallback) / 100));
    } else if (usageRatio > 1.0) for (const i of g.missing) metrics.set(i, 0);
  }
  if (scaleUpWithUnready) for (const i of g.unready) metrics.set(i, 0);
  const { ratio: newUsageRatio } = ratioOf(metrics);
  if (isWithinTolerance(newUsageRatio, tol) || (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0)) {
    return { replicas: currentReplicas, utilization };
  }
  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if ((newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas)) {
    return { replicas: currentReplicas, utilization };
  }
  return { replicas: newReplicas, utilization };
}

/**
 * Pods metric (or Resource AverageValue), target type AverageValue (calcPlainMetricReplicas):
 * ratio = ⌊Σvalue / n⌋ / target in milli-units; missing pods count at the target on scale-down
 * and 0 on scale-up; unready (Pending) pods at 0 on scale-up.
 */
export function podsAverageValueReplicas(input: { currentReplicas: number; target: number; pods: PodSample[]; tolerances?: Tolerances }): ProposalResult {
  const tol = input.tolerances ?? DEFAULT_TOLERANCES;
  const { pods, currentReplicas } = input;
  const target = milli(input.target);
  if (pods.length === 0) throw new HpaMetricError('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, false);
  const metrics = new Map<number, number>();
  pods.forEach((p, i) => {
    if (p.value !== undefined) metrics.set(i, milli(p.value));
  });
  for (const i of g.ignored) metrics.delete(i);
  for (const i of g.unready) metrics.delete(i);
  if (metrics.size === 0) throw new HpaMetricError('did not receive metrics for targeted pods (pods might be unready)');
  const ratioOf = (m: Map<number, number>) => {
    let total = 0;
    for (const v of m.values()) total += v;
    const usage = Math.trunc(total / m.size);
    return { ratio: usage / target, usage };
  };
  const { ratio: usageRatio, usage } = ratioOf(metrics);
  const scaleUpWithUnready = g.unready.length > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && g.missing.length === 0) {
    if (isWithinTolerance(usageRatio, tol)) return { replicas: currentReplicas, usage };
    return { replicas: Math.ceil(usageRatio * g.readyPodCount), usage };
  }
  if (g.missing.length > 0) {
    if (usageRatio < 1.0) for (const i of g.missing) metrics.set(i, target);
    else for (const i of g.missing) metrics.set(i, 0);
  }
  if (scaleUpWithUnready) for (const i of g.unready) metrics.set(i, 0);
  const { ratio: newUsageRatio } = ratioOf(metrics);
  if (isWithinTolerance(newUsageRatio, tol) || (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0)) {
    return { replicas: currentReplicas, usage };
  }
  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if ((newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas)) {
    return { replicas: currentReplicas, usage };
  }
  return { replicas: newReplicas, usage };
}

/** Any supported metric, for callers that hold a metric description. */
export type MetricInput =
  | { type: 'External'; targetType: 'Value'; currentReplicas: number; readyPods: number; value: number | number[]; target: number; tolerances?: Tolerances }
  | { type: 'External'; targetType: 'AverageValue'; statusReplicas: number; value: number | number[]; target: number; tolerances?: Tolerances }
  | { type: 'Pods'; targetType: 'AverageValue'; currentReplicas: number; pods: PodSample[]; target: number; tolerances?: Tolerances }
  | { type: 'Resource'; targetType: 'Utilization'; currentReplicas: number; pods: PodSample[]; targetUtilization: number; tolerances?: Tolerances };

/** Desired replicas proposed by one metric (throws HpaMetricError when it cannot propose). */
export function desiredReplicasForMetric(m: MetricInput): number {
  if (m.type === 'External') return m.targetType === 'Value' ? externalValueReplicas(m).replicas : externalAverageValueReplicas(m).replicas;
  if (m.type === 'Pods') return podsAverageValueReplicas(m).replicas;
  return resourceUtilizationReplicas(m).replicas;
}

/**
 * Several metrics → the largest proposal (computeReplicasForMetrics). Failed metrics (Error
 * entries) block a scale-down but not a scale-up; all failed → undefined (no scaling).
 */
export function replicasForMetrics(specReplicas: number, proposals: Array<number | Error>): number | undefined {
  let replicas = 0;
  let invalid = 0;
  for (const p of proposals) {
    if (p instanceof Error) {
      invalid++;
      continue;
    }
    if (replicas === 0 || p > replicas) replicas = p;
  }
  if (invalid >= proposals.length || (invalid > 0 && replicas < specReplicas)) return undefined;
  return replicas;
}

// ---------------------------------------------------------------------------------------------
// Normalisation without behavior (legacy path: what KEDA's generated HPA gets by default)

export interface Recommendation {
  replicas: number;
  time: number;
}

export type ScalingCondition = 'DesiredWithinRange' | 'TooFewReplicas' | 'TooManyReplicas' | 'ScaleUpLimit' | 'ScaleDownLimit';

export function calculateScaleUpLimit(currentReplicas: number, factor = SCALE_UP_LIMIT_FACTOR, minimum = SCALE_UP_LIMIT_MINIMUM): number {
  return Math.trunc(Math.max(factor * currentReplicas, minimum));
}

/**
 * Max of the new recommendation and those newer than now − window; stores the new one
 * (overwriting one record older than the window, else appending). Mutates `recommendations`.
 */
export function stabilizeRecommendation(recommendations: Recommendation[], now: number, prenormalized: number, windowSeconds = DOWNSCALE_STABILIZATION_SECONDS): number {
  let max = prenormalized;
  let oldIndex = -1;
  const cutoff = now - windowSeconds;
  for (let i = 0; i < recommendations.length; i++) {
    const r = recommendations[i];
    if (r.time < cutoff) oldIndex = i;
    else if (r.replicas > max) max = r.replicas;
  }
  if (oldIndex >= 0) recommendations[oldIndex] = { replicas: prenormalized, time: now };
  else recommendations.push({ replicas: prenormalized, time: now });
  return max;
}

/** Clamp to [min, min(max, scale-up limit)] (convertDesiredReplicasWithRules). */
export function convertDesiredReplicasWithRules(
  currentReplicas: number,
  desiredReplicas: number,
  minReplicas: number,
  maxReplicas: number,
  scaleUpLimitFactor = SCALE_UP_LIMIT_FACTOR,
): { replicas: number; condition: ScalingCondition } {
  const scaleUpLimit = calculateScaleUpLimit(currentReplicas, scaleUpLimitFactor);
  let maximumAllowed: number;
  let condition: ScalingCondition;
  if (maxReplicas > scaleUpLimit) {
    maximumAllowed = scaleUpLimit;
    condition = 'ScaleUpLimit';
  } else {
    maximumAllowed = maxReplicas;
    condition = 'TooManyReplicas';
  }
  if (desiredReplicas < minReplicas) return { replicas: minReplicas, condition: 'TooFewReplicas' };
  if (desiredReplicas > maximumAllowed) return { replicas: maximumAllowed, condition };
  return { replicas: desiredReplicas, condition: 'DesiredWithinRange' };
}

/** The legacy normalisation: stabilise over the downscale window, then clamp and cap. */
export function normalizeDesiredReplicas(
  recommendations: Recommendation[],
  now: number,
  currentReplicas: number,
  prenormalized: number,
  minReplicas: number,
  maxReplicas: number,
  opts: { downscaleStabilizationSeconds?: number; scaleUpLimitFactor?: number } = {},
): { replicas: number; condition: ScalingCondition; stabilized: number } {
  const stabilized = stabilizeRecommendation(recommendations, now, prenormalized, opts.downscaleStabilizationSeconds ?? DOWNSCALE_STABILIZATION_SECONDS);
  const r = convertDesiredReplicasWithRules(currentReplicas, stabilized, minReplicas, maxReplicas, opts.scaleUpLimitFactor);
  return { ...r, stabilized };
}

// ---------------------------------------------------------------------------------------------
// Normalisation with behavior

export type SelectPolicy = 'Max' | 'Min' | 'Disabled';

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  /** null: scale-down window filled from --horizontal-pod-autoscaler-downscale-stabilization. */
  stabilizationWindowSeconds: number | null;
  selectPolicy: SelectPolicy;
  policies: ScalingPolicy[];
  /** Per-direction tolerance (HPAConfigurableTolerance); undefined: the global 0.1. */
  tolerance?: number;
}

export interface Behavior {
  scaleUp: ScalingRules;
  scaleDown: ScalingRules;
}

export interface ScaleEvent {
  replicaChange: number;
  time: number;
  outdated?: boolean;
}

/** Defaults applied by the API server when `behavior` is set (pkg/apis/autoscaling/v2/defaults.go). */
export function defaultScaleUpRules(): ScalingRules {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

export function defaultScaleDownRules(): ScalingRules {
  return { stabilizationWindowSeconds: null, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
}

/** Fill unset fields of a behavior the way the API server does (copyHPAScalingRules). */
export function withBehaviorDefaults(b: { scaleUp?: Partial<ScalingRules>; scaleDown?: Partial<ScalingRules> }): Behavior {
  const fill = (from: Partial<ScalingRules> | undefined, to: ScalingRules): ScalingRules => {
    if (!from) return to;
    if (from.selectPolicy !== undefined) to.selectPolicy = from.selectPolicy;
    if (from.stabilizationWindowSeconds !== undefined && from.stabilizationWindowSeconds !== null) to.stabilizationWindowSeconds = from.stabilizationWindowSeconds;
    if (from.policies !== undefined) to.policies = from.policies.map((p) => ({ ...p }));
    if (from.tolerance !== undefined) to.tolerance = from.tolerance;
    return to;
  };
  return { scaleUp: fill(b.scaleUp, defaultScaleUpRules()), scaleDown: fill(b.scaleDown, defaultScaleDownRules()) };
}

/** Tolerances of an HPA: behavior's per-direction values over the global one. */
export function tolerancesOf(behavior: Behavior | null, global = DEFAULT_TOLERANCE): Tolerances {
  return { scaleUp: behavior?.scaleUp.tolerance ?? global, scaleDown: behavior?.scaleDown.tolerance ?? global };
}

/** Σ replicaChange of events strictly newer than now − period. */
export function getReplicasChangePerPeriod(periodSeconds: number, events: ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds;
  let replicas = 0;
  for (const e of events) if (e.time > cutoff) replicas += e.replicaChange;
  return replicas;
}

/** Highest replica count the scale-up policies allow (calculateScaleUpLimitWithScalingRules). */
export function calculateScaleUpLimitWithScalingRules(currentReplicas: number, scaleUpEvents: ScaleEvent[], scaleDownEvents: ScaleEvent[], rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const useMin = rules.selectPolicy === 'Min';
  let result = useMin ? 2147483647 : -2147483648;
  for (const p of rules.policies) {
    const added = getReplicasChangePerPeriod(p.periodSeconds, scaleUpEvents, now);
    const deleted = getReplicasChangePerPeriod(p.periodSeconds, scaleDownEvents, now);
    const periodStart = currentReplicas - added + deleted;
    const proposed = p.type === 'Pods' ? periodStart + p.value : Math.ceil(periodStart * (1 + p.value / 100));
    result = useMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** Lowest replica count the scale-down policies allow (calculateScaleDownLimitWithBehaviors). */
export function calculateScaleDownLimitWithBehaviors(currentReplicas: number, scaleUpEvents: ScaleEvent[], scaleDownEvents: ScaleEvent[], rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const useMin = rules.selectPolicy === 'Min';
  let result = useMin ? -2147483648 : 2147483647;
  for (const p of rules.policies) {
    const added = getReplicasChangePerPeriod(p.periodSeconds, scaleUpEvents, now);
    const deleted = getReplicasChangePerPeriod(p.periodSeconds, scaleDownEvents, now);
    const periodStart = currentReplicas - added + deleted;
    const proposed = p.type === 'Pods' ? periodStart - p.value : Math.trunc(periodStart * (1 - p.value / 100));
    // "Min" change on the way down is the highest proposal
    result = useMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

export interface NormalizationArg {
  currentReplicas: number;
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  scaleUp: ScalingRules;
  scaleDown: ScalingRules;
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
  now: number;
}

/** Apply the rate-limit policies (convertDesiredReplicasWithBehaviorRate). */
export function convertDesiredReplicasWithBehaviorRate(a: NormalizationArg): { replicas: number; condition: ScalingCondition } {
  if (a.desiredReplicas > a.currentReplicas) {
    let limit = calculateScaleUpLimitWithScalingRules(a.currentReplicas, a.scaleUpEvents, a.scaleDownEvents, a.scaleUp, a.now);
    if (limit < a.currentReplicas) limit = a.currentReplicas; // no further scale-up until events age out
    let maximumAllowed = a.maxReplicas;
    let condition: ScalingCondition;
    if (maximumAllowed > limit) {
      maximumAllowed = limit;
      condition = 'ScaleUpLimit';
    } else condition = 'TooManyReplicas';
    if (a.desiredReplicas > maximumAllowed) return { replicas: maximumAllowed, condition };
  } else if (a.desiredReplicas < a.currentReplicas) {
    let limit = calculateScaleDownLimitWithBehaviors(a.currentReplicas, a.scaleUpEvents, a.scaleDownEvents, a.scaleDown, a.now);
    if (limit > a.currentReplicas) limit = a.currentReplicas;
    let minimumAllowed = a.minReplicas;
    let condition: ScalingCondition;
    if (minimumAllowed < limit) {
      minimumAllowed = limit;
      condition = 'ScaleDownLimit';
    } else condition = 'TooFewReplicas';
    if (a.desiredReplicas < minimumAllowed) return { replicas: minimumAllowed, condition };
  }
  return { replicas: a.desiredReplicas, condition: 'DesiredWithinRange' };
}

/**
 * Stabilisation with behavior: upRec = min(desired, recs in the scale-up window), downRec =
 * max(desired, recs in the scale-down window); result = current raised to upRec, lowered to
 * downRec. Stores `desired` (overwriting a record older than both windows). Mutates `recommendations`.
 */
export function stabilizeRecommendationWithBehaviors(
  recommendations: Recommendation[],
  now: number,
  currentReplicas: number,
  desiredReplicas: number,
  upWindowSeconds: number,
  downWindowSeconds: number,
): number {
  let up = desiredReplicas;
  let down = desiredReplicas;
  const upCutoff = now - upWindowSeconds;
  const downCutoff = now - downWindowSeconds;
  let oldIndex = -1;
  for (let i = 0; i < recommendations.length; i++) {
    const r = recommendations[i];
    if (r.time > upCutoff && r.replicas < up) up = r.replicas;
    if (r.time > downCutoff && r.replicas > down) down = r.replicas;
    if (r.time < upCutoff && r.time < downCutoff) oldIndex = i;
  }
  let rec = currentReplicas;
  if (rec < up) rec = up;
  if (rec > down) rec = down;
  if (oldIndex >= 0) recommendations[oldIndex] = { replicas: desiredReplicas, time: now };
  else recommendations.push({ replicas: desiredReplicas, time: now });
  return rec;
}

/** Stabilise, then rate-limit (normalizeDesiredReplicasWithBehaviors). */
export function normalizeDesiredReplicasWithBehaviors(
  recommendations: Recommendation[],
  a: NormalizationArg,
  downscaleStabilizationSeconds = DOWNSCALE_STABILIZATION_SECONDS,
): { replicas: number; condition: ScalingCondition; stabilized: number } {
  const downWindow = a.scaleDown.stabilizationWindowSeconds ?? downscaleStabilizationSeconds;
  const upWindow = a.scaleUp.stabilizationWindowSeconds ?? 0;
  const stabilized = stabilizeRecommendationWithBehaviors(recommendations, a.now, a.currentReplicas, a.desiredReplicas, upWindow, downWindow);
  const r = convertDesiredReplicasWithBehaviorRate({ ...a, desiredReplicas: stabilized });
  return { ...r, stabilized };
}

function longestPolicyPeriod(rules: ScalingRules): number {
  let longest = 0;
  for (const p of rules.policies) if (p.periodSeconds > longest) longest = p.periodSeconds;
  return longest;
}

/** Remember a scale change for the rate-limit policies (storeScaleEvent; only with behavior). */
export function storeScaleEvent(behavior: Behavior | null, state: HpaState, now: number, prevReplicas: number, newReplicas: number): void {
  if (!behavior) return;
  const up = newReplicas > prevReplicas;
  const events = up ? state.scaleUpEvents : state.scaleDownEvents;
  const cutoff = now - longestPolicyPeriod(up ? behavior.scaleUp : behavior.scaleDown);
  for (const e of events) if (e.time < cutoff) e.outdated = true;
  const change = up ? newReplicas - prevReplicas : prevReplicas - newReplicas;
  for (let i = 0; i < events.length; i++) {
    if (events[i].outdated) {
      events[i] = { replicaChange: change, time: now, outdated: false };
      return;
    }
  }
  events.push({ replicaChange: change, time: now, outdated: false });
}

// ---------------------------------------------------------------------------------------------
// One controller sync (reconcileAutoscaler), for the simulator and controller-level tests

export interface HpaState {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export function newHpaState(): HpaState {
  return { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
}

export interface HpaControllerSpec {
  minReplicas: number;
  maxReplicas: number;
  behavior: Behavior | null;
  downscaleStabilizationSeconds?: number;
  scaleUpLimitFactor?: number;
}

export interface ReconcileResult {
  /** The replica count the HPA writes (equal to specReplicas when it does not rescale). */
  desiredReplicas: number;
  rescale: boolean;
  reason: 'disabled' | 'above-max' | 'below-min' | 'metrics-invalid' | ScalingCondition;
}

/**
 * One HPA sync: spec.replicas 0 with minReplicas ≠ 0 disables scaling; outside [min, max] the
 * count is set to the bound without reading metrics; otherwise the largest metric proposal is
 * normalised (legacy or behavior path). Scale events are stored when behavior is set.
 * `proposals` is called only when metrics are read.
 */
export function reconcileHpa(spec: HpaControllerSpec, state: HpaState, now: number, specReplicas: number, proposals: () => Array<number | Error>): ReconcileResult {
  let desired: number;
  let reason: ReconcileResult['reason'];
  if (specReplicas === 0 && spec.minReplicas !== 0) return { desiredReplicas: 0, rescale: false, reason: 'disabled' };
  if (specReplicas > spec.maxReplicas) {
    desired = spec.maxReplicas;
    reason = 'above-max';
  } else if (specReplicas < spec.minReplicas) {
    desired = spec.minReplicas;
    reason = 'below-min';
  } else {
    const metric = replicasForMetrics(specReplicas, proposals());
    if (metric === undefined) return { desiredReplicas: specReplicas, rescale: false, reason: 'metrics-invalid' };
    const prenormalized = Math.max(metric, 0);
    if (spec.behavior === null) {
      const r = normalizeDesiredReplicas(state.recommendations, now, specReplicas, prenormalized, spec.minReplicas, spec.maxReplicas, spec);
      desired = r.replicas;
      reason = r.condition;
    } else {
      const r = normalizeDesiredReplicasWithBehaviors(
        state.recommendations,
        {
          currentReplicas: specReplicas,
          desiredReplicas: prenormalized,
          minReplicas: spec.minReplicas,
          maxReplicas: spec.maxReplicas,
          scaleUp: spec.behavior.scaleUp,
          scaleDown: spec.behavior.scaleDown,
          scaleUpEvents: state.scaleUpEvents,
          scaleDownEvents: state.scaleDownEvents,
          now,
        },
        spec.downscaleStabilizationSeconds,
      );
      desired = r.replicas;
      reason = r.condition;
    }
  }
  const rescale = desired !== specReplicas;
  if (rescale) storeScaleEvent(spec.behavior, state, now, specReplicas, desired);
  return { desiredReplicas: desired, rescale, reason };
}
