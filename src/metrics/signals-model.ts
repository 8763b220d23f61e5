// What the metrics stage hands to rules, recommendations and the simulator: per-workload
// series over the evaluation window, plus how each workload was bound to its queue.
import type { KubeRequestOptions } from '../inventory/kube-http.js';

/** A regular time series: t in unix seconds (ascending), v aligned with t (NaN for gaps). */
export interface Series {
  t: number[];
  v: number[];
}

export type BindingSource = 'annotation' | 'config' | 'auto';

/** How a workload was tied to its queue's series, with the confidence and its evidence. */
export interface QueueBinding {
  workloadId: string;
  /** Catalogue entry id (rules/queue-systems.ts) or 'custom' for annotation/config queries. */
  system: string;
  queueName?: string;
  backlogQuery: string;
  inflightQuery?: string;
  throughputQuery?: string;
  /** Jobs enqueued per second (an enqueue counter's rate), when the system exposes one. */
  arrivalQuery?: string;
  jobDurationQuery?: string;
  /** 0..1: below 0.5 never drives a recommendation silently. */
  confidence: number;
  evidence: string[];
  source: BindingSource;
  /** A native KEDA scaler that reads the same queue, when its metadata can be filled. */
  keda?: { type: string; metadata: Record<string, string>; note?: string };
  /** The consumer (Kafka consumer group, NATS durable) when the system names one. */
  consumer?: string;
  /** All queues summed into the backlog when the workload consumes several (e.g. `celery -Q a,b`). */
  queues?: string[];
  /** The metric the backlog was read from (auto-binding). */
  metric?: string;
}

/** A robust trend of the backlog (see src/metrics/stats.ts `trend`). */
export interface TrendSummary {
  /** Theil–Sen slope, jobs per second. */
  slope: number;
  /** Fitted change over the window. */
  change: number;
  /** Median level over the window. */
  level: number;
  /** Mann–Kendall two-sided p-value. */
  pValue: number;
  rising: boolean;
  falling: boolean;
  /** Points tested (after down-sampling). */
  n: number;
}

/** One PromQL failure, in a form that serialises (the thrown class is PrometheusQueryError). */
export interface QueryErrorInfo {
  /** unreachable | network | timeout | bad_query | auth | not_found | server | too_long | budget | replay | protocol */
  kind: string;
  /** One line for users: what failed, where, what to do. Never contains credentials. */
  message: string;
  query: string;
  /** The annotation (or catalogue signal) the query came from, e.g. `queue-doctor.io/backlog-query on rag/rag-worker`. */
  origin?: string;
  errorType?: string;
  httpStatus?: number;
}

export interface QueryStats {
  /** Workload-independent batched requests (constant per scan). */
  batched: number;
  /** Requests made per workload because an annotation or config holds the query. */
  perWorkload: number;
  retries: number;
  /** Planned requests not sent (budget exhausted, Prometheus unreachable). */
  skipped: number;
  /** Range-query step in seconds and the resulting points per series. */
  step: number;
  points: number;
}

export interface JobDuration {
  p50?: number;
  p95?: number;
  p99?: number;
  mean?: number;
  source: 'histogram' | 'littles-law' | 'annotation' | 'query';
}

export interface WorkloadSignals {
  workloadId: string;
  binding?: QueueBinding;
  window: { start: number; end: number; step: number };
  /** Jobs waiting. */
  backlog?: Series;
  /** Jobs being processed now. */
  inflight?: Series;
  /** Jobs completed per second. */
  throughput?: Series;
  /** Jobs arriving per second. */
  arrivalRate?: Series;
  arrivalSource?: 'counter' | 'derived';
  jobDuration?: JobDuration;
  /** Jobs per second one replica completes when busy. */
  perReplicaThroughput?: number;
  /** CPU use as % of requests, averaged over the workload's pods. */
  cpuUtilization?: Series;
  replicas?: Series;
  hpa?: { min?: Series; max?: Series; current?: Series; desired?: Series; targetCpuUtilization?: number };
  gpuUtilization?: Series;
  /** Seconds from pod creation to ready, when measurable (median over the window's pods). */
  startupSeconds?: number;
  /** Robust trend of the backlog over the window; `rising` is the significance-tested verdict. */
  backlogTrend?: TrendSummary;
  /** What could not be measured, and why. */
  notes: string[];
}

export interface SignalsResult {
  byWorkload: Map<string, WorkloadSignals>;
  bindings: QueueBinding[];
  /** PromQL requests sent (HTTP requests, retries included). */
  queryCount: number;
  /** How queryCount splits, and the range step used. */
  queryStats?: QueryStats;
  /** Queries that failed, normalised (also summarised in warnings). */
  errors?: QueryErrorInfo[];
  /** True when some series could not be read (exit 3). */
  incomplete: boolean;
  warnings: string[];
  /** The Prometheus used, as the in-cluster address KEDA should query, when known. */
  prometheus?: { url: string; inClusterAddress?: string; discoveredFrom?: string };
}

/**
 * What Prometheus auto-discovery needs from the Kubernetes side (implemented by the cluster
 * source, consumed by src/metrics): Services to choose from, and a way to reach one through
 * the API server's service proxy with the kubeconfig's credentials.
 */
export interface KubeServiceAccess {
  /** kube context these services belong to. */
  context: string;
  listServices(): Promise<Array<{ namespace: string; name: string; labels: Record<string, string>; ports: Array<{ name?: string; port: number }> }>>;
  /** e.g. https://apiserver:6443/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy */
  serviceProxyUrl(namespace: string, name: string, port: number | string): string;
  /** Headers, CA and client certificate to reach the API server (never printed), and the proxy on the way there. */
  requestOptions(): Promise<KubeRequestOptions>;
}
