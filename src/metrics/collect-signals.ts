// The metrics stage: inventory in, per-workload signals out. Plans a bounded set of PromQL
// requests (one discovery query, a constant number of batched queries, and the users' own
// annotation queries), sends them gently, binds workloads to queues, and derives signals.
import type { Inventory, Workload } from '../inventory/model.js';
import type { QueueSystem } from '../../rules/queue-systems.js';
import type { KubeServiceAccess, QueueBinding, Series, SignalsResult, WorkloadSignals } from './signals-model.js';
import { loadConnection, redactUrl, type PrometheusConnectionOptions, type ResolvedConnection } from './connection.js';
import { autoBind, candidatesFrom, explicitBinding, LOW_CONFIDENCE, queryOrigin, type Candidate } from './binding.js';
import { decodeMatrix, decodeVector, makeGrid, type Grid } from './decode.js';
import { deriveSignals, type FetchedSignals } from './derive.js';
import { discoverPrometheus, inClusterAddressOf, inClusterAddressOfUrl } from './discover-prometheus.js';
import { PrometheusQueryError, shorten, summariseErrors } from './errors.js';
import {
  cpuQuery,
  discoveryQuery,
  durationQuery,
  durationVariant,
  gpuUtilizationQuery,
  hpaQuery,
  HPA_METRICS,
  identityKey,
  identityOfRow,
  rateWindow,
  replicasQuery,
  startupQuery,
  queueSignalQuery,
  variantLabels,
  type QueueFilter,
  type QueueSignal,
} from './queries.js';
import { isFailure, QueryRunner, type PlannedQuery, type QueryOutcome } from './query-runner.js';
import { replayFrom, type Recorder, type RecordedPrometheus } from './record-replay.js';
import { sumSeries } from './stats.js';
import { createHttpTransport, type QueryTransport } from './transport.js';

export interface CollectSignalsOptions {
  /** Connection settings (see resolvePrometheusConnection). Without a url, serviceAccess is used to discover one. */
  prometheus: PrometheusConnectionOptions;
  /** Evaluation time, unix seconds (the end of the window). */
  at: number;
  /** History read from Prometheus, seconds (default 6 h at the CLI). */
  windowSeconds: number;
  /** Most HTTP requests to send, retries included (--max-queries). */
  maxQueries?: number;
  /** Per-query timeout, seconds (default 30). */
  queryTimeoutSeconds?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Default queue-wait objective (--target-wait), seconds. */
  targetWaitSeconds: number;
  /** Kubernetes access for auto-discovery when no url is given. */
  serviceAccess?: KubeServiceAccess[];
  /** Record every request and answer (for --save-snapshot). */
  recorder?: Recorder;
  /** Answer from a recording instead of Prometheus (for --snapshot): the JSON value or a transport. */
  replay?: RecordedPrometheus | QueryTransport | unknown;
  /** Called as requests complete. */
  onProgress?: (done: number, total: number) => void;
  /** Points per range series (default 721; never above 11,000). */
  maxPointsPerSeries?: number;
  /** Retries after the first attempt on 503/429/502/504/timeouts (default 2). */
  retries?: number;
  /** First back-off delay in ms, doubling (default 500). */
  backoffMs?: number;
  /** A ready transport (tests, embedding). */
  transport?: QueryTransport;
  /**
   * The scan's overall deadline, absolute ms on the Date.now() clock (`scan --timeout`): no
   * request is sent, retried or awaited past it; what is left is reported as not read.
   */
  deadline?: number;
  /** Where HTTPS_PROXY/HTTP_PROXY/NO_PROXY are read for a --prometheus-url (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Read every workload's signals from Prometheus.
 *
 * Request count: 1 discovery query + at most 5 Kubernetes queries (CPU, replicas, HPA, and GPU
 * and start-up when relevant) + at most 5 per catalogue queue system that has bound workloads
 * (backlog, in-flight, throughput, enqueues, duration histogram) — a constant that does not
 * grow with the number of workloads. Workloads bound by annotation or config add their own
 * queries (up to 4 each: backlog, in-flight, throughput, job duration), counted separately in
 * `queryStats.perWorkload`.
 *
 * Never throws for Prometheus trouble: failures become `warnings`, `errors` and
 * `incomplete: true` (exit 3), and whatever could be read is returned.
 */
export async function collectSignals(inventory: Inventory, options: CollectSignalsOptions): Promise<SignalsResult> {
  const result: SignalsResult = { byWorkload: new Map(), bindings: [], queryCount: 0, incomplete: false, warnings: [] };
  const grid = makeGrid(options.at, options.windowSeconds, { ...(options.maxPointsPerSeries !== undefined ? { maxPoints: options.maxPointsPerSeries } : {}) });
  const rw = rateWindow(grid.step);

  // 1. where to send queries
  const source = await openSource(options, result);
  if (!source) {
    result.incomplete = true;
    return result;
  }
  const transport = options.recorder ? options.recorder.wrap(source) : source;
  const runner = new QueryRunner(transport, {
    concurrency: options.concurrency ?? 4,
    ...(options.maxQueries !== undefined ? { maxQueries: options.maxQueries } : {}),
    timeoutSeconds: options.queryTimeoutSeconds ?? 30,
    retries: options.retries ?? 2,
    backoffMs: options.backoffMs ?? 500,
    ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });

  try {
    // Series are matched to workloads by namespace, kind and name: one Prometheus cannot tell
    // apart two contexts' workloads that share all three, so neither gets signals (never
    // another cluster's numbers).
    const shared = sharedAcrossContexts(inventory.workloads);
    const workloads = shared.size === 0 ? inventory.workloads : inventory.workloads.filter((w) => !shared.has(w));
    if (shared.size > 0) {
      result.incomplete = true;
      const names = [...new Set([...shared].map((w) => `${w.namespace}/${w.kind}/${w.name}`))];
      const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
      result.warnings.push(
        `${names.length} workload${names.length === 1 ? '' : 's'} (${shown}) ${names.length === 1 ? 'exists' : 'exist'} in several contexts and one Prometheus cannot tell their series apart: no signals for them; scan each context with its own Prometheus (--context C --prometheus-url …)`,
      );
    }
    if (workloads.length === 0) return finish(result, runner, grid, options);
    const namespaces = [...new Set(workloads.map((w) => w.namespace))].sort();
    const inCluster = result.prometheus?.inClusterAddress;

    // 2. discovery: which queue series exist (one instant query)
    runner.expect(1);
    const [disc] = await runner.runAll([{ request: { kind: 'instant', query: discoveryQuery(options.windowSeconds), time: grid.end }, origin: 'queue discovery', perWorkload: false }]);
    if (runner.fatal) return finish(result, runner, grid, options);
    const candidates = isFailure(disc) ? [] : candidatesFrom(decodeVector(disc).map((r) => r.labels));

    // 3. bindings
    const explicit = new Map<string, QueueBinding>();
    for (const w of workloads) {
      const b = explicitBinding(w, inCluster);
      if (b) explicit.set(w.id, b);
    }
    const scored = autoBind(workloads, candidates, { ...(inCluster ? { inClusterAddress: inCluster } : {}) });
    // an explicit backlog query wins; a confident auto-binding of the same workload still
    // supplies the companion series the annotations do not give
    const auto = { ...scored, bindings: scored.bindings.filter((a) => !explicit.has(a.binding.workloadId) || a.binding.confidence >= LOW_CONFIDENCE) };
    const membersByWorkload = new Map<string, Candidate[]>();
    const companionsOnly = new Set<string>();
    for (const a of auto.bindings) {
      membersByWorkload.set(a.binding.workloadId, a.members);
      const e = explicit.get(a.binding.workloadId);
      if (e) {
        companionsOnly.add(a.binding.workloadId);
        const queue = a.binding.queueName ? ` queue ${a.binding.queueName}` : '';
        e.evidence.push(`companion series (in-flight, completions, enqueues, duration) from ${a.binding.metric ?? a.binding.system}${queue}, auto-bound with confidence ${a.binding.confidence}`);
        if (!e.queueName && a.binding.queueName) e.queueName = a.binding.queueName;
      }
    }
    const bindingOf = new Map<string, QueueBinding>([...auto.bindings.filter((a) => !explicit.has(a.binding.workloadId)).map((a) => [a.binding.workloadId, a.binding] as const), ...explicit]);
    result.bindings = [...bindingOf.values()].sort((a, b) => a.workloadId.localeCompare(b.workloadId));

    // 4. the plan, in priority order (a budget cuts from the end)
    const plan: Array<PlannedQuery & { use: (o: QueryOutcome) => void }> = [];
    const catalogue = new Map<string, Map<QueueSignal | 'duration', Map<string, Series | Record<string, number>>>>();
    const systems = new Map<string, { system: QueueSystem; members: Candidate[] }>();
    for (const a of auto.bindings) {
      const s = a.members[0].system;
      const entry = systems.get(s.id) ?? { system: s, members: [] };
      entry.members.push(...a.members);
      systems.set(s.id, entry);
    }
    const sysFilter = (system: QueueSystem, members: Candidate[], signal: QueueSignal | 'duration'): QueueFilter => {
      const f: QueueFilter = {};
      const labels = variantLabels(system, {});
      if (system.namespaceScope === 'consumer') f.namespaces = [...new Set(members.map((m) => m.namespace).filter(Boolean))];
      const queues = [...new Set(members.map((m) => m.rawQueue).filter(Boolean))];
      if (queues.length && labels.queue.length) f.queues = queues;
      const consumers = [...new Set(members.map((m) => m.consumer).filter(Boolean))];
      if (consumers.length && labels.consumer.length && signal !== 'enqueued') f.consumers = consumers;
      if (system.id === 'generic') f.metrics = [...new Set(members.map((m) => m.metric))];
      return f;
    };
    const store = (systemId: string, signal: QueueSignal | 'duration') => {
      let bySignal = catalogue.get(systemId);
      if (!bySignal) catalogue.set(systemId, (bySignal = new Map()));
      let rows = bySignal.get(signal);
      if (!rows) bySignal.set(signal, (rows = new Map()));
      return rows;
    };
    // a request too long for a GET URL (through the API server's proxy) falls back to the same
    // query without its scope filters: more rows, of which the client keeps the ones it wants
    const range = (query: string) => ({ kind: 'range' as const, query, start: grid.start, end: grid.end, step: grid.step });
    const instant = (query: string) => ({ kind: 'instant' as const, query, time: grid.end });
    const unless = <T extends { query: string }>(r: T, planned: string): { fallback?: T } => (r.query !== planned ? { fallback: r } : {});
    const catalogueQuery = (system: QueueSystem, members: Candidate[], signal: QueueSignal) => {
      const q = queueSignalQuery(system, signal, sysFilter(system, members, signal), grid.step);
      if (!q) return;
      plan.push({
        request: range(q),
        ...unless(range(queueSignalQuery(system, signal, {}, grid.step)!), q),
        origin: `${system.title} ${signal}`,
        perWorkload: false,
        use: (o) => {
          if (isFailure(o)) return;
          const rows = store(system.id, signal);
          const rank = new Map<string, number>();
          for (const r of decodeMatrix(o, grid)) {
            // when two variants report the same queue, the first variant wins
            const { key, variant } = identityOfRow(system, r.labels, system[signal]!.variants);
            if ((rank.get(key) ?? Infinity) <= variant) continue;
            rank.set(key, variant);
            rows.set(key, r.series);
          }
        },
      });
    };
    const kube = new Map<string, Map<string, Series>>();
    const kubeRange = (name: string, query: (namespaces: string[]) => string, keyOf: (l: Record<string, string>) => string) =>
      plan.push({
        request: range(query(namespaces)),
        ...unless(range(query([])), query(namespaces)),
        origin: name,
        perWorkload: false,
        use: (o) => {
          if (isFailure(o)) return;
          const rows = new Map<string, Series>();
          for (const r of decodeMatrix(o, grid)) {
            const k = keyOf(r.labels);
            // the same object reported twice (two kube-state-metrics replicas): keep the first
            if (!rows.has(k)) rows.set(k, r.series);
          }
          kube.set(name, rows);
        },
      });
    const wkey = (l: Record<string, string>) => workloadKey(l.namespace ?? '', l.owner_kind ?? '', l.workload ?? '');

    for (const { system, members } of systems.values()) catalogueQuery(system, members, 'backlog');

    const perWorkload = new Map<string, FetchedSignals>();
    const fetched = (w: Workload) => {
      let f = perWorkload.get(w.id);
      if (!f) perWorkload.set(w.id, (f = { notes: [] }));
      return f;
    };
    const explicitRange = (w: Workload, key: 'backlog-query' | 'inflight-query' | 'throughput-query', query: string, set: (f: FetchedSignals, s: Series) => void) =>
      plan.push({
        request: { kind: 'range', query, start: grid.start, end: grid.end, step: grid.step },
        origin: queryOrigin(w, key),
        perWorkload: true,
        use: (o) => {
          const f = fetched(w);
          if (isFailure(o)) {
            f.notes.push(`${key}: ${o.kind === 'budget' ? 'not read (query budget exhausted)' : 'failed'}`);
            return;
          }
          const rows = decodeMatrix(o, grid);
          if (rows.length === 0) {
            f.notes.push(`${key} returned no series for the window: ${shorten(query, 80)}`);
            return;
          }
          if (rows.length > 1) f.notes.push(`${key} returned ${rows.length} series; they were summed`);
          set(f, sumSeries(rows.map((r) => r.series))!);
        },
      });
    for (const w of workloads) {
      const b = explicit.get(w.id);
      if (b) explicitRange(w, 'backlog-query', b.backlogQuery, (f, s) => (f.backlog = s));
    }
    kubeRange('CPU utilisation', (ns) => cpuQuery(ns, grid), wkey);
    kubeRange('replicas', replicasQuery, (l) =>
      l.deployment !== undefined ? workloadKey(l.namespace ?? '', 'Deployment', l.deployment) : workloadKey(l.namespace ?? '', 'StatefulSet', l.statefulset ?? ''),
    );
    kubeRange('HPA state', hpaQuery, (l) => {
      let qd: string = HPA_METRICS[l.__name__ ?? ''] ?? 'other';
      if (qd === 'target') qd = l.metric_name === 'cpu' && l.metric_target_type === 'utilization' ? 'target_cpu' : 'target_other';
      // info rows map a scale target to its HPA, for HPAs the inventory does not hold
      if (qd === 'info') return `info\u0000${l.namespace}\u0000${l.scaletargetref_kind ?? ''}\u0000${l.scaletargetref_name ?? ''}\u0000${l.horizontalpodautoscaler}`;
      return `${l.namespace}\u0000${l.horizontalpodautoscaler}\u0000${qd}`;
    });
    for (const { system, members } of systems.values()) {
      for (const signal of ['inflight', 'throughput', 'enqueued'] as const) catalogueQuery(system, members, signal);
      const dq = durationQuery(system, sysFilter(system, members, 'duration'), options.windowSeconds);
      if (dq) {
        plan.push({
          request: instant(dq),
          ...unless(instant(durationQuery(system, {}, options.windowSeconds)!), dq),
          origin: `${system.title} job duration`,
          perWorkload: false,
          use: (o) => {
            if (isFailure(o)) return;
            const rows = store(system.id, 'duration');
            for (const r of decodeVector(o)) {
              const k = identityOfRow(system, r.labels, [durationVariant(system)!]).key;
              const rec = (rows.get(k) as Record<string, number> | undefined) ?? {};
              rec[r.labels.qd] = r.value;
              rows.set(k, rec);
            }
          },
        });
      }
    }
    for (const w of workloads) {
      const b = explicit.get(w.id);
      if (!b) continue;
      if (b.inflightQuery) explicitRange(w, 'inflight-query', b.inflightQuery, (f, s) => (f.inflight = s));
      if (b.throughputQuery) explicitRange(w, 'throughput-query', b.throughputQuery, (f, s) => (f.throughput = s));
      if (b.jobDurationQuery) {
        const query = b.jobDurationQuery;
        plan.push({
          request: { kind: 'instant', query, time: grid.end },
          origin: queryOrigin(w, 'job-duration-query'),
          perWorkload: true,
          use: (o) => {
            const f = fetched(w);
            if (isFailure(o)) return void f.notes.push('job-duration-query: failed');
            const values = decodeVector(o).map((r) => r.value).filter(Number.isFinite);
            if (values.length === 0) return void f.notes.push('job-duration-query returned no value');
            if (values.length > 1) f.notes.push(`job-duration-query returned ${values.length} values; the largest was used`);
            f.jobDurationQueryValue = Math.max(...values);
          },
        });
      }
    }
    if (workloads.some((w) => w.gpu.isGpu)) kubeRange('GPU utilisation', (ns) => gpuUtilizationQuery(ns, grid), wkey);
    const startup = new Map<string, { p50?: number; p90?: number; pods?: number }>();
    const startupFor = (ns: string[]) => startupQuery(ns, grid.end, options.windowSeconds);
    plan.push({
      request: instant(startupFor(namespaces)),
      ...unless(instant(startupFor([])), startupFor(namespaces)),
      origin: 'pod start-up',
      perWorkload: false,
      use: (o) => {
        if (isFailure(o)) return;
        for (const r of decodeVector(o)) {
          const k = wkey(r.labels);
          const rec = startup.get(k) ?? {};
          (rec as Record<string, number>)[r.labels.qd] = r.value;
          startup.set(k, rec);
        }
      },
    });

    // 5. send
    runner.expect(plan.length);
    const outcomes = await runner.runAll(plan);
    outcomes.forEach((o, i) => plan[i].use(o));

    // 6. assemble
    const hpaRows = kube.get('HPA state');
    const hpaByTarget = new Map<string, string[]>();
    for (const k of hpaRows?.keys() ?? []) {
      if (!k.startsWith('info\u0000')) continue;
      const [, ns, kind, target, hpa] = k.split('\u0000');
      const key = workloadKey(ns, kind, target);
      hpaByTarget.set(key, [...(hpaByTarget.get(key) ?? []), hpa]);
    }
    for (const w of workloads) {
      const f = fetched(w);
      const binding = bindingOf.get(w.id);
      const members = membersByWorkload.get(w.id);
      if (members && binding) {
        const system = members[0].system;
        const pickSeries = (signal: QueueSignal) => {
          const rows = catalogue.get(system.id)?.get(signal);
          if (!rows) return undefined;
          const list: Series[] = [];
          for (const m of members) {
            const s = (rows.get(m.key) ?? rows.get(identityKey(system, { metric: m.metric, namespace: m.namespace, queue: m.rawQueue, consumer: '' }))) as Series | undefined;
            if (s) list.push(s);
          }
          return sumSeries(list);
        };
        const explicitB = explicit.get(w.id);
        if (!companionsOnly.has(w.id)) {
          f.backlog = pickSeries('backlog');
          if (!f.backlog) f.notes.push(`backlog: ${binding.metric ?? 'the bound series'} returned no data for the window`);
        }
        const inflight = explicitB?.inflightQuery ? undefined : pickSeries('inflight');
        if (inflight) f.inflight = inflight;
        const throughput = explicitB?.throughputQuery ? undefined : pickSeries('throughput');
        if (throughput) f.throughput = throughput;
        const enq = pickSeries('enqueued');
        if (enq) f.enqueueRate = enq;
        if (members.length === 1) {
          const h = catalogue.get(system.id)?.get('duration')?.get(members[0].key) as Record<string, number> | undefined;
          if (h) f.histogram = { ...(h.p50 !== undefined ? { p50: h.p50 } : {}), ...(h.p95 !== undefined ? { p95: h.p95 } : {}), ...(h.p99 !== undefined ? { p99: h.p99 } : {}), ...(h.mean !== undefined ? { mean: h.mean } : {}) };
        }
      } else if (!binding) {
        const hints = auto.unbound.get(w.id);
        if (hints) f.notes.push(...hints.map((h) => `not bound: ${h}`));
        else if (w.worker.isQueueWorker) f.notes.push('no queue series found for this workload: add the queue-doctor.io/backlog-query annotation');
      }
      const k = workloadKey(w.namespace, w.kind, w.name);
      const cpu = kube.get('CPU utilisation')?.get(k);
      if (cpu) f.cpuUtilization = cpu;
      const replicas = kube.get('replicas')?.get(k);
      if (replicas) f.replicas = replicas;
      const gpu = kube.get('GPU utilisation')?.get(k);
      if (gpu) f.gpuUtilization = gpu;
      if (hpaRows) {
        const hpa = hpaFor(w, hpaRows, hpaByTarget.get(workloadKey(w.namespace, w.kind, w.name)) ?? []);
        if (hpa) f.hpa = hpa;
      }
      const st = startup.get(k);
      if (st) f.startup = st;
      const signals: WorkloadSignals = deriveSignals({ workload: w, ...(binding ? { binding } : {}), grid, rateWindowSeconds: rw }, f);
      result.byWorkload.set(w.id, signals);
    }
    return finish(result, runner, grid, options);
  } finally {
    transport.close();
  }
}

/** Workloads whose namespace, kind and name also occur in another context. */
export function sharedAcrossContexts(workloads: readonly Workload[]): Set<Workload> {
  const byKey = new Map<string, Workload[]>();
  for (const w of workloads) {
    const k = workloadKey(w.namespace, w.kind, w.name);
    const list = byKey.get(k);
    if (list) list.push(w);
    else byKey.set(k, [w]);
  }
  const out = new Set<Workload>();
  for (const list of byKey.values()) if (list.length > 1 && list.some((w) => w.context !== list[0].context)) for (const w of list) out.add(w);
  return out;
}

function workloadKey(namespace: string, kind: string, name: string): string {
  return `${namespace}\u0000${kind}\u0000${name}`;
}

/** HPA series for a workload: by the names of its HPAs (KEDA's HPA for a ScaledObject), else by scale target. */
function hpaFor(w: Workload, rows: Map<string, Series>, byTarget: string[]): WorkloadSignals['hpa'] | undefined {
  const names = new Set<string>();
  for (const a of w.autoscalers) {
    if (a.kind === 'HorizontalPodAutoscaler') names.add(a.name);
    else if (a.kind === 'ScaledObject') names.add(a.keda?.hpaName ?? `keda-hpa-${a.name}`);
  }
  if (names.size === 0) for (const n of byTarget) names.add(n);
  for (const name of names) {
    const get = (qd: string) => rows.get(`${w.namespace}\u0000${name}\u0000${qd}`);
    const out: NonNullable<WorkloadSignals['hpa']> = {};
    const min = get('min');
    const max = get('max');
    const current = get('current');
    const desired = get('desired');
    if (min) out.min = min;
    if (max) out.max = max;
    if (current) out.current = current;
    if (desired) out.desired = desired;
    const target = get('target_cpu');
    if (target) {
      for (let i = target.v.length - 1; i >= 0; i--) {
        if (Number.isFinite(target.v[i])) {
          out.targetCpuUtilization = target.v[i];
          break;
        }
      }
    }
    if (Object.keys(out).length > 0) return out;
  }
  return undefined;
}

async function openSource(options: CollectSignalsOptions, result: SignalsResult): Promise<QueryTransport | undefined> {
  if (options.replay !== undefined) {
    const t = isTransport(options.replay) ? options.replay : replayFrom(options.replay);
    result.prometheus = { url: t.url, discoveredFrom: 'snapshot' };
    return t;
  }
  if (options.transport) {
    result.prometheus = { url: options.transport.url };
    return options.transport;
  }
  const concurrency = options.concurrency ?? 4;
  let conn: ResolvedConnection;
  if (options.prometheus.url) {
    conn = loadConnection({ ...options.prometheus, url: options.prometheus.url }, options.env ?? process.env);
    const inCluster = inClusterAddressOfUrl(options.prometheus.url);
    result.prometheus = { url: conn.endpoint.displayUrl, ...(inCluster ? { inClusterAddress: inCluster } : {}) };
  } else if (options.serviceAccess && options.serviceAccess.length > 0) {
    const found = await discoverPrometheus(options.serviceAccess, options.prometheus.headers ?? {});
    // what was picked and why is in result.prometheus.discoveredFrom; only a failure is a warning
    if (!found.connection || !found.picked) {
      result.warnings.push(found.message);
      return undefined;
    }
    conn = found.connection;
    result.prometheus = { url: redactUrl(conn.endpoint.displayUrl), inClusterAddress: inClusterAddressOf(found.picked), discoveredFrom: found.message };
  } else {
    result.warnings.push('no Prometheus: pass --prometheus-url (or set QUEUE_DOCTOR_PROMETHEUS_URL); only inventory rules ran');
    return undefined;
  }
  if (conn.insecureSkipTlsVerify || options.prometheus.insecureSkipTlsVerify) {
    conn.insecureSkipTlsVerify = true;
    result.warnings.push(`TLS certificates of ${conn.endpoint.displayUrl} are not verified (--insecure-skip-tls-verify)`);
  }
  return createHttpTransport(conn, { concurrency });
}

function isTransport(x: unknown): x is QueryTransport {
  return typeof x === 'object' && x !== null && typeof (x as QueryTransport).query === 'function';
}

function finish(result: SignalsResult, runner: QueryRunner, grid: Grid, options: CollectSignalsOptions): SignalsResult {
  result.queryCount = runner.sent;
  result.queryStats = { batched: runner.batched, perWorkload: runner.perWorkload, retries: runner.retries, skipped: runner.skipped, step: grid.step, points: grid.t.length };
  const seen = new Set<string>();
  const errors: PrometheusQueryError[] = [];
  for (const e of runner.errors) {
    if (seen.has(e.message)) continue;
    seen.add(e.message);
    errors.push(e);
  }
  if (errors.length > 0) {
    result.incomplete = true;
    result.errors = errors.map((e) => e.toInfo());
    const budget = errors.filter((e) => e.kind === 'budget');
    // the same failure on several queries is one line with a count
    const others = summariseErrors(errors.filter((e) => e.kind !== 'budget'));
    const MAX = 8;
    for (const line of others.slice(0, MAX)) result.warnings.push(line);
    if (others.length > MAX) result.warnings.push(`…and ${others.length - MAX} more Prometheus errors`);
    if (budget.length > 0) result.warnings.push(`query budget of ${options.maxQueries} request(s) exhausted: ${budget.length} planned request(s) not sent — raise --max-queries`);
  }
  if (runner.fatal && runner.skipped > 0) result.warnings.push(`${runner.skipped} planned request(s) not sent after that failure`);
  return result;
}
