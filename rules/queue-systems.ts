// Data catalogue: queue systems queue-doctor recognises in Prometheus, the series each one
// exposes (backlog, in-flight, completions, enqueues, job duration), the labels that name the
// queue and the consumer, and the native KEDA scaler that reads the same queue.
//
// Used by src/metrics (auto-binding and batched queries). Adding a system is adding an entry
// here plus a fixture series in fixtures/series/ and a row in the binding test table.
//
// Conventions
// - `variants` are alternative spellings of the same signal (exporter flavours, statistic
//   suffixes). One query reads them all; when two variants report the same queue the first wins.
// - Gauges are de-duplicated with `max` (HA exporters, several pods reporting one shared queue)
//   and then summed over `sumOver` labels (partitions). Counters are read as per-second rates
//   and summed (each pod or exporter counts its own completions).
// - `queueLabels` / `consumerLabels` are tried in order; the first non-empty one names the queue.
// - KEDA metadata values are templates: {queue} {consumer} {rawQueue} (the label value before
//   `queueNameFrom` mapping) {label:NAME} {env:A|B} (a literal env value of the workload's
//   containers) {envName:A|B} (the name of an env var the workload has, for *FromEnv keys).
//   A key whose template cannot be resolved is left out and listed in the binding's note.

export type SeriesType = 'gauge' | 'counter';

export interface SeriesVariant {
  /** Metric name(s). Several names are read together (e.g. succeeded + failed completions). */
  metric: string | string[];
  /** `metric` is a regex over metric names (the generic entry only). */
  namePattern?: boolean;
  /** Labels naming the queue in this variant (default: the system's). */
  queueLabels?: string[];
  /** Labels naming the consumer in this variant (default: the system's). */
  consumerLabels?: string[];
  /** Fixed matchers, e.g. { state: 'waiting' }. */
  match?: Record<string, string>;
  /** Labels summed over after de-duplication (partitions). */
  sumOver?: string[];
  /** Samples below this are ignored (kafka_exporter reports lag -1 for partitions without a commit). */
  minValue?: number;
}

export interface SeriesSpec {
  type: SeriesType;
  variants: SeriesVariant[];
  /** Why this signal is or is not exact for this system. */
  note?: string;
}

export interface KedaTemplate {
  type: string;
  metadata: Record<string, string>;
  /** Keys that must resolve for this template to be offered. */
  requires: string[];
  /** Only when a workload env var value (literal) matches: e.g. the Celery broker is Redis. */
  when?: { env: string[]; pattern: string };
  note?: string;
}

export interface QueueSystem {
  id: string;
  title: string;
  /** The exporter or library that produces the series. */
  exporter: string;
  /** Where the metric names and labels come from. */
  sources: string[];
  queueLabels: string[];
  consumerLabels: string[];
  /**
   * 'consumer': the series' `namespace` label is the consuming application's namespace (the app
   * or a sidecar exports it), so a different namespace rules a workload out. 'exporter': it is
   * where a broker exporter runs, which says little about the consumer.
   */
  namespaceScope: 'consumer' | 'exporter';
  /** Regexes with one capture group mapping a queue label value to the name workloads use. */
  queueNameFrom?: string[];
  backlog: SeriesSpec;
  inflight?: SeriesSpec;
  throughput?: SeriesSpec;
  enqueued?: SeriesSpec;
  /** A histogram of job run time (base name, without _bucket/_sum/_count). */
  duration?: { histogram: string; queueLabels?: string[]; consumerLabels?: string[] };
  /** Native KEDA scalers in order of preference (the prometheus scaler is always possible). */
  keda: KedaTemplate[];
  /** Environment variable names whose values name this system's queue. */
  queueEnv?: string[];
  /** Environment variable names whose values name this system's consumer. */
  consumerEnv?: string[];
  /** A regex over the container's command + args that says the workload uses this system. */
  command?: string;
}

/** Metric-name prefixes never treated as application queues by the generic entry. */
export const GENERIC_EXCLUDED_PREFIXES = [
  'prometheus_', 'alertmanager_', 'apiserver_', 'kube_', 'kubelet_', 'kubeproxy_', 'etcd_', 'go_', 'process_',
  'node_', 'coredns_', 'scheduler_', 'workqueue_', 'grpc_', 'rest_client_', 'storage_operation_',
  'controller_runtime_', 'thanos_', 'cortex_', 'loki_', 'promtail_', 'net_conntrack_', 'keda_', 'nginx_',
  'http_', 'envoy_', 'istio_', 'otelcol_', 'vm_', 'vmagent_', 'grafana_',
];

export const QUEUE_SYSTEMS: QueueSystem[] = [
  {
    id: 'agent-queue',
    title: 'agent queue (queue-doctor seed convention)',
    exporter: 'the application itself (e.g. a RAG/LLM agent worker)',
    sources: [
      'queue-doctor seed scenario: agent_queue_depth{queue} gauge exported by the worker or its producer',
      'companion series by the same convention: agent_jobs_inflight{queue}, agent_jobs_completed_total{queue}, agent_jobs_enqueued_total{queue}, agent_job_duration_seconds histogram',
    ],
    queueLabels: ['queue'],
    consumerLabels: [],
    namespaceScope: 'consumer',
    backlog: { type: 'gauge', variants: [{ metric: 'agent_queue_depth' }] },
    inflight: { type: 'gauge', variants: [{ metric: 'agent_jobs_inflight' }] },
    throughput: { type: 'counter', variants: [{ metric: 'agent_jobs_completed_total' }] },
    enqueued: { type: 'counter', variants: [{ metric: 'agent_jobs_enqueued_total' }] },
    duration: { histogram: 'agent_job_duration_seconds' },
    keda: [],
    queueEnv: ['QUEUE_NAME', 'AGENT_QUEUE', 'QUEUE'],
  },
  {
    id: 'rabbitmq',
    title: 'RabbitMQ',
    exporter: 'rabbitmq_prometheus plugin (per-object or /metrics/detailed) or kbudde/rabbitmq_exporter',
    sources: [
      'rabbitmq_prometheus /metrics/per-object: rabbitmq_queue_messages_ready{vhost,queue}, rabbitmq_queue_messages_unacked, rabbitmq_queue_messages_published_total (verified on 3.10.8, shared/prometheus-harness.md §5)',
      'rabbitmq_prometheus /metrics/detailed?family=queue_coarse_metrics: rabbitmq_detailed_queue_messages_ready{vhost,queue}, rabbitmq_detailed_queue_messages_unacked',
      'kbudde/rabbitmq_exporter: rabbitmq_queue_messages_ready, rabbitmq_queue_messages_unacknowledged, rabbitmq_queue_messages_ack_total, rabbitmq_queue_messages_published_total {queue,vhost}',
      'KEDA rabbitmq scaler: queueName (required), mode QueueLength + value, vhostName, hostFromEnv (shared/reference/keda-notes.md §c)',
    ],
    queueLabels: ['queue'],
    consumerLabels: [],
    namespaceScope: 'exporter',
    backlog: { type: 'gauge', variants: [{ metric: 'rabbitmq_queue_messages_ready' }, { metric: 'rabbitmq_detailed_queue_messages_ready' }] },
    inflight: {
      type: 'gauge',
      variants: [{ metric: 'rabbitmq_queue_messages_unacked' }, { metric: 'rabbitmq_detailed_queue_messages_unacked' }, { metric: 'rabbitmq_queue_messages_unacknowledged' }],
    },
    throughput: { type: 'counter', variants: [{ metric: 'rabbitmq_queue_messages_ack_total' }], note: 'acks per queue are exported by kbudde/rabbitmq_exporter only' },
    enqueued: { type: 'counter', variants: [{ metric: 'rabbitmq_queue_messages_published_total' }] },
    keda: [
      {
        type: 'rabbitmq',
        metadata: { queueName: '{queue}', mode: 'QueueLength', vhostName: '{label:vhost}', hostFromEnv: '{envName:RABBITMQ_URL|RABBITMQ_HOST|AMQP_URL|AMQP_URI|BROKER_URL|CELERY_BROKER_URL}' },
        requires: ['queueName'],
        note: 'the scaler reads the broker directly; the host comes from hostFromEnv or a TriggerAuthentication',
      },
    ],
    queueEnv: ['RABBITMQ_QUEUE', 'AMQP_QUEUE', 'QUEUE_NAME', 'QUEUE'],
  },
  {
    id: 'kafka-exporter',
    title: 'Kafka (kafka_exporter)',
    exporter: 'danielqsj/kafka_exporter',
    sources: [
      'kafka_exporter: kafka_consumergroup_lag{consumergroup,topic,partition} (-1 when a partition has no committed offset), kafka_consumergroup_lag_sum{consumergroup,topic}, kafka_consumergroup_current_offset{consumergroup,topic,partition}, kafka_topic_partition_current_offset{topic,partition}',
      'KEDA kafka scaler: bootstrapServers (or bootstrapServersFromEnv), consumerGroup (required), topic, lagThreshold (shared/reference/keda-notes.md §c)',
    ],
    queueLabels: ['topic'],
    consumerLabels: ['consumergroup'],
    namespaceScope: 'exporter',
    backlog: {
      type: 'gauge',
      variants: [
        { metric: 'kafka_consumergroup_lag', sumOver: ['partition'], minValue: 0 },
        { metric: 'kafka_consumergroup_lag_sum' },
      ],
    },
    throughput: { type: 'counter', variants: [{ metric: 'kafka_consumergroup_current_offset' }], note: 'committed offsets advance by the messages the group consumed' },
    enqueued: { type: 'counter', variants: [{ metric: 'kafka_topic_partition_current_offset', consumerLabels: [] }], note: 'the topic end offset advances by the messages produced' },
    keda: [
      {
        type: 'kafka',
        metadata: { consumerGroup: '{consumer}', topic: '{queue}', bootstrapServersFromEnv: '{envName:KAFKA_BOOTSTRAP_SERVERS|KAFKA_BROKERS|BOOTSTRAP_SERVERS|KAFKA_BOOTSTRAP|KAFKA_SERVERS}' },
        requires: ['consumerGroup'],
        note: 'set bootstrapServers (or bootstrapServersFromEnv) if not filled; replicas are capped at the partition count unless allowIdleConsumers is set',
      },
    ],
    queueEnv: ['KAFKA_TOPIC', 'KAFKA_TOPICS', 'TOPIC', 'TOPICS', 'INPUT_TOPIC', 'SOURCE_TOPIC'],
    consumerEnv: ['KAFKA_CONSUMER_GROUP', 'KAFKA_GROUP_ID', 'KAFKA_GROUP', 'CONSUMER_GROUP', 'CONSUMER_GROUP_ID', 'GROUP_ID'],
  },
  {
    id: 'kminion',
    title: 'Kafka (KMinion)',
    exporter: 'redpanda-data/kminion',
    sources: [
      'KMinion: kminion_kafka_consumer_group_topic_lag{group_id,topic_name} (sum over partitions), kminion_kafka_consumer_group_topic_offset_sum{group_id,topic_name}, kminion_kafka_topic_high_water_mark_sum{topic_name}',
      'KEDA kafka scaler (as kafka-exporter)',
    ],
    queueLabels: ['topic_name'],
    consumerLabels: ['group_id'],
    namespaceScope: 'exporter',
    backlog: { type: 'gauge', variants: [{ metric: 'kminion_kafka_consumer_group_topic_lag' }] },
    throughput: { type: 'counter', variants: [{ metric: 'kminion_kafka_consumer_group_topic_offset_sum' }] },
    enqueued: { type: 'counter', variants: [{ metric: 'kminion_kafka_topic_high_water_mark_sum', consumerLabels: [] }] },
    keda: [
      {
        type: 'kafka',
        metadata: { consumerGroup: '{consumer}', topic: '{queue}', bootstrapServersFromEnv: '{envName:KAFKA_BOOTSTRAP_SERVERS|KAFKA_BROKERS|BOOTSTRAP_SERVERS|KAFKA_BOOTSTRAP|KAFKA_SERVERS}' },
        requires: ['consumerGroup'],
        note: 'set bootstrapServers (or bootstrapServersFromEnv) if not filled; replicas are capped at the partition count unless allowIdleConsumers is set',
      },
    ],
    queueEnv: ['KAFKA_TOPIC', 'KAFKA_TOPICS', 'TOPIC', 'TOPICS', 'INPUT_TOPIC', 'SOURCE_TOPIC'],
    consumerEnv: ['KAFKA_CONSUMER_GROUP', 'KAFKA_GROUP_ID', 'KAFKA_GROUP', 'CONSUMER_GROUP', 'CONSUMER_GROUP_ID', 'GROUP_ID'],
  },
  {
    id: 'aws-sqs',
    title: 'AWS SQS',
    exporter: 'YACE (yet-another-cloudwatch-exporter) or prometheus/cloudwatch_exporter',
    sources: [
      'CloudWatch AWS/SQS ApproximateNumberOfMessagesVisible / …NotVisible, exported as aws_sqs_approximate_number_of_messages_visible_{average,maximum} (YACE label dimension_QueueName; cloudwatch_exporter label queue_name)',
      'NumberOfMessagesSent/Deleted are per-period sums whose period depends on exporter config, so completions are not read from them',
      'KEDA aws-sqs-queue scaler: queueURL or queueURLFromEnv, awsRegion, queueLength; scaleOnInFlight defaults to true (shared/reference/keda-notes.md §c)',
    ],
    queueLabels: ['dimension_QueueName', 'queue_name'],
    consumerLabels: [],
    namespaceScope: 'exporter',
    backlog: {
      type: 'gauge',
      variants: [{ metric: 'aws_sqs_approximate_number_of_messages_visible_maximum' }, { metric: 'aws_sqs_approximate_number_of_messages_visible_average' }],
      note: 'CloudWatch data arrives 1–5 minutes late',
    },
    inflight: {
      type: 'gauge',
      variants: [{ metric: 'aws_sqs_approximate_number_of_messages_not_visible_maximum' }, { metric: 'aws_sqs_approximate_number_of_messages_not_visible_average' }],
    },
    keda: [
      {
        type: 'aws-sqs-queue',
        metadata: { queueURLFromEnv: '{envName:SQS_QUEUE_URL|QUEUE_URL|AWS_SQS_QUEUE_URL}', awsRegion: '{label:region}' },
        requires: ['queueURLFromEnv'],
        note: 'scaleOnInFlight (default true) counts in-flight messages too; authenticate with pod identity or a TriggerAuthentication',
      },
    ],
    queueNameFrom: ['^https?://sqs[^/]*/[0-9]+/(.+)$'],
    queueEnv: ['SQS_QUEUE_URL', 'SQS_QUEUE', 'SQS_QUEUE_NAME', 'QUEUE_URL', 'AWS_SQS_QUEUE_URL', 'QUEUE_NAME'],
  },
  {
    id: 'redis-list',
    title: 'Redis list',
    exporter: 'oliver006/redis_exporter with --check-keys / --check-single-keys',
    sources: [
      'redis_exporter: redis_key_size{db,key} is LLEN for list keys named by --check-keys',
      'key conventions: Sidekiq queue:<name>, BullMQ bull:<name>:wait, RQ rq:queue:<name>, Celery <name>',
      'KEDA redis scaler: listName (required), addressFromEnv or hostFromEnv, databaseIndex, listLength',
    ],
    queueLabels: ['key'],
    consumerLabels: [],
    namespaceScope: 'exporter',
    queueNameFrom: ['^queue:(.+)$', '^bull:(.+):wait$', '^rq:queue:(.+)$', '^(.+)$'],
    backlog: { type: 'gauge', variants: [{ metric: 'redis_key_size' }] },
    keda: [
      {
        type: 'redis',
        metadata: { listName: '{rawQueue}', addressFromEnv: '{envName:REDIS_ADDRESS|REDIS_HOST_PORT}', hostFromEnv: '{envName:REDIS_HOST}', portFromEnv: '{envName:REDIS_PORT}', databaseIndex: '{label:db}' },
        requires: ['listName'],
        note: 'the address comes from addressFromEnv/hostFromEnv or a TriggerAuthentication',
      },
    ],
    queueEnv: ['QUEUE_NAME', 'REDIS_QUEUE', 'REDIS_LIST', 'QUEUE', 'QUEUES'],
    command: '(^|[\\s/])(rq\\s+worker|rqworker)\\b',
  },
  {
    id: 'celery',
    title: 'Celery (celery-exporter)',
    exporter: 'danihodovic/celery-exporter',
    sources: [
      'celery-exporter: celery_queue_length{queue_name}, celery_active_consumer_count{queue_name}, celery_task_succeeded_total / celery_task_failed_total / celery_task_sent_total {name,hostname,queue_name}, celery_task_runtime histogram',
      'no Celery scaler in KEDA 2.20: Redis broker → redis list scaler on the queue name; RabbitMQ broker → rabbitmq scaler (shared/reference/keda-notes.md §c)',
    ],
    queueLabels: ['queue_name'],
    consumerLabels: [],
    namespaceScope: 'exporter',
    backlog: { type: 'gauge', variants: [{ metric: 'celery_queue_length' }] },
    throughput: { type: 'counter', variants: [{ metric: ['celery_task_succeeded_total', 'celery_task_failed_total'] }], note: 'completions = succeeded + failed tasks (needs worker task events: -E)' },
    enqueued: { type: 'counter', variants: [{ metric: 'celery_task_sent_total' }], note: 'needs task_send_sent_event on the producers' },
    duration: { histogram: 'celery_task_runtime' },
    keda: [
      {
        type: 'redis',
        metadata: { listName: '{queue}', addressFromEnv: '{envName:REDIS_ADDRESS|REDIS_HOST_PORT}' },
        requires: ['listName'],
        when: { env: ['CELERY_BROKER_URL', 'BROKER_URL', 'CELERY_BROKER'], pattern: '^rediss?://' },
        note: 'Celery on Redis keeps each queue in a list named after it',
      },
      {
        type: 'rabbitmq',
        metadata: { queueName: '{queue}', mode: 'QueueLength', hostFromEnv: '{envName:CELERY_BROKER_URL|BROKER_URL|AMQP_URL}' },
        requires: ['queueName'],
        when: { env: ['CELERY_BROKER_URL', 'BROKER_URL', 'CELERY_BROKER'], pattern: '^(amqps?|pyamqp|librabbitmq)://' },
      },
    ],
    queueEnv: ['CELERY_QUEUES', 'CELERY_QUEUE', 'QUEUES', 'QUEUE_NAME', 'QUEUE'],
    command: '\\bcelery\\b.*\\bworker\\b',
  },
  {
    id: 'bullmq',
    title: 'BullMQ',
    exporter: 'BullMQ Queue.exportPrometheusMetrics() or bull_exporter',
    sources: [
      'BullMQ ≥ 5: bullmq_job_count{queue,state} with state waiting|active|completed|failed|delayed',
      'bull_exporter (UpHabit): bull_queue_waiting{queue}, bull_queue_active{queue}',
      'completed counts are trimmed by removeOnComplete, so completions are not read from them',
      'no BullMQ scaler in KEDA 2.20: redis list scaler on bull:<queue>:wait (kedacore/keda#3123)',
    ],
    queueLabels: ['queue'],
    consumerLabels: [],
    namespaceScope: 'consumer',
    backlog: { type: 'gauge', variants: [{ metric: 'bullmq_job_count', match: { state: 'waiting' } }, { metric: 'bull_queue_waiting' }] },
    inflight: { type: 'gauge', variants: [{ metric: 'bullmq_job_count', match: { state: 'active' } }, { metric: 'bull_queue_active' }] },
    keda: [
      {
        type: 'redis',
        metadata: { listName: 'bull:{queue}:wait', addressFromEnv: '{envName:REDIS_ADDRESS|REDIS_HOST_PORT}', hostFromEnv: '{envName:REDIS_HOST}', portFromEnv: '{envName:REDIS_PORT}' },
        requires: ['listName'],
        note: 'prioritized jobs live in the bull:<queue>:prioritized sorted set, which this list does not count',
      },
    ],
    queueEnv: ['BULL_QUEUE', 'BULLMQ_QUEUE', 'QUEUE_NAME', 'QUEUE'],
  },
  {
    id: 'sidekiq',
    title: 'Sidekiq',
    exporter: 'Strech/sidekiq-prometheus-exporter or yabeda-sidekiq',
    sources: [
      'sidekiq-prometheus-exporter: sidekiq_queue_enqueued_jobs{name}, sidekiq_queue_latency_seconds{name}',
      'yabeda-sidekiq: sidekiq_jobs_waiting_count{queue}, sidekiq_jobs_success_total / sidekiq_jobs_failed_total {queue,worker}, sidekiq_jobs_enqueued_total{queue}, sidekiq_job_runtime_seconds histogram',
      'no Sidekiq scaler in KEDA 2.20: redis list scaler on queue:<name> (kedacore/keda#4907)',
    ],
    queueLabels: ['name', 'queue'],
    consumerLabels: [],
    namespaceScope: 'consumer',
    backlog: {
      type: 'gauge',
      variants: [{ metric: 'sidekiq_queue_enqueued_jobs', queueLabels: ['name'] }, { metric: 'sidekiq_jobs_waiting_count', queueLabels: ['queue'] }],
    },
    throughput: { type: 'counter', variants: [{ metric: ['sidekiq_jobs_success_total', 'sidekiq_jobs_failed_total'], queueLabels: ['queue'] }] },
    enqueued: { type: 'counter', variants: [{ metric: 'sidekiq_jobs_enqueued_total', queueLabels: ['queue'] }] },
    duration: { histogram: 'sidekiq_job_runtime_seconds', queueLabels: ['queue'] },
    keda: [
      {
        type: 'redis',
        metadata: { listName: 'queue:{queue}', addressFromEnv: '{envName:REDIS_ADDRESS|REDIS_HOST_PORT}', hostFromEnv: '{envName:REDIS_HOST}', portFromEnv: '{envName:REDIS_PORT}' },
        requires: ['listName'],
      },
    ],
    queueEnv: ['SIDEKIQ_QUEUES', 'SIDEKIQ_QUEUE', 'QUEUES', 'QUEUE'],
    command: '\\bsidekiq\\b',
  },
  {
    id: 'nats-jetstream',
    title: 'NATS JetStream',
    exporter: 'prometheus-nats-exporter (-jsz) or NATS Surveyor',
    sources: [
      'prometheus-nats-exporter -jsz=consumers: jetstream_consumer_num_pending{stream_name,consumer_name,is_consumer_leader}, jetstream_consumer_num_ack_pending, jetstream_consumer_ack_floor_consumer_seq',
      'NATS Surveyor (or the exporter with -prefix nats): nats_consumer_num_pending, nats_consumer_num_ack_pending',
      'num_pending reads 0 on every node but the consumer leader, so the max over nodes is taken',
      'KEDA nats-jetstream scaler: natsServerMonitoringEndpoint, account, stream, consumer, lagThreshold',
    ],
    queueLabels: ['stream_name', 'stream'],
    consumerLabels: ['consumer_name', 'consumer'],
    namespaceScope: 'exporter',
    backlog: { type: 'gauge', variants: [{ metric: 'jetstream_consumer_num_pending' }, { metric: 'nats_consumer_num_pending' }] },
    inflight: { type: 'gauge', variants: [{ metric: 'jetstream_consumer_num_ack_pending' }, { metric: 'nats_consumer_num_ack_pending' }] },
    throughput: {
      type: 'counter',
      variants: [{ metric: 'jetstream_consumer_ack_floor_consumer_seq' }, { metric: 'nats_consumer_ack_floor_consumer_seq' }],
      note: 'the ack floor advances by the messages acknowledged',
    },
    keda: [
      {
        type: 'nats-jetstream',
        metadata: { stream: '{queue}', consumer: '{consumer}', account: '{label:account}' },
        requires: ['stream', 'consumer'],
        note: 'set natsServerMonitoringEndpoint to the NATS monitoring service (host:8222)',
      },
    ],
    queueEnv: ['NATS_STREAM', 'JETSTREAM_STREAM', 'STREAM', 'STREAM_NAME'],
    consumerEnv: ['NATS_CONSUMER', 'NATS_DURABLE', 'JETSTREAM_CONSUMER', 'DURABLE_NAME', 'CONSUMER_NAME'],
  },
  {
    id: 'gcp-pubsub',
    title: 'Google Pub/Sub',
    exporter: 'stackdriver_exporter or Google Managed Prometheus',
    sources: [
      'Cloud Monitoring pubsub.googleapis.com/subscription/num_undelivered_messages, exported as stackdriver_pubsub_subscription_pubsub_googleapis_com_subscription_num_undelivered_messages{subscription_id}',
      'KEDA gcp-pubsub scaler: subscriptionName, mode SubscriptionSize + value; deprecated in favour of the prometheus scaler on GCP’s Prometheus API (shared/reference/keda-notes.md §c)',
    ],
    queueLabels: ['subscription_id'],
    consumerLabels: [],
    namespaceScope: 'exporter',
    backlog: {
      type: 'gauge',
      variants: [{ metric: 'stackdriver_pubsub_subscription_pubsub_googleapis_com_subscription_num_undelivered_messages' }],
      note: 'Cloud Monitoring data arrives 1–3 minutes late',
    },
    keda: [
      {
        type: 'gcp-pubsub',
        metadata: { subscriptionName: '{queue}', mode: 'SubscriptionSize' },
        requires: ['subscriptionName'],
        note: 'deprecated in KEDA 2.20 (MQL); prefer the prometheus scaler against Google Managed Prometheus',
      },
    ],
    queueEnv: ['PUBSUB_SUBSCRIPTION', 'PUBSUB_SUBSCRIPTION_ID', 'SUBSCRIPTION', 'SUBSCRIPTION_ID', 'SUBSCRIPTION_NAME', 'GCP_SUBSCRIPTION'],
  },
  {
    id: 'generic',
    title: 'generic queue gauge',
    exporter: 'any exporter following the *_queue_depth / *_queue_length / *_queue_size / *_backlog / *_pending naming',
    sources: ['naming convention only: bound with lower confidence, and only with evidence tying the series to the workload'],
    queueLabels: ['queue', 'queue_name', 'name', 'topic'],
    consumerLabels: [],
    namespaceScope: 'consumer',
    backlog: { type: 'gauge', variants: [{ metric: '[a-zA-Z_:][a-zA-Z0-9_:]*_(queue_depth|queue_length|queue_size|backlog|pending)', namePattern: true }] },
    keda: [],
    queueEnv: ['QUEUE_NAME', 'QUEUE', 'QUEUES'],
  },
];

export function queueSystem(id: string): QueueSystem | undefined {
  return QUEUE_SYSTEMS.find((s) => s.id === id);
}
