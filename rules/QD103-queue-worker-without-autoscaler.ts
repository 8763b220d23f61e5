import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { plural } from '../src/diagnose/keda-values.js';

export const meta: RuleMeta = {
  id: 'QD103',
  slug: 'queue-worker-without-autoscaler',
  severity: 'warning',
  title: 'Queue worker without an autoscaler',
  rationale:
    'A queue worker with a fixed replica count cannot follow its queue: bursts wait until the backlog drains at the fixed ' +
    'rate, and quiet hours pay for idle replicas. queue-doctor recognises queue workers by their command, environment, ' +
    'labels and ports (see the evidence in each finding), or by the annotation queue-doctor.io/queue-worker: "true".',
  fix:
    'Add a KEDA ScaledObject that scales the worker on its queue (backlog + in-flight jobs); `queue-doctor scan` prints one ' +
    'with thresholds derived from the metrics. If it is not a queue worker, annotate it queue-doctor.io/queue-worker: "false".',
  needsSignals: false,
  examples: {
    bad: `kind: Deployment
metadata: {name: celery-worker}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - command: [celery, -A, app, worker]`,
    good: `kind: ScaledObject
metadata: {name: celery-worker}
spec:
  scaleTargetRef: {name: celery-worker}
  triggers:
    - type: rabbitmq
      metadata: {queueName: celery, mode: QueueLength, value: "20", protocol: http}`,
  },
  references: ['https://keda.sh/docs/2.20/concepts/scaling-deployments/'],
};

export const rule: Rule = {
  meta,
  check({ inventory }) {
    const where = inventory.sources.length === 1 && inventory.sources[0] === '<stdin>' ? 'stdin' : 'a single file';
    return inventory.workloads
      .filter((w) => w.worker.isQueueWorker && w.autoscalers.length === 0 && w.replicas !== 0)
      .map((w) => {
        const hasReplicas = w.object.raw.spec?.replicas !== undefined;
        const fixed = w.replicas !== undefined ? `it stays at ${plural(w.replicas, 'replica')} however long the queue grows` : 'its replica count stays fixed however long the queue grows';
        const top = (w.worker.evidence[0] ?? '').replace(/ \([+-]\d+\)$/, '');
        const why = w.worker.override ? 'annotated as a queue worker' : `a queue worker (${top}; score ${w.worker.score})`;
        const scope = inventory.partialView
          ? ` in this input (only ${where} was read: an autoscaler may be defined elsewhere)`
          : '';
        return finding(
          meta,
          w,
          hasReplicas ? ['spec', 'replicas'] : ['metadata', 'name'],
          `${w.kind} ${w.name} is ${why} but no HPA or ScaledObject scales it${scope}: ${fixed}`,
          { workerScore: w.worker.score, workerEvidence: w.worker.evidence.join('; '), replicas: w.replicas ?? null, partialView: inventory.partialView },
        );
      });
  },
};
