import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { scalesOnlyOnResources } from '../src/inventory/autoscalers.js';

export const meta: RuleMeta = {
  id: 'QD101',
  slug: 'cpu-hpa-on-queue-worker',
  severity: 'error',
  title: 'Queue worker scaled only on CPU/memory',
  rationale:
    'A queue worker spends its time waiting on an LLM, a database or an API: its CPU sits at 5-15 % while jobs pile up, ' +
    'so an autoscaler that only reads CPU or memory never adds replicas when the queue grows.',
  fix:
    'Scale on work waiting to be done: replace the autoscaler with a KEDA ScaledObject whose trigger reads the queue ' +
    '(backlog + in-flight), e.g. `queue-doctor scan` prints one with its thresholds derived from your metrics.',
  needsSignals: false,
  examples: {
    bad: `kind: HorizontalPodAutoscaler
spec:
  scaleTargetRef: {kind: Deployment, name: rag-worker}   # runs "celery worker"
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}`,
    good: `kind: ScaledObject
spec:
  scaleTargetRef: {name: rag-worker}
  triggers:
    - type: prometheus
      metadata:
        serverAddress: http://prometheus.monitoring:9090
        query: sum(agent_queue_depth{queue="default"}) + sum(agent_jobs_in_flight{queue="default"})
        threshold: "4"`,
  },
  references: ['https://keda.sh/docs/2.20/concepts/scaling-deployments/'],
};

export const rule: Rule = {
  meta,
  check({ inventory }) {
    return inventory.autoscalers
      .filter((a) => a.workload?.worker.isQueueWorker && !a.workload.gpu.isGpu && a.kind !== 'ScaledJob' && scalesOnlyOnResources(a))
      .map((a) => {
        const w = a.workload!;
        const first = a.metrics[0];
        const what = a.metrics.map((m) => `${m.resourceName}${m.targetType === 'Utilization' && m.target !== undefined ? ` ${m.target}%` : ''}`).join(', ');
        return finding(
          meta,
          a,
          first.path,
          `${w.kind} ${w.name} is a queue worker but ${a.kind} ${a.name} scales it only on ${what}: queued jobs will not add replicas`,
          { metrics: what, workerScore: w.worker.score, workerEvidence: w.worker.evidence.join('; ') },
        );
      });
  },
};
