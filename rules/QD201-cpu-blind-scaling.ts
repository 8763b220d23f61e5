import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { scalesOnlyOnResources } from '../src/inventory/autoscalers.js';
import { fmtWait, HPA_TOLERANCE, liveViews } from '../src/diagnose/live-view.js';
import { backlogEvidence, pct, r2 } from '../src/diagnose/live-evidence.js';

export const meta: RuleMeta = {
  id: 'QD201',
  slug: 'cpu-blind-scaling',
  severity: 'error',
  title: 'Backlog grows while the CPU autoscaler stays put',
  rationale:
    'The queue is growing (a significant upward trend, or more than one job waiting per replica for a sustained period) ' +
    'while CPU utilisation stays under the autoscaler’s target, so the HPA computes no scale-up and replicas stay flat. ' +
    'Every job waits for the few busy workers: the wait grows with the backlog.',
  fix:
    'Scale on the queue instead of CPU: apply the KEDA ScaledObject that `queue-doctor scan -o yaml` prints ' +
    '(it takes over the existing HPA with the transfer-hpa-ownership annotation).',
  needsSignals: true,
  examples: {
    bad: `# backlog 100 and rising, CPU 5-15 % under a 70 % target, 1 replica
kind: HorizontalPodAutoscaler
spec:
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}`,
    good: `kind: ScaledObject
metadata:
  annotations: {scaledobject.keda.sh/transfer-hpa-ownership: "true"}
spec:
  advanced: {horizontalPodAutoscalerConfig: {name: rag-worker}}
  triggers:
    - type: prometheus
      metadata: {query: 'sum(agent_queue_depth{queue="default"})', threshold: "4"}`,
  },
  references: [
    'https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details',
    'https://keda.sh/docs/2.20/concepts/scaling-deployments/',
  ],
};

export const rule: Rule = {
  meta,
  check(context) {
    const out = [];
    for (const v of liveViews(context)) {
      const w = v.workload;
      const target = v.cpuTarget;
      if (!target || !v.backlog?.sustained || !v.cpu || !v.replicas) continue;
      const a = target.autoscaler;
      // only autoscalers that cannot see the queue (a queue trigger next to cpu would act)
      if (!scalesOnlyOnResources(a)) continue;
      // the HPA acts once utilisation/target leaves the tolerance band; p90 under it = no action
      if (v.cpu.p90 > target.value * (1 + HPA_TOLERANCE)) continue;
      if (!v.replicas.flat) continue;
      // pinned at maxReplicas is QD202's diagnosis, not CPU blindness
      if (a.maxReplicas !== undefined && v.replicas.min >= a.maxReplicas) continue;
      const metricIndex = a.metrics.findIndex((m) => m.resourceName === 'cpu');
      const path = a.metrics[Math.max(0, metricIndex)]?.path ?? ['spec'];
      const b = v.backlog;
      const why = b.rising
        ? `backlog ${r2(b.now)} jobs and rising ${r2(b.trendPerMinute)} jobs/min`
        : `backlog ${r2(b.now)} jobs, above one job per replica for ${fmtWait(b.aboveReplicas.longestSeconds)}`;
      out.push(
        finding(
          meta,
          a,
          path,
          `${w.kind} ${w.name}: ${why} while CPU stays at ${r2(v.cpu.p10)}–${pct(v.cpu.p90)} (p10–p90) under ${a.kind} ${a.name}'s ${pct(target.value)} target, ` +
            `so it will not scale; replicas flat at ${r2(v.replicas.now)}` +
            (v.waitNow ? `; estimated wait ${fmtWait(v.waitNow.seconds)} (${v.waitNow.formula})` : ''),
          {
            ...backlogEvidence(v),
            cpuP10Percent: r2(v.cpu.p10),
            cpuP90Percent: r2(v.cpu.p90),
            cpuMeanPercent: r2(v.cpu.mean),
            cpuTargetPercent: target.value,
            hpaScaleUpAbovePercent: r2(target.value * (1 + HPA_TOLERANCE)),
            replicas: v.replicas.now,
            maxReplicas: a.maxReplicas ?? null,
          },
        ),
      );
    }
    return out;
  },
};
