// Policies from manifests: the ScaledObject shape the recommender emits, HPAs, and the errors
// (with the field path the CLI turns into file:line).
import { describe, expect, it } from 'vitest';
import { describePolicy, fixedPolicy, inferMeasure, kedaPolicy, policyFromManifest, PolicyError, type Policy } from '../../src/simulate/policy.js';
import { parseYamlStream } from '../../src/inventory/yaml-stream.js';

const so = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'rag-worker', namespace: 'rag', ...metadata },
  spec: { scaleTargetRef: { name: 'rag-worker' }, ...spec },
});
const promTrigger = (query: string, extra: Record<string, string> = {}, more: Record<string, unknown> = {}) => ({
  type: 'prometheus',
  metadata: { serverAddress: 'http://prometheus.monitoring.svc:9090', query, threshold: '5', ...extra },
  ...more,
});

function errorOf(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
  throw new Error('expected a PolicyError');
}

describe('ScaledObject (the recommender’s shape)', () => {
  it('prometheus backlog trigger with KEDA defaults', () => {
    const p = policyFromManifest(so({ triggers: [promTrigger('sum(agent_queue_depth{queue="default"})')] }));
    expect(p).toEqual({
      kind: 'keda',
      name: 'ScaledObject/rag-worker',
      keda: { minReplicaCount: 0, maxReplicaCount: 100, idleReplicaCount: undefined, pollingInterval: 30, cooldownPeriod: 300, initialCooldownPeriod: 0 },
      hpa: {
        minReplicas: 1,
        maxReplicas: 100,
        behavior: null,
        metrics: [{ kind: 'queue', name: 's0-prometheus', targetType: 'AverageValue', target: 5, measure: 'backlog', source: 'prometheus', activation: 0, useCachedMetrics: false }],
      },
    });
  });

  it('backlog + in-flight query, activation, Value, behavior and bounds', () => {
    const p = policyFromManifest(
      so({
        minReplicaCount: 1,
        maxReplicaCount: 30,
        pollingInterval: 10,
        cooldownPeriod: 120,
        triggers: [promTrigger('sum(agent_queue_depth{queue="default"}) + sum(agent_jobs_inflight{queue="default"})', { activationThreshold: '2' }, { metricType: 'Value' })],
        advanced: {
          horizontalPodAutoscalerConfig: {
            behavior: {
              scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 200, periodSeconds: 15 }] },
              scaleDown: { stabilizationWindowSeconds: 180, policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }], selectPolicy: 'Min', tolerance: '0.05' },
            },
          },
        },
      }),
    ) as Extract<Policy, { kind: 'keda' }>;
    expect(p.hpa.minReplicas).toBe(1);
    expect(p.hpa.metrics[0]).toMatchObject({ targetType: 'Value', measure: 'backlog+inflight', activation: 2 });
    expect(p.hpa.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 200, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 180, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }], tolerance: 0.05 },
    });
    expect(describePolicy(p)).toBe(
      'KEDA prometheus Value 5 (backlog+inflight, activation 2) 1..30, poll 10s, cooldown 2m, behavior up(0s window, 200%/15s) down(3m window, 2/1m)',
    );
  });

  it('the measure option applies when the trigger does not say; forceMeasure overrides', () => {
    const obj = so({ triggers: [promTrigger('sum(queue_depth)')] });
    const m = (p: Policy) => (p.kind === 'keda' && p.hpa.metrics[0].kind === 'queue' ? p.hpa.metrics[0].measure : undefined);
    expect(m(policyFromManifest(obj, { measure: 'backlog+inflight' }))).toBe('backlog+inflight');
    const sqs = so({ triggers: [{ type: 'aws-sqs-queue', metadata: { queueURL: 'https://sqs/x', queueLength: '3' } }] });
    expect(m(policyFromManifest(sqs, { measure: 'backlog' }))).toBe('backlog+inflight');
    expect(m(policyFromManifest(sqs, { measure: 'backlog', forceMeasure: true }))).toBe('backlog');
  });

  it('native queue scalers: target keys, KEDA defaults, activation keys', () => {
    const p = policyFromManifest(
      so({
        triggers: [
          { type: 'rabbitmq', metadata: { queueName: 'q', host: 'amqp://r', mode: 'QueueLength', value: '8', activationValue: '1' } },
          { type: 'redis', metadata: { listName: 'celery', address: 'redis:6379' } },
          { type: 'kafka', metadata: { bootstrapServers: 'k:9092', consumerGroup: 'g', topic: 't' } },
          { type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } },
        ],
      }),
    ) as Extract<Policy, { kind: 'keda' }>;
    expect(p.hpa.metrics).toEqual([
      { kind: 'queue', name: 's0-rabbitmq', targetType: 'AverageValue', target: 8, measure: 'backlog', source: 'native', activation: 1, useCachedMetrics: false },
      { kind: 'queue', name: 's1-redis', targetType: 'AverageValue', target: 5, measure: 'backlog', source: 'native', activation: 0, useCachedMetrics: false },
      { kind: 'queue', name: 's2-kafka', targetType: 'AverageValue', target: 10, measure: 'backlog+inflight', source: 'native', activation: 0, useCachedMetrics: false },
      { kind: 'cpu', name: 's3-cpu', targetUtilization: 60 },
    ]);
  });

  it('infers what native triggers count', () => {
    expect(inferMeasure('aws-sqs-queue', { scaleOnInFlight: 'false' })).toBe('backlog');
    expect(inferMeasure('rabbitmq', { host: 'http://guest:guest@rabbit:15672/' })).toBe('backlog+inflight');
    expect(inferMeasure('rabbitmq', { protocol: 'http', excludeUnacknowledged: 'true' })).toBe('backlog');
    expect(inferMeasure('redis-streams', { consumerGroup: 'g' })).toBe('backlog+inflight');
    expect(inferMeasure('prometheus', { query: 'sum(celery_queue_length) + sum(celery_tasks_running)' })).toBe('backlog+inflight');
    expect(inferMeasure('prometheus', { query: 'sum(celery_queue_length)' }, 'backlog')).toBe('backlog');
  });

  it('paused annotations', () => {
    const paused = policyFromManifest(so({ triggers: [promTrigger('q')] }, { annotations: { 'autoscaling.keda.sh/paused': 'true', 'autoscaling.keda.sh/paused-replicas': '3' } }));
    expect(paused).toMatchObject({ kind: 'fixed', replicas: 3 });
    const noIn = policyFromManifest(so({ triggers: [promTrigger('q')] }, { annotations: { 'autoscaling.keda.sh/paused-scale-in': 'true' } })) as Extract<Policy, { kind: 'keda' }>;
    expect(noIn.hpa.behavior?.scaleDown.selectPolicy).toBe('Disabled');
  });

  const errors: Array<[string, unknown, RegExp, Array<string | number>]> = [
    ['no triggers', so({ triggers: [] }), /spec.triggers is empty/, ['spec', 'triggers']],
    ['min > max', so({ minReplicaCount: 5, maxReplicaCount: 2, triggers: [promTrigger('q')] }), /minReplicaCount 5 is above maxReplicaCount 2/, ['spec', 'minReplicaCount']],
    ['bad threshold', so({ triggers: [promTrigger('q', { threshold: 'lots' })] }), /threshold "lots" is not a number/, ['spec', 'triggers', 0, 'metadata', 'threshold']],
    ['negative threshold', so({ triggers: [promTrigger('q', { threshold: '-1' })] }), /target must be > 0/, ['spec', 'triggers', 0, 'metadata', 'threshold']],
    ['missing prometheus threshold', so({ triggers: [{ type: 'prometheus', metadata: { query: 'q' } }] }), /needs metadata.threshold/, ['spec', 'triggers', 0, 'metadata']],
    ['unsupported trigger', so({ triggers: [{ type: 'cron', metadata: {} }] }), /trigger type "cron" is not simulated/, ['spec', 'triggers', 0, 'type']],
    ['memory', so({ minReplicaCount: 1, triggers: [{ type: 'memory', metadata: { value: '50' } }] }), /memory triggers are not simulated/, ['spec', 'triggers', 0, 'type']],
    ['cpu only with min 0', so({ triggers: [{ type: 'cpu', metadata: { value: '50' } }] }), /only cpu triggers cannot have minReplicaCount 0/, ['spec', 'minReplicaCount']],
    ['scalingModifiers', so({ triggers: [promTrigger('q')], advanced: { scalingModifiers: { formula: 'a+b', target: '2' } } }), /scalingModifiers/, ['spec', 'advanced', 'scalingModifiers']],
    [
      'bad policy period',
      so({ triggers: [promTrigger('q')], advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 0 }] } } } } }),
      /periodSeconds must be a whole number 1..1800/,
      ['spec', 'advanced', 'horizontalPodAutoscalerConfig', 'behavior', 'scaleUp', 'policies', 0, 'periodSeconds'],
    ],
    ['ScaledJob', { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', spec: {} }, /ScaledJob is not simulated/, ['kind']],
    ['Deployment', { apiVersion: 'apps/v1', kind: 'Deployment' }, /expected a keda.sh ScaledObject or an autoscaling HorizontalPodAutoscaler, found apps\/v1 Deployment/, ['kind']],
    ['idle ≥ min', so({ minReplicaCount: 1, idleReplicaCount: 1, triggers: [promTrigger('q')] }), /idleReplicaCount 1 must be less than minReplicaCount 1/, ['spec', 'idleReplicaCount']],
  ];
  for (const [name, obj, re, path] of errors) {
    it(`rejects ${name} and points at the field`, () => {
      const e = errorOf(() => policyFromManifest(obj));
      expect(e.message).toMatch(re);
      expect(e.path).toEqual(path);
    });
  }

  it('a field path resolves to the line of the offending YAML field', () => {
    const text = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: w
spec:
  scaleTargetRef: {name: w}
  triggers:
    - type: prometheus
      metadata:
        query: sum(q)
        threshold: "-3"
`;
    const stream = parseYamlStream(text);
    const doc = stream.documents[0].value;
    const e = errorOf(() => policyFromManifest(doc));
    expect(stream.locate(doc, e.path)).toEqual({ line: 11, column: 9 });
  });
});

describe('HorizontalPodAutoscaler', () => {
  const hpa = (spec: Record<string, unknown>, apiVersion = 'autoscaling/v2') => ({ apiVersion, kind: 'HorizontalPodAutoscaler', metadata: { name: 'w' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'w' }, ...spec } });
  it('cpu utilisation (v2, v1 and the v2 default of 80 %)', () => {
    const v2 = policyFromManifest(hpa({ minReplicas: 2, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] }));
    expect(v2).toEqual({ kind: 'hpa', name: 'HorizontalPodAutoscaler/w', hpa: { minReplicas: 2, maxReplicas: 10, metrics: [{ kind: 'cpu', name: 'cpu', targetUtilization: 70 }], behavior: null } });
    expect(policyFromManifest(hpa({ maxReplicas: 4, targetCPUUtilizationPercentage: 50 }, 'autoscaling/v1'))).toMatchObject({ hpa: { minReplicas: 1, metrics: [{ targetUtilization: 50 }] } });
    expect(policyFromManifest(hpa({ maxReplicas: 4 }))).toMatchObject({ hpa: { metrics: [{ targetUtilization: 80 }] } });
  });
  it('External Value / AverageValue metrics read as queue metrics', () => {
    const p = policyFromManifest(
      hpa({ maxReplicas: 9, metrics: [{ type: 'External', external: { metric: { name: 'rabbitmq_queue_messages_ready' }, target: { type: 'AverageValue', averageValue: '500m' } } }] }),
    ) as Extract<Policy, { kind: 'hpa' }>;
    expect(p.hpa.metrics[0]).toEqual({ kind: 'queue', name: 'rabbitmq_queue_messages_ready', targetType: 'AverageValue', target: 0.5, measure: 'backlog', source: 'prometheus', activation: 0, useCachedMetrics: false });
  });
  it('rejects what it cannot model', () => {
    expect(errorOf(() => policyFromManifest(hpa({ metrics: [] }))).message).toMatch(/maxReplicas is required/);
    const mem = errorOf(() => policyFromManifest(hpa({ maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 70 } } }] })));
    expect(mem.path).toEqual(['spec', 'metrics', 0, 'resource', 'name']);
    const pods = errorOf(() => policyFromManifest(hpa({ maxReplicas: 3, metrics: [{ type: 'Pods', pods: {} }] })));
    expect(pods.message).toMatch(/Pods metrics are not simulated/);
  });
});

describe('builders', () => {
  it('fixedPolicy and kedaPolicy', () => {
    expect(fixedPolicy(4)).toEqual({ kind: 'fixed', name: 'fixed:4', replicas: 4 });
    expect(() => fixedPolicy(-1)).toThrow(PolicyError);
    const k = kedaPolicy({ target: 3, measure: 'backlog+inflight', minReplicaCount: 0, maxReplicaCount: 12, pollingInterval: 15, cooldownPeriod: 60, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } });
    expect(k.name).toBe('KEDA prometheus AverageValue 3 (backlog+inflight) 0..12, poll 15s, cooldown 1m, behavior up(0s window, 4/15s max 100%/15s) down(1m window, 100%/15s)');
    expect(k.kind === 'keda' && k.hpa.minReplicas).toBe(1);
  });
});
