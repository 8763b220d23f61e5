// Autoscaling policies the simulator can run: a fixed replica count, a Kubernetes HPA, or a
// KEDA ScaledObject (KEDA's 0↔1 executor in front of the HPA it generates). Policies are plain
// data (structured-cloneable, so candidate searches can run them in worker threads).
import { kedaScaler, RESOURCE_TRIGGER_TYPES } from '../../rules/keda-scalers.js';
import { parseNumeric, parseQuantity } from '../units/quantity.js';
import { formatDuration } from '../units/duration.js';
import type { Behavior, ScalingPolicy, ScalingRules, SelectPolicy } from './hpa.js';
import { withBehaviorDefaults, DOWNSCALE_STABILIZATION_SECONDS } from './hpa.js';

/** What a queue metric counts: jobs waiting, or jobs waiting plus jobs being processed. */
export type Measure = 'backlog' | 'backlog+inflight';

/** A metric measuring the queue (KEDA queue trigger, or an HPA External metric). */
export interface QueueMetric {
  kind: 'queue';
  /** e.g. "s0-prometheus" or the External metric name. */
  name: string;
  targetType: 'Value' | 'AverageValue';
  target: number;
  measure: Measure;
  /** 'prometheus': read from the last scrape (stale by up to the scrape interval); 'native': live. */
  source: 'prometheus' | 'native';
  /** KEDA activation threshold (active when value > activation). 0 for plain HPA metrics. */
  activation: number;
  /** KEDA useCachedMetrics: the HPA reads the value from KEDA's last poll. */
  useCachedMetrics: boolean;
}

/** Resource cpu, target type Utilization (percent of request), fed by the CPU model. */
export interface CpuMetric {
  kind: 'cpu';
  name: string;
  targetUtilization: number;
}

export type PolicyMetric = QueueMetric | CpuMetric;

export interface HpaSpec {
  minReplicas: number;
  maxReplicas: number;
  metrics: PolicyMetric[];
  /** null: the legacy normalisation (scale-up cap, 300 s downscale stabilisation). */
  behavior: Behavior | null;
}

export interface KedaSpec {
  minReplicaCount: number;
  maxReplicaCount: number;
  idleReplicaCount?: number;
  pollingInterval: number;
  cooldownPeriod: number;
  initialCooldownPeriod: number;
}

export type Policy =
  | { kind: 'fixed'; name: string; replicas: number }
  | { kind: 'hpa'; name: string; hpa: HpaSpec }
  | { kind: 'keda'; name: string; keda: KedaSpec; hpa: HpaSpec };

/** A manifest the simulator cannot run, with the field it is about (for file:line). */
export class PolicyError extends Error {
  constructor(
    message: string,
    readonly path: ReadonlyArray<string | number> = [],
  ) {
    super(message);
    this.name = 'PolicyError';
  }
}

export interface PolicyOptions {
  /** What queue triggers count when it cannot be read from the trigger (default: see inferMeasure). */
  measure?: Measure;
  /** Force this measure for every queue trigger, overriding inference. */
  forceMeasure?: boolean;
  /** Display name (default: kind/name of the object). */
  name?: string;
}

/** A fixed replica count (no autoscaler). */
export function fixedPolicy(replicas: number, name = `fixed:${replicas}`): Policy {
  if (!Number.isInteger(replicas) || replicas < 0) throw new PolicyError(`fixed replica count must be a whole number ≥ 0, got ${replicas}`);
  return { kind: 'fixed', name, replicas };
}

/** Parameters of a KEDA policy built without a manifest (candidate searches, recommendations). */
export interface KedaPolicyParams {
  name?: string;
  target: number;
  targetType?: 'Value' | 'AverageValue';
  measure?: Measure;
  source?: 'prometheus' | 'native';
  activation?: number;
  useCachedMetrics?: boolean;
  minReplicaCount?: number;
  maxReplicaCount?: number;
  idleReplicaCount?: number;
  pollingInterval?: number;
  cooldownPeriod?: number;
  initialCooldownPeriod?: number;
  /** As in the ScaledObject (partial; API defaults are filled). Omit for the legacy path. */
  behavior?: { scaleUp?: Partial<ScalingRules>; scaleDown?: Partial<ScalingRules> } | null;
}

/** A KEDA ScaledObject with one queue trigger, from numbers (defaults are KEDA's). */
export function kedaPolicy(p: KedaPolicyParams): Policy {
  const min = p.minReplicaCount ?? 0;
  const max = p.maxReplicaCount ?? 100;
  if (!(p.target > 0)) throw new PolicyError(`target must be > 0, got ${p.target}`);
  if (min > max) throw new PolicyError(`minReplicaCount ${min} is above maxReplicaCount ${max}`);
  const metric: QueueMetric = {
    kind: 'queue',
    name: 's0-' + (p.source === 'native' ? 'queue' : 'prometheus'),
    targetType: p.targetType ?? 'AverageValue',
    target: p.target,
    measure: p.measure ?? 'backlog',
    source: p.source ?? 'prometheus',
    activation: p.activation ?? 0,
    useCachedMetrics: p.useCachedMetrics ?? false,
  };
  const keda: KedaSpec = {
    minReplicaCount: min,
    maxReplicaCount: max,
    idleReplicaCount: p.idleReplicaCount,
    pollingInterval: p.pollingInterval ?? 30,
    cooldownPeriod: p.cooldownPeriod ?? 300,
    initialCooldownPeriod: p.initialCooldownPeriod ?? 0,
  };
  const behavior = p.behavior ? withBehaviorDefaults(p.behavior) : null;
  const policy: Policy = { kind: 'keda', name: '', keda, hpa: { minReplicas: Math.max(min, 1), maxReplicas: max, metrics: [metric], behavior } };
  policy.name = p.name ?? describePolicy(policy);
  return policy;
}

/** An HPA on cpu utilisation (the usual status quo for queue workers). */
export function hpaCpuPolicy(p: { name?: string; targetUtilization: number; minReplicas?: number; maxReplicas: number; behavior?: KedaPolicyParams['behavior'] }): Policy {
  const policy: Policy = {
    kind: 'hpa',
    name: '',
    hpa: {
      minReplicas: p.minReplicas ?? 1,
      maxReplicas: p.maxReplicas,
      metrics: [{ kind: 'cpu', name: 'cpu', targetUtilization: p.targetUtilization }],
      behavior: p.behavior ? withBehaviorDefaults(p.behavior) : null,
    },
  };
  policy.name = p.name ?? describePolicy(policy);
  return policy;
}

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A policy from a raw manifest object (as parsed from YAML): a keda.sh ScaledObject or an
 * autoscaling/v1|v2|v2beta2 HorizontalPodAutoscaler. Throws PolicyError (with the field path)
 * for what the simulator cannot model: ScaledJobs, scalingModifiers, non-queue triggers,
 * memory, Pods/Object metrics.
 */
export function policyFromManifest(obj: unknown, opts: PolicyOptions = {}): Policy {
  if (!isObj(obj)) throw new PolicyError('not a Kubernetes object (expected a mapping with apiVersion and kind)');
  const kind = obj.kind;
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '';
  if (kind === 'ScaledObject' && apiVersion.startsWith('keda.sh/')) return fromScaledObject(obj, opts, name);
  if (kind === 'HorizontalPodAutoscaler' && apiVersion.startsWith('autoscaling/')) return fromHpa(obj, apiVersion, opts, name);
  if (kind === 'ScaledJob') throw new PolicyError('ScaledJob is not simulated (it runs one Kubernetes Job per message, not a scaled worker pool)', ['kind']);
  throw new PolicyError(`expected a keda.sh ScaledObject or an autoscaling HorizontalPodAutoscaler, found ${String(apiVersion || '?')} ${String(kind ?? '?')}`, ['kind']);
}

function fromScaledObject(obj: Record<string, any>, opts: PolicyOptions, name: string): Policy {
  const spec = isObj(obj.spec) ? obj.spec : {};
  const annotations: Record<string, unknown> = isObj(obj.metadata?.annotations) ? obj.metadata.annotations : {};
  const min = intField(spec, 'minReplicaCount', 0, ['spec']);
  const max = intField(spec, 'maxReplicaCount', 100, ['spec']);
  if (max < 1) throw new PolicyError(`maxReplicaCount must be ≥ 1, got ${max}`, ['spec', 'maxReplicaCount']);
  if (min > max) throw new PolicyError(`minReplicaCount ${min} is above maxReplicaCount ${max}`, ['spec', 'minReplicaCount']);
  const idle = spec.idleReplicaCount === undefined || spec.idleReplicaCount === null ? undefined : intField(spec, 'idleReplicaCount', 0, ['spec']);
  if (idle !== undefined && idle >= min) throw new PolicyError(`idleReplicaCount ${idle} must be less than minReplicaCount ${min}`, ['spec', 'idleReplicaCount']);
  const keda: KedaSpec = {
    minReplicaCount: min,
    maxReplicaCount: max,
    idleReplicaCount: idle,
    pollingInterval: intField(spec, 'pollingInterval', 30, ['spec'], 1),
    cooldownPeriod: intField(spec, 'cooldownPeriod', 300, ['spec']),
    initialCooldownPeriod: intField(spec, 'initialCooldownPeriod', 0, ['spec']),
  };
  const advanced = isObj(spec.advanced) ? spec.advanced : {};
  if (advanced.scalingModifiers !== undefined && advanced.scalingModifiers !== null) {
    throw new PolicyError('advanced.scalingModifiers (a composite formula) is not simulated', ['spec', 'advanced', 'scalingModifiers']);
  }
  const hpaConfig = isObj(advanced.horizontalPodAutoscalerConfig) ? advanced.horizontalPodAutoscalerConfig : {};
  const behaviorPath = ['spec', 'advanced', 'horizontalPodAutoscalerConfig', 'behavior'];
  let behavior = hpaConfig.behavior === undefined || hpaConfig.behavior === null ? null : parseBehavior(hpaConfig.behavior, behaviorPath);
  // KEDA's paused-scale-in/out annotations become a Disabled selectPolicy in the generated HPA
  const on = (k: string) => String(annotations[k] ?? '').toLowerCase() === 'true';
  if (on('autoscaling.keda.sh/paused-scale-in') || on('autoscaling.keda.sh/paused-scale-out')) {
    behavior ??= withBehaviorDefaults({});
    if (on('autoscaling.keda.sh/paused-scale-in')) behavior.scaleDown.selectPolicy = 'Disabled';
    if (on('autoscaling.keda.sh/paused-scale-out')) behavior.scaleUp.selectPolicy = 'Disabled';
  }
  if (on('autoscaling.keda.sh/paused')) {
    const paused = Number(annotations['autoscaling.keda.sh/paused-replicas']);
    if (Number.isInteger(paused) && paused >= 0) return fixedPolicy(paused, opts.name ?? `ScaledObject/${name} (paused at ${paused})`);
  }
  const triggers = Array.isArray(spec.triggers) ? spec.triggers : [];
  if (triggers.length === 0) throw new PolicyError('spec.triggers is empty: a ScaledObject needs at least one trigger', ['spec', 'triggers']);
  const metrics: PolicyMetric[] = triggers.map((t: unknown, i: number) => triggerMetric(t, i, opts));
  if (min === 0 && metrics.every((m) => m.kind === 'cpu')) {
    throw new PolicyError('a ScaledObject with only cpu triggers cannot have minReplicaCount 0 (KEDA rejects it)', ['spec', 'minReplicaCount']);
  }
  const policy: Policy = { kind: 'keda', name: opts.name ?? `ScaledObject/${name || '?'}`, keda, hpa: { minReplicas: Math.max(min, 1), maxReplicas: max, metrics, behavior } };
  return policy;
}

function triggerMetric(t: unknown, i: number, opts: PolicyOptions): PolicyMetric {
  const path = ['spec', 'triggers', i];
  if (!isObj(t)) throw new PolicyError('a trigger must be a mapping', path);
  const type = typeof t.type === 'string' ? t.type : '';
  const metadata: Record<string, unknown> = isObj(t.metadata) ? t.metadata : {};
  const metricType = t.metricType === undefined ? undefined : String(t.metricType);
  if (RESOURCE_TRIGGER_TYPES.has(type)) {
    if (type === 'memory') throw new PolicyError('memory triggers are not simulated (the worker model has no memory use)', [...path, 'type']);
    const mt = metricType ?? (typeof metadata.type === 'string' ? metadata.type : 'Utilization');
    if (mt !== 'Utilization') throw new PolicyError(`cpu trigger with metricType ${mt} is not simulated (only Utilization, via the CPU model)`, [...path, 'metricType']);
    const value = parseNumeric(metadata.value);
    if (value === undefined || value <= 0) throw new PolicyError(`cpu trigger needs metadata.value > 0, got ${JSON.stringify(metadata.value)}`, [...path, 'metadata', 'value']);
    return { kind: 'cpu', name: `s${i}-cpu`, targetUtilization: value };
  }
  const info = kedaScaler(type);
  if (!info || !(info.queue || type === 'prometheus')) {
    throw new PolicyError(`trigger type "${type || '?'}" is not simulated (supported: prometheus and queue scalers such as rabbitmq, kafka, aws-sqs-queue, redis, cpu)`, [...path, 'type']);
  }
  if (metricType !== undefined && metricType !== 'Value' && metricType !== 'AverageValue') {
    throw new PolicyError(`metricType must be Value or AverageValue for a ${type} trigger, got ${metricType}`, [...path, 'metricType']);
  }
  let targetKey: string | undefined;
  for (const k of info.targetKeys) if (metadata[k] !== undefined) {
    targetKey = k;
    break;
  }
  const target = targetKey === undefined ? info.defaultTarget : parseNumeric(metadata[targetKey]);
  if (target === undefined && targetKey !== undefined) throw new PolicyError(`${targetKey} ${JSON.stringify(metadata[targetKey])} is not a number`, [...path, 'metadata', targetKey]);
  if (target === undefined) throw new PolicyError(`${type} trigger needs metadata.${info.targetKeys[0]}`, [...path, 'metadata']);
  if (!(target > 0)) throw new PolicyError(`${type} trigger target must be > 0, got ${JSON.stringify(metadata[targetKey!])}`, [...path, 'metadata', targetKey!]);
  let activation = 0;
  for (const k of info.activationKeys) if (metadata[k] !== undefined) {
    const a = parseNumeric(metadata[k]);
    if (a === undefined) throw new PolicyError(`${k} "${String(metadata[k])}" is not a number`, [...path, 'metadata', k]);
    activation = a;
    break;
  }
  const measure = opts.forceMeasure && opts.measure ? opts.measure : inferMeasure(type, metadata, opts.measure);
  return {
    kind: 'queue',
    name: `s${i}-${type}`,
    targetType: (metricType ?? 'AverageValue') as 'Value' | 'AverageValue',
    target,
    measure,
    source: type === 'prometheus' ? 'prometheus' : 'native',
    activation,
    useCachedMetrics: t.useCachedMetrics === true || t.useCachedMetrics === 'true',
  };
}

/**
 * What a queue trigger counts. Native scalers: SQS counts in-flight messages unless
 * scaleOnInFlight is "false"; Kafka/NATS/Pulsar lag and Redis-streams pending entries include
 * messages being processed; RabbitMQ counts unacknowledged messages only over its HTTP API
 * (host http(s)://, or protocol http) unless excludeUnacknowledged; list lengths (redis,
 * azure-queue …) are the backlog only. Prometheus: a query that mentions in-flight work
 * (inflight, in_flight, processing, running, active, unacked, busy) is read as backlog+inflight;
 * otherwise `fallback` (default 'backlog').
 */
export function inferMeasure(type: string, metadata: Record<string, unknown>, fallback: Measure = 'backlog'): Measure {
  const s = (k: string) => (typeof metadata[k] === 'string' ? (metadata[k] as string) : '');
  switch (type) {
    case 'aws-sqs-queue':
      return s('scaleOnInFlight').toLowerCase() === 'false' ? 'backlog' : 'backlog+inflight';
    case 'kafka':
    case 'apache-kafka':
    case 'nats-jetstream':
    case 'stan':
    case 'pulsar':
      return 'backlog+inflight';
    case 'redis-streams':
    case 'redis-cluster-streams':
    case 'redis-sentinel-streams':
      return metadata.pendingEntriesCount !== undefined || metadata.lagCount !== undefined || metadata.consumerGroup !== undefined ? 'backlog+inflight' : 'backlog';
    case 'rabbitmq': {
      const http = s('protocol') === 'http' || /^https?:\/\//.test(s('host'));
      return http && s('excludeUnacknowledged').toLowerCase() !== 'true' ? 'backlog+inflight' : 'backlog';
    }
    case 'prometheus':
      return /in_?flight|processing|running|active|unack|busy/i.test(s('query')) ? 'backlog+inflight' : fallback;
    default:
      return kedaScaler(type)?.queue ? 'backlog' : fallback;
  }
}

function fromHpa(obj: Record<string, any>, apiVersion: string, opts: PolicyOptions, name: string): Policy {
  const spec = isObj(obj.spec) ? obj.spec : {};
  const min = intField(spec, 'minReplicas', 1, ['spec']);
  const max = intField(spec, 'maxReplicas', NaN, ['spec'], 1);
  if (min > max) throw new PolicyError(`minReplicas ${min} is above maxReplicas ${max}`, ['spec', 'minReplicas']);
  const metrics: PolicyMetric[] = [];
  if (apiVersion === 'autoscaling/v1') {
    const target = spec.targetCPUUtilizationPercentage === undefined ? 80 : Number(spec.targetCPUUtilizationPercentage);
    if (!(target > 0)) throw new PolicyError('targetCPUUtilizationPercentage must be > 0', ['spec', 'targetCPUUtilizationPercentage']);
    metrics.push({ kind: 'cpu', name: 'cpu', targetUtilization: target });
  } else if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    metrics.push({ kind: 'cpu', name: 'cpu', targetUtilization: 80 });
  } else {
    if (apiVersion === 'autoscaling/v2beta1') throw new PolicyError('autoscaling/v2beta1 metrics are not simulated; convert the HPA to autoscaling/v2', ['apiVersion']);
    spec.metrics.forEach((m: unknown, i: number) => metrics.push(hpaMetric(m, i, opts)));
  }
  const behavior = spec.behavior === undefined || spec.behavior === null ? null : parseBehavior(spec.behavior, ['spec', 'behavior']);
  return { kind: 'hpa', name: opts.name ?? `HorizontalPodAutoscaler/${name || '?'}`, hpa: { minReplicas: min, maxReplicas: max, metrics, behavior } };
}

function hpaMetric(m: unknown, i: number, opts: PolicyOptions): PolicyMetric {
  const path = ['spec', 'metrics', i];
  if (!isObj(m)) throw new PolicyError('a metric must be a mapping', path);
  const type = m.type;
  if (type === 'Resource' || type === 'ContainerResource') {
    const key = type === 'Resource' ? 'resource' : 'containerResource';
    const r = isObj(m[key]) ? m[key] : {};
    if (r.name !== 'cpu') throw new PolicyError(`${type} metric "${String(r.name ?? '?')}" is not simulated (only cpu, via the CPU model)`, [...path, key, 'name']);
    const target = isObj(r.target) ? r.target : {};
    if (target.type !== 'Utilization') throw new PolicyError(`cpu target type ${String(target.type ?? '?')} is not simulated (only Utilization)`, [...path, key, 'target', 'type']);
    const u = Number(target.averageUtilization);
    if (!(u > 0)) throw new PolicyError('averageUtilization must be > 0', [...path, key, 'target', 'averageUtilization']);
    return { kind: 'cpu', name: 'cpu', targetUtilization: u };
  }
  if (type === 'External') {
    const e = isObj(m.external) ? m.external : {};
    const target = isObj(e.target) ? e.target : {};
    const tt = target.type;
    if (tt !== 'Value' && tt !== 'AverageValue') throw new PolicyError(`External target type must be Value or AverageValue, got ${String(tt ?? '?')}`, [...path, 'external', 'target', 'type']);
    const key = tt === 'Value' ? 'value' : 'averageValue';
    const v = parseQuantity(target[key]);
    if (v === undefined || !(v > 0)) throw new PolicyError(`External target.${key} must be a quantity > 0, got ${JSON.stringify(target[key])}`, [...path, 'external', 'target', key]);
    const metricName = typeof e.metric?.name === 'string' ? e.metric.name : `external-${i}`;
    // An External metric served by an adapter (prometheus-adapter, KEDA) reads Prometheus
    const measure = opts.measure ?? (/in_?flight|processing|running|active|unack|busy/i.test(metricName) ? 'backlog+inflight' : 'backlog');
    return { kind: 'queue', name: metricName, targetType: tt, target: v, measure, source: 'prometheus', activation: 0, useCachedMetrics: false };
  }
  throw new PolicyError(`${String(type ?? '?')} metrics are not simulated (supported: Resource cpu Utilization, External Value/AverageValue)`, [...path, 'type']);
}

function parseBehavior(raw: unknown, path: Array<string | number>): Behavior {
  if (!isObj(raw)) throw new PolicyError('behavior must be a mapping', path);
  const rules = (dir: 'scaleUp' | 'scaleDown'): Partial<ScalingRules> | undefined => {
    const r = raw[dir];
    if (r === undefined || r === null) return undefined;
    const at = [...path, dir];
    if (!isObj(r)) throw new PolicyError(`${dir} must be a mapping`, at);
    const out: Partial<ScalingRules> = {};
    if (r.stabilizationWindowSeconds !== undefined && r.stabilizationWindowSeconds !== null) {
      const w = Number(r.stabilizationWindowSeconds);
      if (!Number.isInteger(w) || w < 0 || w > 3600) throw new PolicyError(`stabilizationWindowSeconds must be a whole number 0..3600, got ${JSON.stringify(r.stabilizationWindowSeconds)}`, [...at, 'stabilizationWindowSeconds']);
      out.stabilizationWindowSeconds = w;
    }
    if (r.selectPolicy !== undefined) {
      if (!['Max', 'Min', 'Disabled'].includes(r.selectPolicy)) throw new PolicyError(`selectPolicy must be Max, Min or Disabled, got ${JSON.stringify(r.selectPolicy)}`, [...at, 'selectPolicy']);
      out.selectPolicy = r.selectPolicy as SelectPolicy;
    }
    if (r.tolerance !== undefined) {
      const tol = parseQuantity(r.tolerance);
      if (tol === undefined || tol < 0) throw new PolicyError(`tolerance must be a quantity ≥ 0, got ${JSON.stringify(r.tolerance)}`, [...at, 'tolerance']);
      out.tolerance = tol;
    }
    if (r.policies !== undefined) {
      if (!Array.isArray(r.policies)) throw new PolicyError('policies must be a list', [...at, 'policies']);
      out.policies = r.policies.map((p: unknown, j: number): ScalingPolicy => {
        const pat = [...at, 'policies', j];
        if (!isObj(p)) throw new PolicyError('a scaling policy must be a mapping', pat);
        if (p.type !== 'Pods' && p.type !== 'Percent') throw new PolicyError(`policy type must be Pods or Percent, got ${JSON.stringify(p.type)}`, [...pat, 'type']);
        const value = Number(p.value);
        if (!Number.isInteger(value) || value <= 0) throw new PolicyError(`policy value must be a whole number > 0, got ${JSON.stringify(p.value)}`, [...pat, 'value']);
        const period = Number(p.periodSeconds);
        if (!Number.isInteger(period) || period <= 0 || period > 1800) throw new PolicyError(`periodSeconds must be a whole number 1..1800, got ${JSON.stringify(p.periodSeconds)}`, [...pat, 'periodSeconds']);
        return { type: p.type, value, periodSeconds: period };
      });
    }
    return out;
  };
  return withBehaviorDefaults({ scaleUp: rules('scaleUp'), scaleDown: rules('scaleDown') });
}

function intField(o: Record<string, any>, key: string, dflt: number, path: Array<string | number>, minimum = 0): number {
  const raw = o[key];
  if (raw === undefined || raw === null) {
    if (Number.isNaN(dflt)) throw new PolicyError(`${key} is required`, path);
    return dflt;
  }
  const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < minimum) throw new PolicyError(`${key} must be a whole number ≥ ${minimum}, got ${JSON.stringify(raw)}`, [...path, key]);
  return v;
}

/** One line describing a policy, e.g. "KEDA prometheus AverageValue 5 (backlog+inflight) 0..20, poll 30s, cooldown 5m". */
export function describePolicy(p: Policy): string {
  if (p.kind === 'fixed') return `fixed:${p.replicas}`;
  const metrics = p.hpa.metrics
    .map((m) =>
      m.kind === 'cpu'
        ? `cpu ${m.targetUtilization}%`
        : `${m.source === 'prometheus' ? 'prometheus' : 'queue'} ${m.targetType} ${fmtNum(m.target)} (${m.measure}${m.activation ? `, activation ${fmtNum(m.activation)}` : ''})`,
    )
    .join(' + ');
  const b = p.hpa.behavior ? describeBehavior(p.hpa.behavior) : 'legacy';
  if (p.kind === 'hpa') return `HPA ${metrics} ${p.hpa.minReplicas}..${p.hpa.maxReplicas}, behavior ${b}`;
  const k = p.keda;
  return `KEDA ${metrics} ${k.minReplicaCount}..${k.maxReplicaCount}, poll ${formatDuration(k.pollingInterval)}, cooldown ${formatDuration(k.cooldownPeriod)}, behavior ${b}`;
}

function describeBehavior(b: Behavior): string {
  const r = (x: ScalingRules, dflt: number) =>
    `${formatDuration(x.stabilizationWindowSeconds ?? dflt)} window, ${x.selectPolicy === 'Disabled' ? 'disabled' : x.policies.map((p) => `${p.type === 'Pods' ? p.value : p.value + '%'}/${formatDuration(p.periodSeconds)}`).join(x.selectPolicy === 'Min' ? ' min ' : ' max ')}`;
  return `up(${r(b.scaleUp, 0)}) down(${r(b.scaleDown, DOWNSCALE_STABILIZATION_SECONDS)})`;
}

function fmtNum(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toFixed(3)));
}
