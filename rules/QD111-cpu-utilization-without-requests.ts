import type { Autoscaler, Container, Finding, ScalingMetric } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { isObj, metricLabel, rawMetadata, valueAt } from '../src/diagnose/keda-values.js';

export const meta: RuleMeta = {
  id: 'QD111',
  slug: 'cpu-utilization-without-requests',
  severity: 'error',
  title: 'CPU/memory utilization target on containers without requests',
  rationale:
    'Utilization is usage divided by the container\'s request. When a container of the target has no cpu (or memory) ' +
    'request — and no limit, which would default it — the HPA cannot compute utilization: the metric fails ("missing request ' +
    'for cpu") and the autoscaler does not act on it; KEDA\'s webhook rejects a cpu/memory trigger in that case. A ' +
    'namespace LimitRange with a default request is the one thing that rescues it.',
  fix: 'Set resources.requests.cpu (or memory) on every container of the pod (or on the container the metric names), or target an AverageValue instead of Utilization.',
  needsSignals: false,
  examples: {
    bad: `kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: api              # no resources.requests.cpu
---
kind: HorizontalPodAutoscaler
spec:
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}`,
    good: `kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: api
          resources: {requests: {cpu: 250m}}`,
  },
  references: [
    'https://kubernetes.io/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale/#support-for-resource-metrics',
    'kedacore/keda apis/keda/v1alpha1/scaledobject_webhook.go (verifyCPUMemoryScalers: "doesn\'t have the cpu request defined")',
    'https://keda.sh/docs/2.20/scalers/cpu/',
  ],
};

type Resource = 'cpu' | 'memory';

function hasRequest(c: Container, r: Resource): boolean {
  // a limit without a request defaults the request to the limit
  return (c.requests[r] ?? 0) > 0 || (c.limits[r] ?? 0) > 0;
}

/** The container a metric is restricted to: HPA ContainerResource, or KEDA's containerName. */
function containerOf(a: Autoscaler, m: ScalingMetric): string | undefined {
  if (a.kind === 'HorizontalPodAutoscaler') {
    const entry = valueAt(a.object.raw, m.path);
    const name = isObj(entry) && isObj(entry.containerResource) ? entry.containerResource.container : undefined;
    return typeof name === 'string' && name !== '' ? name : undefined;
  }
  const name = rawMetadata(a, m).containerName;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

export const rule: Rule = {
  meta,
  check({ inventory }) {
    const out: Finding[] = [];
    for (const a of inventory.autoscalers) {
      const w = a.workload;
      if (!w || w.containers.length === 0) continue;
      for (const m of a.metrics) {
        if (m.source !== 'resource' || m.targetType !== 'Utilization') continue;
        const r = m.resourceName;
        if (r !== 'cpu' && r !== 'memory') continue;
        const only = containerOf(a, m);
        const scope = only === undefined ? w.containers : w.containers.filter((c) => c.name === only);
        if (only !== undefined && scope.length === 0) {
          const label = metricLabel(a, m);
          out.push(
            finding(meta, a, m.path, `${label} targets container ${only}, which ${w.kind} ${w.name} does not have (containers: ${w.containers.map((c) => c.name).join(', ')})`, {
              container: only,
              containers: w.containers.map((c) => c.name).join(', '),
            }),
          );
          continue;
        }
        if (scope.every((c) => hasRequest(c, r))) continue;
        const missing = scope.filter((c) => !hasRequest(c, r));
        const label = metricLabel(a, m);
        const names = missing.map((c) => c.name).join(', ');
        const target = m.target !== undefined ? ` ${m.target}%` : '';
        out.push(
          finding(
            meta,
            a,
            m.path,
            `${label} scales on ${r} utilization${target}, but container${missing.length > 1 ? 's' : ''} ${names} of ${w.kind} ${w.name} ` +
              `${missing.length > 1 ? 'have' : 'has'} no ${r} request: utilization cannot be computed, so this metric never scales (unless a LimitRange sets a default)`,
            { resource: r, containersWithoutRequest: names, workload: `${w.kind}/${w.name}` },
            { fix: `set resources.requests.${r} on container${missing.length > 1 ? 's' : ''} ${names}` },
          ),
        );
      }
    }
    return out;
  },
};
