import type { Finding } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { kedaBool, rawTrigger, triggers } from '../src/diagnose/keda-values.js';
import { formatDuration } from '../src/units/duration.js';
import { kedaScaler } from './keda-scalers.js';

/** KEDA's default pollingInterval (scaledobject_types.go: defaultPollingInterval = 30). */
const DEFAULT_POLLING = 30;

export const meta: RuleMeta = {
  id: 'QD120',
  slug: 'slow-polling-for-wait-objective',
  severity: 'warning',
  title: 'pollingInterval longer than the queue-wait objective',
  rationale:
    'At zero replicas only KEDA\'s own loop, every pollingInterval (30 s by default), notices new work; the HPA takes over ' +
    'from 1 replica on and polls every 15 s. A ScaledObject that scales to zero (or uses useCachedMetrics, which makes the ' +
    'HPA read values up to pollingInterval old) and a ScaledJob therefore add up to pollingInterval to the first job\'s wait, ' +
    'before any pod starts. When that is longer than the wait objective (queue-doctor.io/target-wait, --target-wait, 30 s ' +
    'by default) the objective cannot be met.',
  fix: 'Lower pollingInterval below the wait objective, or keep minReplicaCount ≥ 1 so a replica is always listening.',
  needsSignals: false,
  examples: {
    bad: `kind: ScaledObject
spec:
  pollingInterval: 300       # 5 min before a job at zero replicas is noticed
  minReplicaCount: 0`,
    good: `kind: ScaledObject
spec:
  pollingInterval: 15
  minReplicaCount: 0`,
  },
  references: ['https://keda.sh/docs/2.20/reference/scaledobject-spec/#pollinginterval', 'https://keda.sh/docs/2.20/concepts/scaling-deployments/#caching-metrics'],
};

export const rule: Rule = {
  meta,
  check({ inventory, options }) {
    const out: Finding[] = [];
    for (const a of inventory.autoscalers) {
      if (a.kind === 'HorizontalPodAutoscaler') continue;
      const raw = a.object.raw.spec?.pollingInterval;
      if (raw !== undefined && (typeof raw !== 'number' || !(raw > 0))) continue;
      const polling = typeof raw === 'number' ? raw : DEFAULT_POLLING;
      const trig = triggers(a);
      const w = a.workload;
      if (a.kind === 'ScaledObject' && !w?.worker.isQueueWorker && !trig.some((m) => kedaScaler(m.triggerType)?.queue)) continue;
      const objective = w?.settings.targetWaitSeconds ?? options.targetWaitSeconds;
      if (polling <= objective) continue;
      const every = formatDuration(polling);
      const suggested = Math.max(5, Math.floor(objective / 2));
      let effect: string;
      let fix = `pollingInterval: ${suggested}`;
      if (a.kind === 'ScaledJob') effect = `it creates Jobs only when it polls, so a new message can wait up to ${every} before its Job exists`;
      else {
        const min = a.object.raw.spec?.minReplicaCount;
        const toZero = min === undefined || min === 0 || a.keda?.idleReplicaCount !== undefined;
        const cached = trig.some((m) => kedaBool(rawTrigger(a, m).useCachedMetrics) === true);
        if (toZero) {
          effect = `it scales to zero, where only that poll notices new work: a job arriving at zero replicas can wait up to ${every} before a replica is even requested`;
          fix += ', or minReplicaCount: 1';
        } else if (cached) {
          effect = `useCachedMetrics makes the HPA act on values up to ${every} old`;
          fix += ', or remove useCachedMetrics';
        } else continue; // at ≥ 1 replica the HPA polls every 15 s on its own
      }
      out.push(
        finding(
          meta,
          a,
          ['spec', 'pollingInterval'],
          `${a.kind} ${a.name} polls every ${every}${raw === undefined ? ' (default)' : ''} and ${effect}, beyond the ${formatDuration(objective)} wait objective`,
          { pollingIntervalSeconds: polling, waitObjectiveSeconds: objective },
          { fix },
        ),
      );
    }
    return out;
  },
};
