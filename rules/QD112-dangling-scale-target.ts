import type { Finding, Workload } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';

/** Kinds queue-doctor reads; a target of another kind (a custom resource with /scale) cannot be checked. */
const KNOWN_KINDS = new Set(['Deployment', 'StatefulSet', 'Rollout']);

export const meta: RuleMeta = {
  id: 'QD112',
  slug: 'dangling-scale-target',
  severity: 'error',
  title: 'Autoscaler target not found',
  rationale:
    'An HPA or ScaledObject whose scaleTargetRef names a workload that does not exist scales nothing: a typo, a renamed ' +
    'Deployment or a wrong kind (ScaledObjects default to kind Deployment) leaves the real workload unscaled, and the ' +
    'autoscaler only reports it in its status. When queue-doctor reads stdin or a single file the target may live elsewhere, ' +
    'so the finding is a warning there.',
  fix: 'Point scaleTargetRef at the workload\'s exact kind and name (same namespace), or delete the autoscaler.',
  needsSignals: false,
  examples: {
    bad: `kind: ScaledObject
spec:
  scaleTargetRef: {name: rag-wroker}     # the Deployment is rag-worker`,
    good: `kind: ScaledObject
spec:
  scaleTargetRef: {kind: StatefulSet, name: kafka-consumer}   # kind defaults to Deployment`,
  },
  references: ['https://keda.sh/docs/2.20/reference/scaledobject-spec/#scaletargetref', 'https://kubernetes.io/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale/'],
};

export const rule: Rule = {
  meta,
  check({ inventory }) {
    const out: Finding[] = [];
    const where = inventory.sources.length === 1 && inventory.sources[0] === '<stdin>' ? 'stdin' : 'a single file';
    const severity = inventory.partialView ? 'warning' : 'error';
    for (const a of inventory.autoscalers) {
      if (a.kind === 'ScaledJob' || !a.target || a.workload) continue;
      const { kind, name } = a.target;
      if (name === '') {
        out.push(finding(meta, a, ['spec', 'scaleTargetRef', 'name'], `${a.kind} ${a.name} has no scaleTargetRef.name: it scales nothing`, {}, { fix: 'scaleTargetRef: {name: <workload>}' }));
        continue;
      }
      if (kind === '') {
        out.push(finding(meta, a, ['spec', 'scaleTargetRef', 'kind'], `${a.kind} ${a.name} has no scaleTargetRef.kind: the HPA cannot find ${name}`, { name }, { fix: 'scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: …}' }));
        continue;
      }
      if (!KNOWN_KINDS.has(kind)) continue;
      const sameNs = (w: Workload) => w.context === a.context && w.namespace === a.namespace;
      const otherKind = inventory.workloads.find((w) => sameNs(w) && w.name === name);
      const otherNs = inventory.workloads.filter((w) => w.context === a.context && w.kind === kind && w.name === name && w.namespace !== a.namespace);
      let hint = '';
      let fix: string | undefined;
      if (otherKind) {
        hint = `; ${otherKind.kind} ${name} exists — ${a.kind === 'ScaledObject' && a.object.raw.spec?.scaleTargetRef?.kind === undefined ? 'kind defaults to Deployment, ' : ''}set kind: ${otherKind.kind}`;
        fix = `scaleTargetRef: {kind: ${otherKind.kind}, name: ${name}}${otherKind.kind === 'Rollout' ? ' with apiVersion: argoproj.io/v1alpha1' : ''}`;
      } else if (otherNs.length > 0) {
        hint = `; ${kind} ${name} exists in namespace ${otherNs.map((w) => w.namespace).join(', ')} — an autoscaler must live in its target's namespace`;
        fix = `move ${a.kind} ${a.name} to namespace ${otherNs[0].namespace}`;
      } else {
        const similar = inventory.workloads.filter((w) => sameNs(w) && w.kind === kind && closeNames(w.name, name)).map((w) => w.name);
        if (similar.length > 0) {
          hint = `; did you mean ${similar.join(' or ')}?`;
          fix = `scaleTargetRef.name: ${similar[0]}`;
        }
      }
      const scope = inventory.partialView
        ? ` in this input (only ${where} was read: it may be defined elsewhere)`
        : ` in the input (namespace ${a.namespace}, ${inventory.sources.length} file${inventory.sources.length === 1 ? '' : 's'} read)`;
      out.push(
        finding(meta, a, ['spec', 'scaleTargetRef', 'name'], `${a.kind} ${a.name} targets ${kind} ${name}, which is not${scope}${hint}`, { targetKind: kind, targetName: name, partialView: inventory.partialView }, {
          severity,
          fix,
        }),
      );
    }
    return out;
  },
};

/** Names one edit apart, or equal but for case and separators: likely typos. */
function closeNames(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[-_.]/g, '');
  if (norm(a) === norm(b)) return true;
  if (Math.abs(a.length - b.length) > 2) return false;
  return editDistance(a, b) <= 2;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
