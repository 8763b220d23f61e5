import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { isLiveObject, shown } from '../src/diagnose/keda-values.js';

export const meta: RuleMeta = {
  id: 'QD105',
  slug: 'replicas-fights-autoscaler',
  severity: 'warning',
  title: 'spec.replicas set on an autoscaled workload',
  rationale:
    'When a manifest sets spec.replicas and an autoscaler also owns the replica count, every kubectl apply, Helm upgrade or ' +
    'GitOps sync resets the workload to the written number, undoing the autoscaler until its next reconcile — a scaled-out ' +
    'worker drops back mid-burst, or a scaled-in one is woken up.',
  fix:
    'Remove spec.replicas from the manifest and let the autoscaler own it (Argo CD: also ignore /spec/replicas in ' +
    'ignoreDifferences while the live object still has it).',
  needsSignals: false,
  examples: {
    bad: `kind: Deployment
metadata: {name: rag-worker}
spec:
  replicas: 2          # reset on every sync
---
kind: ScaledObject
spec: {scaleTargetRef: {name: rag-worker}}`,
    good: `kind: Deployment
metadata: {name: rag-worker}
spec:                  # no replicas: the ScaledObject owns them
  template: {}`,
  },
  references: [
    'https://kubernetes.io/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling',
    'https://argo-cd.readthedocs.io/en/stable/user-guide/diffing/',
  ],
};

export const rule: Rule = {
  meta,
  check({ inventory }) {
    return inventory.workloads
      // objects read from (or exported from) a cluster always carry spec.replicas: nobody wrote it
      .filter((w) => w.autoscalers.some((a) => a.kind !== 'ScaledJob') && w.object.raw.spec?.replicas !== undefined && !isLiveObject(w.object.raw, w.context))
      .map((w) => {
        const raw = w.object.raw.spec.replicas;
        const scalers = w.autoscalers.filter((a) => a.kind !== 'ScaledJob');
        const a = scalers[0];
        const range = a.minReplicas !== undefined && a.maxReplicas !== undefined ? ` (${a.minReplicas}–${a.maxReplicas})` : '';
        const list = scalers.map((s) => `${s.kind} ${s.name}`);
        const names = list.length <= 2 ? list.join(' and ') : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
        let effect = `every kubectl apply or GitOps sync resets it to ${shown(raw)}, undoing ${a.kind === 'ScaledObject' ? 'KEDA' : 'the HPA'} until it reacts again`;
        if (raw === 0 && a.kind === 'HorizontalPodAutoscaler') effect = 'replicas 0 also disables the HPA (ScalingDisabled) until someone scales it up by hand';
        return finding(
          meta,
          w,
          ['spec', 'replicas'],
          `${w.kind} ${w.name} sets spec.replicas: ${shown(raw)} while ${names}${scalers.length === 1 ? `${range} scales it` : ' scale it'}: ${effect}`,
          { replicas: typeof raw === 'number' ? raw : shown(raw), autoscalers: names },
          { fix: `delete spec.replicas from ${w.kind} ${w.name}` },
        );
      });
  },
};
