import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { scalesOnlyOnResources } from '../src/inventory/autoscalers.js';

export const meta: RuleMeta = {
  id: 'QD102',
  slug: 'cpu-hpa-on-gpu-workload',
  severity: 'error',
  title: 'GPU workload scaled only on CPU/memory',
  rationale:
    'A GPU workload (LLM inference, embeddings, image models) is bound by the GPU: the GPU saturates and requests queue up ' +
    'while the CPU that feeds it stays low, so an autoscaler that reads only CPU or memory never adds replicas under load ' +
    '(and may remove them while the GPU is at 100 %).',
  fix:
    'Scale on the work or on the GPU: a KEDA ScaledObject on the queue (backlog + in-flight) or on requests in flight per ' +
    'replica, or a prometheus trigger on GPU utilisation (DCGM_FI_DEV_GPU_UTIL from the NVIDIA DCGM exporter).',
  needsSignals: false,
  examples: {
    bad: `kind: HorizontalPodAutoscaler
spec:
  scaleTargetRef: {kind: Deployment, name: llm-worker}   # requests nvidia.com/gpu: 1
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}`,
    good: `kind: ScaledObject
spec:
  scaleTargetRef: {name: llm-worker}
  triggers:
    - type: prometheus
      metadata:
        serverAddress: http://prometheus.monitoring:9090
        query: sum(llm_queue_depth) + sum(llm_requests_in_flight)
        threshold: "2"`,
  },
  references: [
    'https://keda.sh/docs/2.20/scalers/prometheus/',
    'https://docs.nvidia.com/datacenter/dcgm/latest/gpu-telemetry/dcgm-exporter.html',
    'https://kubernetes.io/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale/',
  ],
};

export const rule: Rule = {
  meta,
  check({ inventory }) {
    return inventory.autoscalers
      .filter((a) => a.kind !== 'ScaledJob' && a.workload?.gpu.isGpu && scalesOnlyOnResources(a))
      .map((a) => {
        const w = a.workload!;
        const what = a.metrics.map((m) => `${m.resourceName}${m.targetType === 'Utilization' && m.target !== undefined ? ` ${m.target}%` : ''}`).join(', ');
        const resources = [...new Set(a.metrics.map((m) => (m.resourceName === 'cpu' ? 'CPU' : String(m.resourceName))))].join(' or ');
        return finding(
          meta,
          a,
          a.metrics[0].path,
          `${w.kind} ${w.name} runs on GPUs (${w.gpu.evidence[0]}) but ${a.kind} ${a.name} scales it only on ${what}: ` +
            `a saturated GPU barely moves ${resources}, so load will not add replicas`,
          { metrics: what, gpuEvidence: w.gpu.evidence.join('; '), queueWorker: w.worker.isQueueWorker },
        );
      });
  },
};
