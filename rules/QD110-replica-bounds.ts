import type { Autoscaler, Finding } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { shown, triggers } from '../src/diagnose/keda-values.js';
import { RESOURCE_TRIGGER_TYPES } from './keda-scalers.js';

export const meta: RuleMeta = {
  id: 'QD110',
  slug: 'replica-bounds',
  severity: 'error',
  title: 'Impossible replica bounds',
  rationale:
    'Replica bounds that contradict each other are rejected by the API server or KEDA\'s webhook, or make KEDA and the HPA ' +
    'fight: minReplicaCount above maxReplicaCount (the HPA update fails and both set the scale in turn, kedacore/keda#5288), ' +
    'maxReplicaCount below 1, an idleReplicaCount other than 0 or not below minReplicaCount (only 0 works; other values ' +
    'make replicas oscillate between idle and min, #2314/#8172), minReplicaCount 0 with only cpu/memory triggers (CPU ' +
    'cannot be measured at zero pods, so the webhook rejects it), an HPA with minReplicas above maxReplicas or no maxReplicas.',
  fix: 'Keep 0 ≤ idleReplicaCount(=0) < minReplicaCount ≤ maxReplicaCount, maxReplicaCount ≥ 1, and minReplicaCount ≥ 1 when only cpu/memory triggers scale.',
  needsSignals: false,
  examples: {
    bad: `kind: ScaledObject
spec:
  idleReplicaCount: 1
  minReplicaCount: 5
  maxReplicaCount: 3`,
    good: `kind: ScaledObject
spec:
  idleReplicaCount: 0
  minReplicaCount: 1
  maxReplicaCount: 10`,
  },
  references: [
    'https://keda.sh/docs/2.20/reference/scaledobject-spec/#idlereplicacount',
    'kedacore/keda apis/keda/v1alpha1/scaledobject_types.go (CheckReplicaCountBoundsAreValid)',
    'kedacore/keda apis/keda/v1alpha1/scaledobject_webhook.go (verifyCPUMemoryScalers)',
    'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/',
  ],
};

/** A replica field: undefined when unset, a number when a whole number ≥ 0, else a finding. */
function readCount(a: Autoscaler, field: string, out: Finding[]): number | undefined | null {
  const raw = a.object.raw.spec?.[field];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw)) {
    out.push(finding(meta, a, ['spec', field], `${a.kind} ${a.name}: ${field} ${shown(raw)} is not a whole number`, { [field]: shown(raw) }));
    return null;
  }
  if (raw < 0) {
    out.push(finding(meta, a, ['spec', field], `${a.kind} ${a.name}: ${field} ${raw} is negative`, { [field]: raw }));
    return null;
  }
  return raw;
}

function checkKeda(a: Autoscaler, out: Finding[]): void {
  const min = readCount(a, 'minReplicaCount', out);
  const max = readCount(a, 'maxReplicaCount', out);
  const idle = a.kind === 'ScaledObject' ? readCount(a, 'idleReplicaCount', out) : undefined;
  if (min === null || max === null || idle === null) return;
  const maxEff = max ?? 100;
  if (max !== undefined && max < 1) {
    out.push(finding(meta, a, ['spec', 'maxReplicaCount'], `${a.kind} ${a.name}: maxReplicaCount ${max} leaves nothing to scale to: it must be at least 1`, { maxReplicaCount: max }, { fix: 'maxReplicaCount: 10' }));
  } else if (min !== undefined && min > maxEff) {
    out.push(
      finding(meta, a, ['spec', 'minReplicaCount'], `${a.kind} ${a.name}: minReplicaCount ${min} is above maxReplicaCount ${maxEff}${max === undefined ? ' (default)' : ''}`, { minReplicaCount: min, maxReplicaCount: maxEff }, {
        fix: `maxReplicaCount: ${min} or more, or minReplicaCount: ${maxEff} or less`,
      }),
    );
  }
  if (a.kind !== 'ScaledObject') return;
  if (idle !== undefined) {
    const minText = min === undefined ? 'minReplicaCount (unset, 0)' : `minReplicaCount ${min}`;
    const notBelow = idle >= (min ?? 0);
    if (idle !== 0) {
      out.push(
        finding(
          meta,
          a,
          ['spec', 'idleReplicaCount'],
          `ScaledObject ${a.name}: idleReplicaCount ${idle}${notBelow ? ` is not below ${minText}, and` : ''} is not 0: only 0 works (other values make replicas oscillate between idle and min, kedacore/keda#2314)`,
          { idleReplicaCount: idle, minReplicaCount: min ?? 0 },
          { fix: 'idleReplicaCount: 0 with minReplicaCount ≥ 1, or remove idleReplicaCount' },
        ),
      );
    } else if (notBelow) {
      // explicit minReplicaCount 0 passes KEDA's check (it compares with the HPA minimum, 1) but does nothing
      const rejected = min === undefined;
      out.push(
        finding(
          meta,
          a,
          ['spec', 'idleReplicaCount'],
          `ScaledObject ${a.name}: idleReplicaCount 0 is not below ${minText}: ${rejected ? "KEDA's webhook rejects it (IdleReplicaCount must be less than MinReplicaCount)" : 'it has no effect, the workload already scales to 0'}`,
          { idleReplicaCount: idle, minReplicaCount: min ?? 0 },
          { severity: rejected ? 'error' : 'warning', fix: 'set minReplicaCount ≥ 1 (the floor while active) or remove idleReplicaCount' },
        ),
      );
    }
  }
  const trig = triggers(a);
  if ((min ?? 0) === 0 && trig.length > 0 && trig.every((m) => RESOURCE_TRIGGER_TYPES.has(m.triggerType ?? ''))) {
    out.push(
      finding(
        meta,
        a,
        ['spec', 'minReplicaCount'],
        `ScaledObject ${a.name}: minReplicaCount ${min === undefined ? 'is unset (0)' : 0} but it has only ${[...new Set(trig.map((m) => m.triggerType))].join('/')} triggers: ` +
          "CPU and memory cannot be measured at zero pods, so it could never scale up again; KEDA's webhook rejects it",
        { minReplicaCount: 0, triggers: trig.map((m) => m.triggerType ?? '').join(', ') },
        { fix: 'minReplicaCount: 1, or add a queue trigger that can wake the workload from 0' },
      ),
    );
  }
}

function checkHpa(a: Autoscaler, out: Finding[]): void {
  const spec = a.object.raw.spec;
  if (spec === null || typeof spec !== 'object') return;
  if (spec.maxReplicas === undefined || spec.maxReplicas === null) {
    out.push(finding(meta, a, ['spec', 'maxReplicas'], `HorizontalPodAutoscaler ${a.name} has no maxReplicas: the field is required and the API server rejects the HPA`, {}, { fix: 'maxReplicas: 10' }));
    return;
  }
  const min = readCount(a, 'minReplicas', out);
  const max = readCount(a, 'maxReplicas', out);
  if (min === null || max === null || max === undefined) return;
  if (max < 1) {
    out.push(finding(meta, a, ['spec', 'maxReplicas'], `HorizontalPodAutoscaler ${a.name}: maxReplicas ${max} must be at least 1`, { maxReplicas: max }, { fix: 'maxReplicas: 10' }));
    return;
  }
  if (min !== undefined && min > max) {
    out.push(finding(meta, a, ['spec', 'minReplicas'], `HorizontalPodAutoscaler ${a.name}: minReplicas ${min} is above maxReplicas ${max}: the API server rejects it`, { minReplicas: min, maxReplicas: max }, { fix: `maxReplicas: ${min} or more` }));
  }
  if (min === 0) {
    out.push(
      finding(meta, a, ['spec', 'minReplicas'], `HorizontalPodAutoscaler ${a.name}: minReplicas 0 needs the alpha feature gate HPAScaleToZero; without it the API server rejects the HPA`, { minReplicas: 0 }, {
        fix: 'minReplicas: 1, or scale to zero with a KEDA ScaledObject (minReplicaCount: 0)',
      }),
    );
  }
}

export const rule: Rule = {
  meta,
  check({ inventory }) {
    const out: Finding[] = [];
    for (const a of inventory.autoscalers) {
      if (a.kind === 'HorizontalPodAutoscaler') checkHpa(a, out);
      else checkKeda(a, out);
    }
    return out;
  },
};
