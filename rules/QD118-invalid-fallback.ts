import type { Finding } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { isObj, shown, triggers } from '../src/diagnose/keda-values.js';
import { RESOURCE_TRIGGER_TYPES } from './keda-scalers.js';

const BEHAVIORS = ['static', 'currentReplicas', 'currentReplicasIfHigher', 'currentReplicasIfLower', 'scalingModifiers'];

export const meta: RuleMeta = {
  id: 'QD118',
  slug: 'invalid-fallback',
  severity: 'error',
  title: 'A fallback that cannot work',
  rationale:
    'spec.fallback makes KEDA hold a replica count after failureThreshold consecutive scaler errors. It needs both ' +
    'failureThreshold and replicas (whole numbers ≥ 0; CRD required fields), a known behavior, and at least one trigger ' +
    'that is not cpu/memory — KEDA\'s webhook rejects a fallback on a cpu/memory-only ScaledObject (those metrics come from ' +
    'the metrics server, not a scaler). ScaledJobs have no fallback; the field is dropped there.',
  fix: 'fallback: {failureThreshold: 3, replicas: <safe count>} on a ScaledObject with a queue or metric trigger.',
  needsSignals: false,
  examples: {
    bad: `kind: ScaledObject
spec:
  fallback: {replicas: 4}            # no failureThreshold
  triggers: [{type: cpu, metricType: Utilization, metadata: {value: "70"}}]`,
    good: `kind: ScaledObject
spec:
  fallback: {failureThreshold: 3, replicas: 4}
  triggers: [{type: rabbitmq, metadata: {queueName: jobs, mode: QueueLength, value: "20"}}]`,
  },
  references: ['https://keda.sh/docs/2.20/reference/scaledobject-spec/#fallback', 'kedacore/keda apis/keda/v1alpha1/scaledobject_types.go (CheckFallbackValid)'],
};

export const rule: Rule = {
  meta,
  check({ inventory }) {
    const out: Finding[] = [];
    for (const a of inventory.autoscalers) {
      if (a.kind === 'HorizontalPodAutoscaler') continue;
      const fb = isObj(a.object.raw.spec) ? a.object.raw.spec.fallback : undefined;
      if (fb === undefined || fb === null) continue;
      const at = ['spec', 'fallback'];
      if (a.kind === 'ScaledJob') {
        out.push(finding(meta, a, at, `ScaledJob ${a.name} sets fallback, which ScaledJobs do not have: the field is dropped and nothing holds jobs when the scaler fails`, {}, { severity: 'warning', fix: 'remove spec.fallback' }));
        continue;
      }
      if (!isObj(fb)) {
        out.push(finding(meta, a, at, `ScaledObject ${a.name}: fallback ${shown(fb)} is not a mapping with failureThreshold and replicas`, {}, { fix: 'fallback: {failureThreshold: 3, replicas: 4}' }));
        continue;
      }
      for (const field of ['failureThreshold', 'replicas']) {
        const v = fb[field];
        if (v === undefined || v === null) {
          out.push(finding(meta, a, at, `ScaledObject ${a.name}: fallback has no ${field}; both failureThreshold and replicas are required`, { missing: field }, { fix: `${field}: ${field === 'replicas' ? 4 : 3}` }));
        } else if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
          out.push(finding(meta, a, [...at, field], `ScaledObject ${a.name}: fallback.${field} ${shown(v)} must be a whole number ≥ 0`, { [field]: shown(v) }, { fix: `${field}: ${field === 'replicas' ? 4 : 3}` }));
        }
      }
      if (fb.behavior !== undefined && !(typeof fb.behavior === 'string' && BEHAVIORS.includes(fb.behavior))) {
        out.push(finding(meta, a, [...at, 'behavior'], `ScaledObject ${a.name}: fallback.behavior ${shown(fb.behavior)} is not one of ${BEHAVIORS.join(', ')}`, { behavior: shown(fb.behavior) }, { fix: 'behavior: static' }));
      }
      const trig = triggers(a);
      if (trig.length > 0 && trig.every((m) => RESOURCE_TRIGGER_TYPES.has(m.triggerType ?? ''))) {
        out.push(
          finding(meta, a, at, `ScaledObject ${a.name} sets a fallback but has only cpu/memory triggers: KEDA's webhook rejects it (fallback is not supported for cpu/memory scalers)`, {}, {
            fix: 'remove spec.fallback, or add a queue trigger',
          }),
        );
      }
    }
    return out;
  },
};
