import type { Finding } from '../src/inventory/model.js';
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
    const out: Finding[] = [];
    for (const a of inventory.autoscalers) {
      const w = a.workload;
      if (!w || !w.worker.isQueueWorker || w.gpu.isGpu || a.kind === 'ScaledJob' || !scalesOnlyOnResources(a)) continue;
      let what = '';
      for (let i = 0; i < a.metrics.length; i++) {
        const m = a.metrics[i];
        what += `${i === 0 ? '' : ', '}${m.resourceName}${m.targetType === 'Utilization' && m.target !== undefined ? ` ${m.target}%` : ''}`;
      }
      out.push(
        finding(
          meta,
          a,
          a.metrics[0].path,
          `${w.kind} ${w.name} is a queue worker but ${a.kind} ${a.name} scales it only on ${what}: queued jobs will not add replicas`,
          { metrics: what, workerScore: w.worker.score, workerEvidence: w.worker.evidence.join('; ') },
        ),
      );
    }
    return out;
  },
};
