// HorizontalPodAutoscalers (v1, v2beta1, v2beta2, v2) and KEDA ScaledObjects/ScaledJobs,
// normalised to one Autoscaler shape. Field paths always point into the object as written.
import type { Autoscaler, ManifestObject, ScalingMetric } from './model.js';
import { workloadId } from './model.js';
import { kedaScaler, RESOURCE_TRIGGER_TYPES } from '../../rules/keda-scalers.js';
import { parseNumeric, parseQuantity } from '../units/quantity.js';

export const HPA_KIND = 'HorizontalPodAutoscaler';
export const SCALED_OBJECT = 'ScaledObject';
export const SCALED_JOB = 'ScaledJob';

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function isAutoscalerObject(o: ManifestObject): boolean {
  const { kind, apiVersion } = o.ref;
  if (kind === HPA_KIND) return apiVersion.startsWith('autoscaling/');
  return (kind === SCALED_OBJECT || kind === SCALED_JOB) && apiVersion.startsWith('keda.sh/');
}

export function toAutoscaler(o: ManifestObject): Autoscaler {
  return o.ref.kind === HPA_KIND ? fromHpa(o) : fromKeda(o);
}

function base(o: ManifestObject, kind: Autoscaler['kind']): Autoscaler {
  return {
    id: workloadId(o.context, o.ref.namespace, kind, o.ref.name),
    kind,
    namespace: o.ref.namespace,
    name: o.ref.name,
    context: o.context,
    object: o,
    metrics: [],
  };
}

function fromHpa(o: ManifestObject): Autoscaler {
  const a = base(o, 'HorizontalPodAutoscaler');
  const spec = isObj(o.raw.spec) ? o.raw.spec : {};
  const ref = isObj(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
  a.target = { apiVersion: str(ref.apiVersion) ?? 'apps/v1', kind: str(ref.kind) ?? '', name: str(ref.name) ?? '' };
  // HPA minReplicas defaults to 1
  a.minReplicas = spec.minReplicas === undefined ? 1 : num(spec.minReplicas);
  a.maxReplicas = num(spec.maxReplicas);
  if (isObj(spec.behavior)) a.behavior = spec.behavior;
  const version = o.ref.apiVersion;
  if (version === 'autoscaling/v1') {
    const raw = spec.targetCPUUtilizationPercentage;
    a.metrics.push({
      source: 'resource',
      resourceName: 'cpu',
      targetType: 'Utilization',
      target: raw === undefined ? 80 : num(raw),
      targetRaw: raw ?? 80,
      path: raw === undefined ? ['spec'] : ['spec', 'targetCPUUtilizationPercentage'],
    });
    return a;
  }
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    // autoscaling/v2 default: 80 % average CPU utilisation
    a.metrics.push({ source: 'resource', resourceName: 'cpu', targetType: 'Utilization', target: 80, targetRaw: 80, path: ['spec'] });
    return a;
  }
  spec.metrics.forEach((m: unknown, i: number) => {
    if (!isObj(m)) return;
    const metric = version === 'autoscaling/v2beta1' ? hpaMetricV2beta1(m, i) : hpaMetricV2(m, i);
    if (metric) a.metrics.push(metric);
  });
  return a;
}

function hpaMetricV2(m: Record<string, any>, i: number): ScalingMetric | undefined {
  const type = str(m.type);
  if (type === 'Resource' || type === 'ContainerResource') return resourceMetric(m, type, i);
  const at = (...p: Array<string | number>) => ['spec', 'metrics', i, ...p];
  const target = (container: string, t: unknown): Pick<ScalingMetric, 'targetType' | 'target' | 'targetRaw' | 'path'> => {
    if (!isObj(t)) return { path: at(container) };
    const tt = str(t.type) as ScalingMetric['targetType'];
    const key = tt === 'Utilization' ? 'averageUtilization' : tt === 'Value' ? 'value' : 'averageValue';
    const raw = t[key];
    return { targetType: tt, targetRaw: raw, target: tt === 'Utilization' ? num(raw) : parseQuantity(raw), path: at(container, 'target', key) };
  };
  switch (type) {
    case 'External': {
      const e = isObj(m.external) ? m.external : {};
      const t = target('external', e.target);
      return { source: 'external', metricName: str(e.metric?.name), ...t, path: at(), metadata: { targetPath: t.path } };
    }
    case 'Pods': {
      const p = isObj(m.pods) ? m.pods : {};
      return { source: 'pods', metricName: str(p.metric?.name), ...target('pods', p.target), path: at() };
    }
    case 'Object': {
      const p = isObj(m.object) ? m.object : {};
      return { source: 'object', metricName: str(p.metric?.name), ...target('object', p.target), path: at() };
    }
    default:
      return undefined;
  }
}

/**
 * The common case, written out: the same keys in the same order as `{source, resourceName,
 * ...target(key, r.target), path}` gives in hpaMetricV2 (the spread's path is replaced by the
 * metric's own), without the closures and the discarded path.
 */
function resourceMetric(m: Record<string, any>, type: 'Resource' | 'ContainerResource', i: number): ScalingMetric {
  const key = type === 'Resource' ? 'resource' : 'containerResource';
  const r = isObj(m[key]) ? m[key] : {};
  const resourceName = str(r.name);
  const t = r.target;
  if (!isObj(t)) return { source: 'resource', resourceName, path: ['spec', 'metrics', i] };
  const tt = str(t.type) as ScalingMetric['targetType'];
  const raw = t[tt === 'Utilization' ? 'averageUtilization' : tt === 'Value' ? 'value' : 'averageValue'];
  return { source: 'resource', resourceName, targetType: tt, targetRaw: raw, target: tt === 'Utilization' ? num(raw) : parseQuantity(raw), path: ['spec', 'metrics', i] };
}

function hpaMetricV2beta1(m: Record<string, any>, i: number): ScalingMetric | undefined {
  const at = ['spec', 'metrics', i];
  switch (str(m.type)) {
    case 'Resource': {
      const r = isObj(m.resource) ? m.resource : {};
      if (r.targetAverageUtilization !== undefined)
        return { source: 'resource', resourceName: str(r.name), targetType: 'Utilization', target: num(r.targetAverageUtilization), targetRaw: r.targetAverageUtilization, path: at };
      return { source: 'resource', resourceName: str(r.name), targetType: 'AverageValue', target: parseQuantity(r.targetAverageValue), targetRaw: r.targetAverageValue, path: at };
    }
    case 'External': {
      const e = isObj(m.external) ? m.external : {};
      const avg = e.targetAverageValue !== undefined;
      const raw = avg ? e.targetAverageValue : e.targetValue;
      return { source: 'external', metricName: str(e.metricName), targetType: avg ? 'AverageValue' : 'Value', target: parseQuantity(raw), targetRaw: raw, path: at };
    }
    case 'Pods': {
      const p = isObj(m.pods) ? m.pods : {};
      return { source: 'pods', metricName: str(p.metricName), targetType: 'AverageValue', target: parseQuantity(p.targetAverageValue), targetRaw: p.targetAverageValue, path: at };
    }
    case 'Object': {
      const p = isObj(m.object) ? m.object : {};
      return { source: 'object', metricName: str(p.metricName), targetType: 'Value', target: parseQuantity(p.targetValue), targetRaw: p.targetValue, path: at };
    }
    default:
      return undefined;
  }
}

function fromKeda(o: ManifestObject): Autoscaler {
  const kind = o.ref.kind === SCALED_JOB ? 'ScaledJob' : 'ScaledObject';
  const a = base(o, kind);
  const spec = isObj(o.raw.spec) ? o.raw.spec : {};
  if (kind === 'ScaledObject') {
    const ref = isObj(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
    a.target = { apiVersion: str(ref.apiVersion) ?? 'apps/v1', kind: str(ref.kind) ?? 'Deployment', name: str(ref.name) ?? '' };
  }
  const min = spec.minReplicaCount === undefined ? 0 : num(spec.minReplicaCount);
  const max = spec.maxReplicaCount === undefined ? 100 : num(spec.maxReplicaCount);
  a.minReplicas = min;
  a.maxReplicas = max;
  const hpaConfig = isObj(spec.advanced) && isObj(spec.advanced.horizontalPodAutoscalerConfig) ? spec.advanced.horizontalPodAutoscalerConfig : {};
  if (isObj(hpaConfig.behavior)) a.behavior = hpaConfig.behavior;
  a.keda = {
    pollingInterval: num(spec.pollingInterval),
    cooldownPeriod: num(spec.cooldownPeriod),
    initialCooldownPeriod: num(spec.initialCooldownPeriod),
    idleReplicaCount: num(spec.idleReplicaCount),
    minReplicaCount: num(spec.minReplicaCount),
    maxReplicaCount: num(spec.maxReplicaCount),
    fallback: isObj(spec.fallback) ? spec.fallback : undefined,
    hpaName: str(hpaConfig.name),
    annotations: stringMap(o.raw.metadata?.annotations),
  };
  const triggers = Array.isArray(spec.triggers) ? spec.triggers : [];
  triggers.forEach((t: unknown, i: number) => {
    if (!isObj(t)) return;
    a.metrics.push(triggerMetric(t, i));
  });
  return a;
}

function triggerMetric(t: Record<string, any>, i: number): ScalingMetric {
  const type = str(t.type) ?? '';
  const metadata = isObj(t.metadata) ? t.metadata : {};
  const path = ['spec', 'triggers', i];
  if (RESOURCE_TRIGGER_TYPES.has(type)) {
    const raw = metadata.value;
    const mt = (str(t.metricType) ?? str(metadata.type) ?? 'Utilization') as ScalingMetric['targetType'];
    return { source: 'resource', resourceName: type, triggerType: type, targetType: mt, target: parseNumeric(raw), targetRaw: raw, metadata, path, triggerName: str(t.name) };
  }
  const info = kedaScaler(type);
  let targetRaw: unknown;
  if (info) for (const k of info.targetKeys) if (metadata[k] !== undefined) {
    targetRaw = metadata[k];
    break;
  }
  const target = targetRaw === undefined ? info?.defaultTarget : parseNumeric(targetRaw);
  return {
    source: 'trigger',
    triggerType: type,
    triggerName: str(t.name),
    targetType: (str(t.metricType) ?? 'AverageValue') as ScalingMetric['targetType'],
    target,
    targetRaw,
    metadata,
    path,
  };
}

/**
 * The string entries of a map (labels, annotations). The object itself when every value is a
 * string, which is almost always: no copy per workload. Treat the result as read-only.
 */
export function stringMap(v: unknown): Record<string, string> {
  if (!isObj(v)) return {};
  for (const k in v) {
    if (typeof v[k] !== 'string') {
      const out: Record<string, string> = {};
      for (const key in v) if (typeof v[key] === 'string') out[key] = v[key];
      return out;
    }
  }
  return v as Record<string, string>;
}

/** True when every scaling signal of the autoscaler is cpu or memory use. */
export function scalesOnlyOnResources(a: Autoscaler): boolean {
  return a.metrics.length > 0 && a.metrics.every((m) => m.source === 'resource' && (m.resourceName === 'cpu' || m.resourceName === 'memory'));
}
