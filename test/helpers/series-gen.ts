// A documented, seeded OpenMetrics fixture generator for queue-doctor's Prometheus tests.
//
// It writes what `promtool tsdb create-blocks-from openmetrics` backfills (see
// shared/prometheus-harness.md): timestamps in SECONDS, each series' samples in ascending time,
// counters as `# TYPE x counter` + `x_total` samples, histograms as `_bucket{le}`/`_sum`/`_count`,
// and a final `# EOF`. Everything is deterministic: a fixed end time (FIXTURE_END) and a
// seeded PRNG (mulberry32), so the committed fixtures/series/*.om are reproducible and the
// expected values the tests assert are computed here, next to the series that produce them.
//
// Regenerate the committed files with:
//   QD_UPDATE_FIXTURES=1 npx vitest run test/integration/prometheus-fixtures.test.ts
//
// Scenarios
//   llm-platform  series for fixtures/clusters/llm-platform (the cluster stand-in): the seed
//                 scenario rag/rag-worker (≈100 jobs queued and rising, 1 busy replica waiting
//                 on an LLM, CPU ≈10 % of requests, CPU HPA at 70 %), plus a Kafka consumer,
//                 a Celery worker on two queues, BullMQ, Sidekiq, a GPU worker and a web app.
//   catalogue     one workload per catalogue entry of rules/queue-systems.ts, each with a
//                 distinct constant backlog, plus decoys that must not bind.
//   edge-cases    annotation binding, empty answers, NaN and +Inf samples, a counter reset,
//                 a stale series, a hostile queue name, a bad annotation query, a StatefulSet.

/** 2026-01-01T00:00:00Z: every fixture ends here; tests query with `at: FIXTURE_END`. */
export const FIXTURE_END = 1767225600;
/** The window tests read (--window 2h). */
export const FIXTURE_WINDOW = 2 * 3600;
/** Samples start this long before the window so rate() has history at its first point. */
export const FIXTURE_WARMUP = 600;
/** Scrape interval of the fixtures (the seed's queue and CPU series use 60 s). */
export const FIXTURE_INTERVAL = 120;

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sample function: the value at unix time t, or undefined for "no sample" (series absent). */
export type SampleFn = (t: number) => number | undefined;

interface SeriesSpec {
  sampleName: string;
  labels: Record<string, string>;
  f: SampleFn;
  /** Seconds between samples (default FIXTURE_INTERVAL). */
  every: number;
}

interface Family {
  type: 'gauge' | 'counter' | 'histogram';
  help: string;
  series: SeriesSpec[];
}

/** Builds one OpenMetrics document. */
export class OpenMetricsWriter {
  private readonly families = new Map<string, Family>();

  constructor(
    readonly start: number,
    readonly end: number,
    /** Default seconds between samples. */
    readonly every = FIXTURE_INTERVAL,
  ) {}

  private family(name: string, type: Family['type'], help: string): Family {
    let f = this.families.get(name);
    if (!f) this.families.set(name, (f = { type, help, series: [] }));
    if (f.type !== type) throw new Error(`family ${name} is both ${f.type} and ${type}`);
    return f;
  }

  gauge(name: string, labels: Record<string, string>, f: SampleFn, every = this.every): this {
    this.family(name, 'gauge', `${name} (queue-doctor fixture)`).series.push({ sampleName: name, labels, f, every });
    return this;
  }

  /** A counter; `name` ends in `_total` (the family is written without it). */
  counter(name: string, labels: Record<string, string>, f: SampleFn, every = this.every): this {
    if (!name.endsWith('_total')) throw new Error(`counter ${name} must end in _total`);
    const fam = name.slice(0, -'_total'.length);
    this.family(fam, 'counter', `${fam} (queue-doctor fixture)`).series.push({ sampleName: name, labels, f, every });
    return this;
  }

  /**
   * A histogram whose observations arrive at `perSecond` and follow a fixed distribution:
   * `cumulative[i]` is the fraction of observations ≤ `bounds[i]`; `mean` feeds `_sum`.
   */
  histogram(base: string, labels: Record<string, string>, opts: { bounds: number[]; cumulative: number[]; perSecond: number; mean: number; from?: number }): this {
    const fam = this.family(base, 'histogram', `${base} (queue-doctor fixture)`);
    const from = opts.from ?? this.start;
    const count = (t: number) => (t < from ? undefined : Math.floor(opts.perSecond * (t - from)));
    opts.bounds.forEach((b, i) => {
      fam.series.push({ sampleName: `${base}_bucket`, labels: { ...labels, le: formatLe(b) }, f: (t) => mapDef(count(t), (c) => Math.floor(c * opts.cumulative[i])), every: this.every });
    });
    fam.series.push({ sampleName: `${base}_bucket`, labels: { ...labels, le: '+Inf' }, f: count, every: this.every });
    fam.series.push({ sampleName: `${base}_sum`, labels, f: (t) => mapDef(count(t), (c) => c * opts.mean), every: this.every });
    fam.series.push({ sampleName: `${base}_count`, labels, f: count, every: this.every });
    return this;
  }

  /** Number of series written so far. */
  get seriesCount(): number {
    let n = 0;
    for (const f of this.families.values()) n += f.series.length;
    return n;
  }

  text(): string {
    const out: string[] = [];
    for (const [name, fam] of this.families) {
      out.push(`# HELP ${name} ${fam.help}`);
      out.push(`# TYPE ${name} ${fam.type}`);
      for (const s of fam.series) {
        const l = formatLabels(s.labels);
        for (let t = this.start; t <= this.end; t += s.every) {
          const v = s.f(t);
          if (v === undefined) continue;
          out.push(`${s.sampleName}${l} ${formatValue(v)} ${t}`);
        }
      }
    }
    out.push('# EOF');
    return out.join('\n') + '\n';
  }
}

function mapDef<T, U>(x: T | undefined, f: (x: T) => U): U | undefined {
  return x === undefined ? undefined : f(x);
}

function formatLe(b: number): string {
  return Number.isInteger(b) ? `${b}.0` : String(b);
}

/** OpenMetrics label values escape backslash, double quote and newline. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return '{' + entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',') + '}';
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(6)));
}

// ---------------------------------------------------------------------------------------------
// Building blocks: kube-state-metrics and cAdvisor series for one workload

export interface PodSpec {
  name: string;
  /** ReplicaSet name (Deployments) — omit for StatefulSet pods. */
  replicaset?: string;
  /** Seconds the pod exists in the fixture (default: the whole span). */
  from?: number;
  to?: number;
  /** CPU cores used (may vary with t). */
  cpu: (t: number) => number;
  /** CPU request, cores. */
  request: number;
  container?: string;
  /** Seconds from creation to Ready. */
  startup?: number;
}

export interface WorkloadSpec {
  namespace: string;
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  replicas: number;
  pods: PodSpec[];
  /** Every ReplicaSet of the Deployment (old ones included). */
  replicasets?: string[];
  hpa?: { name: string; min: number; max: number; current: number; desired: number; targetCpu?: number };
  /** DCGM GPU utilisation % per pod. */
  gpu?: (t: number) => number;
  /** Scrape interval of the cAdvisor/DCGM series (default 120 s; kube-state-metrics constants: every 240 s). */
  interval?: number;
  /** Also write the pod-level cgroup series (container="") that a correct query must skip. */
  podCgroup?: boolean;
}

/** kube-state-metrics constants are written every 4 minutes (within the 5-minute lookback). */
const KSM_EVERY = 240;

/** kube-state-metrics + cAdvisor (+ DCGM) series for a workload. */
export function kubeSeries(w: OpenMetricsWriter, spec: WorkloadSpec): void {
  const ns = spec.namespace;
  const ksm = { job: 'kube-state-metrics' };
  const every = spec.interval ?? 120;
  const alive = (p: PodSpec) => (t: number) => t >= (p.from ?? w.start) && t <= (p.to ?? w.end);
  for (const p of spec.pods) {
    const on = alive(p);
    const container = p.container ?? 'main';
    const ownerKind = spec.kind === 'StatefulSet' ? 'StatefulSet' : 'ReplicaSet';
    const ownerName = spec.kind === 'StatefulSet' ? spec.name : p.replicaset!;
    w.gauge('kube_pod_owner', { ...ksm, namespace: ns, pod: p.name, owner_kind: ownerKind, owner_name: ownerName, owner_is_controller: 'true' }, (t) => (on(t) ? 1 : undefined), KSM_EVERY);
    w.gauge('kube_pod_container_resource_requests', { ...ksm, namespace: ns, pod: p.name, container, resource: 'cpu', unit: 'core' }, (t) => (on(t) ? p.request : undefined), KSM_EVERY);
    const created = p.from ?? w.start - 3600;
    w.gauge('kube_pod_created', { ...ksm, namespace: ns, pod: p.name }, (t) => (on(t) ? created : undefined), KSM_EVERY);
    if (p.startup !== undefined) w.gauge('kube_pod_status_ready_time', { ...ksm, namespace: ns, pod: p.name }, (t) => (on(t) && t >= created + p.startup! ? created + p.startup! : undefined), KSM_EVERY);
    // cAdvisor: a container series and the pod-level cgroup series (container="") that must not be double counted
    let used = 500;
    let lastT = w.start;
    const cpuAt = (t: number) => {
      if (!on(t)) return undefined;
      // integrate the usage curve so the counter's rate equals cpu(t)
      for (let s = lastT; s < t; s += 15) used += p.cpu(s) * Math.min(15, t - s);
      lastT = t;
      return used;
    };
    const cache = new Map<number, number | undefined>();
    const cpuCounter = (t: number) => {
      if (!cache.has(t)) cache.set(t, cpuAt(t));
      return cache.get(t);
    };
    const cadvisor = { job: 'kubelet' };
    w.counter('container_cpu_usage_seconds_total', { ...cadvisor, namespace: ns, pod: p.name, container }, cpuCounter, every);
    if (spec.podCgroup) w.counter('container_cpu_usage_seconds_total', { ...cadvisor, namespace: ns, pod: p.name, container: '' }, (t) => mapDef(cpuCounter(t), (c) => c + 1000), every);
    if (spec.gpu) w.gauge('DCGM_FI_DEV_GPU_UTIL', { job: 'dcgm-exporter', gpu: '0', namespace: ns, pod: p.name, container }, (t) => (on(t) ? spec.gpu!(t) : undefined), every);
  }
  if (spec.kind === 'Deployment') {
    for (const rs of spec.replicasets ?? [...new Set(spec.pods.map((p) => p.replicaset!))]) {
      w.gauge('kube_replicaset_owner', { ...ksm, namespace: ns, replicaset: rs, owner_kind: 'Deployment', owner_name: spec.name, owner_is_controller: 'true' }, () => 1, KSM_EVERY);
    }
    w.gauge('kube_deployment_status_replicas', { ...ksm, namespace: ns, deployment: spec.name }, () => spec.replicas, KSM_EVERY);
  } else {
    w.gauge('kube_statefulset_status_replicas', { ...ksm, namespace: ns, statefulset: spec.name }, () => spec.replicas, KSM_EVERY);
  }
  if (spec.hpa) {
    const h = { ...ksm, namespace: ns, horizontalpodautoscaler: spec.hpa.name };
    w.gauge('kube_horizontalpodautoscaler_info', { ...h, scaletargetref_api_version: 'apps/v1', scaletargetref_kind: spec.kind, scaletargetref_name: spec.name }, () => 1, KSM_EVERY);
    w.gauge('kube_horizontalpodautoscaler_spec_min_replicas', h, () => spec.hpa!.min, KSM_EVERY);
    w.gauge('kube_horizontalpodautoscaler_spec_max_replicas', h, () => spec.hpa!.max, KSM_EVERY);
    w.gauge('kube_horizontalpodautoscaler_status_current_replicas', h, () => spec.hpa!.current, KSM_EVERY);
    w.gauge('kube_horizontalpodautoscaler_status_desired_replicas', h, () => spec.hpa!.desired, KSM_EVERY);
    if (spec.hpa.targetCpu !== undefined) {
      w.gauge('kube_horizontalpodautoscaler_spec_target_metric', { ...h, metric_name: 'cpu', metric_target_type: 'utilization' }, () => spec.hpa!.targetCpu!, KSM_EVERY);
    }
  }
}

/** A counter whose rate is `perSecond` (integer increments), optionally reset at `resetAt`. */
export function counterAt(perSecond: number, start: number, resetAt?: number): SampleFn {
  return (t) => {
    if (resetAt !== undefined && t >= resetAt) return Math.floor(perSecond * (t - resetAt));
    return Math.floor(perSecond * (t - start)) + 1000;
  };
}

// ---------------------------------------------------------------------------------------------
// Scenarios

export interface Scenario {
  name: string;
  om: string;
  /** Kubernetes manifests (YAML) for the scenario's workloads; empty when another fixture holds them. */
  manifests: string;
  series: number;
  samples: number;
}

const START = FIXTURE_END - FIXTURE_WINDOW - FIXTURE_WARMUP;
const WINDOW_START = FIXTURE_END - FIXTURE_WINDOW;

/** Expected values the tests assert (computed from the same definitions as the series). */
export const EXPECTED = {
  seed: {
    workloadId: 'rag/Deployment/rag-worker',
    /** Backlog rises linearly from 40 to 100 over the window (± noise of 2). */
    backlogStart: 40,
    backlogEnd: 100,
    slopePerSecond: 60 / FIXTURE_WINDOW,
    throughput: 0.05,
    arrival: 0.05 + 60 / FIXTURE_WINDOW,
    inflight: 1,
    cpuUtilization: 10,
    hpaTarget: 70,
    replicas: 1,
    startupSeconds: 42,
    jobDuration: { p50: 20, p95: 45, p99: 60, mean: 21 },
  },
  catalogue: {
    // workload name (namespace cat) → expected binding and backlog
    'email-sender': { system: 'rabbitmq', queue: 'emails', backlog: 12, inflight: 4, throughput: 0.5, arrival: 0.6, keda: 'rabbitmq' },
    'billing-consumer': { system: 'kafka-exporter', queue: 'invoices', consumer: 'billing-consumer', backlog: 18, throughput: 3, arrival: 3.6, keda: 'kafka' },
    'audit-writer': { system: 'kminion', queue: 'audit', consumer: 'audit-writer', backlog: 33, keda: 'kafka' },
    thumbnailer: { system: 'aws-sqs', queue: 'thumbnails', backlog: 44, inflight: 5, keda: 'aws-sqs-queue' },
    'report-worker': { system: 'redis-list', queue: 'reports', backlog: 55, keda: 'redis' },
    'ocr-worker': { system: 'celery', queue: 'ocr,ocr-priority', backlog: 70, throughput: 0.25, arrival: 0.3, keda: 'prometheus' },
    'mailer-worker': { system: 'bullmq', queue: 'mailer', backlog: 77, inflight: 2, keda: 'redis' },
    'rails-sidekiq': { system: 'sidekiq', queue: 'default', backlog: 88, keda: 'redis' },
    'order-processor': { system: 'nats-jetstream', queue: 'ORDERS', consumer: 'order-processor', backlog: 99, inflight: 6, throughput: 2, keda: 'nats-jetstream' },
    'events-handler': { system: 'gcp-pubsub', queue: 'events-sub', backlog: 111, keda: 'gcp-pubsub' },
    transcoder: { system: 'generic', queue: 'video', backlog: 122, keda: 'prometheus' },
    'agent-runner': { system: 'agent-queue', queue: 'agents', backlog: 133, keda: 'prometheus' },
  } as Record<string, { system: string; queue: string; consumer?: string; backlog: number; inflight?: number; throughput?: number; arrival?: number; keda: string }>,
  edge: {
    hostileQueue: 'we"ird\\q"} or vector(1) #',
    hostileBacklog: 7,
    annotatedBacklog: 20,
    annotatedThroughput: 0.1,
    annotatedInflight: 3,
    stsCpuUtilization: 40,
  },
};

export function scenarios(): Scenario[] {
  return [llmPlatform(), catalogue(), edgeCases()].map((s) => ({ ...s }));
}

function finish(name: string, w: OpenMetricsWriter, manifests: string): Scenario {
  const om = w.text();
  return { name, om, manifests, series: w.seriesCount, samples: om.split('\n').filter((l) => l && !l.startsWith('#')).length };
}

/** Series for fixtures/clusters/llm-platform: the seed scenario and its neighbours. */
function llmPlatform(): Scenario {
  const rnd = mulberry32(20260101);
  const w = new OpenMetricsWriter(START, FIXTURE_END);
  const E = EXPECTED.seed;

  // --- rag/rag-worker: the seed. One replica, busy on an LLM call for ~20 s per job. ---
  const noise = new Map<number, number>();
  const backlog = (t: number) => {
    if (!noise.has(t)) noise.set(t, Math.round((rnd() - 0.5) * 4));
    const base = t < WINDOW_START ? E.backlogStart : E.backlogStart + E.slopePerSecond * (t - WINDOW_START);
    return Math.max(0, Math.round(base) + (t === FIXTURE_END ? 0 : noise.get(t)!));
  };
  const ragPod = { job: 'rag-worker', namespace: 'rag', queue: 'default' };
  const oldPod = 'rag-worker-6c9f7d8b5d-k2x7p';
  const newPod = 'rag-worker-7d4b9c6f8e-q9w3z';
  const rolloutAt = WINDOW_START + 3600;
  // the worker exports its queue's metrics; during the rollout the new pod takes over
  for (const [pod, from, to] of [[oldPod, START, rolloutAt - 60], [newPod, rolloutAt, FIXTURE_END]] as const) {
    const on = (t: number) => t >= from && t <= to;
    w.gauge('agent_queue_depth', { ...ragPod, pod }, (t) => (on(t) ? backlog(t) : undefined), 60);
    w.gauge('agent_jobs_inflight', { ...ragPod, pod }, (t) => (on(t) ? E.inflight : undefined), 60);
    w.counter('agent_jobs_completed_total', { ...ragPod, pod }, (t) => (on(t) ? Math.floor(E.throughput * (t - from)) : undefined), 60);
    w.counter('agent_jobs_enqueued_total', { ...ragPod, pod }, (t) => (on(t) ? Math.floor(E.arrival * (t - from)) : undefined), 60);
    w.histogram('agent_job_duration_seconds', { ...ragPod, pod }, {
      bounds: [5, 10, 15, 20, 30, 45, 60, 120],
      cumulative: [0, 0.05, 0.2, 0.5, 0.85, 0.95, 0.99, 1],
      perSecond: E.throughput,
      mean: E.jobDuration.mean,
      from,
    });
  }
  kubeSeries(w, {
    namespace: 'rag',
    kind: 'Deployment',
    name: 'rag-worker',
    replicas: 1,
    replicasets: ['rag-worker-6c9f7d8b5d', 'rag-worker-7d4b9c6f8e'],
    pods: [
      { name: oldPod, replicaset: 'rag-worker-6c9f7d8b5d', to: rolloutAt - 60, cpu: (t) => 0.05 + 0.01 * Math.sin(t / 600), request: 0.5, container: 'worker', startup: 42 },
      { name: newPod, replicaset: 'rag-worker-7d4b9c6f8e', from: rolloutAt, cpu: (t) => 0.05 + 0.01 * Math.sin(t / 600), request: 0.5, container: 'worker', startup: 42 },
    ],
    hpa: { name: 'rag-worker', min: 1, max: 10, current: 1, desired: 1, targetCpu: 70 },
    interval: 60,
    podCgroup: true,
  });

  // --- streaming/orders-consumer: Kafka (kafka_exporter), 6 partitions, lag falling ---
  for (let p = 0; p < 6; p++) {
    const k = { job: 'kafka-exporter', namespace: 'streaming', consumergroup: 'orders-processor', topic: 'orders', partition: String(p) };
    w.gauge('kafka_consumergroup_lag', k, (t) => Math.max(0, Math.round(300 - 0.02 * (t - START)) + p));
    w.gauge('kafka_consumergroup_current_offset', k, counterAt(4, START));
    w.gauge('kafka_topic_partition_current_offset', { job: 'kafka-exporter', namespace: 'streaming', topic: 'orders', partition: String(p) }, counterAt(3.9, START));
  }
  kubeSeries(w, {
    namespace: 'streaming',
    kind: 'Deployment',
    name: 'orders-consumer',
    replicas: 6,
    pods: Array.from({ length: 6 }, (_, i) => ({ name: `orders-consumer-5b7c9d8f6a-p${i}x2z`, replicaset: 'orders-consumer-5b7c9d8f6a', cpu: () => 0.3, request: 0.5, container: 'consumer', startup: 25 })),
    hpa: { name: 'orders-consumer', min: 2, max: 6, current: 6, desired: 6, targetCpu: 60 },
  });

  // --- workers/celery-worker: Celery on RabbitMQ, two queues ---
  for (const [queue, depth] of [['emails', 250], ['invoices', 30]] as const) {
    const c = { job: 'celery-exporter', namespace: 'workers', queue_name: queue };
    w.gauge('celery_queue_length', c, (t) => depth + Math.round(20 * Math.sin((t - START) / 900)));
    w.counter('celery_task_succeeded_total', { ...c, name: `shop.tasks.${queue}`, hostname: 'celery@celery-worker-7f8d9c6b5a-abcde' }, counterAt(queue === 'emails' ? 1.5 : 0.2, START));
    w.counter('celery_task_failed_total', { ...c, name: `shop.tasks.${queue}`, hostname: 'celery@celery-worker-7f8d9c6b5a-abcde' }, counterAt(0.01, START));
  }
  kubeSeries(w, {
    namespace: 'workers',
    kind: 'Deployment',
    name: 'celery-worker',
    replicas: 2,
    pods: ['abcde', 'fghij'].map((id) => ({ name: `celery-worker-7f8d9c6b5a-${id}`, replicaset: 'celery-worker-7f8d9c6b5a', cpu: () => 0.2, request: 0.25, container: 'celery', startup: 30 })),
    hpa: { name: 'celery-worker', min: 2, max: 12, current: 2, desired: 2, targetCpu: 80 },
  });

  // --- ingest/document-ingest: BullMQ, scaled by KEDA already ---
  const bull = { job: 'document-ingest', namespace: 'ingest', queue: 'documents', pod: 'document-ingest-6d5c4b3a29-q1w2e' };
  w.gauge('bullmq_job_count', { ...bull, state: 'waiting' }, (t) => 10 + Math.round(5 * Math.sin((t - START) / 700)));
  w.gauge('bullmq_job_count', { ...bull, state: 'active' }, () => 9);
  kubeSeries(w, {
    namespace: 'ingest',
    kind: 'Deployment',
    name: 'document-ingest',
    replicas: 3,
    pods: ['q1w2e', 'r3t4y', 'u5i6o'].map((id) => ({ name: `document-ingest-6d5c4b3a29-${id}`, replicaset: 'document-ingest-6d5c4b3a29', cpu: () => 0.1, request: 0.2, container: 'ingest', startup: 12 })),
    hpa: { name: 'keda-hpa-document-ingest', min: 1, max: 20, current: 3, desired: 3 },
  });

  // --- billing/invoice-worker: Sidekiq ---
  w.gauge('sidekiq_queue_enqueued_jobs', { job: 'sidekiq-exporter', namespace: 'billing', name: 'default' }, (t) => 15 + Math.round(3 * Math.sin((t - START) / 500)));
  kubeSeries(w, {
    namespace: 'billing',
    kind: 'Deployment',
    name: 'invoice-worker',
    replicas: 2,
    pods: ['aaaaa', 'bbbbb'].map((id) => ({ name: `invoice-worker-58c7d6e5f4-${id}`, replicaset: 'invoice-worker-58c7d6e5f4', cpu: () => 0.15, request: 0.3, container: 'sidekiq', startup: 35 })),
    hpa: { name: 'invoice-worker', min: 2, max: 10, current: 2, desired: 2, targetCpu: 75 },
  });

  // --- ml/embedding-worker: GPU worker on a Redis list ---
  w.gauge('redis_key_size', { job: 'redis-exporter', namespace: 'rag', db: 'db1', key: 'embeddings' }, (t) => 500 + Math.round(0.05 * (t - START)));
  kubeSeries(w, {
    namespace: 'ml',
    kind: 'Deployment',
    name: 'embedding-worker',
    replicas: 2,
    pods: ['g1h2j', 'k3l4m'].map((id) => ({ name: `embedding-worker-7c6b5a4d3e-${id}`, replicaset: 'embedding-worker-7c6b5a4d3e', cpu: () => 1.2, request: 4, container: 'embedder', startup: 180 })),
    hpa: { name: 'embedding-worker', min: 2, max: 8, current: 2, desired: 2, targetCpu: 60 },
    gpu: () => 93,
  });

  // --- web/storefront: not a worker, CPU-scaled correctly ---
  kubeSeries(w, {
    namespace: 'web',
    kind: 'Deployment',
    name: 'storefront',
    replicas: 4,
    pods: ['s1', 's2', 's3', 's4'].map((id) => ({ name: `storefront-6b5c4d3e2f-${id}xyz1`, replicaset: 'storefront-6b5c4d3e2f', cpu: () => 0.3, request: 0.5, container: 'web', startup: 8 })),
    hpa: { name: 'storefront', min: 4, max: 40, current: 4, desired: 4, targetCpu: 65 },
  });
  return finish('llm-platform', w, '');
}

/** One workload per catalogue entry, plus decoys. */
function catalogue(): Scenario {
  const w = new OpenMetricsWriter(START, FIXTURE_END);
  const E = EXPECTED.catalogue;
  const q = { namespace: 'queues' };
  const constant = (v: number) => () => v;

  // RabbitMQ (rabbitmq_prometheus per-object + kbudde ack counter)
  w.gauge('rabbitmq_queue_messages_ready', { ...q, job: 'rabbitmq', vhost: '/', queue: 'emails' }, constant(E['email-sender'].backlog));
  w.gauge('rabbitmq_queue_messages_ready', { ...q, job: 'rabbitmq', vhost: '/', queue: 'decoy-queue' }, constant(999));
  w.gauge('rabbitmq_queue_messages_unacked', { ...q, job: 'rabbitmq', vhost: '/', queue: 'emails' }, constant(4));
  w.counter('rabbitmq_queue_messages_ack_total', { ...q, job: 'rabbitmq-exporter', vhost: '/', queue: 'emails' }, counterAt(0.5, START));
  w.counter('rabbitmq_queue_messages_published_total', { ...q, job: 'rabbitmq', channel: '<0.1.0>', queue_vhost: '/', queue: 'emails', exchange_vhost: '/', exchange: '' }, counterAt(0.6, START));

  // Kafka (kafka_exporter): 3 partitions with lag 5, 6, 7 and one without a committed offset (-1)
  for (let p = 0; p < 4; p++) {
    const k = { ...q, job: 'kafka-exporter', consumergroup: 'billing-consumer', topic: 'invoices', partition: String(p) };
    w.gauge('kafka_consumergroup_lag', k, constant(p === 3 ? -1 : 5 + p));
    if (p < 3) w.gauge('kafka_consumergroup_current_offset', k, counterAt(1, START));
    w.gauge('kafka_topic_partition_current_offset', { ...q, job: 'kafka-exporter', topic: 'invoices', partition: String(p) }, counterAt(0.9, START));
  }
  w.gauge('kafka_consumergroup_lag', { ...q, job: 'kafka-exporter', consumergroup: 'someone-else', topic: 'invoices', partition: '0' }, constant(5000));

  // KMinion
  w.gauge('kminion_kafka_consumer_group_topic_lag', { ...q, job: 'kminion', group_id: 'audit-writer', topic_name: 'audit' }, constant(E['audit-writer'].backlog));

  // AWS SQS (YACE)
  w.gauge('aws_sqs_approximate_number_of_messages_visible_average', { namespace: 'monitoring', job: 'yace', dimension_QueueName: 'thumbnails', region: 'eu-west-1', name: 'arn:aws:sqs:eu-west-1:123456789012:thumbnails' }, constant(E.thumbnailer.backlog));
  w.gauge('aws_sqs_approximate_number_of_messages_not_visible_average', { namespace: 'monitoring', job: 'yace', dimension_QueueName: 'thumbnails', region: 'eu-west-1' }, constant(5));

  // Redis list (redis_exporter --check-keys), an RQ queue
  w.gauge('redis_key_size', { ...q, job: 'redis-exporter', db: 'db0', key: 'rq:queue:reports' }, constant(E['report-worker'].backlog));

  // Celery (celery-exporter): two queues consumed by one worker
  w.gauge('celery_queue_length', { ...q, job: 'celery-exporter', queue_name: 'ocr' }, constant(66));
  w.gauge('celery_queue_length', { ...q, job: 'celery-exporter', queue_name: 'ocr-priority' }, constant(4));
  w.counter('celery_task_succeeded_total', { ...q, job: 'celery-exporter', queue_name: 'ocr', name: 'ocr.run', hostname: 'celery@ocr-worker-1' }, counterAt(0.2, START));
  w.counter('celery_task_failed_total', { ...q, job: 'celery-exporter', queue_name: 'ocr', name: 'ocr.run', hostname: 'celery@ocr-worker-1' }, counterAt(0.05, START));
  w.counter('celery_task_sent_total', { ...q, job: 'celery-exporter', queue_name: 'ocr', name: 'ocr.run' }, counterAt(0.3, START));
  w.histogram('celery_task_runtime', { ...q, job: 'celery-exporter', queue_name: 'ocr', name: 'ocr.run' }, { bounds: [1, 2, 5, 10, 30], cumulative: [0.1, 0.5, 0.9, 1, 1], perSecond: 0.25, mean: 2.5 });

  // BullMQ (exported by the worker's own pods, namespace cat)
  const bull = { namespace: 'cat', job: 'mailer-worker', queue: 'mailer', pod: 'mailer-worker-5f6d7c8b9a-abcde' };
  w.gauge('bullmq_job_count', { ...bull, state: 'waiting' }, constant(E['mailer-worker'].backlog));
  w.gauge('bullmq_job_count', { ...bull, state: 'active' }, constant(2));
  w.gauge('bullmq_job_count', { ...bull, state: 'completed' }, constant(10000));

  // Sidekiq (sidekiq-prometheus-exporter, namespace cat)
  w.gauge('sidekiq_queue_enqueued_jobs', { namespace: 'cat', job: 'sidekiq-exporter', name: 'default' }, constant(E['rails-sidekiq'].backlog));

  // NATS JetStream (prometheus-nats-exporter, leader and follower: the follower reads 0)
  for (const [server, leader] of [['nats-0', 'true'], ['nats-1', 'false']] as const) {
    const n = { ...q, job: 'nats', server_id: server, account: 'APP', stream_name: 'ORDERS', consumer_name: 'order-processor', is_consumer_leader: leader };
    w.gauge('jetstream_consumer_num_pending', n, constant(leader === 'true' ? E['order-processor'].backlog : 0));
    w.gauge('jetstream_consumer_num_ack_pending', n, constant(leader === 'true' ? 6 : 0));
    w.gauge('jetstream_consumer_ack_floor_consumer_seq', n, leader === 'true' ? counterAt(2, START) : constant(0));
  }

  // Google Pub/Sub (stackdriver_exporter)
  w.gauge('stackdriver_pubsub_subscription_pubsub_googleapis_com_subscription_num_undelivered_messages', { namespace: 'monitoring', job: 'stackdriver', project_id: 'shop-prod', subscription_id: 'events-sub' }, constant(E['events-handler'].backlog));

  // generic *_queue_length with a deployment label
  w.gauge('transcode_queue_length', { namespace: 'cat', job: 'transcoder', queue: 'video', deployment: 'transcoder' }, constant(E.transcoder.backlog));
  // something that looks generic but is not an application queue
  w.gauge('prometheus_notifications_queue_length', { namespace: 'monitoring', job: 'prometheus' }, constant(3));

  // a lone worker next to a lone generic queue gauge with nothing else in common: a low-confidence binding
  w.gauge('jobs_backlog', { namespace: 'lowconf', job: 'queue-exporter' }, constant(9));

  // agent_queue_depth exported by a producer in another namespace: must not bind across namespaces
  w.gauge('agent_queue_depth', { namespace: 'cat', job: 'agent-api', queue: 'agents' }, constant(E['agent-runner'].backlog));
  w.gauge('agent_queue_depth', { namespace: 'elsewhere', job: 'agent-api', queue: 'agents' }, constant(4444));

  return finish('catalogue', w, catalogueManifests());
}

function deployment(name: string, opts: { namespace?: string; env?: Array<[string, string | { secret: string }]>; command?: string[]; args?: string[]; annotations?: Record<string, string>; labels?: Record<string, string>; replicas?: number; cpu?: string; ports?: number[] }): string {
  const ns = opts.namespace ?? 'cat';
  const env = (opts.env ?? [])
    .map(([k, v]) =>
      typeof v === 'string'
        ? `            - name: ${k}\n              value: ${JSON.stringify(v)}`
        : `            - name: ${k}\n              valueFrom:\n                secretKeyRef:\n                  name: ${v.secret}\n                  key: ${k.toLowerCase()}`,
    )
    .join('\n');
  const ann = Object.entries(opts.annotations ?? {})
    .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  const labels = { 'app.kubernetes.io/name': name, ...(opts.labels ?? {}) };
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  labels:
${Object.entries(labels).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join('\n')}
${ann ? `  annotations:\n${ann}\n` : ''}spec:
  replicas: ${opts.replicas ?? 1}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: main
          image: registry.example.com/${name}:1.0
${opts.command ? `          command: ${JSON.stringify(opts.command)}\n` : ''}${opts.args ? `          args: ${JSON.stringify(opts.args)}\n` : ''}${env ? `          env:\n${env}\n` : ''}${opts.ports ? `          ports:\n${opts.ports.map((p) => `            - containerPort: ${p}`).join('\n')}\n` : ''}          resources:
            requests:
              cpu: ${opts.cpu ?? '500m'}
              memory: 256Mi
`;
}

function catalogueManifests(): string {
  const docs = [
    deployment('email-sender', { env: [['RABBITMQ_QUEUE', 'emails'], ['AMQP_URL', { secret: 'rabbit' }]], command: ['python', 'consumer.py'] }),
    deployment('billing-consumer', { env: [['KAFKA_CONSUMER_GROUP', 'billing-consumer'], ['KAFKA_TOPIC', 'invoices'], ['KAFKA_BOOTSTRAP_SERVERS', 'kafka:9092']] }),
    deployment('audit-writer', { command: ['/bin/consumer'], args: ['--group', 'audit-writer', '--topic', 'audit'] }),
    deployment('thumbnailer', { env: [['SQS_QUEUE_URL', 'https://sqs.eu-west-1.amazonaws.com/123456789012/thumbnails'], ['AWS_REGION', 'eu-west-1']], command: ['node', 'worker.js'] }),
    deployment('report-worker', { command: ['rq', 'worker', 'reports', '--url', 'redis://redis:6379/0'], env: [['REDIS_ADDRESS', 'redis:6379']] }),
    deployment('ocr-worker', { command: ['celery', '-A', 'ocr', 'worker', '-Q', 'ocr,ocr-priority', '--concurrency=2'], env: [['CELERY_BROKER_URL', 'redis://redis:6379/0']] }),
    deployment('mailer-worker', { env: [['BULL_QUEUE', 'mailer'], ['REDIS_HOST', 'redis']], command: ['node', 'dist/worker.js'] }),
    deployment('rails-sidekiq', { command: ['bundle', 'exec', 'sidekiq', '-q', 'default', '-q', 'mailers'], env: [['REDIS_URL', { secret: 'redis' }]] }),
    deployment('order-processor', { env: [['NATS_STREAM', 'ORDERS'], ['NATS_CONSUMER', 'order-processor'], ['NATS_URL', 'nats://nats:4222']] }),
    deployment('events-handler', { env: [['PUBSUB_SUBSCRIPTION', 'events-sub'], ['GOOGLE_CLOUD_PROJECT', 'shop-prod']], command: ['python', '-m', 'events.worker'] }),
    deployment('transcoder', { labels: { 'app.kubernetes.io/component': 'worker' }, command: ['ffmpeg-worker'] }),
    deployment('agent-runner', { env: [['QUEUE_NAME', 'agents'], ['OPENAI_API_BASE', 'http://llm:8000/v1']], command: ['python', 'worker.py'] }),
    // a worker whose queue has no series: must stay unbound
    deployment('lonely-worker', { env: [['QUEUE_NAME', 'nothing-here']], command: ['python', 'worker.py'] }),
    // only namespace evidence: bound with low confidence (never used silently)
    deployment('solo-worker', { namespace: 'lowconf', command: ['python', 'worker.py'] }),
    // a web app named like a queue: not a worker, must not bind to the decoy queue
    deployment('decoy-queue', { ports: [8080], env: [['PORT', '8080']] }),
  ];
  return docs.join('---\n');
}

/** Annotation binding, empty answers, NaN/+Inf, counter reset, stale series, hostile names. */
function edgeCases(): Scenario {
  const w = new OpenMetricsWriter(START, FIXTURE_END);
  const E = EXPECTED.edge;
  const mid = WINDOW_START + 3600;
  const a = { namespace: 'edge', job: 'annotated', app: 'annotated' };
  // backlog 20, with NaN samples for 20 minutes in the middle
  w.gauge('custom_backlog', a, (t) => (t >= mid && t < mid + 1200 ? NaN : E.annotatedBacklog));
  // completions: 0.1/s, the process restarts at `mid` (counter reset)
  w.counter('custom_done_total', a, counterAt(E.annotatedThroughput, START, mid));
  // in-flight 3, one +Inf sample (a broken exporter)
  w.gauge('custom_inflight', a, (t) => (t === mid + 1800 ? Infinity : E.annotatedInflight));

  // hostile queue name next to a decoy with a huge backlog
  w.gauge('agent_queue_depth', { namespace: 'edge', job: 'weird-worker', queue: E.hostileQueue }, () => E.hostileBacklog);
  w.gauge('agent_queue_depth', { namespace: 'edge', job: 'decoy', queue: 'other' }, () => 1000);
  // a queue that stopped reporting an hour before the end
  w.gauge('agent_queue_depth', { namespace: 'edge', job: 'stale-worker', queue: 'stale' }, (t) => (t <= FIXTURE_END - 3600 ? 15 : undefined));

  kubeSeries(w, {
    namespace: 'edge',
    kind: 'StatefulSet',
    name: 'edge-sts',
    replicas: 2,
    pods: ['edge-sts-0', 'edge-sts-1'].map((name) => ({ name, cpu: () => 0.2, request: 0.5, container: 'app', startup: 20 })),
  });
  const manifests = [
    deployment('annotated-worker', {
      namespace: 'edge',
      command: ['python', 'worker.py'],
      annotations: {
        'queue-doctor.io/backlog-query': 'sum(custom_backlog{app="annotated"})',
        'queue-doctor.io/throughput-query': 'sum(rate(custom_done_total{app="annotated"}[5m]))',
        'queue-doctor.io/inflight-query': 'sum(custom_inflight{app="annotated"})',
        'queue-doctor.io/job-duration': '45s',
      },
    }),
    deployment('empty-worker', { namespace: 'edge', command: ['python', 'worker.py'], annotations: { 'queue-doctor.io/backlog-query': 'sum(no_such_metric_queue_doctor)' } }),
    deployment('bad-worker', { namespace: 'edge', command: ['python', 'worker.py'], annotations: { 'queue-doctor.io/backlog-query': 'sum(rate(custom_backlog[5m])' } }),
    deployment('weird-worker', { namespace: 'edge', command: ['python', 'worker.py'], env: [['QUEUE_NAME', E.hostileQueue]] }),
    deployment('stale-worker', { namespace: 'edge', command: ['python', 'worker.py'], env: [['QUEUE_NAME', 'stale']] }),
    `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: edge-sts
  namespace: edge
spec:
  replicas: 2
  serviceName: edge-sts
  selector:
    matchLabels:
      app: edge-sts
  template:
    metadata:
      labels:
        app: edge-sts
    spec:
      containers:
        - name: app
          image: registry.example.com/edge-sts:1.0
          resources:
            requests:
              cpu: 500m
`,
  ];
  return finish('edge-cases', w, manifests.join('---\n'));
}
