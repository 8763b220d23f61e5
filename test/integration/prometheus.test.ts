// collectSignals against a real Prometheus (Debian's), backfilled from fixtures/series/*.om at a
// fixed historical end time and queried with an explicit evaluation time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backfill, inventoryFromCluster, inventoryFromSeriesManifests, rawQuery, servicesFromCluster, startPrometheus, type Backfilled, type PrometheusServer } from '../helpers/prometheus.js';
import { EXPECTED, FIXTURE_END, FIXTURE_WINDOW } from '../helpers/series-gen.js';
import { collectSignals, createRecorder, type CollectSignalsOptions } from '../../src/metrics/index.js';
import type { Inventory } from '../../src/inventory/model.js';
import type { Series, SignalsResult } from '../../src/metrics/signals-model.js';
import { re, setLabel, str } from '../../src/metrics/promql.js';
import { gapFraction, lastValue, median } from '../../src/metrics/stats.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';

let bf: Backfilled;
let prom: PrometheusServer;

beforeAll(async () => {
  bf = backfill();
  prom = await startPrometheus({ dataDir: bf.data });
});
afterAll(async () => {
  await prom?.stop();
  bf?.cleanup();
});

const options = (extra: Partial<CollectSignalsOptions> = {}): CollectSignalsOptions => ({
  prometheus: { url: prom.url },
  at: FIXTURE_END,
  windowSeconds: FIXTURE_WINDOW,
  targetWaitSeconds: 30,
  ...extra,
});

/** Median of the finite values in the last quarter of the window (steady state, past rate warm-up). */
function recent(s: Series | undefined): number | undefined {
  if (!s) return undefined;
  return median(s.v.slice(Math.floor(s.v.length * 0.75)));
}

describe('the seed scenario (rag/rag-worker on the llm-platform cluster)', () => {
  let result: SignalsResult;
  let inventory: Inventory;
  beforeAll(async () => {
    inventory = inventoryFromCluster('llm-platform');
    result = await collectSignals(inventory, options());
  });

  it('reads without errors; rag-worker is bound by its annotation, with companion series from the catalogue', () => {
    expect(result.warnings).toEqual([]);
    expect(result.incomplete).toBe(false);
    const b = result.bindings.find((x) => x.workloadId === EXPECTED.seed.workloadId)!;
    expect(b).toMatchObject({ system: 'custom', source: 'annotation', confidence: 1, queueName: 'default', backlogQuery: 'sum(agent_queue_depth{queue="default"})' });
    expect(b.evidence.join('\n')).toMatch(/companion series \(in-flight, completions, enqueues, duration\) from agent_queue_depth queue default, auto-bound with confidence 0\.9\d/);
  });

  it('without the annotation, auto-binding finds the same queue with high confidence', async () => {
    const stripped = withoutAnnotations(inventory, 'rag-worker');
    const r = await collectSignals(stripped, options());
    const b = r.bindings.find((x) => x.workloadId === EXPECTED.seed.workloadId)!;
    expect(b).toMatchObject({ system: 'agent-queue', queueName: 'default', source: 'auto', metric: 'agent_queue_depth' });
    expect(b.confidence).toBeGreaterThanOrEqual(0.9);
    expect(b.evidence.join('\n')).toMatch(/exported by pods of rag-worker/);
    expect(b.evidence.join('\n')).toMatch(/QUEUE_NAME=default|--queue default/);
    expect(b.backlogQuery).toBe('sum(max by (namespace, queue) (agent_queue_depth{namespace="rag", queue="default"}))');
    expect(b.keda?.type).toBe('prometheus');
    const auto = r.byWorkload.get(EXPECTED.seed.workloadId)!;
    const annotated = result.byWorkload.get(EXPECTED.seed.workloadId)!;
    expect(auto.throughput!.v).toEqual(annotated.throughput!.v);
    expect(lastValue(auto.backlog)).toBe(lastValue(annotated.backlog));
    // during the rollout both pods report the queue for a lookback period: the annotation's sum()
    // counts it twice, the catalogue query de-duplicates with max
    expect(Math.max(...auto.backlog!.v.filter(Number.isFinite))).toBeLessThan(Math.max(...annotated.backlog!.v.filter(Number.isFinite)));
  });

  it('sees ~100 jobs queued and rising, one busy replica, 20 s jobs', () => {
    const s = result.byWorkload.get(EXPECTED.seed.workloadId)!;
    expect(lastValue(s.backlog)).toBeCloseTo(EXPECTED.seed.backlogEnd, 0);
    expect(s.backlogTrend?.rising).toBe(true);
    expect(s.backlogTrend!.slope).toBeCloseTo(EXPECTED.seed.slopePerSecond, 3);
    expect(s.backlogTrend!.pValue).toBeLessThan(0.001);
    expect(recent(s.inflight)).toBe(EXPECTED.seed.inflight);
    expect(recent(s.throughput)).toBeCloseTo(EXPECTED.seed.throughput, 2);
    expect(s.arrivalSource).toBe('counter');
    expect(recent(s.arrivalRate)).toBeCloseTo(EXPECTED.seed.arrival, 2);
    expect(s.jobDuration).toMatchObject({ source: 'histogram', p50: EXPECTED.seed.jobDuration.p50, p95: EXPECTED.seed.jobDuration.p95 });
    expect(s.jobDuration!.p99).toBeCloseTo(EXPECTED.seed.jobDuration.p99, 0);
    expect(s.jobDuration!.mean).toBeCloseTo(EXPECTED.seed.jobDuration.mean, 1);
    expect(s.perReplicaThroughput).toBeCloseTo(EXPECTED.seed.throughput, 2);
    expect(s.startupSeconds).toBe(EXPECTED.seed.startupSeconds);
  });

  it('joins CPU to the workload through both ReplicaSets of a rollout: 5–15 % of requests', () => {
    const s = result.byWorkload.get(EXPECTED.seed.workloadId)!;
    const cpu = s.cpuUtilization!;
    expect(cpu.t.length).toBe(s.window.end - s.window.start === FIXTURE_WINDOW ? cpu.t.length : -1);
    // the pod changes half-way: the join must follow the new ReplicaSet (a short gap at the switch at most)
    expect(gapFraction(cpu)).toBeLessThan(0.1);
    const m = median(cpu.v)!;
    expect(m).toBeGreaterThan(5);
    expect(m).toBeLessThan(15);
    expect(m).toBeCloseTo(EXPECTED.seed.cpuUtilization, 0);
  });

  it('reads replicas and the CPU HPA at 70 %', () => {
    const s = result.byWorkload.get(EXPECTED.seed.workloadId)!;
    expect(lastValue(s.replicas)).toBe(EXPECTED.seed.replicas);
    expect(s.hpa?.targetCpuUtilization).toBe(EXPECTED.seed.hpaTarget);
    expect(lastValue(s.hpa?.min)).toBe(1);
    expect(lastValue(s.hpa?.max)).toBe(10);
    expect(lastValue(s.hpa?.current)).toBe(1);
    expect(lastValue(s.hpa?.desired)).toBe(1);
  });

  it('binds the neighbours: Kafka group, Celery on two queues, BullMQ, Sidekiq, a GPU worker', () => {
    const by = (id: string) => result.bindings.find((b) => b.workloadId === id);
    expect(by('streaming/Deployment/orders-consumer')).toMatchObject({ system: 'kafka-exporter', queueName: 'orders', consumer: 'orders-processor', keda: { type: 'kafka' } });
    expect(by('workers/Deployment/celery-worker')).toMatchObject({ system: 'celery', queues: ['emails', 'invoices'] });
    expect(by('ingest/Deployment/document-ingest')).toMatchObject({ system: 'bullmq', queueName: 'documents' });
    expect(by('ml/Deployment/embedding-worker')).toMatchObject({ system: 'redis-list', queueName: 'embeddings' });
    const sidekiq = by('billing/Deployment/invoice-worker')!;
    expect(sidekiq.system).toBe('sidekiq');
    // no queue name anywhere: the command, the namespace and being the only one there
    expect(sidekiq.evidence).toEqual([
      'the container runs Sidekiq: `bundle exec sidekiq -C config/sidekiq.yml`',
      'same namespace billing',
      'the only Sidekiq series and the only queue worker in namespace billing',
    ]);
    expect(sidekiq.confidence).toBe(0.58);
    expect(by('web/Deployment/storefront')).toBeUndefined();
    const gpu = result.byWorkload.get('ml/Deployment/embedding-worker')!;
    expect(recent(gpu.gpuUtilization)).toBe(93);
    const celery = result.byWorkload.get('workers/Deployment/celery-worker')!;
    expect(recent(celery.throughput)).toBeCloseTo(1.5 + 0.2 + 0.02, 2);
    // the KEDA-owned HPA of a ScaledObject is found by its name keda-hpa-<so>
    expect(lastValue(result.byWorkload.get('ingest/Deployment/document-ingest')!.hpa?.current)).toBe(3);
  });

  it('sends a constant number of batched queries, however many workloads', async () => {
    const batched = result.queryStats!.batched;
    // 1 discovery + CPU, replicas, HPA, GPU, start-up + ≤ 5 per bound queue system
    const systems = new Set(result.bindings.filter((b) => b.source === 'auto').map((b) => b.system)).size;
    expect(batched).toBeLessThanOrEqual(1 + 5 + 5 * systems);
    expect(result.queryStats!.perWorkload).toBe(1); // rag-worker's annotation
    expect(result.queryCount).toBe(batched + 1);
    // 120 more workers in the same namespaces, none of them bound: not one more request
    const more = cloneWorkers(inventory, 120);
    expect(more.workloads.length).toBe(inventory.workloads.length + 120);
    const bigger = await collectSignals(more, options());
    expect(bigger.queryStats!.batched).toBe(batched);
    expect(bigger.byWorkload.size).toBe(more.workloads.length);
  });

  it('records every answer and replays it offline with identical results', async () => {
    const recorder = createRecorder();
    const live = await collectSignals(inventory, options({ recorder }));
    const recorded = JSON.parse(JSON.stringify(recorder.toJSON()));
    expect(recorded.entries.length).toBe(live.queryCount);
    const replayed = await collectSignals(inventory, options({ prometheus: {}, replay: recorded }));
    expect(replayed.prometheus?.discoveredFrom).toBe('snapshot');
    expect(comparable(replayed)).toEqual(comparable(live));
    expect(replayed.queryCount).toBe(live.queryCount);
    // a different window asks different questions: the replay says so instead of inventing data
    const other = await collectSignals(inventory, options({ prometheus: {}, replay: recorded, windowSeconds: 3600 }));
    expect(other.incomplete).toBe(true);
    expect(other.warnings[0]).toMatch(/snapshot has no recorded answer/);
  });
});

/** The inventory with one workload's queue-doctor.io annotations removed. */
describe('several contexts, one Prometheus', () => {
  it('gives no signals to workloads that two contexts share (their series cannot be told apart), and says so', async () => {
    const inv = inventoryFromCluster('llm-platform');
    const objects = [...inv.workloads.map((w) => w.object), ...inv.autoscalers.map((a) => a.object)];
    // the same cluster seen as two contexts: prod has every object, staging only rag-worker
    const prod = objects.map((o) => ({ ...o, context: 'prod' }));
    const staging = objects.filter((o) => o.ref.name === 'rag-worker').map((o) => ({ ...o, context: 'staging' }));
    const both = buildInventory([...prod, ...staging], {});
    const r = await collectSignals(both, options());
    const shared = both.workloads.filter((w) => w.name === 'rag-worker');
    expect(shared.map((w) => w.context).sort()).toEqual(['prod', 'staging']);
    for (const w of shared) expect(r.byWorkload.has(w.id)).toBe(false);
    expect(r.incomplete).toBe(true);
    expect(r.warnings.join('\n')).toMatch(/1 workload \(rag\/Deployment\/rag-worker\) exists in several contexts .* no signals for them/);
    // the others (only in prod) are measured as usual
    const others = both.workloads.filter((w) => w.name !== 'rag-worker');
    expect(others.length).toBeGreaterThan(0);
    for (const w of others) expect(r.byWorkload.has(w.id)).toBe(true);
  });
});

function withoutAnnotations(inv: Inventory, name: string): Inventory {
  const objects = [...inv.workloads.map((w) => w.object), ...inv.autoscalers.map((a) => a.object)].map((o) => {
    if (o.ref.name !== name || o.ref.kind !== 'Deployment') return o;
    const raw = JSON.parse(JSON.stringify(o.raw));
    for (const k of Object.keys(raw.metadata.annotations ?? {})) if (k.startsWith('queue-doctor.io/')) delete raw.metadata.annotations[k];
    return { ...o, raw };
  });
  return buildInventory(objects, {});
}

function comparable(r: SignalsResult): unknown {
  return JSON.parse(JSON.stringify({ bindings: r.bindings, byWorkload: [...r.byWorkload.entries()], warnings: r.warnings, incomplete: r.incomplete }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
}

/** The inventory plus `n` copies of rag-worker under other names (same namespace, no queue series). */
function cloneWorkers(inv: Inventory, n: number): Inventory {
  const seed = inv.workloads.find((w) => w.name === 'rag-worker')!;
  const objects = [...inv.workloads.map((w) => w.object), ...inv.autoscalers.map((a) => a.object)];
  for (let i = 0; i < n; i++) {
    const raw = JSON.parse(JSON.stringify(seed.object.raw));
    raw.metadata.name = `rag-worker-clone-${i}`;
    raw.spec.template.spec.containers[0].env = [{ name: 'QUEUE_NAME', value: `clone-${i}` }];
    raw.spec.template.spec.containers[0].args = [];
    objects.push({ ...seed.object, raw, ref: { ...seed.object.ref, name: raw.metadata.name } });
  }
  return buildInventory(objects, {});
}

describe('auto-discovery through the API server proxy', () => {
  it('picks kube-prometheus-stack among the cluster Services, reads through the proxy URL, and gives KEDA the in-cluster address', async () => {
    const seen: string[] = [];
    const access = {
      context: 'llm',
      listServices: async () => servicesFromCluster('llm-platform'),
      // stands in for https://apiserver/api/v1/namespaces/…/services/…:http-web/proxy
      serviceProxyUrl: (ns: string, name: string, port: number | string) => (seen.push(`${ns}/${name}:${port}`), prom.url),
      requestOptions: async () => ({ headers: {} }),
    };
    const r = await collectSignals(inventoryFromSeriesManifests('catalogue'), options({ prometheus: {}, serviceAccess: [access] }));
    expect(seen).toEqual(['monitoring/kube-prometheus-stack-prometheus:http-web']);
    expect(r.incomplete).toBe(false);
    expect(r.warnings).toEqual([]);
    expect(r.prometheus).toMatchObject({ inClusterAddress: 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090' });
    expect(r.prometheus!.discoveredFrom).toMatch(/^Prometheus auto-discovery picked llm\/monitoring\/kube-prometheus-stack-prometheus:http-web/);
    const transcoder = r.bindings.find((b) => b.workloadId === 'cat/Deployment/transcoder')!;
    expect(transcoder.keda).toMatchObject({ type: 'prometheus', metadata: { serverAddress: 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090' } });
    expect(lastValue(r.byWorkload.get('cat/Deployment/transcoder')!.backlog)).toBe(EXPECTED.catalogue.transcoder.backlog);
  });
});

describe('auto-binding: one workload per catalogue entry', () => {
  let result: SignalsResult;
  beforeAll(async () => {
    result = await collectSignals(inventoryFromSeriesManifests('catalogue'), options());
  });

  it('reads the catalogue without errors', () => {
    expect(result.warnings).toEqual([]);
    expect(result.incomplete).toBe(false);
  });

  for (const [name, want] of Object.entries(EXPECTED.catalogue)) {
    it(`${name}: ${want.system} queue ${want.queue}`, () => {
      const id = `cat/Deployment/${name}`;
      const b = result.bindings.find((x) => x.workloadId === id);
      expect(b, `binding for ${name}`).toBeDefined();
      expect(b!.system).toBe(want.system);
      expect(b!.queueName).toBe(want.queue);
      if (want.consumer) expect(b!.consumer).toBe(want.consumer);
      expect(b!.confidence).toBeGreaterThanOrEqual(0.5);
      expect(b!.keda?.type).toBe(want.keda);
      const s = result.byWorkload.get(id)!;
      expect(lastValue(s.backlog)).toBe(want.backlog);
      if (want.inflight !== undefined) expect(lastValue(s.inflight)).toBe(want.inflight);
      if (want.throughput !== undefined) expect(recent(s.throughput)).toBeCloseTo(want.throughput, 2);
      if (want.arrival !== undefined) expect(recent(s.arrivalRate)).toBeCloseTo(want.arrival, 2);
    });
  }

  it('fills native KEDA scaler metadata from the series and the workload', () => {
    const keda = (name: string) => result.bindings.find((b) => b.workloadId === `cat/Deployment/${name}`)!.keda!;
    expect(keda('email-sender').metadata).toEqual({ queueName: 'emails', mode: 'QueueLength', vhostName: '/', hostFromEnv: 'AMQP_URL' });
    expect(keda('billing-consumer').metadata).toEqual({ consumerGroup: 'billing-consumer', topic: 'invoices', bootstrapServersFromEnv: 'KAFKA_BOOTSTRAP_SERVERS' });
    expect(keda('thumbnailer').metadata).toEqual({ queueURLFromEnv: 'SQS_QUEUE_URL', awsRegion: 'eu-west-1' });
    expect(keda('report-worker').metadata).toEqual({ listName: 'rq:queue:reports', addressFromEnv: 'REDIS_ADDRESS', databaseIndex: '0' });
    expect(keda('mailer-worker').metadata).toEqual({ listName: 'bull:mailer:wait', hostFromEnv: 'REDIS_HOST' });
    expect(keda('rails-sidekiq').metadata).toMatchObject({ listName: 'queue:default' });
    expect(keda('order-processor').metadata).toEqual({ stream: 'ORDERS', consumer: 'order-processor', account: 'APP' });
    expect(keda('order-processor').note).toMatch(/natsServerMonitoringEndpoint/);
    // two queues summed: only the prometheus scaler can read that, with the binding's own query
    expect(keda('ocr-worker').metadata.query).toBe('sum(max by (queue_name) (celery_queue_length{queue_name=~"ocr|ocr-priority"}))');
  });

  it('never binds decoys: a web app named like a queue, a queue in another namespace, Prometheus internals', () => {
    expect(result.bindings.find((b) => b.workloadId === 'cat/Deployment/decoy-queue')).toBeUndefined();
    expect(result.byWorkload.get('cat/Deployment/decoy-queue')!.notes.join('\n')).toMatch(/not bound: possible queue rabbitmq_queue_messages_ready decoy-queue \(confidence 0\.2/);
    expect(result.bindings.find((b) => b.workloadId === 'cat/Deployment/lonely-worker')).toBeUndefined();
    expect(result.byWorkload.get('cat/Deployment/lonely-worker')!.notes).toContain('no queue series found for this workload: add the queue-doctor.io/backlog-query annotation');
    expect(result.bindings.some((b) => b.metric === 'prometheus_notifications_queue_length')).toBe(false);
  });

  it('binds on namespace evidence alone only with low confidence', () => {
    const b = result.bindings.find((x) => x.workloadId === 'lowconf/Deployment/solo-worker')!;
    expect(b).toMatchObject({ system: 'generic', metric: 'jobs_backlog', source: 'auto' });
    expect(b.confidence).toBeGreaterThanOrEqual(0.3);
    expect(b.confidence).toBeLessThan(0.5);
    expect(b.evidence).toContain('the only generic queue gauge series and the only queue worker in namespace lowconf');
    // kafka lag of another group on the same topic, and the -1 of an uncommitted partition, are not summed in
    expect(lastValue(result.byWorkload.get('cat/Deployment/billing-consumer')!.backlog)).toBe(18);
  });
});

describe('annotations, empty answers, NaN, ±Inf, counter resets, stale series, hostile names', () => {
  let result: SignalsResult;
  beforeAll(async () => {
    result = await collectSignals(inventoryFromSeriesManifests('edge-cases'), options());
  });

  it('binds by annotation with confidence 1 and reads the annotation queries', () => {
    const b = result.bindings.find((x) => x.workloadId === 'edge/Deployment/annotated-worker')!;
    expect(b).toMatchObject({ system: 'custom', source: 'annotation', confidence: 1, backlogQuery: 'sum(custom_backlog{app="annotated"})' });
    expect(b.keda).toEqual({ type: 'prometheus', metadata: { query: 'sum(custom_backlog{app="annotated"})' }, note: expect.stringMatching(/serverAddress/) });
    const s = result.byWorkload.get('edge/Deployment/annotated-worker')!;
    expect(lastValue(s.backlog)).toBe(EXPECTED.edge.annotatedBacklog);
    expect(result.queryStats!.perWorkload).toBe(5); // annotated: backlog, throughput, in-flight; empty and bad: backlog
  });

  it('keeps NaN samples as gaps and drops +Inf with a note', () => {
    const s = result.byWorkload.get('edge/Deployment/annotated-worker')!;
    const nan = s.backlog!.v.filter(Number.isNaN).length;
    expect(nan).toBeGreaterThan(60); // 20 minutes at a 15 s step
    expect(s.backlog!.v.filter(Number.isFinite).every((v) => v === EXPECTED.edge.annotatedBacklog)).toBe(true);
    expect(s.inflight!.v.some((v) => v === Infinity)).toBe(false);
    expect(s.notes.some((n) => /in-flight: \d+ ±Inf point\(s\) ignored/.test(n))).toBe(true);
  });

  it('reads through a counter reset: throughput stays 0.1/s', () => {
    const s = result.byWorkload.get('edge/Deployment/annotated-worker')!;
    const tp = s.throughput!.v.filter(Number.isFinite);
    // rate() extrapolates at most one scrape interval wrong around the reset; never negative, never a spike
    expect(Math.min(...tp)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...tp)).toBeLessThan(0.2);
    expect(median(tp)).toBeCloseTo(EXPECTED.edge.annotatedThroughput, 3);
    // Little's law with in-flight 3: 30 s (ahead of the 45 s annotation)
    expect(s.jobDuration?.source).toBe('littles-law');
    expect(s.jobDuration!.mean).toBeCloseTo(30, 0);
  });

  it('an empty answer is a note, not an error', () => {
    const s = result.byWorkload.get('edge/Deployment/empty-worker')!;
    expect(s.backlog).toBeUndefined();
    expect(s.notes[0]).toBe('backlog-query returned no series for the window: sum(no_such_metric_queue_doctor)');
  });

  it('a 400 names the annotation that held the bad query', () => {
    expect(result.incomplete).toBe(true);
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({ kind: 'bad_query', errorType: 'bad_data', httpStatus: 400, origin: 'queue-doctor.io/backlog-query on edge/bad-worker' });
    expect(result.warnings).toEqual([
      `Prometheus ${prom.url} rejected queue-doctor.io/backlog-query on edge/bad-worker (400 bad_data): 1:29: parse error: unclosed left parenthesis — fix the annotation`,
    ]);
  });

  it('a hostile queue name stays a string: exactly its own series is read', () => {
    const b = result.bindings.find((x) => x.workloadId === 'edge/Deployment/weird-worker')!;
    expect(b.queueName).toBe(EXPECTED.edge.hostileQueue);
    const s = result.byWorkload.get('edge/Deployment/weird-worker')!;
    expect(s.backlog!.v.filter(Number.isFinite).every((v) => v === EXPECTED.edge.hostileBacklog)).toBe(true);
  });

  it('flags a series that stopped reporting', () => {
    const s = result.byWorkload.get('edge/Deployment/stale-worker')!;
    expect(s.notes).toContain('backlog: stale, last sample 55m before the end of the window');
  });

  it('joins CPU for StatefulSet pods', () => {
    const s = result.byWorkload.get('edge/StatefulSet/edge-sts')!;
    expect(recent(s.cpuUtilization)).toBeCloseTo(EXPECTED.edge.stsCpuUtilization, 0);
    expect(lastValue(s.replicas)).toBe(2);
  });
});

describe('PromQL escaping, checked by Prometheus itself', () => {
  it('any string survives str() as a label value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }), async (s) => {
        const q = setLabel('vector(1)', 'v', s);
        const body = await rawQuery(prom.url, q, FIXTURE_END);
        expect(body.status).toBe('success');
        expect(body.data.result[0].metric.v).toBe(s);
      }),
      { numRuns: 150, seed: 4 },
    );
  });

  it('matchers select exactly the hostile value, literally', async () => {
    const hostile = EXPECTED.edge.hostileQueue;
    const exact = await rawQuery(prom.url, `count(agent_queue_depth{namespace="edge", queue=${str(hostile)}})`, FIXTURE_END);
    expect(exact.data.result[0].value[1]).toBe('1');
    const regex = await rawQuery(prom.url, `sum(agent_queue_depth{namespace="edge", ${re('queue', [hostile, 'no.such'])}})`, FIXTURE_END);
    expect(regex.data.result[0].value[1]).toBe(String(EXPECTED.edge.hostileBacklog));
    // the same text pasted raw would have changed the query's meaning
    const raw = await rawQuery(prom.url, `count(agent_queue_depth{namespace="edge", queue="${hostile}"})`, FIXTURE_END);
    expect(raw.status).toBe('error');
  });
});

describe('the query budget', () => {
  it('stops at --max-queries, says so, and marks the run incomplete', async () => {
    const full = await collectSignals(inventoryFromCluster('llm-platform'), options());
    const r = await collectSignals(inventoryFromCluster('llm-platform'), options({ maxQueries: 3, concurrency: 1 }));
    expect(r.queryCount).toBe(3);
    expect(r.incomplete).toBe(true);
    expect(r.queryStats!.skipped).toBe(full.queryCount - 3); // discovery + 2 planned were sent
    expect(r.warnings.at(-1)).toBe(`query budget of 3 request(s) exhausted: ${full.queryCount - 3} planned request(s) not sent — raise --max-queries`);
    // backlogs come first: the first planned queries were read and used
    const withBacklog = [...r.byWorkload.values()].filter((s) => s.backlog).length;
    expect(withBacklog).toBeGreaterThan(0);
    expect([...r.byWorkload.values()].some((s) => s.cpuUtilization)).toBe(false);
  });
});
