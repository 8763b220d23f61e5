import type { Autoscaler, Finding } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { isObj } from '../src/diagnose/keda-values.js';

const TRANSFER_ANNOTATION = 'scaledobject.keda.sh/transfer-hpa-ownership';

export const meta: RuleMeta = {
  id: 'QD104',
  slug: 'double-scaled',
  severity: 'error',
  title: 'Two autoscalers scale one workload',
  rationale:
    'A ScaledObject works by creating its own HPA, so an HPA and a ScaledObject (or two of either) on one workload set its ' +
    'replica count against each other. KEDA\'s admission webhook rejects such a ScaledObject ("the workload … is already ' +
    'managed by the hpa …" / "… by the ScaledObject …"); without the webhook the HPAs overwrite each other\'s replica count.',
  fix:
    'Keep one autoscaler per workload. To move from an HPA to KEDA without a gap, let the ScaledObject adopt the HPA: annotate ' +
    'it scaledobject.keda.sh/transfer-hpa-ownership: "true", set spec.advanced.horizontalPodAutoscalerConfig.name to the HPA\'s ' +
    'name, and delete the HPA from the manifests. Merge two ScaledObjects into one (KEDA scales on the largest trigger).',
  needsSignals: false,
  examples: {
    bad: `kind: HorizontalPodAutoscaler
metadata: {name: rag-worker}
spec: {scaleTargetRef: {kind: Deployment, name: rag-worker}}
---
kind: ScaledObject
metadata: {name: rag-worker}
spec: {scaleTargetRef: {name: rag-worker}}`,
    good: `kind: ScaledObject
metadata:
  name: rag-worker
  annotations:
    scaledobject.keda.sh/transfer-hpa-ownership: "true"
spec:
  scaleTargetRef: {name: rag-worker}
  advanced:
    horizontalPodAutoscalerConfig: {name: rag-worker}   # the HPA it adopts`,
  },
  references: [
    'https://keda.sh/docs/2.20/concepts/admission-webhooks/',
    'https://keda.sh/docs/2.20/reference/scaledobject-spec/#transfer-ownership-of-an-existing-hpa',
    'kedacore/keda apis/keda/v1alpha1/scaledobject_webhook.go (verifyHpas, verifyScaledObjects)',
  ],
};

/** The HPA name a ScaledObject creates or adopts (KEDA's getHpaName). */
function hpaNameOf(so: Autoscaler): string {
  return so.keda?.hpaName || `keda-hpa-${so.name}`;
}

/** True when `hpa` is the HPA that ScaledObject `so` creates or is allowed to adopt. */
function ownedBy(hpa: Autoscaler, so: Autoscaler): boolean {
  const owners = hpa.object.raw.metadata?.ownerReferences;
  if (Array.isArray(owners) && owners.some((o: unknown) => isObj(o) && o.kind === 'ScaledObject' && o.name === so.name)) return true;
  if (hpa.name !== hpaNameOf(so)) return false;
  // the default name is KEDA's own HPA (e.g. exported from a cluster); a custom name is
  // adopted only with the transfer annotation
  return !so.keda?.hpaName || so.keda.annotations[TRANSFER_ANNOTATION] === 'true';
}

/**
 * The autoscalers that share a scale target (context, namespace, kind and name), in the order
 * of each group's first member; only groups of two or more, which are rare: most targets have
 * one autoscaler, so they are first sorted by name alone. `order` gets the input position of
 * every grouped autoscaler.
 */
function targetGroups(list: Autoscaler[], order: Map<Autoscaler, number>): Autoscaler[][] {
  const byName = new Map<string, number | number[]>();
  for (let i = 0; i < list.length; i++) {
    const a = list[i];
    if (a.kind === 'ScaledJob' || !a.target || a.target.name === '') continue;
    const seen = byName.get(a.target.name);
    if (seen === undefined) byName.set(a.target.name, i);
    else if (typeof seen === 'number') byName.set(a.target.name, [seen, i]);
    else seen.push(i);
  }
  const groups: number[][] = [];
  for (const same of byName.values()) {
    if (typeof same === 'number') continue;
    const split: number[][] = [];
    for (const i of same) {
      const a = list[i];
      const g = split.find((x) => {
        const b = list[x[0]];
        return b.context === a.context && b.namespace === a.namespace && b.target!.kind === a.target!.kind;
      });
      if (g) g.push(i);
      else split.push([i]);
    }
    for (const g of split) if (g.length >= 2) groups.push(g);
  }
  groups.sort((x, y) => x[0] - y[0]);
  return groups.map((g) =>
    g.map((i) => {
      order.set(list[i], i);
      return list[i];
    }),
  );
}

export const rule: Rule = {
  meta,
  check({ inventory }) {
    const order = new Map<Autoscaler, number>();
    const out: Finding[] = [];
    for (const group of targetGroups(inventory.autoscalers, order)) {
      const sos = group.filter((a) => a.kind === 'ScaledObject');
      const members = group.filter((a) => a.kind !== 'HorizontalPodAutoscaler' || !sos.some((so) => ownedBy(a, so)));
      if (members.length < 2) continue;
      // HPAs first (they were there before KEDA), then by position in the input
      members.sort((x, y) => (x.kind === y.kind ? order.get(x)! - order.get(y)! : x.kind === 'HorizontalPodAutoscaler' ? -1 : 1));
      const first = members[0];
      const target = `${first.target!.kind} ${first.target!.name}`;
      for (const a of members.slice(1)) {
        const others = members.filter((m) => m !== a).map((m) => `${m.kind} ${m.name}`);
        const evidence = { target, autoscalers: members.map((m) => `${m.kind}/${m.name}`).join(', ') };
        if (a.kind === 'ScaledObject' && first.kind === 'HorizontalPodAutoscaler') {
          const named = a.keda?.hpaName === first.name;
          if (named) {
            out.push(
              finding(
                meta,
                a,
                ['metadata', 'annotations', TRANSFER_ANNOTATION],
                `ScaledObject ${a.name} names HPA ${first.name} in horizontalPodAutoscalerConfig.name but lacks the annotation ` +
                  `${TRANSFER_ANNOTATION}: "true": KEDA's webhook rejects it because ${target} is already managed by that HPA`,
                evidence,
                { fix: `add metadata.annotations ${TRANSFER_ANNOTATION}: "true" to ScaledObject ${a.name} and delete HorizontalPodAutoscaler ${first.name} from the manifests` },
              ),
            );
            continue;
          }
          out.push(
            finding(
              meta,
              a,
              ['spec', 'scaleTargetRef', 'name'],
              `ScaledObject ${a.name} and ${others.join(', ')} both scale ${target}: KEDA's webhook rejects the ScaledObject ` +
                `("already managed by the hpa '${first.name}'"); without the webhook the two HPAs overwrite each other's replica count`,
              evidence,
              {
                fix:
                  `let KEDA adopt the HPA: annotate ScaledObject ${a.name} with ${TRANSFER_ANNOTATION}: "true", set ` +
                  `spec.advanced.horizontalPodAutoscalerConfig.name: ${first.name}, and delete HorizontalPodAutoscaler ${first.name} from the manifests`,
              },
            ),
          );
        } else if (a.kind === 'ScaledObject') {
          out.push(
            finding(
              meta,
              a,
              ['spec', 'scaleTargetRef', 'name'],
              `ScaledObjects ${first.name} and ${a.name} both scale ${target}: KEDA's webhook rejects ${a.name} ` +
                `("already managed by the ScaledObject '${first.name}'"); without it their HPAs overwrite each other's replica count`,
              evidence,
              { fix: `merge the triggers of ScaledObject ${a.name} into ScaledObject ${first.name} (KEDA scales on the largest trigger) and delete ${a.name}` },
            ),
          );
        } else {
          out.push(
            finding(
              meta,
              a,
              ['spec', 'scaleTargetRef', 'name'],
              `HorizontalPodAutoscalers ${first.name} and ${a.name} both scale ${target}: they overwrite each other's replica count ` +
                '(newer Kubernetes versions stop both with the AmbiguousSelector condition)',
              evidence,
              { fix: `merge the metrics of HorizontalPodAutoscaler ${a.name} into ${first.name} (the HPA takes the largest proposal) and delete ${a.name}` },
            ),
          );
        }
      }
    }
    return out;
  },
};
