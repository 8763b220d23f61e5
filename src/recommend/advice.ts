// Advice that is not part of the ScaledObject: the pod's termination grace period (scale-in must
// let a running job finish) and, for very long jobs, running each job as a Kubernetes Job.
import type { Workload } from '../inventory/model.js';
import type { Profile } from './profile.js';
import { formatDuration } from '../units/duration.js';

/** Kubernetes' default terminationGracePeriodSeconds. */
export const DEFAULT_GRACE_SECONDS = 30;
/** Above this p99 job duration, a ScaledJob (one Job per message) beats hoping the HPA picks idle pods. */
export const SCALED_JOB_P99_SECONDS = 30 * 60;
/** Time for the worker to stop taking jobs and exit after the last one finishes. */
const SHUTDOWN_MARGIN_SECONDS = 15;

export interface GraceAdvice {
  currentSeconds: number;
  currentIsDefault: boolean;
  recommendedSeconds: number;
  derivation: string;
  /** A patch to apply when the current grace period is too short. */
  patch?: { kubectl: string; yaml: string };
}

export interface ScaledJobAdvice {
  reason: string;
}

export function graceAdvice(w: Workload, profile: Profile): GraceAdvice | undefined {
  const p99 = profile.p99Duration;
  if (!p99) return undefined;
  const current = w.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  const recommended = Math.ceil(p99.value * 1.2 + SHUTDOWN_MARGIN_SECONDS);
  const derivation = `ceil(${p99.source} ${Number(p99.value.toPrecision(3))}s × 1.2 + ${SHUTDOWN_MARGIN_SECONDS}s shutdown) = ${recommended}s: a pod removed on scale-in finishes its job before SIGKILL`;
  const advice: GraceAdvice = { currentSeconds: current, currentIsDefault: w.terminationGracePeriodSeconds === undefined, recommendedSeconds: recommended, derivation };
  if (current < recommended) {
    const body = { spec: { template: { spec: { terminationGracePeriodSeconds: recommended } } } };
    advice.patch = {
      kubectl: `kubectl patch ${w.kind.toLowerCase()} ${w.name} -n ${w.namespace} --type merge -p '${JSON.stringify(body)}'`,
      yaml: `spec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: ${recommended}  # was ${current}${w.terminationGracePeriodSeconds === undefined ? ' (default)' : ''}`,
    };
  }
  return advice;
}

export function scaledJobAdvice(profile: Profile): ScaledJobAdvice | undefined {
  const p99 = profile.p99Duration;
  if (!p99 || p99.value < SCALED_JOB_P99_SECONDS) return undefined;
  return {
    reason:
      `Jobs run up to ${formatDuration(p99.value)} (${p99.source}): with a ScaledObject the HPA chooses which pods to remove and can stop one mid-job. ` +
      `Consider a KEDA ScaledJob (one Kubernetes Job per message, runs to completion) with the same trigger.`,
  };
}
