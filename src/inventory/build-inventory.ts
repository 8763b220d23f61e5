// Kubernetes objects (from files, a cluster or a snapshot) -> the Inventory: workloads with
// their classification and settings, autoscalers, and the links between them.
import type { Autoscaler, Container, InputProblem, Inventory, ManifestObject, ResourceAmounts, Workload, WorkloadKind, WorkloadSettings } from './model.js';
import { workloadId } from './model.js';
import { classifyGpu, classifyWorker } from './classify-worker.js';
import { inferConcurrency } from './infer-concurrency.js';
import { isAutoscalerObject, stringMap, toAutoscaler } from './autoscalers.js';
import { mergeSettings, parseSettings, rawSettingsFromAnnotations, type RawSettings } from './settings.js';
import { parseQuantity } from '../units/quantity.js';

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
  const configured = options.workloadSettings;
  const hasConfigured = configured !== undefined && Object.keys(configured).length > 0;
  for (const o of objects) {
    const { kind, apiVersion } = o.ref;
    inv.kinds[kind] = (inv.kinds[kind] ?? 0) + 1;
    const wk = workloadKind(apiVersion, kind);
    if (wk) inv.workloads.push(toWorkload(o, wk, hasConfigured ? configured : undefined, problems));
    else if (isAutoscalerObject(o)) {
      // the HPA KEDA generates for a ScaledObject (exported manifests, snapshots): the
      // ScaledObject is the configuration; counting both would look like double scaling
      if (kind === 'HorizontalPodAutoscaler' && ownedByScaledObject(o.raw)) inv.ignored++;
      else inv.autoscalers.push(toAutoscaler(o));
    }
    else if (TRIGGER_AUTH_KINDS.has(kind) && apiVersion.startsWith('keda.sh/')) inv.triggerAuthentications.push(o);
    else inv.ignored++;
  }
  link(inv);
  return inv;
}

/** WORKLOAD_KINDS by apiVersion and kind; Deployments and StatefulSets of any apiVersion too. */
function workloadKind(apiVersion: string, kind: string): WorkloadKind | undefined {
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet':
      return kind;
    case 'Rollout':
      return apiVersion === 'argoproj.io/v1alpha1' ? 'Rollout' : undefined;
    default:
      return undefined;
  }
}

/** True for an HPA whose controller owner is a KEDA ScaledObject. */
export function ownedByScaledObject(raw: Record<string, any>): boolean {
  const owners = raw.metadata?.ownerReferences;
  return Array.isArray(owners) && owners.some((o) => o?.kind === 'ScaledObject' && typeof o?.apiVersion === 'string' && o.apiVersion.startsWith('keda.sh/'));
}

/**
 * Each autoscaler's target among the workloads, by context, namespace, kind and name (the
 * last workload wins when several share them). Indexed by name: no key strings to build.
 */
function link(inv: Inventory): void {
  const byName = new Map<string, Workload | Workload[]>();
  for (const w of inv.workloads) {
    const seen = byName.get(w.name);
    if (seen === undefined) byName.set(w.name, w);
    else if (Array.isArray(seen)) seen.push(w);
    else byName.set(w.name, [seen, w]);
  }
  for (const a of inv.autoscalers) {
    const t = a.target;
    if (!t) continue;
    const seen = byName.get(t.name);
    if (seen === undefined) continue;
    let w: Workload | undefined;
    if (Array.isArray(seen)) {
      for (let i = seen.length - 1; i >= 0 && !w; i--) if (targets(a, t.kind, seen[i])) w = seen[i];
    } else if (targets(a, t.kind, seen)) w = seen;
    if (w) {
      a.workload = w;
      w.autoscalers.push(a);
    }
  }
}

function targets(a: Autoscaler, kind: string, w: Workload): boolean {
  return w.context === a.context && w.namespace === a.namespace && w.kind === kind;
}

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

function toWorkload(o: ManifestObject, kind: WorkloadKind, configured: Record<string, RawSettings> | undefined, problems: InputProblem[]): Workload {
  const raw = o.raw;
  const spec = isObj(raw.spec) ? raw.spec : {};
  const template = isObj(spec.template) ? spec.template : {};
  const podSpec = isObj(template.spec) ? template.spec : {};
  const containers: Container[] = [];
  if (Array.isArray(podSpec.containers)) {
    // indexes count the containers that are mappings (as a filter then map would)
    for (const c of podSpec.containers) if (isObj(c)) containers.push(toContainer(c, containers.length));
  }
  const labels = stringMap(raw.metadata?.labels);
  const annotations = stringMap(raw.metadata?.annotations);
  const podLabels = stringMap(template.metadata?.labels);
  const podAnnotations = stringMap(template.metadata?.annotations);
  const name = o.ref.name;
  const label = () => `${kind} ${o.ref.namespace}/${name}`;
  let settings: WorkloadSettings = parseSettings(
    rawSettingsFromAnnotations(podAnnotations, annotations),
    (key) => (annotations[`queue-doctor.io/${key}`] !== undefined ? o.locate(['metadata', 'annotations', `queue-doctor.io/${key}`]) : undefined),
    problems,
    label,
  );
  const fromConfig = configured && (configured[`${o.ref.namespace}/${name}`] ?? configured[name]);
  if (fromConfig) settings = mergeSettings(settings, parseSettings(fromConfig, () => undefined, problems, `${label()} (config)`));
  const worker = classifyWorker({ name, labels, podLabels, annotations, containers });
  // `settings` is this workload's own object: new keys go last, as a spread copy would put them
  if (settings.concurrency === undefined && worker.isQueueWorker) {
    const inferred = inferConcurrency(containers);
    if (inferred) {
      settings.concurrency = inferred.value;
      settings.concurrencySource = inferred.source;
    }
  } else if (settings.concurrency !== undefined) settings.concurrencySource = settings.concurrencySource ?? 'annotation queue-doctor.io/concurrency';
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

// The same few quantities ("250m", "512Mi") repeat across a repository: parse each once.
const QUANTITY_CACHE = new Map<string, number | undefined>();
const QUANTITY_CACHE_MAX = 4096;

function quantity(v: unknown): number | undefined {
  if (typeof v !== 'string') return parseQuantity(v);
  if (v.length > 32) return parseQuantity(v);
  let n = QUANTITY_CACHE.get(v);
  if (n === undefined && !QUANTITY_CACHE.has(v)) {
    n = parseQuantity(v);
    if (QUANTITY_CACHE.size < QUANTITY_CACHE_MAX) QUANTITY_CACHE.set(v, n);
  }
  return n;
}

function amounts(v: unknown): ResourceAmounts {
  if (!isObj(v)) return {};
  const out: ResourceAmounts = { cpu: quantity(v.cpu), memory: quantity(v.memory) };
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
