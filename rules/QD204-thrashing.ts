import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { liveViews, scaleDownWindowOf } from '../src/diagnose/live-view.js';
import { r2 } from '../src/diagnose/live-evidence.js';
import { points, sampleAt, stepOf, type Point } from '../src/diagnose/signal-stats.js';
import type { Series, WorkloadSignals } from '../src/metrics/signals-model.js';
import { formatDuration } from '../src/units/duration.js';

// Thrashing is replica changes the load did not ask for. Many changes an hour are fine when they
// follow the load (a queue trigger tracking a daily cycle changes replicas every few minutes);
// what costs is a reversal — down then up, or up then down — while the load did not reverse:
// each such scale-up pays a pod start-up during which jobs wait, each such scale-down may cut
// jobs in progress, and neither served a change in demand.

/** Direction reversals per hour that the load does not explain: more than this is thrashing. */
export const THRASH_REVERSALS_PER_HOUR = 6;
/** Scale-downs undone by a scale-up inside the stabilisation window while the load did not rise: this many is a pattern. */
export const THRASH_FLAPS = 2;
/**
 * A reversal is explained when the load moved the same way by at least this share of the replicas'
 * relative change (a queue trigger sets replicas ∝ load; the share allows for the HPA's lag and
 * rounding to whole pods).
 */
export const EXPLAINED_SHARE = 0.5;
/** Rates per hour are only meaningful over at least this much history. */
const MIN_SPAN_SECONDS = 30 * 60;

export interface ThrashInput {
  /** Replica count over time (as scraped: changes between samples are not seen). */
  replicas: Series;
  /** The demand the replicas should follow (see loadSeriesOf). */
  load?: Series;
  /** What `load` is, for messages ("arrival rate", "backlog"). */
  loadName?: string;
  /** The autoscaler's scale-down stabilisation window, seconds. */
  windowSeconds: number;
}

export interface ThrashStats {
  changes: number;
  ups: number;
  downs: number;
  spanSeconds: number;
  changesPerHour: number;
  /** A change in the opposite direction to the change before it. */
  reversals: number;
  /** Reversals the load did not move for (all of them when no load series is known). */
  unexplainedReversals: number;
  unexplainedReversalsPerHour: number;
  /** Scale-downs undone by a scale-up within the stabilisation window. */
  downThenUp: number;
  /** … while the load did not rise. */
  unexplainedDownThenUp: number;
  load?: string;
  flagged: boolean;
  /** Why it is flagged, one phrase per criterion met. */
  reasons: string[];
}

interface Change {
  t: number;
  from: number;
  to: number;
}

/** Samples of `load` (time-ordered) with t in [from, to]. */
function between(load: Point[], from: number, to: number): number[] {
  let lo = 0;
  let hi = load.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (load[mid].t < from) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let i = lo; i < load.length && load[i].t <= to; i++) out.push(Math.max(0, load[i].v));
  return out;
}

/**
 * Whether the load moved in the direction of `next` since `prev`, by at least EXPLAINED_SHARE of
 * the relative replica change `next` made. The autoscaler reads a metric that is up to a scrape
 * (plus a sync) old and the series are sampled: the level "at" the previous change is any sample
 * within `lag` before it, and the move may happen any time up to the next change.
 */
function explained(load: Point[], prev: Change, next: Change, lag: number): boolean {
  const before = between(load, prev.t - lag, prev.t);
  const after = between(load, prev.t, next.t);
  if (before.length === 0 || after.length === 0) return false;
  const up = next.to > next.from;
  const relReplicas = Math.abs(next.to - next.from) / Math.max(next.to, next.from);
  // the most favourable pair: from the lowest level before to the highest after (up), or the reverse (down)
  const a = up ? Math.min(...before) : Math.max(...before);
  const b = up ? Math.max(...after) : Math.min(...after);
  const big = Math.max(a, b);
  if (big <= 0) return false;
  const relLoad = (b - a) / big;
  return (up ? relLoad : -relLoad) >= EXPLAINED_SHARE * relReplicas;
}

/** Replica reversals and flaps, judged against the load; `flagged` is QD204's criterion. */
export function thrashStats(input: ThrashInput): ThrashStats {
  const pts = points(input.replicas).map((p) => ({ t: p.t, v: Math.round(p.v) }));
  const load = input.load ? points(input.load) : [];
  const hasLoad = load.length >= 2;
  // one series step (at least a minute: scrape + HPA sync) of tolerance for when the autoscaler saw the load
  const lag = Math.max(60, stepOf(load.length >= 2 ? load : pts));
  const changes: Change[] = [];
  for (let i = 1; i < pts.length; i++) if (pts[i].v !== pts[i - 1].v) changes.push({ t: pts[i].t, from: pts[i - 1].v, to: pts[i].v });
  const spanSeconds = pts.length > 1 ? pts[pts.length - 1].t - pts[0].t : 0;
  let reversals = 0;
  let unexplainedReversals = 0;
  let downThenUp = 0;
  let unexplainedDownThenUp = 0;
  for (let i = 1; i < changes.length; i++) {
    const prev = changes[i - 1];
    const next = changes[i];
    const prevUp = prev.to > prev.from;
    const nextUp = next.to > next.from;
    if (prevUp === nextUp) continue;
    reversals++;
    const ok = hasLoad && explained(load, prev, next, lag);
    if (!ok) unexplainedReversals++;
    if (!prevUp && nextUp && next.t - prev.t <= input.windowSeconds) {
      downThenUp++;
      if (!ok) unexplainedDownThenUp++;
    }
  }
  const hours = spanSeconds / 3600;
  const rated = spanSeconds >= MIN_SPAN_SECONDS;
  const changesPerHour = rated ? changes.length / hours : 0;
  const unexplainedReversalsPerHour = rated ? unexplainedReversals / hours : 0;
  const reasons: string[] = [];
  // without a load series a reversal cannot be told from tracking: judge only the window's flaps
  if (hasLoad && unexplainedReversalsPerHour > THRASH_REVERSALS_PER_HOUR) {
    reasons.push(`${r2(unexplainedReversalsPerHour)} direction reversals an hour not matched by the ${input.loadName ?? 'load'} (more than ${THRASH_REVERSALS_PER_HOUR})`);
  }
  // a couple of flaps in a long window are accidents; at least one an hour (or THRASH_FLAPS in a short window) is a pattern
  if (unexplainedDownThenUp >= Math.max(THRASH_FLAPS, hours)) {
    reasons.push(
      `${unexplainedDownThenUp} scale-downs undone by a scale-up within the ${formatDuration(input.windowSeconds)} stabilisation window` +
        (hasLoad ? ` without a matching rise in the ${input.loadName ?? 'load'}` : ''),
    );
  }
  return {
    changes: changes.length,
    ups: changes.filter((c) => c.to > c.from).length,
    downs: changes.filter((c) => c.to < c.from).length,
    spanSeconds,
    changesPerHour,
    reversals,
    unexplainedReversals,
    unexplainedReversalsPerHour,
    downThenUp,
    unexplainedDownThenUp,
    load: hasLoad ? input.loadName : undefined,
    flagged: reasons.length > 0,
    reasons,
  };
}

/**
 * The demand series to judge replica changes by: what a queue trigger follows — the backlog plus
 * the jobs in flight when both are measured, else the backlog — and the arrival rate only when
 * the backlog is not measured.
 */
export function loadSeriesOf(s: WorkloadSignals): { series: Series; name: string } | undefined {
  const backlog = points(s.backlog);
  if (backlog.length >= 2) {
    const inflight = points(s.inflight);
    if (inflight.length < 2) return { series: s.backlog!, name: 'backlog' };
    const t = backlog.map((p) => p.t);
    const v = backlog.map((p) => p.v + (sampleAt(inflight, p.t) ?? 0));
    return { series: { t, v }, name: 'backlog + in-flight' };
  }
  if (s.arrivalRate && points(s.arrivalRate).length >= 2) return { series: s.arrivalRate, name: 'arrival rate' };
  return undefined;
}

export const meta: RuleMeta = {
  id: 'QD204',
  slug: 'thrashing',
  severity: 'warning',
  title: 'Replicas thrash up and down',
  rationale:
    'Replicas reverse direction many times an hour while the load they should follow (backlog + in-flight jobs, else the ' +
    'backlog, else the arrival rate) does not, or scale down and back up inside the scale-down stabilisation window without a ' +
    'matching rise in that load. Each such scale-up pays a pod start-up during which jobs wait, and ' +
    'each such scale-down may interrupt jobs in progress. Frequent changes that follow the load (a queue trigger tracking a ' +
    'daily cycle) are not thrashing.',
  fix:
    'Set advanced.horizontalPodAutoscalerConfig.behavior: keep scale-up fast, and give scale-down a stabilisation window ' +
    'longer than the dips in load (queue-doctor derives one from the arrival pattern), or use a trigger that counts in-flight jobs.',
  needsSignals: true,
  examples: {
    bad: `behavior:
  scaleDown: {stabilizationWindowSeconds: 0}   # replicas flip 2 <-> 4 every minute at a steady backlog`,
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
      if (!a || !v.signals.replicas) continue;
      const window = scaleDownWindowOf(w);
      const load = loadSeriesOf(v.signals);
      const c = thrashStats({ replicas: v.signals.replicas, load: load?.series, loadName: load?.name, windowSeconds: window });
      if (!c.flagged) continue;
      const behaviorPath = a.kind === 'HorizontalPodAutoscaler' ? ['spec', 'behavior'] : ['spec', 'advanced', 'horizontalPodAutoscalerConfig', 'behavior'];
      out.push(
        finding(
          meta,
          a,
          a.behavior ? behaviorPath : ['spec'],
          `${w.kind} ${w.name} thrashes under ${a.kind} ${a.name}: ${c.reasons.join('; ')} (${c.ups} up, ${c.downs} down over ${formatDuration(c.spanSeconds)})`,
          {
            changesPerHour: r2(c.changesPerHour),
            changes: c.changes,
            scaleUps: c.ups,
            scaleDowns: c.downs,
            reversals: c.reversals,
            unexplainedReversals: c.unexplainedReversals,
            unexplainedReversalsPerHour: r2(c.unexplainedReversalsPerHour),
            downThenUpWithinWindow: c.downThenUp,
            unexplainedDownThenUpWithinWindow: c.unexplainedDownThenUp,
            load: c.load ?? null,
            stabilizationWindowSeconds: window,
            spanSeconds: c.spanSeconds,
            thresholdReversalsPerHour: THRASH_REVERSALS_PER_HOUR,
          },
        ),
      );
    }
    return out;
  },
};
