// Kubernetes objects (from files, a cluster or a snapshot) -> the Inventory: workloads with
// their classification and settings, autoscalers, and the links between them.
import type { Container, InputProblem, Inventory, ManifestObject, ResourceAmounts, Workload, WorkloadKind, WorkloadSettings } from './model.js';
import { workloadId } from './model.js';
import { classifyGpu, classifyWorker } from './classify-worker.js';
import { inferConcurrency } from './infer-concurrency.js';
import { isAutoscalerObject, stringMap, toAutoscaler } from './autoscalers.js';
import { mergeSettings, parseSettings, rawSettingsFromAnnotations, type RawSettings } from './settings.js';
import { parseQuantity } from '../units/quantity.js';

const WORKLOAD_KINDS: Record<string, WorkloadKind> = {
  'apps/v1:Deployment': 'Deployment',
  'apps/v1:StatefulSet': 'StatefulSet',
  'argoproj.io/v1alpha1:Rollout': 'Rollout',
};

const TRIGGER_AUTH_KINDS = new Set(['TriggerAuthentication', 'ClusterTriggerAuthentication']);

export interface BuildOptions {
  /** Per-workload settings from config, matched by `namespace/name` or `name`. */
  workloadSettings?: Record<string, RawSettings>;
  sources?: string[];
  partialView?: boolean;
  problems?: InputProblem[];
  /** Documents that were not Kubernetes objects. */
  nonObjects?: number;
}

export function buildInventory(objects: ManifestObject[], options: BuildOptions = {}): Inventory {
  const problems: InputProblem[] = [...(options.problems ?? [])];
  const inv: Inventory = {
    workloads: [],
    autoscalers: [],
    triggerAuthentications: [],
    kinds: {},
    ignored: options.nonObjects ?? 0,
    sources: options.sources ?? [],
    problems,
    partialView: options.partialView ?? false,
  };
  for (const o of objects) {
    inv.kinds[o.ref.kind] = (inv.kinds[o.ref.kind] ?? 0) + 1;
    const wk = WORKLOAD_KINDS[`${o.ref.apiVersion}:${o.ref.kind}`] ?? (o.ref.kind === 'Deployment' || o.ref.kind === 'StatefulSet' ? (o.ref.kind as WorkloadKind) : undefined);
    if (wk) inv.workloads.push(toWorkload(o, wk, options.workloadSettings ?? {}, problems));
    else if (isAutoscalerObject(o)) {
      // the HPA KEDA generates for a ScaledObject (exported manifests, snapshots): the
      // ScaledObject is the configuration; counting both would look like double scaling
      if (o.ref.kind === 'HorizontalPodAutoscaler' && ownedByScaledObject(o.raw)) inv.ignored++;
      else inv.autoscalers.push(toAutoscaler(o));
    }
    else if (TRIGGER_AUTH_KINDS.has(o.ref.kind) && o.ref.apiVersion.startsWith('keda.sh/')) inv.triggerAuthentications.push(o);
    else inv.ignored++;
  }
  link(inv);
  return inv;
}

/** True for an HPA whose controller owner is a KEDA ScaledObject. */
export function ownedByScaledObject(raw: Record<string, any>): boolean {
  const owners = raw.metadata?.ownerReferences;
  return Array.isArray(owners) && owners.some((o) => o?.kind === 'ScaledObject' && typeof o?.apiVersion === 'string' && o.apiVersion.startsWith('keda.sh/'));
}

function link(inv: Inventory): void {
  const byKey = new Map<string, Workload>();
  for (const w of inv.workloads) byKey.set(targetKey(w.context, w.namespace, w.kind, w.name), w);
  for (const a of inv.autoscalers) {
    if (!a.target) continue;
    const w = byKey.get(targetKey(a.context, a.namespace, a.target.kind, a.target.name));
    if (w) {
      a.workload = w;
      w.autoscalers.push(a);
    }
  }
}

function targetKey(context: string, namespace: string, kind: string, name: string): string {
  return `${context}\u0000${namespace}\u0000${kind}\u0000${name}`;
}

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

function toWorkload(o: ManifestObject, kind: WorkloadKind, configured: Record<string, RawSettings>, problems: InputProblem[]): Workload {
  const raw = o.raw;
  const spec = isObj(raw.spec) ? raw.spec : {};
  const template = isObj(spec.template) ? spec.template : {};
  const podSpec = isObj(template.spec) ? template.spec : {};
  const containers = (Array.isArray(podSpec.containers) ? podSpec.containers : []).filter(isObj).map(toContainer);
  const labels = stringMap(raw.metadata?.labels);
  const annotations = stringMap(raw.metadata?.annotations);
  const podLabels = stringMap(template.metadata?.labels);
  const podAnnotations = stringMap(template.metadata?.annotations);
  const name = o.ref.name;
  const label = `${kind} ${o.ref.namespace}/${name}`;
  let settings: WorkloadSettings = parseSettings(
    rawSettingsFromAnnotations(podAnnotations, annotations),
    (key) => (annotations[`queue-doctor.io/${key}`] !== undefined ? o.locate(['metadata', 'annotations', `queue-doctor.io/${key}`]) : undefined),
    problems,
    label,
  );
  const fromConfig = configured[`${o.ref.namespace}/${name}`] ?? configured[name];
  if (fromConfig) settings = mergeSettings(settings, parseSettings(fromConfig, () => undefined, problems, `${label} (config)`));
  const worker = classifyWorker({ name, labels, podLabels, annotations, containers });
  if (settings.concurrency === undefined && worker.isQueueWorker) {
    const inferred = inferConcurrency(containers);
    if (inferred) settings = { ...settings, concurrency: inferred.value, concurrencySource: inferred.source };
  } else if (settings.concurrency !== undefined) settings = { ...settings, concurrencySource: settings.concurrencySource ?? 'annotation queue-doctor.io/concurrency' };
  const grace = podSpec.terminationGracePeriodSeconds;
  return {
    id: workloadId(o.context, o.ref.namespace, kind, name),
    kind,
    namespace: o.ref.namespace,
    name,
    context: o.context,
    object: o,
    replicas: typeof spec.replicas === 'number' ? spec.replicas : undefined,
    labels,
    annotations,
    podLabels,
    containers,
    terminationGracePeriodSeconds: typeof grace === 'number' ? grace : undefined,
    worker,
    gpu: classifyGpu(containers, podSpec),
    settings,
    autoscalers: [],
    status: isObj(raw.status)
      ? { replicas: typeof raw.status.replicas === 'number' ? raw.status.replicas : undefined, readyReplicas: typeof raw.status.readyReplicas === 'number' ? raw.status.readyReplicas : undefined }
      : undefined,
  };
}

const EMPTY: never[] = [];

/** String entries of a command/args list: the list itself when it is all strings (no copy). */
function strings(v: unknown): string[] {
  if (!Array.isArray(v)) return EMPTY;
  for (const x of v) if (typeof x !== 'string') return v.filter((y) => typeof y === 'string' || typeof y === 'number').map(String);
  return v as string[];
}

function toContainer(c: Record<string, any>, index: number): Container {
  const rawEnv = Array.isArray(c.env) ? c.env : EMPTY;
  const env: Container['env'] = [];
  for (const e of rawEnv) {
    if (!isObj(e)) continue;
    env.push({
      name: typeof e.name === 'string' ? e.name : String(e.name ?? ''),
      value: typeof e.value === 'string' ? e.value : e.value !== undefined ? String(e.value) : undefined,
      fromSource: isObj(e.valueFrom) ? Object.keys(e.valueFrom)[0] : undefined,
    });
  }
  const envFrom: string[] = [];
  if (Array.isArray(c.envFrom)) {
    for (const e of c.envFrom) {
      const n = isObj(e) ? (e.configMapRef?.name ?? e.secretRef?.name) : undefined;
      if (n) envFrom.push(String(n));
    }
  }
  const ports: number[] = [];
  if (Array.isArray(c.ports)) {
    for (const p of c.ports) {
      const n = isObj(p) ? Number(p.containerPort) : NaN;
      if (Number.isFinite(n)) ports.push(n);
    }
  }
  const resources = isObj(c.resources) ? c.resources : undefined;
  return {
    name: typeof c.name === 'string' ? c.name : `#${index}`,
    image: typeof c.image === 'string' ? c.image : '',
    command: strings(c.command),
    args: strings(c.args),
    env,
    envFrom,
    requests: amounts(resources?.requests),
    limits: amounts(resources?.limits),
    ports,
    index,
  };
}

const GPU_RESOURCE = /(^|\/)gpu$|gpu\.|\/i915$/i;

function amounts(v: unknown): ResourceAmounts {
  if (!isObj(v)) return {};
  const out: ResourceAmounts = { cpu: parseQuantity(v.cpu), memory: parseQuantity(v.memory) };
  for (const k in v) {
    if (k !== 'cpu' && k !== 'memory' && GPU_RESOURCE.test(k)) {
      const n = parseQuantity(v[k]);
      if (n) {
        out.gpu = n;
        out.gpuResource = k;
      }
    }
  }
  return out;
}
