// The inventory model: what every stage after "sources" works on. Plain data only.

/** A path into a Kubernetes object, e.g. ['spec', 'metrics', 0, 'resource']. */
export type FieldPath = ReadonlyArray<string | number>;

/** Where something is: a field in a file, or a field of an object read from a cluster. */
export type SourceLocation = FileLocation | ClusterLocation;

export interface FileLocation {
  type: 'file';
  /** Path as the user gave it (relative to cwd when possible), or '<stdin>'. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** JSON-pointer-like path of the field inside the object, for humans and SARIF. */
  path?: string;
}

export interface ClusterLocation {
  type: 'cluster';
  /** kube context name ('' when unknown, e.g. a snapshot without one). */
  context: string;
  namespace?: string;
  kind: string;
  name: string;
  path?: string;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** Resolves a field path inside one object to an exact location. */
export type Locator = (path: FieldPath) => SourceLocation;

/** One Kubernetes object as read from a source, with a way to locate its fields. */
export interface ManifestObject {
  ref: ObjectRef;
  /** The object as parsed (after apiVersion normalisation for HPAs). */
  raw: Record<string, any>;
  /** kube context for cluster objects, '' for files. */
  context: string;
  /** The file it came from (undefined for cluster objects). */
  file?: string;
  locate: Locator;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Container {
  name: string;
  image: string;
  command: string[];
  args: string[];
  env: Array<{ name: string; value?: string; fromSource?: string }>;
  /** Names of envFrom sources (configMap/secret names), values never read. */
  envFrom: string[];
  requests: ResourceAmounts;
  limits: ResourceAmounts;
  ports: number[];
  /** Index of this container in spec.template.spec.containers. */
  index: number;
}

export interface ResourceAmounts {
  /** cores */
  cpu?: number;
  /** bytes */
  memory?: number;
  /** GPUs of any vendor (`nvidia.com/gpu`, `amd.com/gpu`, …). */
  gpu?: number;
  gpuResource?: string;
}

/** The scored queue-worker heuristic, with its evidence. */
export interface WorkerClassification {
  isQueueWorker: boolean;
  score: number;
  evidence: string[];
  /** Set when the `queue-doctor.io/queue-worker` annotation decided. */
  override?: boolean;
}

export interface GpuClassification {
  isGpu: boolean;
  evidence: string[];
}

/** Per-workload settings from annotations or config (`queue-doctor.io/*`). */
export interface WorkloadSettings {
  backlogQuery?: string;
  inflightQuery?: string;
  throughputQuery?: string;
  jobDurationSeconds?: number;
  jobDurationQuery?: string;
  concurrency?: number;
  /** Where `concurrency` came from (annotation, config, or the worker's own flags/env). */
  concurrencySource?: string;
  targetWaitSeconds?: number;
  /** Rule ids suppressed by `queue-doctor.io/ignore`. */
  ignore: string[];
  ignoreReason?: string;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'Rollout';

export interface Workload {
  /** Stable id: `context/namespace/Kind/name` (context omitted when empty). */
  id: string;
  kind: WorkloadKind;
  namespace: string;
  name: string;
  context: string;
  object: ManifestObject;
  /** spec.replicas when set. */
  replicas?: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  podLabels: Record<string, string>;
  containers: Container[];
  /** Pod spec terminationGracePeriodSeconds, undefined when unset (Kubernetes default 30). */
  terminationGracePeriodSeconds?: number;
  worker: WorkerClassification;
  gpu: GpuClassification;
  settings: WorkloadSettings;
  /** Autoscalers whose target is this workload (filled by linking). */
  autoscalers: Autoscaler[];
  /** status.replicas / readyReplicas when read from a cluster. */
  status?: { replicas?: number; readyReplicas?: number };
}

export type AutoscalerKind = 'HorizontalPodAutoscaler' | 'ScaledObject' | 'ScaledJob';

/** One scaling signal of an autoscaler: an HPA metric or a KEDA trigger. */
export interface ScalingMetric {
  /** 'resource' covers HPA Resource/ContainerResource metrics and KEDA cpu/memory triggers. */
  source: 'resource' | 'external' | 'pods' | 'object' | 'trigger';
  /** For resource metrics: cpu, memory, or another resource name. */
  resourceName?: string;
  targetType?: 'Utilization' | 'AverageValue' | 'Value';
  /** The numeric target (utilization %, value or average value), when parseable. */
  target?: number;
  /** The target as written, for messages ("70", "500m", "abc"). */
  targetRaw?: unknown;
  /** KEDA trigger type (prometheus, rabbitmq, kafka, cpu, …). */
  triggerType?: string;
  triggerName?: string;
  metadata?: Record<string, unknown>;
  /** External/pods/object metric name for HPAs. */
  metricName?: string;
  /** Field path of this metric/trigger inside the autoscaler object. */
  path: FieldPath;
}

export interface Autoscaler {
  id: string;
  kind: AutoscalerKind;
  namespace: string;
  name: string;
  context: string;
  object: ManifestObject;
  /** The scale target (ScaledJob: none). */
  target?: { apiVersion: string; kind: string; name: string };
  minReplicas?: number;
  maxReplicas?: number;
  metrics: ScalingMetric[];
  /** autoscaling/v2 behavior (HPA spec.behavior or KEDA advanced.horizontalPodAutoscalerConfig.behavior). */
  behavior?: Record<string, any>;
  keda?: {
    pollingInterval?: number;
    cooldownPeriod?: number;
    initialCooldownPeriod?: number;
    idleReplicaCount?: number;
    minReplicaCount?: number;
    maxReplicaCount?: number;
    fallback?: Record<string, any>;
    hpaName?: string;
    annotations: Record<string, string>;
  };
  /** The linked workload, when found. */
  workload?: Workload;
}

/** A problem with the input itself (not a finding about the objects). */
export interface InputProblem {
  /** 'error' makes the run exit 2; 'warning' is reported and the run goes on. */
  level: 'error' | 'warning';
  code: string;
  message: string;
  location?: SourceLocation;
  /** Human-readable "where", when there is no precise location (a URL, a directory). */
  where?: string;
}

export interface Inventory {
  workloads: Workload[];
  autoscalers: Autoscaler[];
  /** TriggerAuthentication / ClusterTriggerAuthentication names by namespace ('' for cluster-scoped). */
  triggerAuthentications: ManifestObject[];
  /** Count of objects read, by kind, including kinds queue-doctor ignores. */
  kinds: Record<string, number>;
  /** Objects of kinds queue-doctor does not understand. */
  ignored: number;
  /** Files (or cluster contexts) read. */
  sources: string[];
  problems: InputProblem[];
  /** True when the inventory was read from stdin or a single file (targets may live elsewhere). */
  partialView: boolean;
}

/** A rule's verdict about one object. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** The object the finding is about. */
  object: ObjectRef & { context: string; id: string };
  location: SourceLocation;
  /** The numbers and facts that triggered it. */
  evidence: Record<string, string | number | boolean | null>;
  /** A concrete fix for this object, when the rule can say one. */
  fix?: string;
  /** Set by the engine: this finding matches the baseline (reported, does not fail). */
  baselined?: boolean;
  /** Set by the engine: a stable hash used by baselines and SARIF partialFingerprints. */
  fingerprint?: string;
}

export function workloadId(context: string, namespace: string, kind: string, name: string): string {
  const tail = namespace === '' ? `${kind}/${name}` : `${namespace}/${kind}/${name}`;
  return context === '' ? tail : `${context}/${tail}`;
}
