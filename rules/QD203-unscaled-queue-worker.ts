import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { fmtWait, liveViews } from '../src/diagnose/live-view.js';
import { backlogEvidence, r2 } from '../src/diagnose/live-evidence.js';

export const meta: RuleMeta = {
  id: 'QD203',
  slug: 'unscaled-queue-worker',
  severity: 'warning',
  title: 'Queue worker with a sustained backlog and no autoscaler',
  rationale:
    'Nothing scales this worker: its replica count is fixed while its queue holds more than one job per replica for a ' +
    'sustained period (or keeps rising). Jobs wait for a fixed pool; the pool is also paid for when the queue is empty.',
  fix: 'Add a KEDA ScaledObject that scales on the queue; `queue-doctor scan -o yaml` prints one sized from these metrics.',
  needsSignals: true,
  examples: {
    bad: `kind: Deployment
spec: {replicas: 2}   # no HPA, no ScaledObject; backlog 300 and rising`,
    good: `kind: ScaledObject
spec:
  scaleTargetRef: {name: worker}
  triggers: [{type: prometheus, metadata: {query: 'sum(celery_queue_length{queue_name="default"})', threshold: "5"}}]`,
  },
  references: ['https://keda.sh/docs/2.20/concepts/scaling-deployments/'],
};

export const rule: Rule = {
  meta,
  check(context) {
    const out = [];
    for (const v of liveViews(context)) {
      const w = v.workload;
      if (w.autoscalers.length > 0 || !v.backlog?.sustained) continue;
      const b = v.backlog;
      const replicas = v.replicas?.now ?? w.replicas ?? 1;
      out.push(
        finding(
          meta,
          w,
          w.object.raw?.spec?.replicas !== undefined ? ['spec', 'replicas'] : ['spec'],
          `${w.kind} ${w.name} has no autoscaler and a ${b.rising ? `rising backlog (${r2(b.now)} jobs, +${r2(b.trendPerMinute)} jobs/min)` : `sustained backlog (${r2(b.now)} jobs now, above one job per replica for ${fmtWait(b.aboveReplicas.longestSeconds)})`} ` +
            `on a fixed ${r2(replicas)} replicas` +
            (v.waitNow ? `; estimated wait ${fmtWait(v.waitNow.seconds)}` : ''),
          { ...backlogEvidence(v), replicas, backlogAboveReplicasFraction: r2(b.aboveReplicas.fraction) },
        ),
      );
    }
    return out;
  },
};
