// Source: live Kubernetes clusters -> ManifestObject[] (the same shape manifests and snapshots
// give), read-only. Per context: one discovery request (/apis), one resource list per optional
// CRD group, then paginated LISTs of every scanned resource in every namespace in scope, all
// bounded by one concurrency limit, a per-request timeout and an overall deadline.
import type { ClusterLocation, FieldPath, InputProblem, ManifestObject } from './model.js';
import type { KubeServiceAccess } from '../metrics/signals-model.js';
import { EXIT, UserError } from '../cli/exit-codes.js';
import { resolveKubeTargets, type KubeTarget } from './kube-config.js';
import { KubeApiError, KubeClient, Limiter } from './kube-http.js';
import { SCANNED_RESOURCES, qualifiedResource, ruleText, type ScannedResource } from './kube-rbac.js';
import { sanitizeClusterObjectInPlace } from './redact.js';
import { pointer } from './read-manifests.js';
import { ownedByScaledObject } from './build-inventory.js';

export interface ClusterReadOptions {
  /** --kubeconfig; else $KUBECONFIG, ~/.kube/config, in-cluster. */
  kubeconfig?: string;
  /** --context (repeatable); default: the current context. */
  contexts?: string[];
  allContexts?: boolean;
  /** -n (repeatable); default: the context's namespace. */
  namespaces?: string[];
  /** -A: cluster-wide lists. */
  allNamespaces?: boolean;
  /** -l: label selector for workloads (autoscalers follow their targets). */
  selector?: string;
  /** Overall deadline for the whole read (and later service-proxy use), seconds. */
  timeoutSeconds: number;
  /** Timeout of one request attempt, seconds. */
  requestTimeoutSeconds: number;
  env: NodeJS.ProcessEnv;
  onProgress?: (message: string) => void;
  /** Concurrent requests across all contexts (default 8). */
  concurrency?: number;
  /** `limit` of each LIST page (default 500, as kubectl). */
  pageSize?: number;
  /** Retries per request on 429/5xx/resets/timeouts (default 3). */
  maxRetries?: number;
  /** [0,1) generator for backoff jitter (default Math.random). */
  random?: () => number;
  /** Do not verify the API server's certificate (--insecure-skip-tls-verify). */
  insecureSkipTlsVerify?: boolean;
  /** In-cluster service account mount (tests). */
  serviceAccountDir?: string;
  /** Backoff base (ms) for retries; tests shorten it. */
  backoffBaseMs?: number;
}

/** What was read from one context. */
export interface ContextReadSummary {
  context: string;
  /** API server URL (no credentials). */
  server: string;
  /** Namespaces read, or ['*'] for cluster-wide lists. */
  namespaces: string[];
  /** Objects read per resource (`deployments.apps`: 12). */
  counts: Record<string, number>;
  /** API groups that are not installed (KEDA, Argo Rollouts). */
  absentGroups: string[];
  /** HPAs created by KEDA for a ScaledObject (left out: the ScaledObject describes them). */
  kedaManagedHpas: number;
  /** Set when the context could not be read at all. */
  error?: string;
  /** `host:port (setting)` of the proxy the API server is reached through, if any. */
  proxy?: string;
}

export interface ClusterReadResult {
  /** Objects with `context` set and cluster locations, in a stable order. */
  objects: ManifestObject[];
  /** Warnings naming what could not be read (and the RBAC rule that would allow it). */
  problems: InputProblem[];
  /** Some data could not be read: the run exits 3 unless something worse applies. */
  incomplete: boolean;
  /** Contexts requested, in order. */
  contexts: string[];
  /** HTTP requests sent to API servers so far (retries and later service-proxy lists included). */
  readonly requestCount: number;
  /** One per readable context: Prometheus discovery lists Services and reaches one through the API server. */
  serviceAccess: KubeServiceAccess[];
  /** Informational notes (KEDA not installed, KEDA-managed HPAs left out). */
  notes: string[];
  summaries: ContextReadSummary[];
  /** Release keep-alive connections (the CLI exits anyway; long-lived callers should call it). */
  close(): void;
}

/** Namespaces where Prometheus commonly lives, listed when cluster-wide Service lists are forbidden. */
const MONITORING_NAMESPACES = ['monitoring', 'prometheus', 'observability', 'kube-prometheus-stack', 'kube-monitoring', 'thanos', 'victoria-metrics', 'mimir'];
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface ListOutcome {
  resource: ScannedResource;
  version: string;
  namespace: string; // '' = cluster-wide
  objects: ManifestObject[];
  error?: KubeApiError;
}

/**
 * Read Deployments, StatefulSets, Rollouts, HPAs and KEDA objects from one or more kube
 * contexts. Only GET requests are sent. Config problems (kubeconfig, unknown context, a
 * cluster that cannot be reached or rejects the credentials) throw UserError (exit 2); partial
 * reads return `problems` with `incomplete: true` (exit 3). Objects are sanitised as they
 * arrive (managedFields and last-applied dropped, credentials redacted), so a live read and a
 * snapshot replay give the same objects.
 */
export async function readClusterInventory(options: ClusterReadOptions): Promise<ClusterReadResult> {
  const namespaces = [...new Set(options.namespaces ?? [])];
  for (const ns of namespaces) {
    if (!NAMESPACE_NAME.test(ns) || ns.length > 63) throw new UserError(`-n/--namespace "${ns}" is not a valid namespace name (lower-case letters, digits and -)`);
  }
  if (options.allNamespaces && namespaces.length > 0) throw new UserError('-A/--all-namespaces and -n/--namespace exclude each other; pass one of them');
  const targets = await resolveKubeTargets(options);
  const started = performance.now();
  const deadline = started + options.timeoutSeconds * 1000;
  const limiter = new Limiter(Math.max(1, options.concurrency ?? 8));
  let requestCount = 0;
  const clients = targets.map(
    (t) =>
      new KubeClient(t, {
        requestTimeoutMs: options.requestTimeoutSeconds * 1000,
        deadline,
        limiter,
        maxRetries: options.maxRetries,
        random: options.random,
        backoffBaseMs: options.backoffBaseMs,
        insecureSkipTlsVerify: options.insecureSkipTlsVerify,
        onRequest: () => requestCount++,
      }),
  );
  const progress = options.onProgress ?? (() => {});
  let results: ContextResult[];
  try {
    results = await Promise.all(clients.map((c) => readContext(c, options, namespaces, progress)));
  } catch (e) {
    for (const c of clients) c.close();
    throw e;
  }

  const problems: InputProblem[] = [];
  const notes: string[] = [];
  const objects: ManifestObject[] = [];
  const serviceAccess: KubeServiceAccess[] = [];
  let incomplete = false;
  const failed = results.filter((r) => r.fatal);
  if (failed.length === results.length) {
    for (const c of clients) c.close();
    const first = failed[0].fatal!;
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more context${failed.length > 2 ? 's' : ''} failed)` : '';
    throw new UserError(first.message + more, isConfigError(first) ? EXIT.USAGE : EXIT.INCOMPLETE);
  }
  results.forEach((r, i) => {
    problems.push(...r.problems);
    notes.push(...r.notes);
    objects.push(...r.objects);
    incomplete ||= r.incomplete;
    if (r.fatal) {
      problems.push({ level: 'warning', code: 'cluster-unreadable', message: `${r.fatal.message}; the report leaves this context out`, where: `context ${targets[i].context}` });
      incomplete = true;
    } else serviceAccess.push(makeServiceAccess(clients[i], r.summary.namespaces));
  });
  if (options.insecureSkipTlsVerify || targets.some((t) => t.skipTlsVerify)) {
    const which = targets.filter((t) => options.insecureSkipTlsVerify || t.skipTlsVerify).map((t) => t.context);
    problems.push({
      level: 'warning',
      code: 'tls-verification-off',
      message: `TLS verification of the API server is off for context ${which.map((c) => `"${c}"`).join(', ')}; anyone on the network path could read the credentials — set certificate-authority-data in the kubeconfig instead`,
    });
  }
  return {
    objects,
    problems,
    incomplete,
    contexts: targets.map((t) => t.context),
    get requestCount() {
      return requestCount;
    },
    serviceAccess,
    notes,
    summaries: results.map((r) => r.summary),
    close: () => clients.forEach((c) => c.close()),
  };
}

function isConfigError(e: KubeApiError): boolean {
  if (e.kind === 'tls' || e.kind === 'credentials') return true;
  // a proxy that cannot be reached or refuses the tunnel: HTTPS_PROXY/NO_PROXY or proxy-url to fix
  if (e.kind === 'proxy') return e.details.transient !== true;
  if (e.kind === 'network') return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'].includes(e.details.code ?? '');
  if (e.kind === 'http') return e.details.status === 401 || e.details.status === 403 || e.details.status === 404;
  return false;
}

interface ContextResult {
  objects: ManifestObject[];
  problems: InputProblem[];
  notes: string[];
  incomplete: boolean;
  summary: ContextReadSummary;
  fatal?: KubeApiError;
}

async function readContext(client: KubeClient, options: ClusterReadOptions, namespaces: string[], progress: (m: string) => void): Promise<ContextResult> {
  const target = client.target;
  const ctx = target.context;
  const scope = options.allNamespaces ? [''] : namespaces.length > 0 ? namespaces : [target.namespace];
  const summary: ContextReadSummary = {
    context: ctx,
    server: target.server,
    namespaces: scope.map((n) => (n === '' ? '*' : n)),
    counts: {},
    absentGroups: [],
    kedaManagedHpas: 0,
    ...(client.proxyNote ? { proxy: client.proxyNote } : {}),
  };
  const result: ContextResult = { objects: [], problems: [], notes: [], incomplete: false, summary };
  const warn = (code: string, message: string, where?: string) => {
    result.problems.push({ level: 'warning', code, message, where: where ?? `context ${ctx}` });
    result.incomplete = true;
  };

  // discovery: which groups and versions the server serves
  progress(`context ${ctx}: discovering APIs at ${target.server}`);
  let groups: Map<string, string[]>;
  try {
    const body = await client.getJson('/apis');
    groups = new Map();
    for (const g of Array.isArray(body?.groups) ? body.groups : []) {
      if (g && typeof g.name === 'string') groups.set(g.name, (Array.isArray(g.versions) ? g.versions : []).map((v: any) => String(v?.version)));
    }
    groups.set('', ['v1']);
  } catch (e) {
    if (!(e instanceof KubeApiError)) throw e;
    summary.error = e.message;
    if (e.details.status === 404) {
      result.fatal = new KubeApiError(`${target.server} (context "${ctx}") does not look like a Kubernetes API server (GET /apis: 404); check the server address in ${target.source}`, 'http', e.details);
    } else if (e.details.status === 403) {
      result.fatal = new KubeApiError(`${e.message}; the user may not even read API discovery — see queue-doctor rbac`, 'http', e.details);
    } else result.fatal = e;
    summary.error = result.fatal.message;
    return result;
  }

  // resources to list, with the version the server serves
  const plan: Array<{ resource: ScannedResource; version: string }> = [];
  const crdChecks = new Map<string, Promise<Set<string> | undefined>>();
  for (const r of SCANNED_RESOURCES) {
    const served = groups.get(r.group);
    const version = served ? r.versions.find((v) => served.includes(v)) : undefined;
    if (!version) {
      if (r.optional) {
        if (!summary.absentGroups.includes(r.group)) summary.absentGroups.push(r.group);
        continue;
      }
      warn(
        'api-not-served',
        `context "${ctx}": the API server does not serve ${r.group}/${r.versions.join(' or ')} ${r.resource}; ${r.kind}s were not read (is the cluster older than Kubernetes 1.23?)`,
      );
      continue;
    }
    if (r.optional) {
      // a group can exist without this resource (argoproj.io is also Argo Workflows)
      const gv = `${r.group}/${version}`;
      if (!crdChecks.has(gv)) {
        crdChecks.set(
          gv,
          client.getJson(`/apis/${gv}`).then(
            (b) => new Set<string>((Array.isArray(b?.resources) ? b.resources : []).map((x: any) => String(x?.name))),
            () => undefined, // unknown: try the list and let it answer
          ),
        );
      }
    }
    plan.push({ resource: r, version });
  }
  for (const g of summary.absentGroups) {
    result.notes.push(
      g === 'keda.sh'
        ? `context "${ctx}": KEDA is not installed (no keda.sh API group); no ScaledObjects to read`
        : `context "${ctx}": the ${g} API group is not installed; skipped its resources`,
    );
  }
  const checked: typeof plan = [];
  for (const p of plan) {
    const check = crdChecks.get(`${p.resource.group}/${p.version}`);
    const names = check ? await check : undefined;
    if (names && !names.has(p.resource.resource)) {
      result.notes.push(`context "${ctx}": ${qualifiedResource(p.resource.group, p.resource.resource)} is not installed; skipped`);
      continue;
    }
    checked.push(p);
  }

  // list everything in scope, concurrently (the limiter bounds it)
  let namespaceList: Promise<string[] | KubeApiError> | undefined;
  const listNamespaces = () =>
    (namespaceList ??= (async () => {
      const names: string[] = [];
      try {
        await client.list('/api/v1/namespaces', {}, options.pageSize ?? 500, (items) => items.forEach((n) => names.push(String(n?.metadata?.name))), () => (names.length = 0));
        return names;
      } catch (e) {
        if (e instanceof KubeApiError) return e;
        throw e;
      }
    })());

  const tasks: Array<Promise<ListOutcome[]>> = [];
  for (const p of checked) {
    const nss = p.resource.namespaced ? scope : [''];
    for (const ns of nss) tasks.push(listWithFallback(client, p.resource, p.version, ns, options, listNamespaces));
  }
  const outcomes = (await Promise.all(tasks)).flat();

  // a 400 caused by -l is the user's to fix: stop with a usage error
  for (const o of outcomes) {
    if (o.error?.details.status === 400 && options.selector && o.resource.selectable) {
      throw new UserError(
        `-l/--selector "${options.selector}": the API server rejected it${o.error.details.serverMessage ? ` (${o.error.details.serverMessage})` : ''}; use kubectl's label selector syntax, e.g. app=worker,tier!=web`,
      );
    }
  }

  const deadlineMisses: string[] = [];
  const softForbidden: Array<{ resource: ScannedResource; namespace: string; message: string }> = [];
  for (const o of outcomes) {
    const qr = qualifiedResource(o.resource.group, o.resource.resource);
    if (o.error) {
      const e = o.error;
      const where = o.namespace === '' ? (o.resource.namespaced ? 'in any namespace (cluster-wide)' : '(cluster-scoped)') : `in namespace "${o.namespace}"`;
      if (e.kind === 'deadline') deadlineMisses.push(`${qr} ${o.namespace === '' ? '(cluster-wide)' : `in ${o.namespace}`}`);
      else if (e.details.status === 403) {
        const message = forbiddenMessage(ctx, qr, o.resource, o.namespace, where);
        if (o.resource.role === 'trigger-auth') softForbidden.push({ resource: o.resource, namespace: o.namespace, message });
        else warn('forbidden', message, `context ${ctx}`);
      } else if (e.details.status === 404 && o.resource.optional) {
        result.notes.push(`context "${ctx}": ${qr} is not served (404); skipped`);
      } else {
        warn('list-failed', `context "${ctx}": ${qr} ${where} could not be read: ${e.message}`);
      }
      continue;
    }
    summary.counts[qr] = (summary.counts[qr] ?? 0) + o.objects.length;
  }
  if (deadlineMisses.length > 0) {
    warn(
      'deadline',
      `context "${ctx}": the --timeout of ${options.timeoutSeconds}s passed before ${deadlineMisses.length} list${deadlineMisses.length === 1 ? '' : 's'} finished (${deadlineMisses.slice(0, 3).join(', ')}${deadlineMisses.length > 3 ? ', …' : ''}); raise --timeout or narrow the scan with -n`,
    );
  }
  for (const [qr, n] of Object.entries(summary.counts)) progress(`context ${ctx}: read ${n} ${qr}`);

  // KEDA creates an HPA per ScaledObject (keda-hpa-*): the ScaledObject is the configuration
  let objects = outcomes.flatMap((o) => o.objects).filter((o) => {
    if (o.ref.kind === 'HorizontalPodAutoscaler' && ownedByScaledObject(o.raw)) {
      summary.kedaManagedHpas++;
      return false;
    }
    return true;
  });
  if (summary.kedaManagedHpas > 0) {
    result.notes.push(`context "${ctx}": left out ${summary.kedaManagedHpas} HPA${summary.kedaManagedHpas === 1 ? '' : 's'} that KEDA manages for ScaledObjects`);
  }
  if (options.selector) objects = keepSelected(objects);

  // an authentication list that was forbidden only matters when a trigger uses it
  for (const f of softForbidden) {
    const kind = f.resource.kind;
    const used = objects.some((o) => referencesAuth(o.raw, kind, f.namespace));
    if (used) warn('forbidden', f.message, `context ${ctx}`);
    else result.notes.push(`${f.message} (no trigger here uses one, so nothing is missing)`);
  }

  // an explicitly named namespace with nothing in it may be a typo
  if (namespaces.length > 0) {
    const seen = new Set(objects.map((o) => o.ref.namespace));
    for (const ns of namespaces) {
      if (seen.has(ns)) continue;
      try {
        await client.getJson(`/api/v1/namespaces/${encodeURIComponent(ns)}`);
      } catch (e) {
        if (e instanceof KubeApiError && e.details.status === 404) {
          result.problems.push({ level: 'warning', code: 'namespace-not-found', message: `context "${ctx}": namespace "${ns}" does not exist; check -n (kubectl get namespaces lists them)`, where: `context ${ctx}` });
        }
      }
    }
  }
  result.objects = objects;
  return result;
}

function forbiddenMessage(ctx: string, qr: string, r: ScannedResource, namespace: string, where: string): string {
  const grant =
    namespace === '' || !r.namespaced
      ? `a ClusterRole with ${ruleText(r.group, r.resource)}`
      : `${ruleText(r.group, r.resource)} in a Role in "${namespace}" or a ClusterRole`;
  return `context "${ctx}": not allowed to list ${qr} ${where} (403 Forbidden); grant ${grant} — \`queue-doctor rbac\` prints the full set`;
}

async function listWithFallback(
  client: KubeClient,
  resource: ScannedResource,
  version: string,
  namespace: string,
  options: ClusterReadOptions,
  listNamespaces: () => Promise<string[] | KubeApiError>,
): Promise<ListOutcome[]> {
  const first = await listOne(client, resource, version, namespace, options);
  // a cluster-wide list the user may not do: read namespace by namespace where allowed
  if (first.error?.details.status === 403 && namespace === '' && resource.namespaced) {
    const nss = await listNamespaces();
    if (nss instanceof KubeApiError) return [first];
    options.onProgress?.(`context ${client.target.context}: cluster-wide ${qualifiedResource(resource.group, resource.resource)} forbidden; listing ${nss.length} namespaces one by one`);
    return Promise.all(nss.map((ns) => listOne(client, resource, version, ns, options)));
  }
  return [first];
}

async function listOne(client: KubeClient, resource: ScannedResource, version: string, namespace: string, options: ClusterReadOptions): Promise<ListOutcome> {
  const gv = resource.group === '' ? `/api/${version}` : `/apis/${resource.group}/${version}`;
  const path = namespace === '' ? `${gv}/${resource.resource}` : `${gv}/namespaces/${encodeURIComponent(namespace)}/${resource.resource}`;
  const context = client.target.context;
  const apiVersion = resource.group === '' ? version : `${resource.group}/${version}`;
  const objects: ManifestObject[] = [];
  try {
    await client.list(
      path,
      { labelSelector: resource.selectable ? options.selector : undefined },
      options.pageSize ?? 500,
      (items) => {
        for (const item of items) {
          const o = toManifestObject(item, apiVersion, resource.kind, context);
          if (o) objects.push(o);
        }
      },
      () => (objects.length = 0),
    );
    return { resource, version, namespace, objects };
  } catch (e) {
    if (!(e instanceof KubeApiError)) throw e;
    return { resource, version, namespace, objects: [], error: e };
  }
}

/** Wrap one list item: fill apiVersion/kind (built-in list items omit them), sanitise, locate. */
export function toManifestObject(item: unknown, apiVersion: string, kind: string, context: string): ManifestObject | undefined {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return undefined;
  let raw = item as Record<string, any>;
  if (typeof raw.apiVersion !== 'string' || typeof raw.kind !== 'string') raw = { apiVersion, kind, ...raw };
  sanitizeClusterObjectInPlace(raw);
  const name = raw.metadata?.name;
  if (typeof name !== 'string' || name === '') return undefined;
  return clusterObject(raw, context);
}

/** A ManifestObject for an object read from a cluster (or a snapshot of one). */
export function clusterObject(raw: Record<string, any>, context: string): ManifestObject {
  const kind = String(raw.kind);
  const name = String(raw.metadata?.name ?? '');
  const namespace = typeof raw.metadata?.namespace === 'string' ? raw.metadata.namespace : '';
  return {
    ref: { apiVersion: String(raw.apiVersion), kind, namespace, name },
    raw,
    context,
    locate: (path: FieldPath): ClusterLocation => ({
      type: 'cluster',
      context,
      ...(namespace ? { namespace } : {}),
      kind,
      name,
      path: pointer(path),
    }),
  };
}


/** With -l, autoscalers stay only when they target a selected workload (ScaledJobs were selected by label). */
function keepSelected(objects: ManifestObject[]): ManifestObject[] {
  const workloads = new Set<string>();
  for (const o of objects) {
    if (o.ref.kind === 'Deployment' || o.ref.kind === 'StatefulSet' || o.ref.kind === 'Rollout') workloads.add(`${o.ref.namespace}/${o.ref.kind}/${o.ref.name}`);
  }
  return objects.filter((o) => {
    if (o.ref.kind !== 'HorizontalPodAutoscaler' && o.ref.kind !== 'ScaledObject') return true;
    const ref = o.raw.spec?.scaleTargetRef;
    const kind = typeof ref?.kind === 'string' && ref.kind !== '' ? ref.kind : 'Deployment';
    return typeof ref?.name === 'string' && workloads.has(`${o.ref.namespace}/${kind}/${ref.name}`);
  });
}

function referencesAuth(raw: Record<string, any>, kind: string, namespace: string): boolean {
  if (raw.kind !== 'ScaledObject' && raw.kind !== 'ScaledJob') return false;
  if (namespace !== '' && raw.metadata?.namespace !== namespace) return false;
  const triggers = raw.spec?.triggers;
  return (
    Array.isArray(triggers) &&
    triggers.some((t) => {
      const ref = t?.authenticationRef;
      if (!ref || typeof ref !== 'object') return false;
      const k = typeof ref.kind === 'string' && ref.kind !== '' ? ref.kind : 'TriggerAuthentication';
      return k === kind;
    })
  );
}

function makeServiceAccess(client: KubeClient, scanned: string[]): KubeServiceAccess {
  const target = client.target;
  return {
    context: target.context,
    async listServices() {
      const out: Array<{ namespace: string; name: string; labels: Record<string, string>; ports: Array<{ name?: string; port: number }> }> = [];
      const add = (items: any[]) => {
        for (const s of items) {
          const md = s?.metadata;
          if (!md || typeof md.name !== 'string') continue;
          const labels: Record<string, string> = {};
          for (const [k, v] of Object.entries(md.labels ?? {})) if (typeof v === 'string') labels[k] = v;
          const ports = (Array.isArray(s.spec?.ports) ? s.spec.ports : [])
            .filter((p: any) => typeof p?.port === 'number')
            .map((p: any) => (typeof p.name === 'string' && p.name !== '' ? { name: p.name, port: p.port } : { port: p.port }));
          out.push({ namespace: String(md.namespace ?? ''), name: md.name, labels, ports });
        }
      };
      try {
        await client.list('/api/v1/services', {}, 500, add, () => (out.length = 0));
        return out;
      } catch (e) {
        if (!(e instanceof KubeApiError) || e.details.status !== 403) throw e;
      }
      // no cluster-wide list: look where Prometheus usually lives and where we scanned
      const nss = [...new Set([...scanned.filter((n) => n !== '*'), ...MONITORING_NAMESPACES])];
      for (const ns of nss) {
        const before = out.length;
        try {
          await client.list(`/api/v1/namespaces/${encodeURIComponent(ns)}/services`, {}, 500, add, () => (out.length = before));
        } catch (e) {
          if (!(e instanceof KubeApiError) || (e.details.status !== 403 && e.details.status !== 404)) throw e;
        }
      }
      return out;
    },
    serviceProxyUrl(namespace: string, name: string, port: number | string): string {
      // [scheme:]name:port — keep the colons, escape everything else
      const seg = (s: string) => encodeURIComponent(s).replace(/%3A/gi, ':');
      return `${target.server}/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${seg(name)}:${seg(String(port))}/proxy`;
    },
    requestOptions: () => client.requestOptions(),
  };
}

export type { KubeTarget };
