// The demo platform behind `queue-doctor scan --demo`: a documented, seeded generator for
// fixtures/demo/snapshot.json (see fixtures/demo/README.md).
//
//   npm run demo:generate          # rewrites fixtures/demo/snapshot.json
//
// How the snapshot is made, so that everything in it is consistent and is exactly what a live
// scan would see:
//  1. Each workload has a seeded arrival process (jobs per second over time) and a job-duration
//     distribution. The simulator (src/simulate) runs the jobs through the workload's own
//     autoscaler — the HPA or ScaledObject object that is in the demo cluster — and returns
//     backlog, in-flight, replicas, ready pods and CPU over time.
//  2. The cluster objects are built with the recorded-cluster builders of
//     fixtures/clusters/generate.mjs (API-server defaults, status, uid, resourceVersion,
//     ownerReferences), with replica counts and HPA status taken from the simulation's end.
//  3. The simulated timelines become Prometheus series as the real exporters write them
//     (kube-state-metrics pods/ReplicaSets/HPAs, cAdvisor CPU counters, DCGM, and the queue
//     exporters: agent-queue, RabbitMQ, kafka_exporter, celery-exporter, yabeda-sidekiq),
//     backfilled into a real Prometheus with promtool.
//  4. `queue-doctor scan --snapshot <objects> --prometheus-url <that Prometheus> --at … --window 6h
//     --save-snapshot` runs the real pipeline once and records every PromQL request and answer;
//     `scan --demo` replays exactly those answers offline.
//  5. The recording's URL is set to the in-cluster address of the demo's Prometheus (as if the
//     scan had run with --prometheus-url http://kube-prometheus-stack-prometheus.monitoring.svc:9090),
//     and createdAt to the evaluation time, so the file does not change between runs.
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRng, jobsFrom, poisson, policyFromManifest, simulateJobs, type CpuModel, type Rng, type SimulationResult } from '../../../src/simulate/index.js';
import { OpenMetricsWriter } from '../series-gen.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEMO_DIR = join(REPO, 'fixtures', 'demo');

/** The one seed: every random draw of the demo derives from it. */
export const DEMO_SEED = 20260310;
/** Evaluation time (the end of the window): Tuesday 2026-03-10 15:00 UTC, mid-afternoon peak. */
export const DEMO_AT = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;
/** The window the scan reads (the CLI default, 6 h). */
export const DEMO_WINDOW = 6 * 3600;
/** Simulated history before the window, so queues and replicas are in a steady state and rate() has samples. */
export const DEMO_WARMUP = 3600;
/** Scrape interval of every series. */
export const DEMO_SCRAPE = 30;
export const DEMO_CONTEXT = 'demo';
/** The in-cluster address the recording is attributed to (a Service of the demo cluster). */
export const DEMO_PROMETHEUS = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';

const START = DEMO_AT - DEMO_WINDOW - DEMO_WARMUP;
const HOUR = 3600;

// ---------------------------------------------------------------------------------------------
// The workloads

/** A job-duration distribution: lognormal by its median and σ of log. */
interface Duration {
  median: number;
  sigma: number;
}

/** What one demo workload is and how it behaves. */
export interface DemoWorkload {
  ns: string;
  name: string;
  kind: 'Deployment' | 'StatefulSet';
  /** What the README says it shows. */
  story: string;
  /** Findings the demo must show (asserted by test/e2e/scan-demo.test.ts). */
  expect: string[];
  container: string;
  /** CPU request, cores. */
  requestCores: number;
  concurrency: number;
  startupSeconds: number;
  graceSeconds: number;
  cpu: CpuModel;
  /** Job duration; undefined for workloads without a queue (their load is a CPU curve). */
  duration?: Duration;
  /** Expected arrivals per second at unix time t (the seeded Poisson process draws around it). */
  arrivals?: (t: number) => number;
  /** The autoscaler the workload runs under (simulated exactly as written); else fixed replicas. */
  autoscaler?: { kind: 'HorizontalPodAutoscaler' | 'ScaledObject'; name: string; spec: Record<string, any> };
  replicas?: number;
  gpu?: boolean;
  /** Writes the queue exporter's series from the simulation. */
  queue?: (w: OpenMetricsWriter, run: WorkloadRun) => void;
  /** For fixed infrastructure without jobs: CPU % of request over time. */
  cpuCurve?: (t: number) => number;
}

const hours = (t: number) => (t - START) / HOUR;
/** A smooth afternoon ramp: 0 at the start of the simulated history, 1 at the evaluation time. */
const ramp = (t: number) => Math.min(1, Math.max(0, (t - START) / (DEMO_AT - START)));

/** Repeating bursts: `base` per second, `peak` during `length` seconds every `every` seconds (phase-shifted). */
function bursts(base: number, peak: number, every: number, length: number, phase = 0) {
  return (t: number) => (((t - START + phase) % every) < length ? peak : base);
}

const PROM_AGENT = (q: string) => `sum(agent_queue_depth{queue="${q}"})`;

export function demoWorkloads(): DemoWorkload[] {
  return [
    {
      ns: 'rag',
      name: 'rag-worker',
      kind: 'Deployment',
      story:
        'The seed scenario. A RAG worker that calls an LLM (4 concurrent calls per pod, ~17 s each). Afternoon traffic outgrows one pod; ' +
        'the queue climbs past 100 jobs while CPU stays at 5–15 %, far under the HPA’s 70 % target, so the HPA never adds a replica.',
      expect: ['QD201'],
      container: 'worker',
      requestCores: 0.5,
      concurrency: 4,
      startupSeconds: 40,
      graceSeconds: 120,
      cpu: { idlePercent: 5, perBusySlotPercent: 2.1 },
      duration: { median: 16, sigma: 0.45 },
      arrivals: (t) => 0.15 + 0.083 * Math.min(1, 1.7 * ramp(t)) + 0.006 * Math.sin(hours(t) * 2.1),
      autoscaler: {
        kind: 'HorizontalPodAutoscaler',
        name: 'rag-worker',
        spec: { minReplicas: 1, maxReplicas: 10, metrics: [cpuMetric(70)] },
      },
      queue: agentQueue('rag', 'default', 'rag-api', 'rag.tasks.answer'),
    },
    {
      ns: 'ml',
      name: 'embedding-worker',
      kind: 'Deployment',
      story:
        'A GPU embedding worker (nvidia.com/gpu: 1) on a CPU HPA. Bulk document uploads saturate both GPUs (DCGM ~95 %) while the CPU ' +
        'that feeds them idles at 10–14 %: the HPA keeps 2 replicas however long the queue gets.',
      expect: ['QD102'],
      container: 'embedder',
      requestCores: 4,
      concurrency: 1,
      startupSeconds: 150,
      graceSeconds: 300,
      cpu: { idlePercent: 6, perBusySlotPercent: 8 },
      duration: { median: 5.5, sigma: 0.3 },
      arrivals: (t) => 0.16 + 0.05 * Math.sin(hours(t) * 1.3) + (bulk(t) ? 0.3 : 0),
      autoscaler: {
        kind: 'HorizontalPodAutoscaler',
        name: 'embedding-worker',
        spec: { minReplicas: 2, maxReplicas: 8, metrics: [cpuMetric(60)] },
      },
      gpu: true,
      queue: agentQueue('ml', 'embeddings', 'ingest-api', 'ml.embed_chunks'),
    },
    {
      ns: 'workers',
      name: 'celery-worker',
      kind: 'Deployment',
      story:
        'A Celery worker on RabbitMQ that is fine: already on KEDA, with a rabbitmq trigger over the management API (ready + unacked ' +
        'messages), so replicas follow the e-mail queue up and down and jobs wait a few seconds at most.',
      expect: [],
      container: 'celery',
      requestCores: 0.25,
      concurrency: 8,
      startupSeconds: 25,
      graceSeconds: 60,
      cpu: { idlePercent: 4, perBusySlotPercent: 4 },
      duration: { median: 1.1, sigma: 0.6 },
      arrivals: (t) => 3 + 5 * ramp(t) + 1.2 * Math.sin(hours(t) * 1.7),
      autoscaler: {
        kind: 'ScaledObject',
        name: 'celery-worker',
        spec: {
          pollingInterval: 15,
          cooldownPeriod: 300,
          minReplicaCount: 1,
          maxReplicaCount: 12,
          advanced: {
            horizontalPodAutoscalerConfig: {
              behavior: {
                scaleUp: { stabilizationWindowSeconds: 60, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
                scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Percent', value: 25, periodSeconds: 60 }] },
              },
            },
          },
          triggers: [
            {
              type: 'rabbitmq',
              metadata: { protocol: 'http', queueName: 'emails', mode: 'QueueLength', value: '5', vhostName: '/' },
              authenticationRef: { name: 'rabbitmq-management' },
            },
          ],
        },
      },
      queue: rabbitQueue('emails'),
    },
    {
      ns: 'streaming',
      name: 'orders-consumer',
      kind: 'Deployment',
      story:
        'A Kafka consumer (12 partitions) on a CPU HPA. Scoring orders for fraud is CPU-bound, so the HPA did scale — to its maxReplicas of 6 — ' +
        'and has sat there for hours while the consumer-group lag keeps rising: demand is above what 6 pods can do.',
      expect: ['QD202'],
      container: 'consumer',
      requestCores: 0.5,
      concurrency: 1,
      startupSeconds: 35,
      graceSeconds: 30,
      cpu: { idlePercent: 8, perBusySlotPercent: 84 },
      duration: { median: 1.9, sigma: 0.3 },
      arrivals: (t) => 2.1 + 1.35 * ramp(t) + 0.12 * Math.sin(hours(t) * 2.5),
      autoscaler: {
        kind: 'HorizontalPodAutoscaler',
        name: 'orders-consumer',
        spec: { minReplicas: 2, maxReplicas: 6, metrics: [cpuMetric(60)] },
      },
      queue: kafkaQueue('orders', 'orders-processor', 12),
    },
    {
      ns: 'media',
      name: 'image-resizer',
      kind: 'Deployment',
      story:
        'A CPU-bound Celery worker (thumbnails, on Redis) whose HPA has no scale-down stabilisation. Photo batches arrive every 20 ' +
        'minutes: CPU jumps, the HPA adds pods, the batch ends, the pods go, and between batches it flaps around its target — ' +
        'replicas change many times an hour, each scale-up paying a pod start-up.',
      expect: ['QD204'],
      container: 'resizer',
      requestCores: 1,
      concurrency: 4,
      startupSeconds: 45,
      graceSeconds: 30,
      cpu: { idlePercent: 5, perBusySlotPercent: 22 },
      duration: { median: 5.5, sigma: 0.4 },
      arrivals: (t) => bursts(0.3, 2.4, 20 * 60, 240)(t),
      autoscaler: {
        kind: 'HorizontalPodAutoscaler',
        name: 'image-resizer',
        spec: {
          minReplicas: 1,
          maxReplicas: 10,
          metrics: [cpuMetric(60)],
          behavior: {
            scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }] },
            scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
          },
        },
      },
      queue: celeryQueue('images', 'media.tasks.make_thumbnails'),
    },
    {
      ns: 'billing',
      name: 'invoice-pdf',
      kind: 'Deployment',
      story:
        'A Sidekiq worker rendering invoice PDFs, held at an HPA minimum of 6 replicas. A job arrives every minute or so and finishes ' +
        'in seconds: the queue is empty almost all the time while 6 pods idle.',
      expect: ['QD205'],
      container: 'sidekiq',
      requestCores: 0.5,
      concurrency: 5,
      startupSeconds: 30,
      graceSeconds: 30,
      cpu: { idlePercent: 3, perBusySlotPercent: 6 },
      duration: { median: 3.5, sigma: 0.4 },
      arrivals: (t) => 0.012 + 0.012 * ramp(t),
      autoscaler: {
        kind: 'HorizontalPodAutoscaler',
        name: 'invoice-pdf',
        spec: { minReplicas: 6, maxReplicas: 12, metrics: [cpuMetric(75)] },
      },
      queue: sidekiqQueue('pdf', 'InvoicePdfJob'),
    },
    {
      ns: 'support',
      name: 'ticket-triage',
      kind: 'Deployment',
      story:
        'An LLM ticket classifier already on KEDA, but its prometheus trigger counts only ready messages ' +
        '(rabbitmq_queue_messages_ready): when workers take the backlog, the metric drops while the work is still running.',
      expect: ['QD113'],
      container: 'triage',
      requestCores: 0.25,
      concurrency: 1,
      startupSeconds: 20,
      graceSeconds: 60,
      cpu: { idlePercent: 4, perBusySlotPercent: 8 },
      duration: { median: 7, sigma: 0.4 },
      arrivals: (t) => 0.15 + 0.2 * ramp(t) + 0.05 * Math.sin(hours(t) * 3),
      autoscaler: {
        kind: 'ScaledObject',
        name: 'ticket-triage',
        spec: {
          pollingInterval: 30,
          cooldownPeriod: 120,
          minReplicaCount: 1,
          maxReplicaCount: 8,
          triggers: [
            {
              type: 'prometheus',
              metadata: { serverAddress: DEMO_PROMETHEUS, query: 'sum(rabbitmq_queue_messages_ready{queue="tickets"})', threshold: '5' },
            },
          ],
        },
      },
      queue: rabbitQueue('tickets'),
    },
    {
      ns: 'web',
      name: 'storefront',
      kind: 'Deployment',
      story: 'The shop’s web front end: CPU-bound HTTP requests on a CPU HPA at 65 %. CPU scaling suits it — it must not be flagged.',
      expect: [],
      container: 'web',
      requestCores: 0.5,
      concurrency: 16,
      startupSeconds: 12,
      graceSeconds: 30,
      cpu: { idlePercent: 8, perBusySlotPercent: 34 },
      duration: { median: 0.12, sigma: 0.5 },
      arrivals: (t) => 22 + 30 * ramp(t) + 6 * Math.sin(hours(t) * 1.9),
      autoscaler: {
        kind: 'HorizontalPodAutoscaler',
        name: 'storefront',
        spec: {
          minReplicas: 3,
          maxReplicas: 20,
          metrics: [cpuMetric(65)],
          behavior: {
            scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
            scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
          },
        },
      },
    },
    {
      ns: 'rag',
      name: 'redis-master',
      kind: 'StatefulSet',
      story: 'Infrastructure: the Redis behind the RAG queue (not a worker).',
      expect: [],
      container: 'redis',
      requestCores: 0.1,
      concurrency: 1,
      startupSeconds: 10,
      graceSeconds: 30,
      cpu: { idlePercent: 6, perBusySlotPercent: 0 },
      replicas: 1,
      cpuCurve: (t) => 9 + 5 * ramp(t) + 2 * Math.sin(hours(t) * 3.1),
    },
    {
      ns: 'workers',
      name: 'rabbitmq',
      kind: 'StatefulSet',
      story: 'Infrastructure: the RabbitMQ broker (not a worker).',
      expect: [],
      container: 'rabbitmq',
      requestCores: 0.25,
      concurrency: 1,
      startupSeconds: 30,
      graceSeconds: 120,
      cpu: { idlePercent: 10, perBusySlotPercent: 0 },
      replicas: 1,
      cpuCurve: (t) => 18 + 10 * ramp(t) + 3 * Math.sin(hours(t) * 2.3),
    },
  ];
}

/** Bulk uploads into the embedding queue: two in the window, the second still running at the end. */
function bulk(t: number): boolean {
  const h = (t - DEMO_AT) / HOUR;
  return (h > -4.6 && h < -4.0) || (h > -1.2 && h < -0.25);
}

function cpuMetric(utilization: number) {
  return { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: utilization } } };
}

// ---------------------------------------------------------------------------------------------
// Simulation

/** One pod's life in the simulated history. */
export interface PodLife {
  name: string;
  replicaset?: string;
  created: number;
  ready: number;
  /** Last sample time it exists (inclusive), or Infinity. */
  gone: number;
  /** Per-pod CPU variation (multiplier around 1). */
  jitter: number;
}

/** A workload's simulated history on the scrape grid (t = START, START+30, …, DEMO_AT). */
export interface WorkloadRun {
  spec: DemoWorkload;
  t: number[];
  backlog: number[];
  inflight: number[];
  replicas: number[];
  ready: number[];
  cpuPercent: number[];
  /** Cumulative jobs arrived / completed at each grid point. */
  arrived: number[];
  completed: number[];
  pods: PodLife[];
  replicaset?: string;
  result?: SimulationResult;
  rng: Rng;
}

/** The Deployment revision and ReplicaSet (pod-template-hash) name, as the cluster builder derives them. */
export function replicaSetOf(w: Pick<DemoWorkload, 'ns' | 'name'>): { revision: number; name: string } {
  const revision = 1 + (w.name.length % 9);
  const hash = createHash('sha1').update(`${w.ns}/${w.name}/${revision}`).digest('hex').slice(0, 10).replace(/[aeiou]/g, 'b');
  return { revision, name: `${w.name}-${hash}` };
}

const POD_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function simulateWorkload(spec: DemoWorkload, index: number): WorkloadRun {
  const seed = (DEMO_SEED + 7919 * (index + 1)) >>> 0;
  const rng = createRng(seed);
  const grid: number[] = [];
  for (let t = START; t <= DEMO_AT; t += DEMO_SCRAPE) grid.push(t);
  const n = grid.length;
  const run: WorkloadRun = {
    spec,
    t: grid,
    backlog: new Array(n).fill(0),
    inflight: new Array(n).fill(0),
    replicas: new Array(n).fill(spec.replicas ?? 1),
    ready: new Array(n).fill(spec.replicas ?? 1),
    cpuPercent: new Array(n).fill(spec.cpu.idlePercent),
    arrived: new Array(n).fill(0),
    completed: new Array(n).fill(0),
    pods: [],
    rng,
  };
  if (spec.kind === 'Deployment') run.replicaset = replicaSetOf(spec).name;

  if (spec.arrivals && spec.duration) {
    // seeded Poisson arrivals in 10 s buckets, lognormal durations
    const arrival: number[] = [];
    const service: number[] = [];
    const mu = Math.log(spec.duration.median);
    for (let t0 = START; t0 < DEMO_AT; t0 += 10) {
      const k = poisson(rng, Math.max(0, spec.arrivals(t0 + 5)) * 10);
      const from = arrival.length;
      for (let j = 0; j < k; j++) arrival.push(t0 + rng.next() * 10);
      const slice = arrival.slice(from).sort((a, b) => a - b);
      for (let j = 0; j < k; j++) {
        arrival[from + j] = slice[j];
        service.push(Math.exp(mu + spec.duration.sigma * rng.normal()));
      }
    }
    const policy = spec.autoscaler
      ? policyFromManifest({ apiVersion: spec.autoscaler.kind === 'ScaledObject' ? 'keda.sh/v1alpha1' : 'autoscaling/v2', kind: spec.autoscaler.kind, metadata: { name: spec.autoscaler.name }, spec: spec.autoscaler.spec })
      : { kind: 'fixed' as const, name: 'fixed', replicas: spec.replicas ?? 1 };
    const result = simulateJobs(jobsFrom(arrival, service, seed), { start: START, end: DEMO_AT + DEMO_SCRAPE }, policy, {
      startupSeconds: spec.startupSeconds,
      concurrency: spec.concurrency,
      graceSeconds: spec.graceSeconds,
      targetWaitSeconds: 60,
      seed,
      cpuModel: spec.cpu,
      scrapeIntervalSeconds: DEMO_SCRAPE,
      timelinePoints: n,
    });
    const tl = result.timeline;
    let arrived = 0;
    let completed = 0;
    for (let i = 0; i < n; i++) {
      // the timeline samples exactly on the grid (span n × 30 s, n points)
      run.backlog[i] = tl.backlog[i];
      run.inflight[i] = tl.inflight[i];
      run.replicas[i] = tl.replicas[i];
      run.ready[i] = tl.readyReplicas[i];
      run.cpuPercent[i] = Number.isFinite(tl.cpuPercent[i]) ? tl.cpuPercent[i] : spec.cpu.idlePercent;
      arrived += tl.arrivals[i];
      completed += tl.completed[i];
      run.arrived[i] = arrived;
      run.completed[i] = completed;
    }
    run.result = result;
  } else if (spec.cpuCurve) {
    for (let i = 0; i < n; i++) run.cpuPercent[i] = spec.cpuCurve(grid[i]);
  }

  // pods: created when the replica count rises, newest removed first when it falls (ReplicaSet order)
  const alive: PodLife[] = [];
  const newPod = (t: number, warm: boolean): PodLife => {
    let name: string;
    if (spec.kind === 'StatefulSet') name = `${spec.name}-${run.pods.length}`;
    else {
      let suffix = '';
      for (let j = 0; j < 5; j++) suffix += POD_ALPHABET[Math.floor(rng.next() * POD_ALPHABET.length)];
      name = `${run.replicaset}-${suffix}`;
    }
    const created = warm ? t - 6 * HOUR - Math.floor(rng.next() * 20 * HOUR) : t;
    const pod: PodLife = { name, replicaset: run.replicaset, created, ready: created + spec.startupSeconds + Math.round(rng.next() * 8), gone: Infinity, jitter: 0.9 + 0.2 * rng.next() };
    run.pods.push(pod);
    return pod;
  };
  for (let i = 0; i < n; i++) {
    const want = run.replicas[i];
    while (alive.length < want) alive.push(newPod(grid[i], i === 0));
    while (alive.length > want) alive.pop()!.gone = grid[i] - DEMO_SCRAPE;
  }
  return run;
}

// ---------------------------------------------------------------------------------------------
// Series

const KSM = { job: 'kube-state-metrics' };

/** kube-state-metrics + cAdvisor (+ DCGM) series of one simulated workload. */
function kubeSeries(w: OpenMetricsWriter, run: WorkloadRun): void {
  const s = run.spec;
  const ns = s.ns;
  const idx = (t: number) => Math.round((t - START) / DEMO_SCRAPE);
  const at = <T>(arr: T[]) => (t: number) => arr[Math.min(arr.length - 1, Math.max(0, idx(t)))];
  for (const p of run.pods) {
    const on = (t: number) => t >= p.created && t <= p.gone;
    const ownerKind = s.kind === 'StatefulSet' ? 'StatefulSet' : 'ReplicaSet';
    const ownerName = s.kind === 'StatefulSet' ? s.name : p.replicaset!;
    w.gauge('kube_pod_owner', { ...KSM, namespace: ns, pod: p.name, owner_kind: ownerKind, owner_name: ownerName, owner_is_controller: 'true' }, (t) => (on(t) ? 1 : undefined));
    w.gauge('kube_pod_container_resource_requests', { ...KSM, namespace: ns, pod: p.name, container: s.container, node: nodeOf(p.name, s.gpu), resource: 'cpu', unit: 'core' }, (t) => (on(t) ? s.requestCores : undefined));
    w.gauge('kube_pod_created', { ...KSM, namespace: ns, pod: p.name }, (t) => (on(t) ? p.created : undefined));
    w.gauge('kube_pod_status_ready_time', { ...KSM, namespace: ns, pod: p.name }, (t) => (on(t) && t >= p.ready ? p.ready : undefined));
    // cAdvisor: a counter whose rate is the pod's CPU (cores); a starting pod uses its idle share
    let used = 1000 + Math.round(p.jitter * 400);
    const cumulative = new Map<number, number>();
    let last = -Infinity;
    const cpuCounter = (t: number) => {
      if (!on(t)) return undefined;
      if (!cumulative.has(t)) {
        if (last > -Infinity) {
          const i = idx(t);
          const pct = t - DEMO_SCRAPE >= p.ready ? run.cpuPercent[i] : s.cpu.idlePercent;
          used += (pct / 100) * s.requestCores * p.jitter * (t - last);
        }
        last = t;
        cumulative.set(t, used);
      }
      return cumulative.get(t);
    };
    w.counter('container_cpu_usage_seconds_total', { job: 'kubelet', metrics_path: '/metrics/cadvisor', namespace: ns, pod: p.name, container: s.container, image: `registry.acme.io/${s.name}` }, cpuCounter);
    if (s.gpu) {
      const gpuAt = (t: number) => {
        const i = idx(t);
        const busy = run.ready[i] > 0 ? Math.min(1, run.inflight[i] / (run.ready[i] * s.concurrency)) : 0;
        return Math.round(Math.min(100, busy * 96 * p.jitter + 1));
      };
      w.gauge('DCGM_FI_DEV_GPU_UTIL', { job: 'dcgm-exporter', gpu: '0', modelName: 'NVIDIA L4', namespace: ns, pod: p.name, container: s.container }, (t) => (on(t) && t >= p.ready ? gpuAt(t) : undefined));
    }
  }
  if (s.kind === 'Deployment') {
    w.gauge('kube_replicaset_owner', { ...KSM, namespace: ns, replicaset: run.replicaset!, owner_kind: 'Deployment', owner_name: s.name, owner_is_controller: 'true' }, () => 1);
    w.gauge('kube_deployment_status_replicas', { ...KSM, namespace: ns, deployment: s.name }, at(run.replicas));
  } else {
    w.gauge('kube_statefulset_status_replicas', { ...KSM, namespace: ns, statefulset: s.name }, at(run.replicas));
  }
  const a = s.autoscaler;
  if (a) {
    const hpaName = a.kind === 'ScaledObject' ? `keda-hpa-${a.name}` : a.name;
    const h = { ...KSM, namespace: ns, horizontalpodautoscaler: hpaName };
    const min = a.kind === 'ScaledObject' ? Math.max(1, a.spec.minReplicaCount ?? 0) : a.spec.minReplicas ?? 1;
    const max = a.kind === 'ScaledObject' ? a.spec.maxReplicaCount ?? 100 : a.spec.maxReplicas;
    w.gauge('kube_horizontalpodautoscaler_info', { ...h, scaletargetref_api_version: 'apps/v1', scaletargetref_kind: s.kind, scaletargetref_name: s.name }, () => 1);
    w.gauge('kube_horizontalpodautoscaler_spec_min_replicas', h, () => min);
    w.gauge('kube_horizontalpodautoscaler_spec_max_replicas', h, () => max);
    w.gauge('kube_horizontalpodautoscaler_status_current_replicas', h, at(run.replicas));
    const desired = run.replicas.map((_, i) => run.replicas[Math.min(run.replicas.length - 1, i + 1)]);
    w.gauge('kube_horizontalpodautoscaler_status_desired_replicas', h, at(desired));
    const cpuTarget = a.kind === 'HorizontalPodAutoscaler' ? a.spec.metrics?.find((m: any) => m.resource?.name === 'cpu')?.resource.target.averageUtilization : undefined;
    if (cpuTarget !== undefined) w.gauge('kube_horizontalpodautoscaler_spec_target_metric', { ...h, metric_name: 'cpu', metric_target_type: 'utilization' }, () => cpuTarget);
  }
}

function nodeOf(pod: string, gpu?: boolean): string {
  const h = createHash('sha1').update(pod).digest();
  return gpu ? `gke-demo-l4-pool-${h.toString('hex').slice(0, 8)}-${h[8] % 3}` : `gke-demo-default-pool-${h.toString('hex').slice(0, 8)}-${h[8] % 6}`;
}

/** Cumulative fraction of a lognormal(median, σ) at x. */
function lognormalCdf(x: number, d: Duration): number {
  if (x <= 0) return 0;
  return 0.5 * (1 + erf((Math.log(x) - Math.log(d.median)) / (d.sigma * Math.SQRT2)));
}

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7): enough for histogram bucket fractions. */
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

function meanOf(d: Duration): number {
  return d.median * Math.exp((d.sigma * d.sigma) / 2);
}

/** A histogram of job durations that grows with `count(t)` completed jobs. */
function durationHistogram(w: OpenMetricsWriter, base: string, labels: Record<string, string>, d: Duration, bounds: number[], count: (t: number) => number | undefined): void {
  for (const b of bounds) {
    const f = lognormalCdf(b, d);
    w.gauge(`${base}_bucket`, { ...labels, le: Number.isInteger(b) ? `${b}.0` : String(b) }, (t) => map(count(t), (c) => Math.floor(c * f)));
  }
  w.gauge(`${base}_bucket`, { ...labels, le: '+Inf' }, count);
  w.gauge(`${base}_sum`, labels, (t) => map(count(t), (c) => Math.round(c * meanOf(d) * 1000) / 1000));
  w.gauge(`${base}_count`, labels, count);
}

function map<T, U>(x: T | undefined, f: (x: T) => U): U | undefined {
  return x === undefined ? undefined : f(x);
}

function indexer(run: WorkloadRun) {
  return (t: number) => Math.min(run.t.length - 1, Math.max(0, Math.round((t - START) / DEMO_SCRAPE)));
}

/** Completions split over the pods alive at each point (each pod's own counter, starting at 0 when it is created). */
function perPodCompletions(run: WorkloadRun): Map<string, (t: number) => number | undefined> {
  const idx = indexer(run);
  const counters = new Map<string, number[]>();
  for (const p of run.pods) counters.set(p.name, new Array(run.t.length).fill(0));
  for (let i = 1; i < run.t.length; i++) {
    const t = run.t[i];
    const serving = run.pods.filter((p) => t - DEMO_SCRAPE >= p.ready && t <= p.gone);
    const done = run.completed[i] - run.completed[i - 1];
    for (const p of run.pods) counters.get(p.name)![i] = counters.get(p.name)![i - 1];
    serving.forEach((p, j) => {
      const share = Math.floor(done / serving.length) + (j < done % serving.length ? 1 : 0);
      counters.get(p.name)![i] += share;
    });
  }
  const out = new Map<string, (t: number) => number | undefined>();
  for (const p of run.pods) {
    const c = counters.get(p.name)!;
    out.set(p.name, (t) => (t >= p.created && t <= p.gone ? c[idx(t)] : undefined));
  }
  return out;
}

/** The agent-queue convention (rules/queue-systems.ts 'agent-queue'): depth and in-flight per queue, counters per pod. */
function agentQueue(ns: string, queue: string, producer: string, task: string) {
  return (w: OpenMetricsWriter, run: WorkloadRun) => {
    const idx = indexer(run);
    const exporter = { job: 'agent-queue-exporter', namespace: ns, queue };
    w.gauge('agent_queue_depth', exporter, (t) => run.backlog[idx(t)]);
    w.gauge('agent_jobs_inflight', exporter, (t) => run.inflight[idx(t)]);
    w.counter('agent_jobs_enqueued_total', { job: producer, namespace: ns, queue }, (t) => run.arrived[idx(t)] + 5210);
    for (const [pod, count] of perPodCompletions(run)) {
      const labels = { job: run.spec.name, namespace: ns, queue, pod, task };
      w.counter('agent_jobs_completed_total', labels, count);
      durationHistogram(w, 'agent_job_duration_seconds', labels, run.spec.duration!, [1, 2.5, 5, 10, 15, 20, 30, 45, 60, 120], count);
    }
  };
}

/** rabbitmq_prometheus per-object metrics for one queue on the shared broker (namespace workers). */
function rabbitQueue(queue: string) {
  return (w: OpenMetricsWriter, run: WorkloadRun) => {
    const idx = indexer(run);
    const l = { job: 'rabbitmq', namespace: 'workers', instance: 'rabbitmq-0.rabbitmq-headless.workers.svc:9419', vhost: '/', queue };
    w.gauge('rabbitmq_queue_messages_ready', l, (t) => run.backlog[idx(t)]);
    w.gauge('rabbitmq_queue_messages_unacked', l, (t) => run.inflight[idx(t)]);
    w.gauge('rabbitmq_queue_messages', l, (t) => run.backlog[idx(t)] + run.inflight[idx(t)]);
    w.gauge('rabbitmq_queue_consumers', l, (t) => run.ready[idx(t)]);
    w.counter('rabbitmq_queue_messages_published_total', l, (t) => run.arrived[idx(t)] + 88_000);
  };
}

/** kafka_exporter: lag (waiting + uncommitted in-flight) and offsets, per partition. */
function kafkaQueue(topic: string, group: string, partitions: number) {
  return (w: OpenMetricsWriter, run: WorkloadRun) => {
    const idx = indexer(run);
    const weights = Array.from({ length: partitions }, (_, p) => 1 + 0.12 * Math.sin(p * 1.7));
    const total = weights.reduce((a, b) => a + b, 0);
    for (let p = 0; p < partitions; p++) {
      const share = weights[p] / total;
      const base = { job: 'kafka-exporter', namespace: 'streaming', instance: 'kafka-exporter.streaming.svc:9308' };
      const k = { ...base, consumergroup: group, topic, partition: String(p) };
      const produced = (t: number) => 4_000_000 + p * 1_331 + Math.floor(run.arrived[idx(t)] * share);
      const committed = (t: number) => produced(t) - Math.round((run.backlog[idx(t)] + run.inflight[idx(t)]) * share);
      w.gauge('kafka_consumergroup_lag', k, (t) => produced(t) - committed(t));
      w.gauge('kafka_consumergroup_current_offset', k, committed);
      w.gauge('kafka_topic_partition_current_offset', { ...base, topic, partition: String(p) }, produced);
    }
  };
}

/** danihodovic/celery-exporter: queue length, task events per worker host, runtime histogram. */
function celeryQueue(queue: string, task: string) {
  return (w: OpenMetricsWriter, run: WorkloadRun) => {
    const idx = indexer(run);
    const ns = run.spec.ns;
    const ex = { job: 'celery-exporter', namespace: ns };
    w.gauge('celery_queue_length', { ...ex, queue_name: queue }, (t) => run.backlog[idx(t)]);
    w.counter('celery_task_sent_total', { ...ex, name: task, queue_name: queue }, (t) => run.arrived[idx(t)] + 31_200);
    for (const [pod, count] of perPodCompletions(run)) {
      const l = { ...ex, name: task, hostname: `celery@${pod}`, queue_name: queue };
      w.counter('celery_task_succeeded_total', l, count);
      w.counter('celery_task_failed_total', l, (t) => map(count(t), (c) => Math.floor(c / 400)));
      durationHistogram(w, 'celery_task_runtime', l, run.spec.duration!, [0.5, 1, 2, 3, 5, 8, 13, 21, 60], count);
    }
  };
}

/** yabeda-sidekiq: waiting count per queue, success counter and runtime histogram per pod. */
function sidekiqQueue(queue: string, worker: string) {
  return (w: OpenMetricsWriter, run: WorkloadRun) => {
    const idx = indexer(run);
    const ns = run.spec.ns;
    w.gauge('sidekiq_jobs_waiting_count', { job: 'invoice-pdf-metrics', namespace: ns, queue }, (t) => run.backlog[idx(t)]);
    w.counter('sidekiq_jobs_enqueued_total', { job: 'billing-api', namespace: ns, queue, worker }, (t) => run.arrived[idx(t)] + 9_400);
    for (const [pod, count] of perPodCompletions(run)) {
      const l = { job: 'invoice-pdf', namespace: ns, pod, queue, worker };
      w.counter('sidekiq_jobs_success_total', l, count);
      durationHistogram(w, 'sidekiq_job_runtime_seconds', l, run.spec.duration!, [0.5, 1, 2.5, 5, 10, 30, 60], count);
    }
  };
}

/** Every series of the demo, as one OpenMetrics document for promtool. */
export function demoOpenMetrics(runs: WorkloadRun[]): string {
  const w = new OpenMetricsWriter(START, DEMO_AT, DEMO_SCRAPE);
  for (const run of runs) {
    kubeSeries(w, run);
    run.spec.queue?.(w, run);
  }
  return w.text();
}

// ---------------------------------------------------------------------------------------------
// Cluster objects

interface ClusterBuilderLike {
  minute: number;
  lists: Map<string, any[]>;
  uid(kind: string, ns: string, name: string): string;
  files(): Map<string, { kind: string; apiVersion: string; items: any[] }>;
}

/** The recorded-cluster builders (plain JS, loaded at run time). */
interface Builders {
  ClusterBuilder: new (name: string, opts?: Record<string, unknown>) => ClusterBuilderLike;
  deployment(b: ClusterBuilderLike, d: Record<string, any>): any;
  statefulSet(b: ClusterBuilderLike, s: Record<string, any>): any;
  hpa(b: ClusterBuilderLike, h: Record<string, any>): any;
  service(b: ClusterBuilderLike, s: Record<string, any>): any;
  namespace(b: ClusterBuilderLike, name: string, labels?: Record<string, string>): any;
  scaledObject(b: ClusterBuilderLike, s: Record<string, any>): any;
  triggerAuthentication(b: ClusterBuilderLike, t: Record<string, any>): any;
}

async function loadBuilders(): Promise<Builders> {
  const url = pathToFileURL(join(REPO, 'fixtures', 'clusters', 'generate.mjs')).href;
  return (await import(url)) as Builders;
}

/** Builder minutes are counted from this instant (fixtures/clusters/generate.mjs T0). */
const BUILDER_T0 = Date.parse('2025-09-01T08:00:00Z') / 1000;

const secretEnv = (name: string, secret: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });
const helmLabels = (release: string, name: string, component: string | null, version: string) => ({
  'app.kubernetes.io/instance': release,
  'app.kubernetes.io/managed-by': 'Helm',
  'app.kubernetes.io/name': name,
  ...(component ? { 'app.kubernetes.io/component': component } : {}),
  'app.kubernetes.io/version': version,
  'helm.sh/chart': `${name}-${version}`,
});
const helmAnnotations = (release: string, ns: string) => ({ 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': ns });

/** Each workload's container(s), env and pod-level settings (what classification and binding read). */
function podSpecOf(w: DemoWorkload): Record<string, any> {
  const req = (cpu: string, memory: string, extra: Record<string, string> = {}) => ({ requests: { cpu, memory, ...extra } });
  switch (`${w.ns}/${w.name}`) {
    case 'rag/rag-worker':
      return {
        serviceAccountName: 'rag-worker',
        terminationGracePeriodSeconds: w.graceSeconds,
        podAnnotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9100' },
        containers: [{
          name: w.container, image: 'ghcr.io/acme-ai/rag-worker:2.14.0', command: ['python', '-m', 'rag.worker'], args: ['--queue', 'default', '--concurrency', '4'],
          env: [
            { name: 'OPENAI_BASE_URL', value: 'http://vllm.ml.svc.cluster.local:8000/v1' },
            secretEnv('OPENAI_API_KEY', 'rag-llm', 'api-key'),
            { name: 'LLM_MODEL', value: 'meta-llama/Llama-3.1-8B-Instruct' },
            { name: 'QUEUE_NAME', value: 'default' },
            { name: 'REDIS_URL', value: 'redis://redis-master.rag.svc.cluster.local:6379/0' },
            secretEnv('REDIS_PASSWORD', 'redis', 'redis-password'),
            { name: 'VECTOR_DB_URL', value: 'http://qdrant.rag.svc.cluster.local:6333' },
            { name: 'WORKER_CONCURRENCY', value: '4' },
            fieldEnv('POD_NAME', 'metadata.name'),
          ],
          resources: { limits: { memory: '2Gi' }, ...req('500m', '1Gi') },
        }],
      };
    case 'ml/embedding-worker':
      return {
        nodeSelector: { 'nvidia.com/gpu.present': 'true' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        runtimeClassName: 'nvidia',
        terminationGracePeriodSeconds: w.graceSeconds,
        containers: [{
          name: w.container, image: 'ghcr.io/acme-ai/embedding-worker:0.4.1', command: ['python', '-m', 'embedder.worker'], args: ['--model', 'BAAI/bge-large-en-v1.5', '--batch-size', '64'],
          env: [{ name: 'QUEUE_NAME', value: 'embeddings' }, { name: 'REDIS_URL', value: 'redis://redis-master.rag.svc.cluster.local:6379/1' }, { name: 'HF_HOME', value: '/models' }, secretEnv('HF_TOKEN', 'hf', 'token')],
          resources: { limits: { 'nvidia.com/gpu': '1', memory: '24Gi' }, ...req('4', '16Gi', { 'nvidia.com/gpu': '1' }) },
          volumeMounts: [{ name: 'models', mountPath: '/models' }],
        }],
        volumes: [{ name: 'models', persistentVolumeClaim: { claimName: 'hf-models' } }],
      };
    case 'workers/celery-worker':
      return {
        terminationGracePeriodSeconds: w.graceSeconds,
        containers: [{
          name: w.container, image: 'registry.acme.io/shop/backend:2026.02.4', command: ['celery'], args: ['-A', 'shop.tasks', 'worker', '--loglevel=INFO', '--concurrency=8', '-Q', 'emails', '--prefetch-multiplier=1'],
          env: [
            { name: 'CELERY_BROKER_URL', value: 'amqp://rabbitmq.workers.svc.cluster.local:5672//' },
            secretEnv('CELERY_BROKER_PASSWORD', 'rabbitmq', 'rabbitmq-password'),
            { name: 'DJANGO_SETTINGS_MODULE', value: 'shop.settings.production' },
            secretEnv('DATABASE_PASSWORD', 'shop-db', 'password'),
          ],
          envFrom: [{ configMapRef: { name: 'shop-config' } }],
          resources: { limits: { cpu: '1', memory: '1Gi' }, ...req('250m', '512Mi') },
        }],
      };
    case 'streaming/orders-consumer':
      return {
        terminationGracePeriodSeconds: w.graceSeconds,
        containers: [{
          name: w.container, image: 'registry.acme.io/orders/consumer:1.9.2', command: ['java', '-XX:MaxRAMPercentage=75', '-jar', '/app/orders-consumer.jar'],
          env: [
            { name: 'KAFKA_BOOTSTRAP_SERVERS', value: 'kafka-kafka-bootstrap.streaming.svc:9092' },
            { name: 'KAFKA_CONSUMER_GROUP', value: 'orders-processor' },
            { name: 'KAFKA_TOPIC', value: 'orders' },
            { name: 'KAFKA_MAX_POLL_RECORDS', value: '200' },
            secretEnv('KAFKA_SASL_PASSWORD', 'orders-kafka-user', 'password'),
          ],
          resources: { limits: { memory: '1536Mi' }, ...req('500m', '1Gi') },
        }],
      };
    case 'media/image-resizer':
      return {
        terminationGracePeriodSeconds: w.graceSeconds,
        containers: [{
          name: w.container, image: 'registry.acme.io/media/resizer:3.4.0', command: ['celery'], args: ['-A', 'media.tasks', 'worker', '-Q', 'images', '--concurrency=4', '--loglevel=WARNING'],
          env: [{ name: 'CELERY_BROKER_URL', value: 'redis://redis-master.media.svc.cluster.local:6379/0' }, { name: 'THUMBNAIL_SIZES', value: '128,512,1024' }, secretEnv('S3_SECRET_ACCESS_KEY', 'media-s3', 'secret-access-key')],
          resources: { limits: { cpu: '2', memory: '2Gi' }, ...req('1', '1Gi') },
        }],
      };
    case 'billing/invoice-pdf':
      return {
        terminationGracePeriodSeconds: w.graceSeconds,
        containers: [{
          name: w.container, image: 'registry.acme.io/billing/app:4.8.0', command: ['bundle', 'exec', 'sidekiq'], args: ['-q', 'pdf', '-c', '5'],
          env: [{ name: 'REDIS_URL', value: 'redis://redis.billing.svc:6379/2' }, { name: 'SIDEKIQ_CONCURRENCY', value: '5' }, { name: 'RAILS_ENV', value: 'production' }, secretEnv('SECRET_KEY_BASE', 'billing-rails', 'secret-key-base')],
          resources: req('500m', '768Mi'),
        }],
      };
    case 'support/ticket-triage':
      return {
        terminationGracePeriodSeconds: w.graceSeconds,
        containers: [{
          name: w.container, image: 'ghcr.io/acme-ai/ticket-triage:1.3.1', command: ['python', '-m', 'triage.consumer'],
          env: [
            { name: 'RABBITMQ_QUEUE', value: 'tickets' },
            { name: 'AMQP_URL', value: 'amqp://rabbitmq.workers.svc.cluster.local:5672/%2F' },
            secretEnv('AMQP_PASSWORD', 'rabbitmq', 'rabbitmq-password'),
            { name: 'OPENAI_BASE_URL', value: 'http://vllm.ml.svc.cluster.local:8000/v1' },
            { name: 'LLM_MODEL', value: 'meta-llama/Llama-3.1-8B-Instruct' },
          ],
          resources: req('250m', '512Mi'),
        }],
      };
    case 'web/storefront':
      return {
        terminationGracePeriodSeconds: w.graceSeconds,
        containers: [{
          name: w.container, image: 'registry.acme.io/web/storefront:5.2.0', ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }],
          env: [{ name: 'PORT', value: '8080' }, { name: 'API_BASE_URL', value: 'http://api.web.svc.cluster.local' }, { name: 'NODE_ENV', value: 'production' }],
          resources: { limits: { memory: '1Gi' }, ...req('500m', '512Mi') },
          readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
          livenessProbe: { httpGet: { path: '/livez', port: 'http' }, initialDelaySeconds: 10 },
        }],
      };
    case 'rag/redis-master':
      return {
        serviceName: 'redis-headless',
        containers: [{
          name: w.container, image: 'docker.io/bitnami/redis:7.2.5-debian-12-r4', command: ['/bin/bash'], args: ['-c', '/opt/bitnami/scripts/start-scripts/start-master.sh'],
          env: [{ name: 'REDIS_REPLICATION_MODE', value: 'master' }, { name: 'ALLOW_EMPTY_PASSWORD', value: 'no' }, secretEnv('REDIS_PASSWORD', 'redis', 'redis-password'), { name: 'REDIS_PORT', value: '6379' }],
          ports: [{ name: 'redis', containerPort: 6379 }],
          resources: { limits: { cpu: '150m', memory: '192Mi' }, ...req('100m', '128Mi') },
        }],
      };
    case 'workers/rabbitmq':
      return {
        serviceName: 'rabbitmq-headless',
        terminationGracePeriodSeconds: w.graceSeconds,
        containers: [{
          name: w.container, image: 'docker.io/bitnami/rabbitmq:3.13.6-debian-12-r1',
          env: [{ name: 'RABBITMQ_USERNAME', value: 'app' }, secretEnv('RABBITMQ_PASSWORD', 'rabbitmq', 'rabbitmq-password'), secretEnv('RABBITMQ_ERL_COOKIE', 'rabbitmq', 'rabbitmq-erlang-cookie'), { name: 'RABBITMQ_PLUGINS', value: 'rabbitmq_management, rabbitmq_peer_discovery_k8s, rabbitmq_prometheus' }],
          ports: [{ name: 'amqp', containerPort: 5672 }, { name: 'dist', containerPort: 25672 }, { name: 'stats', containerPort: 15672 }, { name: 'epmd', containerPort: 4369 }, { name: 'metrics', containerPort: 9419 }],
          resources: req('250m', '512Mi'),
        }],
      };
    default:
      throw new Error(`no pod spec for ${w.ns}/${w.name}`);
  }
}

/**
 * Per-workload annotations: the queue-doctor.io contract where a team set it. queue-doctor does
 * not read a worker's concurrency from its command line, so the teams that run several jobs per
 * pod say so (otherwise sizing assumes 1 and over-provisions).
 */
function annotationsOf(w: DemoWorkload): Record<string, string> {
  switch (`${w.ns}/${w.name}`) {
    case 'rag/rag-worker':
      return {
        'queue-doctor.io/backlog-query': PROM_AGENT('default'),
        'queue-doctor.io/inflight-query': 'sum(agent_jobs_inflight{queue="default"})',
        'queue-doctor.io/throughput-query': 'sum(rate(agent_jobs_completed_total{queue="default"}[5m]))',
        'queue-doctor.io/job-duration-query': 'sum(rate(agent_job_duration_seconds_sum{queue="default"}[1h])) / sum(rate(agent_job_duration_seconds_count{queue="default"}[1h]))',
        'queue-doctor.io/concurrency': '4',
        'queue-doctor.io/target-wait': '1m',
      };
    case 'streaming/orders-consumer':
    case 'media/image-resizer':
    case 'billing/invoice-pdf':
    case 'workers/celery-worker':
      return { 'queue-doctor.io/concurrency': String(w.concurrency) };
    case 'support/ticket-triage':
      return { 'queue-doctor.io/job-duration': '8s', 'queue-doctor.io/target-wait': '2m' };
    default:
      return {};
  }
}

/** The demo cluster as snapshot entries, with replica counts and HPA status from the simulation's end. */
export async function demoObjects(runs: WorkloadRun[]): Promise<Array<{ context: string; object: Record<string, any> }>> {
  const B = await loadBuilders();
  const b = new B.ClusterBuilder('demo', { rvStart: 73_140_000, version: { major: '1', minor: '31', gitVersion: 'v1.31.5' } });
  for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) B.namespace(b, ns);
  b.minute = 60 * 24 * 30;
  const namespaces = [...new Set(['keda', 'monitoring', ...runs.map((r) => r.spec.ns)])].sort();
  for (const ns of namespaces) B.namespace(b, ns);
  B.service(b, { ns: 'default', name: 'kubernetes', manager: 'kube-apiserver', labels: { component: 'apiserver', provider: 'kubernetes' }, ports: [{ name: 'https', port: 443, targetPort: 6443 }] });
  B.service(b, {
    ns: 'monitoring', name: 'kube-prometheus-stack-prometheus',
    labels: { ...helmLabels('kube-prometheus-stack', 'kube-prometheus-stack', 'prometheus', '61.7.2'), release: 'kube-prometheus-stack', 'self-monitor': 'true' },
    annotations: helmAnnotations('kube-prometheus-stack', 'monitoring'),
    selector: { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': 'kube-prometheus-stack-prometheus' },
    ports: [{ name: 'http-web', port: 9090, targetPort: 9090 }],
  });

  for (const run of runs) {
    const w = run.spec;
    const last = run.t.length - 1;
    const replicas = run.replicas[last];
    const ready = Math.min(replicas, run.ready[last]);
    const labels = helmLabels(w.ns === 'workers' && w.name === 'rabbitmq' ? 'rabbitmq' : w.name, w.name, w.kind === 'StatefulSet' ? null : 'worker', '1.0.0');
    const pod = podSpecOf(w);
    if (w.kind === 'StatefulSet') {
      B.statefulSet(b, { ns: w.ns, name: w.name, release: w.name, labels, annotations: helmAnnotations(w.name, w.ns), replicas, ready, ...pod });
      B.service(b, { ns: w.ns, name: w.name, labels, annotations: helmAnnotations(w.name, w.ns), selector: { 'app.kubernetes.io/instance': w.name, 'app.kubernetes.io/name': w.name }, ports: pod.containers[0].ports.slice(0, 2).map((p: any) => ({ name: p.name, port: p.containerPort, targetPort: p.name })) });
      continue;
    }
    const a = w.autoscaler;
    B.deployment(b, {
      ns: w.ns, name: w.name, release: w.name, revision: replicaSetOf(w).revision, labels, replicas, ready, hpaManaged: a !== undefined,
      annotations: { ...helmAnnotations(w.name, w.ns), ...annotationsOf(w) },
      ...pod,
    });
    if (w.ns === 'web') {
      B.service(b, { ns: w.ns, name: w.name, labels, annotations: helmAnnotations(w.name, w.ns), selector: { 'app.kubernetes.io/instance': w.name, 'app.kubernetes.io/name': w.name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
    }
    if (!a) continue;
    const lastChange = lastChangeTime(run);
    const cpuNow = Math.round(run.cpuPercent[last]);
    if (a.kind === 'HorizontalPodAutoscaler') {
      B.hpa(b, {
        ns: w.ns, name: a.name, labels, annotations: helmAnnotations(w.name, w.ns), target: { name: w.name },
        min: a.spec.minReplicas, max: a.spec.maxReplicas, metrics: a.spec.metrics, behavior: a.spec.behavior,
        current: { replicas, desired: run.replicas[last], cpu: cpuNow, cpuRequestMillis: Math.round(w.requestCores * 1000), ...(lastChange ? { lastScaleMinute: (lastChange - BUILDER_T0) / 60 } : {}) },
      });
    } else {
      const { triggers, ...spec } = a.spec;
      const auth = triggers.find((t: any) => t.authenticationRef)?.authenticationRef?.name;
      if (auth) B.triggerAuthentication(b, { ns: w.ns, name: auth, spec: { secretTargetRef: [{ parameter: 'host', name: 'rabbitmq-management', key: 'uri' }] } });
      const value = run.replicas[last] > 0 ? Math.round((run.backlog[last] + run.inflight[last]) / run.replicas[last]) : 0;
      B.scaledObject(b, {
        ns: w.ns, name: a.name, target: w.name, labels, annotations: helmAnnotations(w.name, w.ns), active: run.backlog[last] + run.inflight[last] > 0, originalReplicas: 1,
        spec, triggers, hpaCurrent: { replicas, desired: run.replicas[last], external: value, ...(lastChange ? { lastScaleMinute: (lastChange - BUILDER_T0) / 60 } : {}) },
      });
    }
  }

  const out: Array<{ context: string; object: Record<string, any> }> = [];
  for (const [, list] of b.files()) {
    if (!list || !Array.isArray(list.items)) continue;
    const kind = list.kind.replace(/List$/, '');
    for (const item of list.items) out.push({ context: DEMO_CONTEXT, object: item.apiVersion ? item : { apiVersion: list.apiVersion, kind, ...item } });
  }
  return out;
}

function lastChangeTime(run: WorkloadRun): number | undefined {
  for (let i = run.replicas.length - 1; i > 0; i--) if (run.replicas[i] !== run.replicas[i - 1]) return run.t[i];
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The whole generation

export interface DemoSummary {
  workload: string;
  backlogNow: number;
  backlogMax: number;
  replicas: string;
  cpu: string;
  p95Wait?: number;
  jobs?: number;
}

export function summarize(runs: WorkloadRun[]): DemoSummary[] {
  return runs.map((r) => {
    const last = r.t.length - 1;
    const inWindow = r.t.map((t, i) => (t >= DEMO_AT - DEMO_WINDOW ? i : -1)).filter((i) => i >= 0);
    const cpu = inWindow.map((i) => r.cpuPercent[i]).sort((a, b) => a - b);
    const q = (p: number) => cpu[Math.min(cpu.length - 1, Math.floor(p * cpu.length))];
    return {
      workload: `${r.spec.ns}/${r.spec.name}`,
      backlogNow: r.backlog[last],
      backlogMax: Math.max(...inWindow.map((i) => r.backlog[i])),
      replicas: `${Math.min(...inWindow.map((i) => r.replicas[i]))}..${Math.max(...inWindow.map((i) => r.replicas[i]))} now ${r.replicas[last]}`,
      cpu: `p10 ${q(0.1).toFixed(0)} % p90 ${q(0.9).toFixed(0)} %`,
      p95Wait: r.result ? Math.round(r.result.wait.p95) : undefined,
      jobs: r.result?.jobsArrived,
    };
  });
}

export function simulateDemo(): WorkloadRun[] {
  return demoWorkloads().map((w, i) => simulateWorkload(w, i));
}

/** Write fixtures/demo/snapshot.json (or `outDir`): simulate, backfill a real Prometheus, record a real scan. */
export async function generateDemo(outDir = DEMO_DIR, log: (s: string) => void = (s) => process.stderr.write(s + '\n')): Promise<string> {
  const { backfill, startPrometheus } = await import('../prometheus.js');
  const { main } = await import('../../../src/cli/main.js');
  const runs = simulateDemo();
  for (const s of summarize(runs)) log(`  ${s.workload.padEnd(26)} backlog now ${String(s.backlogNow).padStart(5)} (max ${s.backlogMax}), replicas ${s.replicas}, CPU ${s.cpu}${s.p95Wait !== undefined ? `, simulated p95 wait ${s.p95Wait}s over ${s.jobs} jobs` : ''}`);
  const objects = await demoObjects(runs);
  const om = demoOpenMetrics(runs);
  log(`  ${objects.length} objects, ${(om.length / 1e6).toFixed(1)} MB of OpenMetrics`);

  const work = mkdtempSync(join(tmpdir(), 'qd-demo-'));
  const filled = backfill([], [om]);
  const prom = await startPrometheus({ dataDir: filled.data });
  try {
    const input = join(work, 'objects');
    mkdirSync(input);
    writeFileSync(join(input, 'snapshot.json'), JSON.stringify({ version: 1, tool: 'queue-doctor', createdAt: iso(DEMO_AT), contexts: [DEMO_CONTEXT], objects }));
    const recorded = join(work, 'recorded');
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      ['scan', '--snapshot', input, '--prometheus-url', prom.url, '--at', iso(DEMO_AT), '--window', `${DEMO_WINDOW / HOUR}h`, '--save-snapshot', recorded, '-o', 'json'],
      {
        stdout: { write: (s: string) => out.push(s) },
        stderr: { write: (s: string) => err.push(s) },
        readStdin: async () => Buffer.alloc(0),
        stdinIsTTY: false,
        stderrIsTTY: false,
        stdoutIsTTY: false,
        cwd: REPO,
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    if (code !== 0 && code !== 1) throw new Error(`recording scan exited ${code}:\n${err.join('')}`);
    const report = JSON.parse(out.join(''));
    if (report.incomplete) throw new Error(`recording scan was incomplete:\n${err.join('')}`);
    const snap = JSON.parse(readFileSync(join(recorded, 'snapshot.json'), 'utf8'));
    snap.createdAt = iso(DEMO_AT);
    snap.prometheus.url = DEMO_PROMETHEUS;
    snap.meta = { ...snap.meta, source: { kind: 'cluster', detail: `context ${DEMO_CONTEXT}` }, generator: 'test/helpers/demo/generate-demo.ts', seed: DEMO_SEED };
    mkdirSync(outDir, { recursive: true });
    const path = join(outDir, 'snapshot.json');
    writeFileSync(path, serialize(snap));
    log(`  recorded ${snap.prometheus.entries.length} PromQL answers; findings: ${[...new Set(report.findings.map((f: any) => `${f.ruleId} ${f.object.namespace}/${f.object.name}`))].join(', ')}`);
    return path;
  } finally {
    await prom.stop();
    filled.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

/** JSON with one line per object and per recorded answer: readable diffs, a fraction of the pretty size. */
function serialize(snap: Record<string, any>): string {
  const { objects, prometheus, ...head } = snap;
  const lines = ['{'];
  for (const [k, v] of Object.entries(head)) lines.push(`${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  lines.push('"objects": [');
  objects.forEach((o: unknown, i: number) => lines.push(JSON.stringify(o) + (i < objects.length - 1 ? ',' : '')));
  lines.push('],');
  const { entries: unordered, ...promHead } = prometheus;
  // requests complete in any order (4 in flight): sort so the file is the same on every run
  const key = (e: any) => JSON.stringify([e.request.kind, e.request.query, e.request.time ?? null, e.request.start ?? null]);
  const entries = [...unordered].sort((a: any, b: any) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  // Prometheus returns series in no particular order, and sums them in no particular order
  // (the last bits of a float differ between runs): sort the series, keep 12 significant digits
  const fix = (p: [number, string]) => {
    const v = Number(p[1]);
    if (Number.isFinite(v)) p[1] = String(Number(v.toPrecision(12)));
  };
  for (const e of entries) {
    const result = e.data?.result;
    if (!Array.isArray(result)) continue;
    result.sort((a: any, b: any) => (JSON.stringify(a.metric) < JSON.stringify(b.metric) ? -1 : 1));
    for (const r of result) {
      if (Array.isArray(r.values)) r.values.forEach(fix);
      if (Array.isArray(r.value)) fix(r.value);
      // the recorder's compact matrix form: numbers on a fixed grid
      if (Array.isArray(r.v)) r.v = r.v.map((x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? Number(x.toPrecision(12)) : x));
    }
  }
  lines.push(`"prometheus": ${JSON.stringify(promHead).slice(0, -1)}, "entries": [`);
  entries.forEach((e: unknown, i: number) => lines.push(JSON.stringify(e) + (i < entries.length - 1 ? ',' : '')));
  lines.push(']}');
  lines.push('}');
  return lines.join('\n') + '\n';
}

function iso(unix: number): string {
  return new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const only = process.argv.includes('--simulate-only');
  if (only) {
    for (const s of summarize(simulateDemo())) console.log(JSON.stringify(s));
  } else {
    const path = await generateDemo();
    console.log(`wrote ${path}`);
  }
}
