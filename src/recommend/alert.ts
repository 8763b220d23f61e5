// The alert that goes with a recommendation: queue wait is the user-facing number, so alert on
// the estimated wait (backlog ÷ the rate it drains at), not on CPU or replica counts.
import type { Workload } from '../inventory/model.js';
import type { QueueBinding } from '../metrics/signals-model.js';
import type { Derivation } from './scaled-object.js';
import { aggregate } from './trigger.js';
import { formatDuration } from '../units/duration.js';

const fmt = (x: number) => String(Number(x.toPrecision(3)));

/** kube-state-metrics series of ready replicas, per workload kind. */
function readyReplicasQuery(w: Workload): string {
  const ns = `namespace="${w.namespace}"`;
  switch (w.kind) {
    case 'StatefulSet':
      return `sum(kube_statefulset_status_replicas_ready{${ns},statefulset="${w.name}"})`;
    case 'Rollout':
      // Argo Rollouts exposes no kube-state-metrics series; pods owned by the rollout's ReplicaSets
      return `count(kube_pod_status_ready{${ns},condition="true",pod=~"${w.name}-[a-z0-9]+-[a-z0-9]+"})`;
    default:
      return `sum(kube_deployment_status_replicas_available{${ns},deployment="${w.name}"})`;
  }
}

export function buildAlert(input: {
  workload: Workload;
  binding?: QueueBinding;
  targetWaitSeconds: number;
  perReplicaThroughput?: number;
}): { object: Record<string, any>; derivations: Derivation[] } | undefined {
  const { workload: w, binding } = input;
  if (!binding) return undefined;
  const W = input.targetWaitSeconds;
  const backlog = aggregate(binding.backlogQuery);
  // drain rate: the measured completion rate, else ready replicas × per-replica throughput
  let drain: string;
  let drainText: string;
  if (binding.throughputQuery) {
    drain = aggregate(binding.throughputQuery);
    drainText = 'the measured completion rate';
  } else if (input.perReplicaThroughput) {
    drain = `${readyReplicasQuery(w)} * ${fmt(input.perReplicaThroughput)}`;
    drainText = `ready replicas × ${fmt(input.perReplicaThroughput)} jobs/s per replica`;
  } else {
    return undefined;
  }
  // a zero drain rate with jobs waiting is an infinite wait: clamp_min keeps the division finite and firing
  const expr = `(${backlog}) / clamp_min(${drain}, 0.001) > ${fmt(W)}`;
  const forSeconds = Math.max(120, Math.ceil((4 * W) / 60) * 60);
  const name = `${w.name}-queue-wait`.slice(0, 63).replace(/[-.]+$/, '');
  const alertName = 'QueueWaitAboveTarget';
  const object = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name, namespace: w.namespace, labels: { 'app.kubernetes.io/part-of': w.name } },
    spec: {
      groups: [
        {
          name: `queue-doctor.${w.namespace}.${w.name}`,
          rules: [
            {
              alert: alertName,
              expr,
              for: formatDuration(forSeconds),
              labels: { severity: 'warning', namespace: w.namespace, workload: w.name },
              annotations: {
                summary: `${w.kind} ${w.namespace}/${w.name}: estimated queue wait above ${formatDuration(W)}`,
                description: `Backlog ÷ ${drainText} has been above the ${formatDuration(W)} target for ${formatDuration(forSeconds)}. Value: {{ $value | humanizeDuration }}.`,
              },
            },
          ],
        },
      ],
    },
  };
  const derivations: Derivation[] = [
    { field: 'spec.groups[0].rules[0].expr', value: fmt(W), derivation: `estimated wait = backlog ÷ ${drainText}, alert above the target wait ${formatDuration(W)}` },
    { field: 'spec.groups[0].rules[0].for', value: formatDuration(forSeconds), derivation: `max(2m, 4 × target wait ${formatDuration(W)}) rounded up to a minute = ${formatDuration(forSeconds)}: a burst the autoscaler absorbs does not page` },
  ];
  return { object, derivations };
}
