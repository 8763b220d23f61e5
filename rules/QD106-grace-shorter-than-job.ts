import type { Finding } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { formatDuration } from '../src/units/duration.js';
import { ANNOTATION } from '../src/inventory/settings.js';

/** Kubernetes' default terminationGracePeriodSeconds. */
const DEFAULT_GRACE_SECONDS = 30;
/** cluster-autoscaler drains a node giving pods at most this long (--max-graceful-termination-sec). */
const NODE_DRAIN_GRACE_SECONDS = 600;

export const meta: RuleMeta = {
  id: 'QD106',
  slug: 'grace-shorter-than-job',
  severity: 'error',
  title: 'Termination grace period shorter than a job',
  rationale:
    'On scale-in, a rollout or a node drain, Kubernetes sends SIGTERM and kills the pod after terminationGracePeriodSeconds ' +
    '(30 s by default). The HPA picks which pods go, not KEDA, so a worker whose jobs run longer than the grace period loses ' +
    'the jobs in flight: they are retried (work done twice) or lost. The job duration comes from the annotation ' +
    'queue-doctor.io/job-duration or, in `scan`, from the measured p99.',
  fix:
    'Drain on SIGTERM (stop taking new jobs, finish the current one; or a preStop hook that waits for it) and set ' +
    'terminationGracePeriodSeconds above the longest job. For jobs longer than ~10 minutes run each job as a Kubernetes Job ' +
    'with a KEDA ScaledJob, which never interrupts a running job.',
  needsSignals: false,
  examples: {
    bad: `kind: Deployment
metadata:
  annotations: {queue-doctor.io/job-duration: 2m}
spec:
  template:
    spec:              # terminationGracePeriodSeconds defaults to 30
      containers: [{name: worker, command: [celery, -A, app, worker]}]`,
    good: `kind: Deployment
metadata:
  annotations: {queue-doctor.io/job-duration: 2m}
spec:
  template:
    spec:
      terminationGracePeriodSeconds: 150   # job + drain headroom
      containers: [{name: worker, command: [celery, -A, app, worker]}]   # celery finishes running tasks on SIGTERM`,
  },
  references: [
    'https://keda.sh/docs/2.20/concepts/scaling-deployments/#leverage-the-container-lifecycle',
    'https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination',
    'https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/FAQ.md',
  ],
};

/** A grace period that covers the job plus time to stop taking work: ≥ 30 s or 25 % headroom, in whole 10 s. */
function suggestedGrace(jobSeconds: number): number {
  return Math.ceil((jobSeconds + Math.max(30, jobSeconds * 0.25)) / 10) * 10;
}

export const rule: Rule = {
  meta,
  check({ inventory, signals }) {
    const out: Finding[] = [];
    for (const w of inventory.workloads) {
      const podSpec = w.object.raw.spec?.template?.spec;
      const rawGrace = podSpec !== null && typeof podSpec === 'object' ? podSpec.terminationGracePeriodSeconds : undefined;
      if (rawGrace !== undefined && rawGrace !== null && typeof rawGrace !== 'number') continue; // not a number: nothing to compare
      const declared = w.settings.jobDurationSeconds;
      const p99 = signals?.get(w.id)?.jobDuration?.p99;
      const measured = typeof p99 === 'number' && Number.isFinite(p99) && p99 > 0 ? p99 : undefined;
      // the longer of the declared and the measured duration: the grace period must cover both
      const useMeasured = measured !== undefined && (declared === undefined || measured > declared);
      const job = useMeasured ? measured : declared;
      if (job === undefined) continue;
      const grace = typeof rawGrace === 'number' ? rawGrace : DEFAULT_GRACE_SECONDS;
      if (grace >= job) continue;
      const source = useMeasured ? 'measured p99' : `${ANNOTATION.jobDuration}`;
      const graceText = typeof rawGrace === 'number' ? `terminationGracePeriodSeconds: ${rawGrace}` : `the default ${DEFAULT_GRACE_SECONDS}s (terminationGracePeriodSeconds unset)`;
      const suggested = suggestedGrace(job);
      const long = job > NODE_DRAIN_GRACE_SECONDS;
      const fix = long
        ? `jobs of ${formatDuration(job)} outlast node drains (cluster-autoscaler allows ${formatDuration(NODE_DRAIN_GRACE_SECONDS)} by default): ` +
          `run each job as a Kubernetes Job with a KEDA ScaledJob, or drain on SIGTERM and set terminationGracePeriodSeconds: ${suggested}`
        : `drain on SIGTERM (finish the current job, take no new one) or add a preStop hook that waits for it, and set terminationGracePeriodSeconds: ${suggested}`;
      // unset: the locator points at the pod spec that lacks the field
      const path = ['spec', 'template', 'spec', 'terminationGracePeriodSeconds'];
      out.push(
        finding(
          meta,
          w,
          path,
          `${w.kind} ${w.name} gives its pods ${graceText} to stop, but its jobs take ${formatDuration(job)} (${source}): ` +
            'scale-in, rollouts and node drains kill jobs in flight',
          {
            graceSeconds: grace,
            graceSet: typeof rawGrace === 'number',
            jobDurationSeconds: job,
            jobDurationSource: useMeasured ? 'p99' : 'annotation',
            suggestedGraceSeconds: suggested,
          },
          { fix },
        ),
      );
    }
    return out;
  },
};
