import type { Autoscaler, Finding, ScalingMetric } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { kedaBool, rawMetadata, shown, triggerLabel, triggers } from '../src/diagnose/keda-values.js';
import { metricNames, parsePromQL } from '../src/promql/parse.js';
import { classifyQueueMetric } from './backlog-metrics.js';

export const meta: RuleMeta = {
  id: 'QD113',
  slug: 'depth-only-trigger',
  severity: 'warning',
  title: 'Trigger counts only waiting messages, not in-flight ones',
  rationale:
    'A worker takes a message off the queue before it finishes it. A trigger that counts only waiting messages drops as ' +
    'soon as workers pick the backlog up — while the work is still running — so the HPA removes replicas mid-job, the ' +
    'queue grows again, and replicas oscillate. Counting backlog + in-flight keeps replicas while work is being done. ' +
    'Examples: rabbitmq_queue_messages_ready, RabbitMQ triggers with excludeUnacknowledged: "true" or over AMQP (which ' +
    'only sees ready messages), SQS with scaleOnInFlight: "false".',
  fix:
    'Count backlog + in-flight: rabbitmq_queue_messages (ready + unacked) or the RabbitMQ trigger over http without ' +
    'excludeUnacknowledged; SQS with scaleOnInFlight "true" (the default); in a prometheus query, add the in-flight gauge.',
  needsSignals: false,
  examples: {
    bad: `triggers:
  - type: prometheus
    metadata:
      query: sum(rabbitmq_queue_messages_ready{queue="rag"})
      threshold: "10"`,
    good: `triggers:
  - type: prometheus
    metadata:
      query: sum(rabbitmq_queue_messages{queue="rag"})   # ready + unacked
      threshold: "10"`,
  },
  references: [
    'https://keda.sh/docs/2.20/scalers/rabbitmq-queue/',
    'https://keda.sh/docs/2.20/scalers/aws-sqs/',
    'https://www.rabbitmq.com/docs/prometheus',
  ],
};

function prometheusDepthOnly(a: Autoscaler, m: ScalingMetric): Finding | undefined {
  const query = rawMetadata(a, m).query;
  if (typeof query !== 'string') return undefined;
  let names: string[];
  try {
    names = metricNames(parsePromQL(query));
  } catch {
    return undefined; // QD108 reports unparseable queries
  }
  const kinds = names.map((n) => ({ name: n, kind: classifyQueueMetric(n) }));
  const waiting = kinds.filter((k) => k.kind?.counts === 'waiting');
  if (waiting.length === 0 || kinds.some((k) => k.kind && k.kind.counts !== 'waiting')) return undefined;
  const first = waiting[0];
  return finding(
    meta,
    a,
    [...m.path, 'metadata', 'query'],
    `${triggerLabel(a, m)}: the query counts only waiting messages (${waiting.map((w) => w.name).join(', ')}: ${first.kind!.system}), ` +
      'not the ones being processed: replicas drop while work is still running',
    { metrics: waiting.map((w) => w.name).join(', '), counts: 'waiting' },
    { fix: first.kind!.fix },
  );
}

function rabbitDepthOnly(a: Autoscaler, m: ScalingMetric): Finding | undefined {
  const md = rawMetadata(a, m);
  const mode = typeof md.mode === 'string' ? md.mode : 'QueueLength';
  if (mode !== 'QueueLength') return undefined; // rate modes do not count messages
  const label = triggerLabel(a, m);
  if (kedaBool(md.excludeUnacknowledged) === true) {
    return finding(
      meta,
      a,
      [...m.path, 'metadata', 'excludeUnacknowledged'],
      `${label}: excludeUnacknowledged ${shown(md.excludeUnacknowledged)} counts only ready messages, not the unacked ones workers are processing: replicas drop while work is still running`,
      { excludeUnacknowledged: true },
      { fix: 'remove excludeUnacknowledged (default "false")' },
    );
  }
  const protocol = typeof md.protocol === 'string' ? md.protocol.trim().toLowerCase() : 'auto';
  const host = typeof md.host === 'string' ? md.host.trim().toLowerCase() : '';
  const amqp = protocol === 'amqp' || (protocol === 'auto' && /^amqps?:\/\//.test(host));
  if (amqp) {
    const field = protocol === 'amqp' ? 'protocol' : 'host';
    return finding(
      meta,
      a,
      [...m.path, 'metadata', field],
      `${label}: over AMQP (${field} ${shown(md[field])}) KEDA sees only ready messages, not the unacked ones workers are processing: replicas drop while work is still running`,
      { protocol: protocol === 'auto' ? 'auto (amqp host)' : protocol },
      { fix: 'use the management API: protocol: http with host http://<user>:<password>@<rabbitmq>:15672/<vhost> (from a TriggerAuthentication)' },
    );
  }
  return undefined;
}

function sqsDepthOnly(a: Autoscaler, m: ScalingMetric): Finding | undefined {
  const md = rawMetadata(a, m);
  if (kedaBool(md.scaleOnInFlight) !== false) return undefined;
  return finding(
    meta,
    a,
    [...m.path, 'metadata', 'scaleOnInFlight'],
    `${triggerLabel(a, m)}: scaleOnInFlight ${shown(md.scaleOnInFlight)} counts only visible messages, not the ones workers have received and not yet deleted: replicas drop while work is still running`,
    { scaleOnInFlight: false },
    { fix: 'remove scaleOnInFlight (default "true")' },
  );
}

export const rule: Rule = {
  meta,
  check({ inventory }) {
    const out: Finding[] = [];
    for (const a of inventory.autoscalers) {
      // a ScaledJob runs one job per message: counting waiting messages is what it needs
      if (a.kind !== 'ScaledObject') continue;
      for (const m of triggers(a)) {
        const f =
          m.triggerType === 'prometheus'
            ? prometheusDepthOnly(a, m)
            : m.triggerType === 'rabbitmq'
              ? rabbitDepthOnly(a, m)
              : m.triggerType === 'aws-sqs-queue'
                ? sqsDepthOnly(a, m)
                : undefined;
        if (f) out.push(f);
      }
    }
    return out;
  },
};
