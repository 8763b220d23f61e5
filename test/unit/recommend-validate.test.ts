// The validator every recommended ScaledObject passes before it is printed: KEDA v2.20.2's CRD
// schema, the CRD's CEL rule, KEDA's admission-webhook checks, the parse rules of the scalers we
// emit and the HPA API limits. Each bad object below must be rejected, with the field named.
import { describe, expect, it } from 'vitest';
import { assertValidScaledObject, InvalidRecommendationError, validateScaledObject } from '../../src/recommend/validate.js';

function good(): Record<string, any> {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'rag-worker', namespace: 'agents', annotations: { 'scaledobject.keda.sh/transfer-hpa-ownership': 'true' } },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'rag-worker' },
      pollingInterval: 30,
      cooldownPeriod: 300,
      minReplicaCount: 1,
      maxReplicaCount: 10,
      fallback: { failureThreshold: 3, replicas: 3 },
      advanced: {
        horizontalPodAutoscalerConfig: {
          name: 'rag-worker',
          behavior: {
            scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }] },
            scaleDown: { stabilizationWindowSeconds: 120, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 30 }] },
          },
        },
      },
      triggers: [
        {
          type: 'prometheus',
          name: 'queue',
          metricType: 'AverageValue',
          metadata: { serverAddress: 'http://prometheus.monitoring.svc:9090', query: 'sum(agent_queue_depth{queue="default"})', threshold: '1.7', activationThreshold: '0', ignoreNullValues: 'false' },
        },
      ],
    },
  };
}

type Mutate = (o: Record<string, any>) => void;
const BAD: Array<[string, Mutate, string, string]> = [
  // [what, mutation, expected path (prefix), expected source]
  ['min above max (CRD CEL)', (o) => ((o.spec.minReplicaCount = 12), (o.spec.maxReplicaCount = 10)), 'spec.minReplicaCount', 'crd-cel'],
  ['min above the default max 100', (o) => (delete o.spec.maxReplicaCount, (o.spec.minReplicaCount = 101)), 'spec.minReplicaCount', 'crd-cel'],
  ['idleReplicaCount not below min', (o) => (o.spec.idleReplicaCount = 1), 'spec.idleReplicaCount', 'keda-webhook'],
  ['cpu-only triggers with minReplicaCount 0', (o) => ((o.spec.minReplicaCount = 0), delete o.spec.fallback, (o.spec.triggers = [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }])), 'spec.minReplicaCount', 'keda-webhook'],
  ['cpu-only triggers with minReplicaCount unset', (o) => (delete o.spec.minReplicaCount, delete o.spec.fallback, (o.spec.triggers = [{ type: 'memory', metricType: 'Utilization', metadata: { value: '60' } }])), 'spec.minReplicaCount', 'keda-webhook'],
  ['duplicate trigger names', (o) => o.spec.triggers.push({ ...o.spec.triggers[0] }), 'spec.triggers[1].name', 'keda-webhook'],
  ['HPA name longer than 63', (o) => (o.spec.advanced.horizontalPodAutoscalerConfig.name = 'h'.repeat(64)), 'spec.advanced.horizontalPodAutoscalerConfig.name', 'keda-webhook'],
  ['default HPA name (keda-hpa-<name>) longer than 63', (o) => ((o.metadata.name = 'n'.repeat(55)), delete o.spec.advanced.horizontalPodAutoscalerConfig.name, delete o.metadata.annotations), 'spec.advanced.horizontalPodAutoscalerConfig.name', 'keda-webhook'],
  ['ScaledObject name longer than 63', (o) => (o.metadata.name = 's'.repeat(64)), 'metadata.name', 'keda-webhook'],
  ['transfer-hpa-ownership without the HPA name', (o) => delete o.spec.advanced.horizontalPodAutoscalerConfig.name, 'spec.advanced.horizontalPodAutoscalerConfig.name', 'keda-webhook'],
  ['negative fallback replicas', (o) => (o.spec.fallback.replicas = -1), 'spec.fallback', 'keda-webhook'],
  ['fallback with only cpu triggers', (o) => (o.spec.triggers = [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }]), 'spec.fallback', 'keda-webhook'],
  ['fallback without an AverageValue trigger', (o) => (o.spec.triggers[0].metricType = 'Value'), 'spec.fallback', 'keda-webhook'],
  ['fallback missing replicas (CRD required)', (o) => delete o.spec.fallback.replicas, 'spec.fallback', 'crd-schema'],
  ['fallback.behavior not in the enum (CRD)', (o) => (o.spec.fallback.behavior = 'sometimes'), 'spec.fallback.behavior', 'crd-schema'],
  ['scalingModifiers formula without target', (o) => (o.spec.advanced.scalingModifiers = { formula: 'queue * 2' }), 'spec.advanced.scalingModifiers.target', 'keda-webhook'],
  ['scalingModifiers formula on an unnamed trigger', (o) => (o.spec.advanced.scalingModifiers = { formula: 'other + queue', target: '5' }), 'spec.advanced.scalingModifiers.formula', 'keda-webhook'],
  ['scalingModifiers target not a positive number', (o) => (o.spec.advanced.scalingModifiers = { formula: 'queue', target: '-2' }), 'spec.advanced.scalingModifiers.target', 'keda-webhook'],
  ['Utilization on a prometheus trigger', (o) => (o.spec.triggers[0].metricType = 'Utilization'), 'spec.triggers[0].metricType', 'keda-scaler'],
  ['useCachedMetrics on a cpu trigger', (o) => o.spec.triggers.push({ type: 'cpu', name: 'cpu', useCachedMetrics: true, metricType: 'Utilization', metadata: { value: '60' } }), 'spec.triggers[1].useCachedMetrics', 'keda-webhook'],
  ['no triggers (CRD minItems)', (o) => (o.spec.triggers = []), 'spec.triggers', 'crd-schema'],
  ['triggers missing (CRD required)', (o) => delete o.spec.triggers, 'spec', 'crd-schema'],
  ['pollingInterval 0 (CRD minimum 1)', (o) => (o.spec.pollingInterval = 0), 'spec.pollingInterval', 'crd-schema'],
  ['negative minReplicaCount (CRD minimum 0)', (o) => (o.spec.minReplicaCount = -1), 'spec.minReplicaCount', 'crd-schema'],
  ['maxReplicaCount not an integer', (o) => (o.spec.maxReplicaCount = 2.5), 'spec.maxReplicaCount', 'crd-schema'],
  ['scaleTargetRef without name', (o) => delete o.spec.scaleTargetRef.name, 'spec.scaleTargetRef', 'crd-schema'],
  ['a metadata value that is not a string', (o) => (o.spec.triggers[0].metadata.threshold = 1.7), 'spec.triggers[0].metadata.threshold', 'crd-schema'],
  ['prometheus without serverAddress', (o) => delete o.spec.triggers[0].metadata.serverAddress, 'spec.triggers[0].metadata.serverAddress', 'keda-scaler'],
  ['prometheus threshold not a number', (o) => (o.spec.triggers[0].metadata.threshold = 'five'), 'spec.triggers[0].metadata.threshold', 'keda-scaler'],
  ['prometheus threshold 0', (o) => (o.spec.triggers[0].metadata.threshold = '0'), 'spec.triggers[0].metadata.threshold', 'keda-scaler'],
  ['prometheus serverAddress not a URL', (o) => (o.spec.triggers[0].metadata.serverAddress = 'prometheus:9090'), 'spec.triggers[0].metadata.serverAddress', 'keda-scaler'],
  ['ignoreNullValues not a bool', (o) => (o.spec.triggers[0].metadata.ignoreNullValues = 'maybe'), 'spec.triggers[0].metadata.ignoreNullValues', 'keda-scaler'],
  ['rabbitmq mode without value', (o) => (o.spec.triggers[0] = { type: 'rabbitmq', metadata: { queueName: 'q', host: 'amqp://r', mode: 'QueueLength' } }), 'spec.triggers[0].metadata.value', 'keda-scaler'],
  ['kafka without consumerGroup', (o) => (o.spec.triggers[0] = { type: 'kafka', metadata: { bootstrapServers: 'k:9092', lagThreshold: '5' } }), 'spec.triggers[0].metadata.consumerGroup', 'keda-scaler'],
  ['scale-down window above 3600 (HPA API)', (o) => (o.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds = 4000), 'spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds', 'hpa-api'],
  ['policy period above 1800 (HPA API)', (o) => (o.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.policies[0].periodSeconds = 3600), 'spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.policies[0].periodSeconds', 'hpa-api'],
  ['policy value 0 (HPA API)', (o) => (o.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.policies[0].value = 0), 'spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.policies[0].value', 'hpa-api'],
  ['bad selectPolicy (HPA API)', (o) => (o.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.selectPolicy = 'Fastest'), 'spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.selectPolicy', 'hpa-api'],
  ['empty policy list (HPA API)', (o) => (o.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.policies = []), 'spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.policies', 'hpa-api'],
  ['no metadata.name', (o) => delete o.metadata.name, 'metadata.name', 'crd-schema'],
  ['metadata.name not DNS-1123', (o) => (o.metadata.name = 'Rag_Worker'), 'metadata.name', 'crd-schema'],
  ['annotation value not a string', (o) => (o.metadata.annotations['scaledobject.keda.sh/transfer-hpa-ownership'] = true), 'metadata.annotations', 'crd-schema'],
  ['wrong apiVersion', (o) => (o.apiVersion = 'keda.k8s.io/v1alpha1'), 'apiVersion', 'crd-schema'],
];

describe('validateScaledObject', () => {
  it('accepts a complete recommendation', () => {
    expect(validateScaledObject(good())).toEqual({ valid: true, issues: [] });
    expect(() => assertValidScaledObject(good())).not.toThrow();
  });

  it.each(BAD)('rejects: %s', (_what, mutate, path, source) => {
    const o = good();
    mutate(o);
    const r = validateScaledObject(o);
    expect(r.valid).toBe(false);
    const hit = r.issues.find((i) => i.path.startsWith(path) && i.source === source);
    expect(hit, `expected a ${source} issue at ${path}, got ${JSON.stringify(r.issues)}`).toBeDefined();
    expect(hit!.message.length).toBeGreaterThan(3);
  });

  it('assertValidScaledObject throws a one-line internal error naming the object and the fields', () => {
    const o = good();
    o.spec.minReplicaCount = 20;
    try {
      assertValidScaledObject(o);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidRecommendationError);
      expect((e as Error).message).toMatch(/^internal error: the recommended ScaledObject rag-worker fails KEDA validation: spec\.minReplicaCount: /);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('rejects what is not an object at all', () => {
    expect(validateScaledObject(null).valid).toBe(false);
    expect(validateScaledObject('ScaledObject').valid).toBe(false);
  });
});
