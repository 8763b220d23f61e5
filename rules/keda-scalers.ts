// Data catalogue: KEDA scalers that measure work waiting to be done, and the metadata key that
// holds each one's scaling target. Source: keda `pkg/scalers/<x>.go` struct tags and the 2.20
// scaler docs (https://keda.sh/docs/2.20/scalers/), summarised in shared/reference/keda-notes.md §c.

export interface KedaScalerInfo {
  /** Trigger `type` values this entry covers. */
  types: string[];
  /** Metadata keys that hold the scaling target, in order of precedence. */
  targetKeys: string[];
  /** KEDA's default target when none is given (undefined: required). */
  defaultTarget?: number;
  /** Metadata keys that hold the activation target. */
  activationKeys: string[];
  /** True when the scaler measures queued work (a backlog), not load or time. */
  queue: boolean;
  /** Metadata keys that must be present (besides the target) for KEDA to accept the trigger. */
  required?: string[][];
}

export const KEDA_SCALERS: KedaScalerInfo[] = [
  { types: ['prometheus'], targetKeys: ['threshold'], activationKeys: ['activationThreshold'], queue: false, required: [['serverAddress'], ['query']] },
  // rabbitmq: mode+value, or the deprecated queueLength; QueueLength 20 when all are absent
  { types: ['rabbitmq'], targetKeys: ['value', 'queueLength'], defaultTarget: 20, activationKeys: ['activationValue'], queue: true, required: [['queueName']] },
  { types: ['kafka', 'apache-kafka'], targetKeys: ['lagThreshold'], defaultTarget: 10, activationKeys: ['activationLagThreshold'], queue: true, required: [['consumerGroup']] },
  { types: ['aws-sqs-queue'], targetKeys: ['queueLength'], defaultTarget: 5, activationKeys: ['activationQueueLength'], queue: true, required: [['queueURL', 'queueURLFromEnv']] },
  { types: ['redis', 'redis-cluster', 'redis-sentinel'], targetKeys: ['listLength'], defaultTarget: 5, activationKeys: ['activationListLength'], queue: true, required: [['listName']] },
  {
    types: ['redis-streams', 'redis-cluster-streams', 'redis-sentinel-streams'],
    targetKeys: ['lagCount', 'pendingEntriesCount', 'streamLength'],
    defaultTarget: 5,
    activationKeys: ['activationLagCount'],
    queue: true,
    required: [['stream']],
  },
  { types: ['nats-jetstream'], targetKeys: ['lagThreshold'], defaultTarget: 10, activationKeys: ['activationLagThreshold'], queue: true },
  { types: ['stan'], targetKeys: ['lagThreshold'], defaultTarget: 10, activationKeys: ['activationLagThreshold'], queue: true },
  { types: ['azure-servicebus'], targetKeys: ['messageCount'], defaultTarget: 5, activationKeys: ['activationMessageCount'], queue: true },
  { types: ['azure-queue'], targetKeys: ['queueLength'], defaultTarget: 5, activationKeys: ['activationQueueLength'], queue: true },
  { types: ['gcp-pubsub'], targetKeys: ['value', 'subscriptionSize'], defaultTarget: 10, activationKeys: ['activationValue'], queue: true },
  { types: ['postgresql'], targetKeys: ['targetQueryValue'], activationKeys: ['activationTargetQueryValue'], queue: false },
  { types: ['mysql'], targetKeys: ['queryValue'], activationKeys: ['activationQueryValue'], queue: false },
  { types: ['activemq'], targetKeys: ['targetQueueSize'], defaultTarget: 10, activationKeys: ['activationTargetQueueSize'], queue: true },
  { types: ['artemis-queue'], targetKeys: ['queueLength'], defaultTarget: 10, activationKeys: ['activationQueueLength'], queue: true },
  { types: ['ibmmq'], targetKeys: ['queueDepth'], defaultTarget: 20, activationKeys: ['activationQueueDepth'], queue: true },
  { types: ['pulsar'], targetKeys: ['msgBacklogThreshold'], defaultTarget: 10, activationKeys: ['activationMsgBacklogThreshold'], queue: true },
  { types: ['beanstalkd'], targetKeys: ['value'], activationKeys: ['activationValue'], queue: true },
  { types: ['metrics-api'], targetKeys: ['targetValue'], activationKeys: ['activationTargetValue'], queue: false },
  { types: ['datadog'], targetKeys: ['queryValue'], activationKeys: ['activationQueryValue'], queue: false },
  { types: ['new-relic'], targetKeys: ['threshold'], activationKeys: ['activationThreshold'], queue: false },
  { types: ['cpu', 'memory'], targetKeys: ['value'], activationKeys: [], queue: false },
];

const BY_TYPE = new Map<string, KedaScalerInfo>();
for (const s of KEDA_SCALERS) for (const t of s.types) BY_TYPE.set(t, s);

export function kedaScaler(type: string | undefined): KedaScalerInfo | undefined {
  return type === undefined ? undefined : BY_TYPE.get(type);
}

/** Trigger types that scale on resource use rather than work. */
export const RESOURCE_TRIGGER_TYPES = new Set(['cpu', 'memory']);
