// Data catalogue: queue metrics by what they count — only messages waiting to be delivered
// ("waiting"), or also the ones a worker holds and has not finished ("in-flight" / "total").
// QD113 uses it to find triggers that scale on waiting work alone. Names are those of the
// common exporters; the last entries are generic name patterns.

export interface QueueMetricKind {
  pattern: RegExp;
  counts: 'waiting' | 'in-flight' | 'total';
  /** Exporter or system, for messages. */
  system: string;
  /** What to add or use instead, for waiting-only metrics. */
  fix?: string;
}

export const QUEUE_METRICS: QueueMetricKind[] = [
  // in-flight and totals first: they win over the waiting-only patterns below
  { pattern: /^rabbitmq_(detailed_)?queue_messages$/, counts: 'total', system: 'RabbitMQ (ready + unacked)' },
  { pattern: /^rabbitmq_(detailed_)?queue_messages_(unacked|unacknowledged)$/, counts: 'in-flight', system: 'RabbitMQ' },
  { pattern: /^aws_sqs_approximate_number_of_messages_not_visible/, counts: 'in-flight', system: 'SQS (CloudWatch exporter)' },
  { pattern: /^(nats|jetstream)_consumer_num_ack_pending$/, counts: 'in-flight', system: 'NATS JetStream' },
  { pattern: /(^|_)lag($|_)/, counts: 'total', system: 'consumer lag (uncommitted, includes in-flight)' },
  { pattern: /(^|_)(in_?flight|unacked|unacknowledged|not_visible|ack_pending|active|busy|running|processing|in_progress|executing|started|reserved|prefetched)($|_)/, counts: 'in-flight', system: 'in-flight work' },

  // waiting only
  { pattern: /^rabbitmq_(detailed_)?queue_messages_ready$/, counts: 'waiting', system: 'RabbitMQ (ready only)', fix: 'add sum(rabbitmq_queue_messages_unacked{…same labels…}), or use rabbitmq_queue_messages (ready + unacked)' },
  { pattern: /^aws_sqs_approximate_number_of_messages_visible/, counts: 'waiting', system: 'SQS visible messages', fix: 'add aws_sqs_approximate_number_of_messages_not_visible (received, not yet deleted)' },
  { pattern: /^celery_queue_length$/, counts: 'waiting', system: 'celery-exporter (broker queue only)', fix: 'add the running tasks, e.g. sum(celery_worker_tasks_active)' },
  { pattern: /^sidekiq_(queue_enqueued_jobs|queue_size|queue_length|enqueued_jobs|jobs_waiting_count)$/, counts: 'waiting', system: 'Sidekiq (enqueued only)', fix: 'add the busy workers, e.g. sum(sidekiq_busy_workers)' },
  { pattern: /^bull(mq)?_(queue_)?(waiting|wait)(_|$)/, counts: 'waiting', system: 'Bull/BullMQ (waiting only)', fix: 'add the active jobs, e.g. bull_queue_active' },
  { pattern: /^(nats|jetstream)_consumer_num_pending$/, counts: 'waiting', system: 'NATS JetStream (pending delivery only)', fix: 'add the un-acked deliveries: jetstream_consumer_num_ack_pending' },
  // generic: a queue-ish gauge (not a counter, not kube-state-metrics) that says length/depth/backlog/waiting
  {
    pattern: /^(?!kube_)(?!.*_(total|bucket|sum|created)$)(?=.*(queue|job|task|message|msg))(?=.*(^|_)(length|depth|size|backlog|waiting|enqueued|pending|ready)(_|$))/,
    counts: 'waiting',
    system: 'the name says queued/waiting',
    fix: 'add the jobs being processed (an in-flight or active gauge) to the backlog',
  },
];

export function classifyQueueMetric(name: string): QueueMetricKind | undefined {
  return QUEUE_METRICS.find((k) => k.pattern.test(name));
}
