import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { liveViews, scaleDownWindowOf } from '../src/diagnose/live-view.js';
import { r2 } from '../src/diagnose/live-evidence.js';
import { formatDuration } from '../src/units/duration.js';

/** More replica changes per hour than this is thrashing. */
export const THRASH_CHANGES_PER_HOUR = 6;
/** Scale-downs undone by a scale-up inside the stabilisation window: this many is a pattern, not an accident. */
export const THRASH_FLAPS = 2;
/** Rates per hour are only meaningful over at least this much history. */
const MIN_SPAN_SECONDS = 30 * 60;

export const meta: RuleMeta = {
  id: 'QD204',
  slug: 'thrashing',
  severity: 'warning',
  title: 'Replicas thrash up and down',
  rationale:
    'Replicas change many times an hour, or scale down and back up inside the scale-down stabilisation window. Each ' +
    'scale-up pays a pod start-up during which jobs wait, and each scale-down may interrupt jobs in progress.',
  fix:
    'Set advanced.horizontalPodAutoscalerConfig.behavior: keep scale-up fast, and give scale-down a stabilisation window ' +
    'longer than the dips in load (queue-doctor derives one from the arrival pattern), or use a trigger that counts in-flight jobs.',
  needsSignals: true,
  examples: {
    bad: `behavior:
  scaleDown: {stabilizationWindowSeconds: 0}   # 14 replica changes an hour`,
    good: `behavior:
  scaleDown:
    stabilizationWindowSeconds: 180
    policies: [{type: Percent, value: 50, periodSeconds: 60}]`,
  },
  references: ['https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#configurable-scaling-behavior'],
};

export const rule: Rule = {
  meta,
  check(context) {
    const out = [];
    for (const v of liveViews(context)) {
      const w = v.workload;
      const a = w.autoscalers.find((x) => x.kind !== 'ScaledJob');
      if (!a || !v.replicas) continue;
      const c = v.replicas.changes;
      const window = scaleDownWindowOf(w);
      const perHour = c.spanSeconds >= MIN_SPAN_SECONDS ? (c.changes / c.spanSeconds) * 3600 : 0;
      const tooMany = perHour > THRASH_CHANGES_PER_HOUR;
      const flaps = c.downThenUp >= THRASH_FLAPS;
      if (!tooMany && !flaps) continue;
      const behaviorPath = a.kind === 'HorizontalPodAutoscaler' ? ['spec', 'behavior'] : ['spec', 'advanced', 'horizontalPodAutoscalerConfig', 'behavior'];
      const reasons = [
        tooMany ? `${r2(perHour)} replica changes an hour (more than ${THRASH_CHANGES_PER_HOUR})` : '',
        flaps ? `${c.downThenUp} scale-downs undone by a scale-up within the ${formatDuration(window)} stabilisation window` : '',
      ].filter(Boolean);
      out.push(
        finding(
          meta,
          a,
          a.behavior ? behaviorPath : ['spec'],
          `${w.kind} ${w.name} thrashes under ${a.kind} ${a.name}: ${reasons.join('; ')} (${c.ups} up, ${c.downs} down over ${formatDuration(c.spanSeconds)})`,
          {
            changesPerHour: r2(perHour),
            changes: c.changes,
            scaleUps: c.ups,
            scaleDowns: c.downs,
            downThenUpWithinWindow: c.downThenUp,
            stabilizationWindowSeconds: window,
            spanSeconds: c.spanSeconds,
            thresholdChangesPerHour: THRASH_CHANGES_PER_HOUR,
          },
        ),
      );
    }
    return out;
  },
};
