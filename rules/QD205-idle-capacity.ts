import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { liveViews } from '../src/diagnose/live-view.js';
import { r2 } from '../src/diagnose/live-evidence.js';
import { points, quantile, runs, sampleAt } from '../src/diagnose/signal-stats.js';
import { formatDuration } from '../src/units/duration.js';

/** "Most of the window". */
export const IDLE_FRACTION = 0.8;
/** Start-up assumed when the signals could not measure it (stated in the message). */
export const ASSUMED_STARTUP_SECONDS = 30;
/** KEDA's default pollingInterval: how late a scale-from-zero can notice the first job. */
const KEDA_DEFAULT_POLLING = 30;

export const meta: RuleMeta = {
  id: 'QD205',
  slug: 'idle-capacity',
  severity: 'info',
  title: 'Replicas idle while the queue is empty',
  rationale:
    'For most of the window the queue was empty while more replicas ran than the work needed. Those pods cost money ' +
    'and do nothing; a lower minimum, or scaling to zero with KEDA, removes them at the price of a cold start.',
  fix: 'Lower minReplicas (or minReplicaCount) to what the quiet periods need, or to 0 with a queue trigger and activationThreshold 0, if the stated cold-start wait is acceptable.',
  needsSignals: true,
  examples: {
    bad: `kind: HorizontalPodAutoscaler
spec: {minReplicas: 6}   # queue empty 92 % of the time`,
    good: `kind: ScaledObject
spec: {minReplicaCount: 0, cooldownPeriod: 300}   # first job after idle waits start-up + polling`,
  },
  references: ['https://keda.sh/docs/2.20/concepts/scaling-deployments/#activating-and-scaling-thresholds'],
};

export const rule: Rule = {
  meta,
  check(context) {
    const out = [];
    for (const v of liveViews(context)) {
      const w = v.workload;
      if (!v.backlog || !v.replicas) continue;
      if (v.backlog.idle.fraction < IDLE_FRACTION) continue;
      const c = v.concurrency;
      // replicas the work needed: busy slots (in-flight) or arrivals × duration, per concurrency
      const inflight = points(v.signals.inflight).map((p) => p.v);
      const arrivals = points(v.signals.arrivalRate).map((p) => p.v);
      const mu = v.perReplicaThroughput?.value;
      let needed = 1;
      let neededFrom = 'assumed 1 (no in-flight or arrival series)';
      if (inflight.length > 0) {
        const p95 = quantile(inflight, 0.95)!;
        needed = Math.max(p95 > 0 ? 1 : 0, Math.ceil(p95 / c));
        neededFrom = `ceil(p95 in-flight ${r2(p95)} ÷ concurrency ${c})`;
      } else if (arrivals.length > 0 && mu) {
        const p95 = quantile(arrivals, 0.95)!;
        needed = Math.max(p95 > 0 ? 1 : 0, Math.ceil(p95 / mu));
        neededFrom = `ceil(p95 arrivals ${r2(p95)}/s ÷ ${Number(mu.toPrecision(3))}/s per replica)`;
      }
      const rep = points(v.signals.replicas);
      const above = runs(rep, (p) => p.v > needed);
      if (above.fraction < IDLE_FRACTION) continue;
      const a = w.autoscalers.find((x) => x.kind !== 'ScaledJob');
      const min = a?.minReplicas;
      const idlePodHours = rep.length > 1 ? idlePodSeconds(rep, needed) / 3600 : 0;
      const startup = v.signals.startupSeconds;
      const coldStart = (startup ?? ASSUMED_STARTUP_SECONDS) + KEDA_DEFAULT_POLLING;
      const coldText = `scaling to zero makes the first job after a quiet period wait about ${formatDuration(coldStart)} ` +
        `(pod start-up ${startup !== undefined ? formatDuration(startup) : `${ASSUMED_STARTUP_SECONDS}s assumed, not measured`} + up to ${KEDA_DEFAULT_POLLING}s KEDA polling)`;
      const atMin = min !== undefined && runs(rep, (p) => p.v <= min).fraction >= IDLE_FRACTION;
      const advice = !a
        ? `no autoscaler: scale on the queue with minReplicaCount ${needed > 1 ? needed : '0 or 1'}`
        : atMin
          ? `${a.kind} ${a.name} holds them at its minimum ${min}: lower it to ${Math.max(needed, 1)}, or to 0 with KEDA`
          : `${a.kind} ${a.name} keeps them above its minimum ${min ?? 'unset'} (it does not scale on the queue)`;
      const path = !a ? (w.object.raw?.spec?.replicas !== undefined ? ['spec', 'replicas'] : ['spec']) : a.kind === 'HorizontalPodAutoscaler' ? ['spec', 'minReplicas'] : ['spec', 'minReplicaCount'];
      out.push(
        finding(
          meta,
          a ?? w,
          path,
          `${w.kind} ${w.name}: queue empty ${Math.round(v.backlog.idle.fraction * 100)} % of the window while ${r2(v.replicas.mean)} replicas ran on average ` +
            `(the work needed ${needed}); ${advice}; about ${r2(idlePodHours)} idle pod-hours in ${formatDuration(v.windowSeconds)}; ${coldText}`,
          {
            queueEmptyFraction: r2(v.backlog.idle.fraction),
            replicasMean: r2(v.replicas.mean),
            replicasNeeded: needed,
            replicasNeededFrom: neededFrom,
            minReplicas: min ?? null,
            idlePodHours: r2(idlePodHours),
            coldStartSeconds: coldStart,
            startupMeasured: startup !== undefined,
          },
        ),
      );
    }
    return out;
  },
};

function idlePodSeconds(rep: Array<{ t: number; v: number }>, needed: number): number {
  let total = 0;
  for (let i = 1; i < rep.length; i++) total += Math.max(0, (sampleAt(rep, rep[i - 1].t) ?? 0) - needed) * (rep[i].t - rep[i - 1].t);
  return total;
}
