import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { fmtWait, liveViews } from '../src/diagnose/live-view.js';
import { r2, secondsOrNull } from '../src/diagnose/live-evidence.js';
import { ANNOTATION } from '../src/inventory/settings.js';
import { formatDuration } from '../src/units/duration.js';

export const meta: RuleMeta = {
  id: 'QD206',
  slug: 'wait-objective-breached',
  severity: 'error',
  title: 'Estimated p95 queue wait exceeds the target',
  rationale:
    'Queue wait is what users feel: a job that waits is a request that is late. Over the window, the estimated 95th ' +
    'percentile of the wait (backlog ÷ the rate it drains at) exceeded the target wait set for this workload.',
  fix:
    'Scale on the queue with a threshold sized for the target (per-replica throughput × target wait), and alert on the ' +
    'wait itself; `queue-doctor scan` prints both. Set the objective with `queue-doctor.io/target-wait` or `--target-wait`.',
  needsSignals: true,
  examples: {
    bad: `metadata:
  annotations: {queue-doctor.io/target-wait: 30s}   # p95 wait 14m`,
    good: `# a queue trigger with threshold = throughput per replica × 30s keeps p95 wait under 30s`,
  },
  references: ['https://keda.sh/docs/2.20/reference/scaledobject-spec/#triggers'],
};

export const rule: Rule = {
  meta,
  check(context) {
    const out = [];
    for (const v of liveViews(context)) {
      const w = v.workload;
      const p95 = v.waitP95;
      if (!p95 || !(p95.seconds > v.targetWaitSeconds)) continue;
      const fromAnnotation = w.annotations[ANNOTATION.targetWait] !== undefined;
      const a = w.autoscalers.find((x) => x.kind !== 'ScaledJob');
      const [subject, path] = fromAnnotation ? [w, ['metadata', 'annotations', ANNOTATION.targetWait]] : a ? [a, ['spec']] : [w, ['spec']];
      const ratio = Number.isFinite(p95.seconds) ? `${r2(p95.seconds / v.targetWaitSeconds)}×` : 'unbounded';
      out.push(
        finding(
          meta,
          subject,
          path,
          `${w.kind} ${w.name}: estimated p95 queue wait ${fmtWait(p95.seconds)} exceeds the ${formatDuration(v.targetWaitSeconds)} target (${ratio}); ${p95.formula}`,
          {
            waitP95Seconds: secondsOrNull(p95.seconds),
            waitP95: fmtWait(p95.seconds),
            targetWaitSeconds: v.targetWaitSeconds,
            targetFrom: fromAnnotation ? ANNOTATION.targetWait : '--target-wait',
            method: p95.formula,
            estimatedWaitNowSeconds: secondsOrNull(v.waitNow?.seconds),
          },
        ),
      );
    }
    return out;
  },
};
