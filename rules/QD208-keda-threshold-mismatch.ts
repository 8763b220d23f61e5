import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { fmtRate, fmtWait, liveViews } from '../src/diagnose/live-view.js';
import { r2 } from '../src/diagnose/live-evidence.js';
import { impliedWaitSeconds, thresholdFor } from '../src/recommend/sizing.js';
import { kedaScaler } from './keda-scalers.js';
import { formatDuration } from '../src/units/duration.js';

/** The implied wait is "far" from the target beyond these factors. */
export const TOO_SLOW_FACTOR = 2;
export const TOO_EAGER_FACTOR = 0.25;

export const meta: RuleMeta = {
  id: 'QD208',
  slug: 'keda-threshold-mismatch',
  severity: 'warning',
  title: 'ScaledObject threshold implies a wait far from the target',
  rationale:
    'With an AverageValue queue trigger KEDA keeps about `threshold` jobs per replica, so a job waits about ' +
    'threshold ÷ per-replica throughput (minus the jobs in progress when the metric counts them). A threshold far above ' +
    'that for the target wait lets the queue grow; one far below it runs many more replicas than the target needs.',
  fix: 'Set the threshold to concurrency + per-replica throughput × target wait × ½ (backlog + in-flight), or throughput × target wait × ½ (backlog only).',
  needsSignals: true,
  examples: {
    bad: `# jobs take 20s (0.05 jobs/s per replica), target wait 30s
triggers: [{type: rabbitmq, metadata: {queueName: jobs, mode: QueueLength, value: "100"}}]   # ≈ 33m wait`,
    good: `triggers: [{type: rabbitmq, metadata: {queueName: jobs, mode: QueueLength, value: "1"}}]`,
  },
  references: ['https://keda.sh/docs/2.20/reference/scaledobject-spec/#triggers', 'https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details'],
};

const QUEUEISH = /queue|backlog|lag|pending|depth|length|messages|waiting|jobs/i;

export const rule: Rule = {
  meta,
  check(context) {
    const out = [];
    for (const v of liveViews(context)) {
      const w = v.workload;
      const mu = v.perReplicaThroughput;
      if (!mu) continue;
      for (const a of w.autoscalers) {
        if (a.kind !== 'ScaledObject') continue;
        for (const m of a.metrics) {
          if (m.source !== 'trigger' || m.target === undefined || !(m.target > 0) || (m.targetType ?? 'AverageValue') !== 'AverageValue') continue;
          const type = m.triggerType ?? '';
          const md = (m.metadata ?? {}) as Record<string, unknown>;
          const query = typeof md.query === 'string' ? md.query : '';
          const isQueue = kedaScaler(type)?.queue === true || (type === 'prometheus' && (sameSeries(query, v.signals.binding?.backlogQuery) || QUEUEISH.test(query)));
          if (!isQueue) continue;
          const countsInflight = countsInflightOf(type, md, query, v.signals.binding?.inflightQuery);
          const implied = impliedWaitSeconds(m.target, mu.value, v.concurrency, countsInflight);
          const W = v.targetWaitSeconds;
          const tooSlow = implied > TOO_SLOW_FACTOR * W;
          const tooEager = implied < TOO_EAGER_FACTOR * W && m.target > (countsInflight ? v.concurrency : 1);
          if (!tooSlow && !tooEager) continue;
          const suggested = thresholdFor({ perReplicaThroughput: mu.value, targetWait: W, concurrency: v.concurrency, countsInflight });
          const key = (kedaScaler(type)?.targetKeys ?? ['threshold']).find((k) => md[k] !== undefined);
          out.push(
            finding(
              meta,
              a,
              key ? [...m.path, 'metadata', key] : m.path,
              `ScaledObject ${a.name}: ${type} threshold ${r2(m.target)} ${countsInflight ? '(backlog + in-flight)' : '(backlog)'} per replica implies a queue wait of about ${fmtWait(implied)} ` +
                `at ${fmtRate(mu.value)} per replica — ${tooSlow ? `over ${TOO_SLOW_FACTOR}× the ${formatDuration(W)} target: the queue grows before KEDA adds replicas` : `under ${TOO_EAGER_FACTOR}× the ${formatDuration(W)} target: it runs more replicas than the target needs`}; ` +
                `suggested threshold ${suggested.value}`,
              {
                trigger: type,
                threshold: m.target,
                countsInflight,
                perReplicaThroughputPerSecond: Number(mu.value.toPrecision(3)),
                perReplicaThroughputSource: mu.source,
                impliedWaitSeconds: r2(implied),
                targetWaitSeconds: W,
                direction: tooSlow ? 'too-slow' : 'too-eager',
                suggestedThreshold: suggested.value,
                suggestedThresholdDerivation: suggested.derivation,
              },
            ),
          );
        }
      }
    }
    return out;
  },
};

function norm(q: string | undefined): string {
  return (q ?? '').replace(/\s+/g, '');
}

function sameSeries(query: string, backlogQuery: string | undefined): boolean {
  if (!backlogQuery) return false;
  const metric = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/.exec(backlogQuery)?.[1];
  return norm(query).includes(norm(backlogQuery)) || (metric !== undefined && query.includes(metric));
}

function countsInflightOf(type: string, md: Record<string, unknown>, query: string, inflightQuery: string | undefined): boolean {
  const s = (k: string) => (typeof md[k] === 'string' ? (md[k] as string) : '');
  switch (type) {
    case 'aws-sqs-queue':
      return s('scaleOnInFlight').toLowerCase() !== 'false';
    case 'kafka':
    case 'apache-kafka':
      return true;
    case 'rabbitmq':
      return (s('protocol') === 'http' || /^https?:\/\//.test(s('host'))) && s('excludeUnacknowledged') !== 'true';
    case 'prometheus': {
      const metric = inflightQuery ? /([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(inflightQuery.replace(/^\s*(sum|max|min|avg|count)\s*\(/, ''))?.[1] : undefined;
      return (metric !== undefined && query.includes(metric)) || /in_?flight|processing|running|active|unack|busy/i.test(query);
    }
    default:
      return false;
  }
}
