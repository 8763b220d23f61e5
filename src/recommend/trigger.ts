// The trigger of a recommended ScaledObject: KEDA's native scaler for the queue when the binding
// can fill its metadata, else the `prometheus` scaler on an aggregated backlog (+ in-flight) query.
import type { QueueBinding } from '../metrics/signals-model.js';
import { kedaScaler } from '../../rules/keda-scalers.js';
import { checkSingleSeries } from '../promql/single-series.js';

/** What the user must replace when the in-cluster Prometheus address is unknown. */
export const PROMETHEUS_PLACEHOLDER = 'http://EDIT-ME-prometheus.monitoring.svc:9090';

export interface TriggerPlan {
  type: string;
  /** Metadata without the threshold keys (filled by the builder). */
  metadata: Record<string, string>;
  /** Metadata key that receives the threshold, and the activation key. */
  thresholdKey: string;
  activationKey?: string;
  /** Extra metadata set with the threshold (e.g. rabbitmq mode). */
  thresholdExtras?: Record<string, string>;
  /** Whether the value counts jobs in progress as well as waiting ones. */
  countsInflight: boolean;
  /** Human summary of what is measured. */
  measures: string;
  notes: string[];
  /** Set when a value must be edited before applying (placeholder address). */
  placeholder?: { key: string; message: string };
  native: boolean;
}

export interface PrometheusLocation {
  inClusterAddress?: string;
  url?: string;
}

// Native scalers whose metric includes messages being processed (unacked / in flight).
function nativeCountsInflight(type: string, md: Record<string, string>): { counts: boolean; why: string } {
  switch (type) {
    case 'aws-sqs-queue':
      return md.scaleOnInFlight === 'false'
        ? { counts: false, why: 'scaleOnInFlight is false: visible messages only' }
        : { counts: true, why: 'aws-sqs-queue counts in-flight messages (scaleOnInFlight defaults to true)' };
    case 'rabbitmq': {
      const http = md.protocol === 'http' || /^https?:/.test(md.host ?? '');
      return http
        ? { counts: md.excludeUnacknowledged !== 'true', why: 'rabbitmq over http counts ready + unacknowledged messages' }
        : { counts: false, why: 'rabbitmq over amqp counts ready messages only (unacked jobs are invisible to it)' };
    }
    case 'kafka':
    case 'apache-kafka':
      return { counts: true, why: 'kafka lag runs until the offset is committed, so messages in progress are counted when the consumer commits after processing' };
    default:
      return { counts: false, why: `${type} counts waiting messages only; jobs in progress are not in the metric` };
  }
}

/** Native scalers queue-doctor will not emit even when bound (deprecated upstream). */
const AVOID_NATIVE = new Map([['gcp-pubsub', 'the gcp-pubsub scaler is deprecated in KEDA 2.20 (MQL); using prometheus instead']]);

/** True when a query already returns exactly one series (decided by the PromQL parser QD108 uses). */
export function isSingleSeriesAggregation(query: string): boolean {
  return checkSingleSeries(query.trim()).status === 'single';
}

/** Make a query return exactly one series, as KEDA needs ("returned multiple elements"). */
export function aggregate(query: string): string {
  const q = query.trim();
  const status = checkSingleSeries(q).status;
  if (status === 'single') return q;
  // KEDA reads a vector; a scalar result becomes one with vector()
  if (status === 'not-vector') return `vector(${q})`;
  return `sum(${q})`;
}

/** True when the Prometheus URL is reachable from inside the cluster (a Service DNS name). */
export function isInClusterUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return /\.svc(\.cluster\.local)?$/.test(host);
  } catch {
    return false;
  }
}

export function planTrigger(binding: QueueBinding | undefined, prometheus: PrometheusLocation | undefined): TriggerPlan {
  const notes: string[] = [];
  if (binding?.keda && binding.confidence >= 0.5 && !AVOID_NATIVE.has(binding.keda.type)) {
    const native = nativePlan(binding.keda.type, binding.keda.metadata);
    if (native && !native.countsInflight && binding.inflightQuery) {
      // the native scaler would see waiting messages only (what QD113 warns about) while
      // Prometheus has the in-flight series too: count both there instead
      notes.push(`Not the native ${binding.keda.type} scaler: ${nativeCountsInflight(binding.keda.type, binding.keda.metadata).why}; the prometheus scaler counts backlog + in-flight.`);
    } else if (native) {
      if (binding.keda.note) native.notes.push(binding.keda.note);
      native.notes.push(`Native ${binding.keda.type} scaler reads the queue directly; add an authenticationRef if the broker needs credentials.`);
      return native;
    }
  } else if (binding?.keda && AVOID_NATIVE.has(binding.keda.type)) {
    notes.push(AVOID_NATIVE.get(binding.keda.type)!);
  }
  if (!binding) {
    return {
      type: 'prometheus',
      metadata: { serverAddress: prometheusAddress(prometheus, notes).address, query: 'EDIT-ME: sum(<jobs waiting in the queue>)', ignoreNullValues: 'false' },
      thresholdKey: 'threshold',
      activationKey: 'activationThreshold',
      countsInflight: false,
      measures: 'nothing yet (no queue metric bound)',
      notes: [...notes, 'No queue metric is bound: the query is a placeholder. Bind the worker (queue-doctor.io/backlog-query) and re-run.'],
      placeholder: { key: 'query', message: 'no queue metric bound: replace the query' },
      native: false,
    };
  }
  const addr = prometheusAddress(prometheus, notes);
  const backlog = aggregate(binding.backlogQuery);
  let query = backlog;
  let countsInflight = false;
  if (binding.inflightQuery) {
    // in-flight series often vanish when nothing runs: `or vector(0)` keeps the sum defined
    query = `${backlog} + (${aggregate(binding.inflightQuery)} or vector(0))`;
    countsInflight = true;
  } else {
    notes.push('In-flight not available: the trigger counts the backlog only, so scale-down may remove pods that are still busy — bind queue-doctor.io/inflight-query to count them.');
  }
  return {
    type: 'prometheus',
    metadata: {
      serverAddress: addr.address,
      query,
      // a lost series must not read as 0 (which would scale the workers away): error → fallback instead
      ignoreNullValues: 'false',
    },
    thresholdKey: 'threshold',
    activationKey: 'activationThreshold',
    countsInflight,
    measures: countsInflight ? 'backlog + in-flight jobs' : 'backlog (jobs waiting)',
    notes,
    placeholder: addr.placeholder ? { key: 'serverAddress', message: addr.placeholder } : undefined,
    native: false,
  };
}

function prometheusAddress(p: PrometheusLocation | undefined, notes: string[]): { address: string; placeholder?: string } {
  if (p?.inClusterAddress) return { address: p.inClusterAddress };
  if (p?.url && isInClusterUrl(p.url)) return { address: p.url };
  const msg = p?.url
    ? `the Prometheus used (${safeUrl(p.url)}) is not an in-cluster address KEDA can reach: replace serverAddress`
    : 'the in-cluster Prometheus address is unknown: replace serverAddress';
  notes.push(`EDIT BEFORE APPLYING: ${msg}.`);
  return { address: PROMETHEUS_PLACEHOLDER, placeholder: msg };
}

/** URL without credentials or query string, for messages. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<unparseable URL>';
  }
}

function nativePlan(type: string, metadata: Record<string, string>): TriggerPlan | undefined {
  const info = kedaScaler(type);
  if (!info || !info.queue) return undefined;
  const md: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) if (typeof v === 'string') md[k] = v;
  // the keys we set are removed from the copy so stale values cannot shadow ours
  for (const k of [...info.targetKeys, ...info.activationKeys]) delete md[k];
  let thresholdKey = info.targetKeys[0];
  let extras: Record<string, string> | undefined;
  if (type === 'rabbitmq') {
    thresholdKey = 'value';
    extras = { mode: 'QueueLength' };
    delete md.mode;
  } else if (type.includes('redis') && type.endsWith('streams')) {
    thresholdKey = 'consumerGroup' in metadata ? ('pendingEntriesCount' in metadata ? 'pendingEntriesCount' : 'lagCount') : 'streamLength';
  } else if (type === 'gcp-pubsub') {
    thresholdKey = 'value';
    extras = { mode: 'SubscriptionSize' };
  }
  const inflight = nativeCountsInflight(type, md);
  return {
    type,
    metadata: md,
    thresholdKey,
    activationKey: info.activationKeys[0],
    thresholdExtras: extras,
    countsInflight: inflight.counts,
    measures: inflight.counts ? 'messages waiting + in flight' : 'messages waiting',
    notes: [inflight.counts ? `In-flight counted: ${inflight.why}.` : `In-flight not available: ${inflight.why}; the threshold is sized on the backlog only.`],
    native: true,
  };
}
