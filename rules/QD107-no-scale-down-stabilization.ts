import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { isObj, triggers, valueAt } from '../src/diagnose/keda-values.js';
import { formatDuration } from '../src/units/duration.js';
import { kedaScaler } from './keda-scalers.js';

const BEHAVIOR_PATH = ['spec', 'advanced', 'horizontalPodAutoscalerConfig', 'behavior', 'scaleDown'];
/** KEDA's default cooldownPeriod (pkg/scaling/executor: defaultCooldownPeriod = 5*60). */
const DEFAULT_COOLDOWN = 300;

export const meta: RuleMeta = {
  id: 'QD107',
  slug: 'no-scale-down-stabilization',
  severity: 'warning',
  title: 'ScaledObject on a queue worker without a scale-down behavior',
  rationale:
    'cooldownPeriod only delays the last step, from 1 replica (or idleReplicaCount) to 0. From N down to 1 the HPA that KEDA ' +
    'generates decides, and KEDA gives it no behavior unless you set one: the controller defaults apply (a 5-minute ' +
    'stabilization window from kube-controller-manager, then any number of replicas removed at once). When a burst drains, ' +
    'the backlog metric drops before the work is done, so a worker fleet is cut while jobs are still running.',
  fix:
    'Set spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown: a stabilizationWindowSeconds at least as long as a ' +
    'job (≥ 300) and a rate limit such as 50 % per minute.',
  needsSignals: false,
  examples: {
    bad: `kind: ScaledObject
spec:
  cooldownPeriod: 600        # only governs 1 -> 0
  triggers: [{type: rabbitmq, metadata: {queueName: jobs, mode: QueueLength, value: "20"}}]`,
    good: `kind: ScaledObject
spec:
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleDown:
          stabilizationWindowSeconds: 300
          policies: [{type: Percent, value: 50, periodSeconds: 60}]
  triggers: [{type: rabbitmq, metadata: {queueName: jobs, mode: QueueLength, value: "20"}}]`,
  },
  references: [
    'https://keda.sh/docs/2.20/reference/scaledobject-spec/#cooldownperiod',
    'https://keda.sh/docs/2.20/reference/scaledobject-spec/#horizontalpodautoscalerconfig',
    'https://kubernetes.io/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale/#configurable-scaling-behavior',
    'kedacore/keda#737, #1238, #6844 (maintainers: cooldownPeriod only applies to scaling to zero)',
  ],
};

export const rule: Rule = {
  meta,
  check({ inventory }) {
    return inventory.autoscalers
      .filter((a) => {
        if (a.kind !== 'ScaledObject') return false;
        const queueTrigger = triggers(a).some((m) => kedaScaler(m.triggerType)?.queue);
        if (!a.workload?.worker.isQueueWorker && !queueTrigger) return false;
        if (a.minReplicas !== undefined && a.minReplicas === a.maxReplicas) return false; // nothing to scale
        const down = valueAt(a.object.raw, BEHAVIOR_PATH);
        return down === undefined || down === null;
      })
      .map((a) => {
        const cooldown = a.keda?.cooldownPeriod ?? DEFAULT_COOLDOWN;
        const job = a.workload?.settings.jobDurationSeconds;
        const window = Math.min(3600, Math.max(300, Math.ceil(job ?? 0)));
        const hasBehavior = isObj(valueAt(a.object.raw, BEHAVIOR_PATH.slice(0, -1)));
        const who = a.workload ? `${a.workload.kind} ${a.workload.name}` : `its target`;
        return finding(
          meta,
          a,
          BEHAVIOR_PATH,
          `ScaledObject ${a.name} sets no ${hasBehavior ? 'behavior.scaleDown' : 'scale-down behavior'} for ${who}: cooldownPeriod ` +
            `(${formatDuration(cooldown)}) only delays the step to 0; from N to 1 the HPA defaults apply (5m stabilization, then any number of replicas removed at once)`,
          { cooldownPeriodSeconds: cooldown, jobDurationSeconds: job ?? null, suggestedWindowSeconds: window },
          {
            fix:
              `add spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown: {stabilizationWindowSeconds: ${window}, ` +
              'policies: [{type: Percent, value: 50, periodSeconds: 60}]}',
          },
        );
      });
  },
};
