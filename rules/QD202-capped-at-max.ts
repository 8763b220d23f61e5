import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { fmtRate, fmtWait, liveViews } from '../src/diagnose/live-view.js';
import { backlogEvidence, r2 } from '../src/diagnose/live-evidence.js';
import { points, quantile, runs } from '../src/diagnose/signal-stats.js';

/** Replicas at max for at least this share of the window (or right now) counts as "sitting at max". */
export const AT_MAX_FRACTION = 0.5;

export const meta: RuleMeta = {
  id: 'QD202',
  slug: 'capped-at-max',
  severity: 'error',
  title: 'Backlog grows while replicas sit at maxReplicas',
  rationale:
    'The autoscaler already asks for more workers than it may run: replicas sit at maxReplicas while the backlog keeps ' +
    'growing, so arrivals outpace the most capacity the autoscaler is allowed to add and the wait grows without bound.',
  fix: 'Raise maxReplicas to cover the arrival peak (peak arrivals ÷ per-replica throughput, with headroom), or add capacity per replica (concurrency).',
  needsSignals: true,
  examples: {
    bad: `# backlog rising, replicas = 5 = maxReplicas for the whole window
kind: ScaledObject
spec: {maxReplicaCount: 5}`,
    good: `kind: ScaledObject
spec: {maxReplicaCount: 24}   # ceil(peak 5.5 jobs/s × 2.9 s ÷ 1 × 1.5)`,
  },
  references: ['https://keda.sh/docs/2.20/reference/scaledobject-spec/#maxreplicacount'],
};

export const rule: Rule = {
  meta,
  check(context) {
    const out = [];
    for (const v of liveViews(context)) {
      const w = v.workload;
      if (!v.backlog?.sustained || !v.replicas) continue;
      for (const a of w.autoscalers) {
        if (a.kind === 'ScaledJob' || a.maxReplicas === undefined) continue;
        const max = a.maxReplicas;
        const atMax = runs(points(v.signals.replicas), (p) => p.v >= max);
        if (!(atMax.fraction >= AT_MAX_FRACTION || (atMax.holdsNow && atMax.longestSeconds >= 600))) continue;
        const mu = v.perReplicaThroughput?.value;
        const arrivals = points(v.signals.arrivalRate).map((p) => p.v);
        const peak = quantile(arrivals, 0.95);
        const needed = mu && peak !== undefined && peak > 0 ? Math.ceil(peak / mu) : undefined;
        const path = a.kind === 'HorizontalPodAutoscaler' ? ['spec', 'maxReplicas'] : ['spec', 'maxReplicaCount'];
        const b = v.backlog;
        out.push(
          finding(
            meta,
            a,
            path,
            `${w.kind} ${w.name}: backlog ${r2(b.now)} jobs ${b.rising ? `rising ${r2(b.trendPerMinute)} jobs/min` : 'sustained'} while replicas sit at ${a.kind} ${a.name}'s maxReplicas ${max} ` +
              `for ${Math.round(atMax.fraction * 100)} % of the window` +
              (needed !== undefined ? `; the p95 arrival rate ${fmtRate(peak!)} needs ${needed} replicas at ${fmtRate(mu!)} each` : '') +
              (v.waitNow ? `; estimated wait ${fmtWait(v.waitNow.seconds)}` : ''),
            {
              ...backlogEvidence(v),
              maxReplicas: max,
              replicas: v.replicas.now,
              atMaxFraction: r2(atMax.fraction),
              atMaxLongestSeconds: r2(atMax.longestSeconds),
              arrivalP95PerSecond: peak !== undefined ? r2(peak) : null,
              perReplicaThroughputPerSecond: mu !== undefined ? Number(mu.toPrecision(3)) : null,
              replicasNeededAtP95Arrivals: needed ?? null,
            },
          ),
        );
      }
    }
    return out;
  },
};
