// How KEDA reads trigger metadata (all values are strings: `map[string]string` in the CRD),
// and how rules name triggers and values in messages. Rules must survive any YAML type in
// any field, so every reader here takes `unknown`.
import type { Autoscaler, FieldPath, ScalingMetric, Workload } from '../inventory/model.js';
import { redactText } from '../inventory/redact.js';

export const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value at `path` inside `root`, or undefined when any step is missing or not a container. */
export function valueAt(root: unknown, path: FieldPath): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key as string];
  }
  return node;
}

/** Go's strconv.ParseBool, which KEDA uses for boolean metadata; undefined when not a bool. */
export function kedaBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v.trim())) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v.trim())) return false;
  return undefined;
}

const GO_FLOAT = /^[+-]?(?:\d+(?:_\d+)*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Go's strconv.ParseFloat as KEDA applies it to numeric metadata ("5", "0.5", "1e3"); YAML
 * numbers are accepted too (the API server would reject them; QD115 says so). Kubernetes
 * quantities such as "500m" are not floats to KEDA.
 */
export function kedaFloat(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (!GO_FLOAT.test(t)) return undefined;
  const n = Number(t.replace(/_/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

/** A whole number as Kubernetes fields hold them (YAML ints); undefined otherwise. */
export function wholeNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/** A value as written, for messages: strings quoted, the rest as compact JSON; credentials redacted. */
export function shown(v: unknown): string {
  if (typeof v === 'string') {
    const s = redactText(v);
    return JSON.stringify(s.length > 60 ? s.slice(0, 59) + '…' : s);
  }
  if (v === undefined) return 'unset';
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 59) + '…' : s;
  } catch {
    return String(v);
  }
}

/** "ScaledObject orders triggers[1] (prometheus)" — the path a reader finds in the YAML. */
export function triggerLabel(a: Autoscaler, m: ScalingMetric): string {
  const index = m.path[2];
  const name = m.triggerName ? ` "${m.triggerName}"` : '';
  return `${a.kind} ${a.name} triggers[${String(index)}]${name} (${m.triggerType || 'no type'})`;
}

/** "HorizontalPodAutoscaler web metrics[0] (cpu)" for HPA metrics, triggerLabel for KEDA. */
export function metricLabel(a: Autoscaler, m: ScalingMetric): string {
  if (a.kind !== 'HorizontalPodAutoscaler') return triggerLabel(a, m);
  const what = m.resourceName ?? m.metricName ?? m.source;
  // autoscaling/v1 and metric-less v2 HPAs have no metrics list: their cpu target is implied
  return m.path[1] === 'metrics' ? `${a.kind} ${a.name} metrics[${String(m.path[2])}] (${what})` : `${a.kind} ${a.name} (${what})`;
}

export function workloadLabel(w: Workload): string {
  return `${w.kind} ${w.name}`;
}

/** Trigger metrics of a KEDA object (HPA metrics excluded). */
export function triggers(a: Autoscaler): ScalingMetric[] {
  return a.kind === 'HorizontalPodAutoscaler' ? [] : a.metrics.filter((m) => m.path[1] === 'triggers');
}

/** The trigger object as written, for fields the normalised metric does not carry. */
export function rawTrigger(a: Autoscaler, m: ScalingMetric): Record<string, any> {
  const t = valueAt(a.object.raw, m.path);
  return isObj(t) ? t : {};
}

/** The raw `metadata` of a trigger, when it is a mapping. */
export function rawMetadata(a: Autoscaler, m: ScalingMetric): Record<string, unknown> {
  const md = rawTrigger(a, m).metadata;
  return isObj(md) ? md : {};
}

/**
 * True for objects read from a cluster or exported from one (`kubectl get -o yaml`): their
 * spec carries server-side defaults, such as spec.replicas, that nobody wrote.
 */
export function isLiveObject(raw: Record<string, any>, context: string): boolean {
  if (context !== '') return true;
  const md = isObj(raw.metadata) ? raw.metadata : {};
  return md.resourceVersion !== undefined || md.uid !== undefined || md.managedFields !== undefined || isObj(raw.status);
}

/** "1 replica", "3 replicas". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
