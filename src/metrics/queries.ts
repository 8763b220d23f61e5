// The PromQL queue-doctor sends. Every query here is batched: one request per signal covers
// every workload in scope (`by (namespace, workload)` over the namespaces in scope, or over
// the bound queues), so the number of requests does not grow with the number of workloads.
// Per-workload requests exist only for annotation/config queries, which are the user's own.
//
// Each query has as few aggregation layers as it can: every layer is paid at every step of a
// range query, by the user's Prometheus. Catalogue results keep the exporter's own label names
// (the client maps them to a queue identity, `identityOfRow`); variants of one signal are
// tagged `qd_v`; parts of a combined query are tagged `qd`; Kubernetes results name a workload
// by `owner_kind` + `workload`. Pod → workload ownership never changes, so it is evaluated once
// per query (`@ end`, a step-invariant subtree) rather than at every step.
import type { QueueSystem, SeriesSpec, SeriesVariant } from '../../rules/queue-systems.js';
import { QUEUE_SYSTEMS } from '../../rules/queue-systems.js';
import type { Candidate } from './binding.js';
import { by, duration, eq, neq, re, rePattern, selector, setLabel } from './promql.js';

/** Labels that tie a series to a workload, as kube-prometheus relabelling or exporters set them. */
export const WORKLOAD_LABELS = ['deployment', 'statefulset', 'workload', 'qd_pod_owner'] as const;
/** Labels that name an application (weaker evidence). */
export const APP_LABELS = ['app', 'app_kubernetes_io_name', 'service', 'job', 'container'] as const;

export type QueueSignal = 'backlog' | 'inflight' | 'throughput' | 'enqueued';

/** The queue and consumer label names of a variant, most specific first. */
export function variantLabels(system: QueueSystem, variant: Pick<SeriesVariant, 'queueLabels' | 'consumerLabels'>): { queue: string[]; consumer: string[] } {
  return { queue: variant.queueLabels ?? system.queueLabels, consumer: variant.consumerLabels ?? system.consumerLabels };
}

/**
 * The identity of a queue as the batched queries report it: system, metric (generic entry
 * only), namespace (when the namespace is the consumer's), queue and consumer.
 */
export function identityKey(system: QueueSystem, parts: { metric?: string; namespace?: string; queue?: string; consumer?: string }): string {
  return [
    system.id,
    system.id === 'generic' ? parts.metric ?? '' : '',
    system.namespaceScope === 'consumer' ? parts.namespace ?? '' : '',
    parts.queue ?? '',
    parts.consumer ?? '',
  ].join('\u0000');
}

/**
 * The identity key of a row returned by a catalogue query: the variant (tag `qd_v`, default 0)
 * says which labels name the queue and the consumer. Returns the key and the variant index
 * (lower wins when two variants report the same queue).
 */
export function identityOfRow(system: QueueSystem, labels: Record<string, string>, variants: Array<Pick<SeriesVariant, 'queueLabels' | 'consumerLabels'>>): { key: string; variant: number } {
  const variant = labels.qd_v !== undefined ? Number(labels.qd_v) : 0;
  const names = variantLabels(system, variants[variant] ?? {});
  const first = (ls: string[]) => ls.map((l) => labels[l]).find((v) => v !== undefined && v !== '') ?? '';
  return { key: identityKey(system, { metric: labels.__name__, namespace: labels.namespace, queue: first(names.queue), consumer: first(names.consumer) }), variant };
}

/** Rate window for counters: at least 5 m (scrape intervals up to 1 m), and 4 steps so no sample falls between points. */
export function rateWindow(step: number): number {
  return Math.max(300, 4 * step);
}

// ---------------------------------------------------------------------------------------------
// Discovery

/** Labels worth keeping from discovery: queue/consumer names, KEDA template labels, workload ties. */
export function discoveryLabels(): string[] {
  const labels = new Set<string>(['namespace', ...WORKLOAD_LABELS.filter((l) => l !== 'qd_pod_owner'), ...APP_LABELS, 'pod']);
  for (const s of QUEUE_SYSTEMS) {
    for (const v of s.backlog.variants) {
      const names = variantLabels(s, v);
      for (const l of [...names.queue, ...names.consumer]) labels.add(l);
    }
    for (const t of s.keda) for (const tpl of Object.values(t.metadata)) for (const m of tpl.matchAll(/\{label:([a-zA-Z_][a-zA-Z0-9_]*)\}/g)) labels.add(m[1]);
  }
  return [...labels].sort();
}

/** The regex over metric names that discovery selects: every backlog name plus the generic pattern. */
export function discoveryNamePattern(): string {
  const names = new Set<string>();
  const patterns: string[] = [];
  for (const s of QUEUE_SYSTEMS) {
    for (const v of s.backlog.variants) {
      if (v.namePattern) patterns.push(v.metric as string);
      else for (const n of Array.isArray(v.metric) ? v.metric : [v.metric]) names.add(n);
    }
  }
  return [...[...names].sort(), ...patterns].join('|');
}

/**
 * One instant query listing every queue series seen during the window, grouped to the labels
 * binding needs. Pods are collapsed to their owner's name (`qd_pod_owner`: Deployment pods
 * `name-<hash>-<id>`, StatefulSet pods `name-<n>`) so the answer does not grow with pods.
 */
export function discoveryQuery(windowSeconds: number): string {
  const sel = `last_over_time(${selector('', [rePattern('__name__', discoveryNamePattern())])}[${duration(windowSeconds)}])`;
  const owner = `label_replace(label_replace(${sel}, "qd_pod_owner", "$1", "pod", "(.+)-[0-9]+"), "qd_pod_owner", "$1", "pod", "(.+)-[0-9a-z]{5,10}-[0-9a-z]{5}")`;
  const keep = discoveryLabels().filter((l) => l !== 'pod');
  return `group ${by(['__name__', ...keep, 'qd_pod_owner'])} (${owner})`;
}

// ---------------------------------------------------------------------------------------------
// Catalogue signals

export interface QueueFilter {
  /** Namespaces (consumer-scoped systems only). */
  namespaces?: string[];
  /** Raw queue label values. */
  queues?: string[];
  consumers?: string[];
  /** Exact metric names (generic entry). */
  metrics?: string[];
}

function matchValues(label: string, values: string[]): string {
  const unique = [...new Set(values)];
  return unique.length === 1 ? eq(label, unique[0]) : re(label, unique);
}

function variantSelector(system: QueueSystem, variant: SeriesVariant, filter: QueueFilter): string {
  const matchers: string[] = [];
  let metric = '';
  const names = Array.isArray(variant.metric) ? variant.metric : [variant.metric];
  if (variant.namePattern) matchers.push(filter.metrics?.length ? matchValues('__name__', filter.metrics) : rePattern('__name__', variant.metric as string));
  else if (names.length === 1) metric = names[0];
  else matchers.push(re('__name__', names));
  for (const [k, v] of Object.entries(variant.match ?? {})) matchers.push(eq(k, v));
  const labels = variantLabels(system, variant);
  if (system.namespaceScope === 'consumer' && filter.namespaces?.length) matchers.push(matchValues('namespace', filter.namespaces));
  // a filter is only possible when one label names the queue (consumer) in this variant
  if (filter.queues?.length && labels.queue.length === 1) matchers.push(matchValues(labels.queue[0], filter.queues));
  if (filter.consumers?.length && labels.consumer.length === 1) matchers.push(matchValues(labels.consumer[0], filter.consumers));
  return selector(metric, matchers);
}

/** Source labels a variant is aggregated by before canonicalisation. */
function sourceLabels(system: QueueSystem, variant: SeriesVariant): string[] {
  const labels = variantLabels(system, variant);
  const out = [...labels.queue, ...labels.consumer];
  if (system.namespaceScope === 'consumer') out.unshift('namespace');
  if (variant.namePattern) out.unshift('__name__');
  return [...new Set(out)];
}

function variantExpr(system: QueueSystem, spec: SeriesSpec, variant: SeriesVariant, filter: QueueFilter, step: number): string {
  const sel = variantSelector(system, variant, filter);
  const src = sourceLabels(system, variant);
  if (spec.type === 'counter') {
    const names = Array.isArray(variant.metric) ? variant.metric : [variant.metric];
    const w = duration(rateWindow(step));
    if (names.length === 1 || variant.namePattern) return `sum ${by(src)} (rate(${sel}[${w}]))`;
    // rate() drops the metric name, so rates of several counters with the same labels would
    // collide: tag each one before adding them up
    const parts = names.map((n, i) => setLabel(`rate(${variantSelector(system, { ...variant, metric: n }, filter)}[${w}])`, 'qd_part', String(i)));
    return `sum ${by(src)} (${parts.join(' or ')})`;
  }
  const filtered = variant.minValue !== undefined ? `(${sel} >= ${variant.minValue})` : sel;
  // de-duplicate scrapes of the same queue (HA exporters, several pods) with max, then sum partitions
  if (variant.sumOver?.length) return `sum ${by(src)} (max ${by([...src, ...variant.sumOver])} (${filtered}))`;
  return `max ${by(src)} (${filtered})`;
}

/**
 * One batched range query for one signal of one system, over the given queues: each variant
 * aggregated once by its own queue/consumer labels, tagged `qd_v` when there are several.
 */
export function queueSignalQuery(system: QueueSystem, signal: QueueSignal, filter: QueueFilter, step: number): string | undefined {
  const spec = system[signal];
  if (!spec) return undefined;
  if (spec.variants.length === 1) return variantExpr(system, spec, spec.variants[0], filter, step);
  return spec.variants.map((v, i) => setLabel(variantExpr(system, spec, v, filter, step), 'qd_v', String(i))).join(' or ');
}

/**
 * The single-binding PromQL (one element, as a KEDA prometheus trigger needs): the binding's
 * queues only, summed. Variants are alternatives joined with `or` (the first that exists wins).
 */
export function bindingQuery(system: QueueSystem, signal: QueueSignal, members: Candidate[], step = 30): string {
  const spec = system[signal];
  if (!spec) return '';
  const variants = signal === 'backlog' ? [members[0].variant] : spec.variants;
  return variants
    .map((v) => {
      const filter: QueueFilter = {};
      const labels = variantLabels(system, v);
      const queues = members.map((m) => m.rawQueue).filter(Boolean);
      const consumers = members.map((m) => m.consumer).filter(Boolean);
      const namespaces = members.map((m) => m.namespace).filter(Boolean);
      if (queues.length && labels.queue.length) filter.queues = queues;
      if (consumers.length && labels.consumer.length) filter.consumers = consumers;
      if (namespaces.length) filter.namespaces = namespaces;
      if (v.namePattern) filter.metrics = members.map((m) => m.metric);
      // with several possible queue labels, pin the one this candidate was seen with
      const pinned = labels.queue.length > 1 ? labels.queue.find((l) => members[0].labels[l]) : undefined;
      const vv: SeriesVariant = pinned ? { ...v, queueLabels: [pinned] } : v;
      return `sum(${variantExpr(system, spec, vv, filter, step)})`;
    })
    .join(' or ');
}

/**
 * Job-duration histogram, one instant query at the end of the window over the whole window:
 * p50/p95/p99 by histogram_quantile and the mean from _sum/_count, tagged `qd`.
 */
export function durationQuery(system: QueueSystem, filter: QueueFilter, windowSeconds: number): string | undefined {
  const pseudo = durationVariant(system);
  if (!pseudo) return undefined;
  const src = sourceLabels(system, pseudo);
  const w = duration(windowSeconds);
  const base = pseudo.metric as string;
  const sel = (suffix: string) => variantSelector(system, { ...pseudo, metric: base + suffix }, filter);
  const parts = [0.5, 0.95, 0.99].map((q) => setLabel(`histogram_quantile(${q}, sum ${by(['le', ...src])} (rate(${sel('_bucket')}[${w}])))`, 'qd', `p${Math.round(q * 100)}`));
  parts.push(setLabel(`sum ${by(src)} (rate(${sel('_sum')}[${w}])) / sum ${by(src)} (rate(${sel('_count')}[${w}]))`, 'qd', 'mean'));
  return parts.join(' or ');
}

/** The duration histogram as a variant (its labels may differ from the backlog's). */
export function durationVariant(system: QueueSystem): SeriesVariant | undefined {
  const d = system.duration;
  if (!d) return undefined;
  return { metric: d.histogram, ...(d.queueLabels ? { queueLabels: d.queueLabels } : {}), ...(d.consumerLabels ? { consumerLabels: d.consumerLabels } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Kubernetes signals (cAdvisor + kube-state-metrics)

/**
 * pod → workload, from kube-state-metrics: `kube_pod_owner` (pod → ReplicaSet or StatefulSet)
 * joined with `kube_replicaset_owner` (ReplicaSet → Deployment or Argo Rollout). Result labels:
 * namespace, pod, owner_kind, workload; value 1. Ownership never changes, so every pod seen in
 * `lookbackSeconds` before `at` is mapped once (`last_over_time(…[lookback] @ at)`, which
 * Prometheus evaluates once per range query instead of at every step).
 */
export function podWorkloadExpr(namespaces: string[], at: number, lookbackSeconds: number): string {
  const ns = namespaces.length ? [matchValues('namespace', namespaces)] : [];
  const sel = (metric: string, extra: string[]) => `last_over_time(${selector(metric, [...extra, ...ns])}[${duration(lookbackSeconds)}] @ ${Math.round(at)})`;
  const podRs = `max by (namespace, pod, owner_name) (${sel('kube_pod_owner', [eq('owner_kind', 'ReplicaSet')])})`;
  const rsOwner =
    `max by (namespace, owner_name, owner_kind, workload) (label_replace(label_replace(` +
    `${sel('kube_replicaset_owner', [re('owner_kind', ['Deployment', 'Rollout'])])}, "workload", "$1", "owner_name", "(.+)"), "owner_name", "$1", "replicaset", "(.+)"))`;
  const viaRs = `${podRs} * on (namespace, owner_name) group_left (owner_kind, workload) ${rsOwner}`;
  const sts = `label_replace(max by (namespace, pod, owner_kind, owner_name) (${sel('kube_pod_owner', [eq('owner_kind', 'StatefulSet')])}), "workload", "$1", "owner_name", "(.+)")`;
  return `max by (namespace, pod, owner_kind, workload) (${viaRs} or ${sts})`;
}

/**
 * CPU use as % of requests per workload, aggregated server-side — the ratio the HPA computes:
 * cAdvisor `container_cpu_usage_seconds_total` (containers only: not the pod cgroup, not pause)
 * over kube-state-metrics v2 `kube_pod_container_resource_requests{resource="cpu"}` (or v1
 * `…_requests_cpu_cores`), each joined to its workload through the pod's owners.
 */
export function cpuQuery(namespaces: string[], grid: { start: number; end: number; step: number }): string {
  const ns = namespaces.length ? [matchValues('namespace', namespaces)] : [];
  const rw = rateWindow(grid.step);
  const pw = podWorkloadExpr(namespaces, grid.end, grid.end - grid.start + rw);
  const usage = `sum by (namespace, pod) (rate(${selector('container_cpu_usage_seconds_total', [neq('container', ''), neq('container', 'POD'), ...ns])}[${duration(rw)}]))`;
  const requests =
    `(sum by (namespace, pod) (${selector('kube_pod_container_resource_requests', [eq('resource', 'cpu'), ...ns])})` +
    ` or sum by (namespace, pod) (${selector('kube_pod_container_resource_requests_cpu_cores', ns)}))`;
  const join = (e: string) => `sum by (namespace, owner_kind, workload) (${e} * on (namespace, pod) group_left (owner_kind, workload) ${pw})`;
  return `100 * ${join(usage)} / ${join(requests)}`;
}

/** Replicas per Deployment / StatefulSet (kube-state-metrics status.replicas), as exported: the client keys rows by their `deployment` or `statefulset` label. */
export function replicasQuery(namespaces: string[]): string {
  const ns = namespaces.length ? [matchValues('namespace', namespaces)] : [];
  return `${selector('kube_deployment_status_replicas', ns)} or ${selector('kube_statefulset_status_replicas', ns)}`;
}

/** The kube-state-metrics HPA series read, by what they give (the client tags rows by `__name__`). */
export const HPA_METRICS: Record<string, 'min' | 'max' | 'current' | 'desired' | 'target' | 'info'> = {
  kube_horizontalpodautoscaler_spec_min_replicas: 'min',
  kube_horizontalpodautoscaler_spec_max_replicas: 'max',
  kube_horizontalpodautoscaler_status_current_replicas: 'current',
  kube_horizontalpodautoscaler_status_desired_replicas: 'desired',
  kube_horizontalpodautoscaler_spec_target_metric: 'target',
  kube_horizontalpodautoscaler_info: 'info',
};

/**
 * HPA state in one selector over several metric names (no `or`, no label_replace: ten times
 * cheaper for Prometheus than tagging each part): min, max, current, desired, every target
 * metric (the client keeps metric_name="cpu", metric_target_type="utilization"), and `info`
 * rows carrying the scale target, to map HPAs the inventory does not hold.
 */
export function hpaQuery(namespaces: string[]): string {
  const ns = namespaces.length ? [matchValues('namespace', namespaces)] : [];
  return selector('', [re('__name__', Object.keys(HPA_METRICS)), ...ns]);
}

/** GPU utilisation (DCGM exporter) per workload: mean over the workload's GPUs. */
export function gpuUtilizationQuery(namespaces: string[], grid: { start: number; end: number; step: number }): string {
  const ns = namespaces.length ? [matchValues('namespace', namespaces)] : [];
  const direct = `max by (namespace, pod) (${selector('DCGM_FI_DEV_GPU_UTIL', [neq('pod', ''), ...ns])})`;
  // dcgm-exporter scraped without honorLabels keeps the pod's labels as exported_*
  const exportedNs = namespaces.length ? [matchValues('exported_namespace', namespaces)] : [];
  const exported = `max by (namespace, pod) (label_replace(label_replace(${selector('DCGM_FI_DEV_GPU_UTIL', [neq('exported_pod', ''), ...exportedNs])}, "pod", "$1", "exported_pod", "(.+)"), "namespace", "$1", "exported_namespace", "(.+)"))`;
  const pw = podWorkloadExpr(namespaces, grid.end, grid.end - grid.start + rateWindow(grid.step));
  return `avg by (namespace, owner_kind, workload) ((${direct} or ${exported}) * on (namespace, pod) group_left (owner_kind, workload) ${pw})`;
}

/**
 * Pod start-up (created → Ready) per workload over the window's pods, instant at the end:
 * median and p90 of `kube_pod_status_ready_time − kube_pod_created`, and the pod count, tagged `qd`.
 */
export function startupQuery(namespaces: string[], at: number, windowSeconds: number): string {
  const ns = namespaces.length ? [matchValues('namespace', namespaces)] : [];
  const w = duration(windowSeconds);
  const per = `(max by (namespace, pod) (last_over_time(${selector('kube_pod_status_ready_time', ns)}[${w}])) - max by (namespace, pod) (last_over_time(${selector('kube_pod_created', ns)}[${w}])))`;
  const joined = `(${per} > 0) * on (namespace, pod) group_left (owner_kind, workload) ${podWorkloadExpr(namespaces, at, windowSeconds)}`;
  return `${setLabel(`quantile by (namespace, owner_kind, workload) (0.5, ${joined})`, 'qd', 'p50')} or ${setLabel(`quantile by (namespace, owner_kind, workload) (0.9, ${joined})`, 'qd', 'p90')} or ${setLabel(`count by (namespace, owner_kind, workload) (${joined})`, 'qd', 'pods')}`;
}
