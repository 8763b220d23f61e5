// recommend(): the seed scenario end to end, trigger choice (native / prometheus / placeholder),
// migration, a derivation for every number, advice, confidence, and the sizing formulas.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recommend, recommendAsync, thresholdFor, impliedWaitSeconds, aggregate, validateScaledObject, PROMETHEUS_PLACEHOLDER } from '../../src/recommend/index.js';
import type { Recommendation } from '../../src/recommend/index.js';
import type { QueueBinding, WorkloadSignals } from '../../src/metrics/signals-model.js';
import { isSingleSeriesAggregation, planTrigger } from '../../src/recommend/trigger.js';
import { celeryWorker, loadScenario, inventoryFrom, seriesOf } from './live-scenario.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PROM = { inClusterAddress: 'http://prometheus-operated.monitoring.svc:9090' };

function seed(): { rec: Recommendation; scenario: ReturnType<typeof loadScenario> } {
  const scenario = loadScenario(join(ROOT, 'fixtures', 'rules', 'QD201', 'invalid-seed.scenario.yaml'));
  const w = scenario.inventory.workloads[0];
  const rec = recommend({ workload: w, signals: scenario.signals.get(w.id), targetWaitSeconds: 30, findings: [], prometheus: PROM });
  return { rec, scenario };
}

/** Every number in the object (numbers, and numeric strings in trigger metadata), by field path. */
function numericFields(o: unknown, path = ''): string[] {
  if (Array.isArray(o)) return o.flatMap((x, i) => numericFields(x, `${path}[${i}]`));
  if (o && typeof o === 'object') return Object.entries(o).flatMap(([k, v]) => numericFields(v, path ? `${path}.${k}` : k));
  if (typeof o === 'number') return [path];
  if (typeof o === 'string' && /\.metadata\./.test(path) && /^-?\d+(\.\d+)?$/.test(o)) return [path];
  return [];
}

const WORKER = (name: string, extra = '') => celeryWorker(name, 2, extra);

function signalsFor(id: string, over: Partial<WorkloadSignals> = {}): WorkloadSignals {
  const n = 120;
  const arrivals = Array.from({ length: n }, (_, i) => 0.5 + 0.3 * Math.sin(i / 10));
  return {
    workloadId: id,
    window: { start: 1_700_000_000, end: 1_700_000_000 + (n - 1) * 60, step: 60 },
    arrivalRate: seriesOf(arrivals),
    jobDuration: { mean: 4, p50: 3.5, p95: 9, p99: 14, source: 'histogram' },
    perReplicaThroughput: 0.25,
    startupSeconds: 20,
    notes: [],
    ...over,
  };
}

function binding(id: string, over: Partial<QueueBinding> = {}): QueueBinding {
  return { workloadId: id, system: 'custom', backlogQuery: 'sum(q_depth{queue="default"})', confidence: 0.9, evidence: ['annotation'], source: 'annotation', ...over };
}

describe('the seed scenario', () => {
  it('scales on the aggregated backlog + in-flight query, takes over the CPU HPA and derives every number', () => {
    const { rec } = seed();
    const so = rec.scaledObject;
    expect(so.apiVersion).toBe('keda.sh/v1alpha1');
    expect(so.kind).toBe('ScaledObject');
    expect(so.metadata).toMatchObject({ name: 'rag-worker', namespace: 'agents' });
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'rag-worker' });
    const t = so.spec.triggers[0];
    expect(t.type).toBe('prometheus');
    expect(t.metricType).toBe('AverageValue');
    expect(t.metadata.serverAddress).toBe(PROM.inClusterAddress);
    expect(t.metadata.query).toBe('sum(agent_queue_depth{queue="default"}) + (sum(agent_jobs_in_flight{queue="default"}) or vector(0))');
    expect(rec.trigger.countsInflight).toBe(true);
    // migration off the CPU HPA: KEDA rejects double scaling otherwise
    expect(so.metadata.annotations['scaledobject.keda.sh/transfer-hpa-ownership']).toBe('true');
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.name).toBe('rag-worker');
    expect(rec.migration.transferHpa).toBe('rag-worker');
    expect(rec.migration.notes.join(' ')).toContain('transfer-hpa-ownership');
    // a derivation for every number, each a formula with numbers in it
    const derived = new Set(rec.derivations.map((d) => d.field));
    for (const f of numericFields(so)) expect(derived.has(f), `derivation for ${f}`).toBe(true);
    for (const d of rec.derivations) expect(d.derivation).toMatch(/\d/);
    const threshold = rec.derivations.find((d) => d.field === 'spec.triggers[0].metadata.threshold')!;
    expect(threshold.derivation).toContain('per-replica throughput 0.05/s × target wait 30s');
    expect(Number(t.metadata.threshold)).toBeGreaterThanOrEqual(1);
    expect(Number(t.metadata.threshold)).toBeLessThanOrEqual(1 + 0.05 * 30);
    expect(rec.validation.valid).toBe(true);
    expect(validateScaledObject(so).valid).toBe(true);
  });

  it('is backtested on its own history: the CPU HPA misses the target, the recommendation meets it', () => {
    const { rec } = seed();
    const b = rec.backtest!;
    expect(b.before!.policy).toContain('HorizontalPodAutoscaler rag-worker');
    expect(b.before!.targetMet).toBe(false);
    expect(b.before!.waitP95).toBeGreaterThan(300);
    expect(b.after.targetMet).toBe(true);
    expect(b.after.waitP95).toBeLessThanOrEqual(30);
    expect(b.candidates).toBeGreaterThan(10);
    expect(b.searched).toMatch(/Stage 1: .* met the objective/);
    expect(b.searched).toContain('Winner:');
  });

  it('comes with an alert on the estimated wait, grace-period advice and high confidence', () => {
    const { rec } = seed();
    expect(rec.alert!.kind).toBe('PrometheusRule');
    const rule = rec.alert!.spec.groups[0].rules[0];
    expect(rule.expr).toBe('(sum(agent_queue_depth{queue="default"})) / clamp_min(sum(rate(agent_jobs_completed_total{queue="default"}[5m])), 0.001) > 30');
    expect(rule.for).toBe('2m');
    expect(rec.grace).toMatchObject({ currentSeconds: 30, currentIsDefault: true, recommendedSeconds: 87 });
    expect(rec.grace!.patch!.kubectl).toContain('"terminationGracePeriodSeconds":87');
    expect(rec.scaledJob).toBeUndefined();
    expect(rec.confidence.level).toBe('high');
    expect(rec.placeholders).toEqual([]);
  });

  it('recommendAsync gives the same object as recommend', async () => {
    const { rec, scenario } = seed();
    const w = scenario.inventory.workloads[0];
    const other = await recommendAsync({ workload: w, signals: scenario.signals.get(w.id), targetWaitSeconds: 30, findings: [], prometheus: PROM });
    expect(other.scaledObject).toEqual(rec.scaledObject);
  });
});

describe('trigger choice', () => {
  it('uses the native scaler when the binding can fill its metadata (rabbitmq: mode + value)', () => {
    const w = inventoryFrom(WORKER('mailer')).workloads[0];
    const b = binding(w.id, { system: 'rabbitmq', keda: { type: 'rabbitmq', metadata: { queueName: 'default', hostFromEnv: 'AMQP_URL', queueLength: '20' } } });
    const rec = recommend({ workload: w, signals: signalsFor(w.id), binding: b, targetWaitSeconds: 30, findings: [], backtest: false });
    const t = rec.scaledObject.spec.triggers[0];
    expect(t.type).toBe('rabbitmq');
    expect(t.metadata).toMatchObject({ queueName: 'default', hostFromEnv: 'AMQP_URL', mode: 'QueueLength', activationValue: '0' });
    expect(t.metadata.queueLength).toBeUndefined();
    // amqp counts ready messages only: sized on the backlog, and said so
    expect(rec.trigger.countsInflight).toBe(false);
    expect(t.metadata.value).toBe(String(thresholdFor({ perReplicaThroughput: 0.25, targetWait: 30, concurrency: 1, countsInflight: false }).value));
    expect(rec.notes.join(' ')).toContain('In-flight not available');
    expect(rec.derivations.map((d) => d.field)).toContain('spec.triggers[0].metadata.value');
    expect(rec.validation.valid).toBe(true);
  });

  it('native aws-sqs-queue counts in-flight messages; kafka uses lagThreshold', () => {
    const w = inventoryFrom(WORKER('sqs')).workloads[0];
    const sqs = recommend({ workload: w, signals: signalsFor(w.id), binding: binding(w.id, { keda: { type: 'aws-sqs-queue', metadata: { queueURL: 'https://sqs.eu-west-1.amazonaws.com/1/q', awsRegion: 'eu-west-1' } } }), targetWaitSeconds: 30, findings: [], backtest: false });
    expect(sqs.scaledObject.spec.triggers[0].metadata.queueLength).toBeDefined();
    expect(sqs.trigger.countsInflight).toBe(true);
    const kafka = recommend({ workload: w, signals: signalsFor(w.id), binding: binding(w.id, { keda: { type: 'kafka', metadata: { bootstrapServers: 'k:9092', consumerGroup: 'g', topic: 't' } } }), targetWaitSeconds: 30, findings: [], backtest: false });
    expect(kafka.scaledObject.spec.triggers[0].metadata).toMatchObject({ consumerGroup: 'g', activationLagThreshold: '0' });
    expect(kafka.scaledObject.spec.triggers[0].metadata.lagThreshold).toMatch(/^\d+(\.\d)?$/);
  });

  it('a low-confidence binding does not drive a native scaler, and lowers the confidence', () => {
    const w = inventoryFrom(WORKER('guess')).workloads[0];
    const b = binding(w.id, { confidence: 0.4, source: 'auto', evidence: ['name match only'], keda: { type: 'redis', metadata: { listName: 'default', address: 'redis:6379' } } });
    const rec = recommend({ workload: w, signals: signalsFor(w.id), binding: b, targetWaitSeconds: 30, findings: [], prometheus: PROM, backtest: false });
    expect(rec.trigger.type).toBe('prometheus');
    expect(rec.confidence.level).toBe('low');
    expect(rec.confidence.reasons.join(' ')).toContain('binding confidence 0.40');
  });

  it('marks an unknown Prometheus address as a placeholder, never silently wrong', () => {
    const w = inventoryFrom(WORKER('noprom')).workloads[0];
    const rec = recommend({ workload: w, signals: signalsFor(w.id), binding: binding(w.id), targetWaitSeconds: 30, findings: [], prometheus: { url: 'http://127.0.0.1:9090' }, backtest: false });
    expect(rec.scaledObject.spec.triggers[0].metadata.serverAddress).toBe(PROMETHEUS_PLACEHOLDER);
    expect(rec.placeholders).toEqual([{ field: 'spec.triggers[0].metadata.serverAddress', message: expect.stringContaining('127.0.0.1:9090') }]);
    expect(rec.confidence.level).not.toBe('high');
    // an in-cluster URL is used as is
    const ok = recommend({ workload: w, signals: signalsFor(w.id), binding: binding(w.id), targetWaitSeconds: 30, findings: [], prometheus: { url: 'http://prometheus.monitoring.svc.cluster.local:9090' }, backtest: false });
    expect(ok.scaledObject.spec.triggers[0].metadata.serverAddress).toBe('http://prometheus.monitoring.svc.cluster.local:9090');
    expect(ok.placeholders).toEqual([]);
  });

  it('without a bound queue the query itself is a placeholder, and the object is still valid', () => {
    const w = inventoryFrom(WORKER('unbound')).workloads[0];
    const rec = recommend({ workload: w, targetWaitSeconds: 30, findings: [], prometheus: PROM });
    expect(rec.scaledObject.spec.triggers[0].metadata.query).toContain('EDIT-ME');
    expect(rec.placeholders.map((p) => p.field)).toContain('spec.triggers[0].metadata.query');
    expect(rec.confidence.level).toBe('low');
    expect(rec.notes.join(' ')).toMatch(/Not backtested/);
    expect(rec.validation.valid).toBe(true);
  });

  it('aggregates queries so KEDA gets exactly one series', () => {
    expect(aggregate('rabbitmq_queue_messages_ready{queue="a"}')).toBe('sum(rabbitmq_queue_messages_ready{queue="a"})');
    expect(aggregate('sum(x)')).toBe('sum(x)');
    expect(aggregate('sum by (queue) (x)')).toBe('sum(sum by (queue) (x))');
    expect(aggregate('sum(x) by (queue)')).toBe('sum(sum(x) by (queue))');
    expect(aggregate('sum(a) + sum(b)')).toBe('sum(a) + sum(b)'); // one series already (the PromQL parser decides)
    expect(aggregate('scalar(x)')).toBe('vector(scalar(x))');
    expect(isSingleSeriesAggregation('max(x{a="b"})')).toBe(true);
    expect(planTrigger(binding('x', { backlogQuery: 'q_depth', inflightQuery: 'q_running' }), PROM).metadata.query).toBe('sum(q_depth) + (sum(q_running) or vector(0))');
  });
});

describe('migration and naming', () => {
  it('updates an existing ScaledObject in place (same name, its HPA name kept)', () => {
    const inv = inventoryFrom(
      WORKER('thumbs') +
        `---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: thumbs-so, namespace: jobs}
spec:
  scaleTargetRef: {name: thumbs}
  advanced: {horizontalPodAutoscalerConfig: {name: thumbs-hpa}}
  triggers: [{type: cpu, metricType: Utilization, metadata: {value: "60"}}]
`,
    );
    const w = inv.workloads[0];
    const rec = recommend({ workload: w, signals: signalsFor(w.id), binding: binding(w.id), targetWaitSeconds: 30, findings: [], prometheus: PROM, backtest: false });
    expect(rec.scaledObject.metadata.name).toBe('thumbs-so');
    expect(rec.scaledObject.spec.advanced.horizontalPodAutoscalerConfig.name).toBe('thumbs-hpa');
    expect(rec.migration.replacesScaledObject).toBe('thumbs-so');
    expect(rec.scaledObject.metadata.annotations).toBeUndefined();
  });

  it('does not try to take over the HPA that KEDA itself generated', () => {
    const inv = inventoryFrom(
      WORKER('gen') +
        `---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: gen, namespace: jobs}
spec:
  scaleTargetRef: {name: gen}
  triggers: [{type: prometheus, metadata: {serverAddress: "http://p.m.svc:9090", query: "sum(x)", threshold: "5"}}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: keda-hpa-gen
  namespace: jobs
  labels: {scaledobject.keda.sh/name: gen}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: gen}
  maxReplicas: 10
  metrics: [{type: External, external: {metric: {name: s0-prometheus}, target: {type: AverageValue, averageValue: "5"}}}]
`,
    );
    const w = inv.workloads[0];
    const rec = recommend({ workload: w, signals: signalsFor(w.id), binding: binding(w.id), targetWaitSeconds: 30, findings: [], prometheus: PROM, backtest: false });
    expect(rec.migration.transferHpa).toBeUndefined();
    expect(rec.scaledObject.metadata.annotations).toBeUndefined();
  });

  it('keeps the generated HPA name within 63 characters', () => {
    const long = 'a-very-long-worker-name-that-goes-on-and-on-and-on-for-ever-x';
    const w = inventoryFrom(WORKER(long)).workloads[0];
    const rec = recommend({ workload: w, signals: signalsFor(w.id), binding: binding(w.id), targetWaitSeconds: 30, findings: [], prometheus: PROM, backtest: false });
    const hpaName = rec.scaledObject.spec.advanced.horizontalPodAutoscalerConfig.name;
    expect(hpaName.length).toBeLessThanOrEqual(63);
    expect(hpaName.startsWith('keda-hpa-')).toBe(true);
    expect(rec.validation.valid).toBe(true);
  });
});

describe('sizing', () => {
  it('threshold = c + μ·W·f with in-flight, μ·W·f (at least 1) without; the implied wait inverts it', () => {
    expect(thresholdFor({ perReplicaThroughput: 0.5, targetWait: 30, concurrency: 2, countsInflight: true })).toMatchObject({ value: 9.5 });
    expect(thresholdFor({ perReplicaThroughput: 0.5, targetWait: 30, concurrency: 2, countsInflight: false }).value).toBe(7.5);
    expect(thresholdFor({ perReplicaThroughput: 0.01, targetWait: 30, concurrency: 1, countsInflight: false }).value).toBe(1);
    expect(thresholdFor({ perReplicaThroughput: 2, targetWait: 60, concurrency: 1, countsInflight: true, budgetFraction: 0.5 }).value).toBe(61);
    expect(impliedWaitSeconds(9.5, 0.5, 2, true)).toBe(15);
    expect(impliedWaitSeconds(7.5, 0.5, 2, false)).toBe(15);
  });

  it('scales to zero when quiet periods are real and a cold start fits the target', () => {
    const w = inventoryFrom(WORKER('bursty')).workloads[0];
    const arrivals = Array.from({ length: 120 }, (_, i) => (i % 20 < 8 ? 0 : 0.4));
    const rec = recommend({ workload: w, signals: signalsFor(w.id, { arrivalRate: seriesOf(arrivals), startupSeconds: 10 }), binding: binding(w.id), targetWaitSeconds: 60, findings: [], prometheus: PROM, backtest: false });
    const spec = rec.scaledObject.spec;
    expect(spec.minReplicaCount).toBe(0);
    expect(spec.pollingInterval).toBe(25);
    const d = (f: string) => rec.derivations.find((x) => x.field === f)!.derivation;
    expect(d('spec.minReplicaCount')).toContain('no arrivals 40 % of the window');
    expect(d('spec.triggers[0].metadata.activationThreshold')).toContain('activate on the first job');
    expect(d('spec.pollingInterval')).toContain('(target 60s − start-up 10s) ÷ 2');
    expect(d('spec.cooldownPeriod')).toContain('2 × (start-up 10s + polling 25s)');
  });

  it('advises a ScaledJob and a longer grace period for very long jobs', () => {
    const w = inventoryFrom(WORKER('render', '      terminationGracePeriodSeconds: 600\n')).workloads[0];
    const rec = recommend({
      workload: w,
      signals: signalsFor(w.id, { jobDuration: { mean: 1200, p95: 2400, p99: 3000, source: 'histogram' }, perReplicaThroughput: 1 / 1200 }),
      binding: binding(w.id),
      targetWaitSeconds: 300,
      findings: [],
      prometheus: PROM,
      backtest: false,
    });
    expect(rec.scaledJob?.reason).toContain('ScaledJob');
    expect(rec.grace).toMatchObject({ currentSeconds: 600, currentIsDefault: false, recommendedSeconds: 3615 });
    expect(rec.grace!.patch!.yaml).toContain('terminationGracePeriodSeconds: 3615  # was 600');
  });

  it('lists the findings it addresses', () => {
    const { scenario } = seed();
    const w = scenario.inventory.workloads[0];
    const f = (ruleId: string) => ({ ruleId, severity: 'error' as const, message: '', object: { apiVersion: '', kind: '', namespace: '', name: '', context: '', id: w.id }, location: { type: 'file' as const, file: 'x', line: 1, column: 1 }, evidence: {} });
    const rec = recommend({ workload: w, signals: scenario.signals.get(w.id), targetWaitSeconds: 30, findings: [f('QD206'), f('QD201'), f('QD207'), f('QD201')], prometheus: PROM, backtest: false });
    expect(rec.addresses).toEqual(['QD201', 'QD206']);
  });
});
