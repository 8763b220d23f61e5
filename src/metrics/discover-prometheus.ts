// Finding a Prometheus-compatible API in the cluster when `scan` has no --prometheus-url:
// recognise well-known Services (kube-prometheus-stack, prometheus-operated, the
// prometheus-community server chart, Thanos Query, Mimir's query-frontend, VictoriaMetrics)
// by labels and names, prefer a query layer over a single server, and reach the choice through
// the API server's service proxy with the kubeconfig's credentials. Ranking is pure.
import type { KubeServiceAccess } from './signals-model.js';
import { parsePrometheusUrl, type ResolvedConnection } from './connection.js';

export type PrometheusFlavor = 'thanos-query' | 'mimir-query-frontend' | 'vmselect' | 'vmsingle' | 'kube-prometheus-stack' | 'prometheus-operated' | 'prometheus-server' | 'prometheus';

export interface ServiceInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ports: Array<{ name?: string; port: number }>;
}

export interface PrometheusCandidate {
  context: string;
  namespace: string;
  name: string;
  flavor: PrometheusFlavor;
  port: { name?: string; port: number };
  /** Path of the Prometheus API root behind the service (before /api/v1). */
  pathPrefix: string;
  /** 1: a query layer over many servers; 2: one server. */
  tier: 1 | 2;
  reason: string;
}

interface Rule {
  flavor: PrometheusFlavor;
  tier: 1 | 2;
  pathPrefix: string;
  ports: Array<string | number>;
  match(s: ServiceInfo): string | undefined;
}

const l = (s: ServiceInfo, key: string) => s.labels[key] ?? '';
const RULES: Rule[] = [
  {
    flavor: 'thanos-query',
    tier: 1,
    pathPrefix: '',
    ports: ['http', 10902, 9090],
    match: (s) =>
      l(s, 'app.kubernetes.io/name') === 'thanos' && /^query(-frontend)?$/.test(l(s, 'app.kubernetes.io/component'))
        ? `labels app.kubernetes.io/name=thanos, app.kubernetes.io/component=${l(s, 'app.kubernetes.io/component')}`
        : /thanos-query(-frontend)?$/.test(s.name)
          ? `name ${s.name}`
          : undefined,
  },
  {
    flavor: 'mimir-query-frontend',
    tier: 1,
    pathPrefix: '/prometheus',
    ports: ['http-metrics', 'http', 8080],
    match: (s) =>
      l(s, 'app.kubernetes.io/name') === 'mimir' && l(s, 'app.kubernetes.io/component') === 'query-frontend'
        ? 'labels app.kubernetes.io/name=mimir, app.kubernetes.io/component=query-frontend'
        : /mimir-query-frontend$/.test(s.name)
          ? `name ${s.name}`
          : undefined,
  },
  {
    flavor: 'vmselect',
    tier: 1,
    pathPrefix: '/select/0/prometheus',
    ports: ['http', 8481],
    match: (s) => (l(s, 'app.kubernetes.io/name') === 'vmselect' ? 'label app.kubernetes.io/name=vmselect' : /^vmselect(-|$)/.test(s.name) ? `name ${s.name}` : undefined),
  },
  {
    flavor: 'vmsingle',
    tier: 2,
    pathPrefix: '',
    ports: ['http', 8429, 8428],
    match: (s) =>
      ['vmsingle', 'victoria-metrics-single'].includes(l(s, 'app.kubernetes.io/name'))
        ? `label app.kubernetes.io/name=${l(s, 'app.kubernetes.io/name')}`
        : /^vmsingle(-|$)/.test(s.name)
          ? `name ${s.name}`
          : undefined,
  },
  {
    flavor: 'kube-prometheus-stack',
    tier: 2,
    pathPrefix: '',
    ports: ['http-web', 'web', 9090],
    match: (s) =>
      l(s, 'app') === 'kube-prometheus-stack-prometheus'
        ? 'label app=kube-prometheus-stack-prometheus'
        : /-kube-prom(etheus)?-prometheus$/.test(s.name)
          ? `name ${s.name}`
          : undefined,
  },
  {
    flavor: 'prometheus-operated',
    tier: 2,
    pathPrefix: '',
    ports: ['web', 'http-web', 9090],
    match: (s) => (s.name === 'prometheus-operated' ? 'name prometheus-operated (Prometheus Operator)' : undefined),
  },
  {
    flavor: 'prometheus-server',
    tier: 2,
    pathPrefix: '',
    ports: ['http', 80, 9090],
    match: (s) =>
      (l(s, 'app.kubernetes.io/name') === 'prometheus' && l(s, 'app.kubernetes.io/component') === 'server') || (l(s, 'app') === 'prometheus' && l(s, 'component') === 'server')
        ? 'labels of the prometheus-community/prometheus chart (component server)'
        : /prometheus-server$/.test(s.name)
          ? `name ${s.name}`
          : undefined,
  },
  {
    flavor: 'prometheus',
    tier: 2,
    pathPrefix: '',
    ports: ['web', 'http', 9090],
    match: (s) => (s.name === 'prometheus' ? 'name prometheus' : l(s, 'app.kubernetes.io/name') === 'prometheus' ? 'label app.kubernetes.io/name=prometheus' : undefined),
  },
];

/** Recognise Prometheus-compatible services. Pure. */
export function recognisePrometheusServices(context: string, services: ServiceInfo[]): PrometheusCandidate[] {
  const out: PrometheusCandidate[] = [];
  for (const s of services) {
    for (const r of RULES) {
      const why = r.match(s);
      if (!why) continue;
      const port = pickPort(s.ports, r.ports);
      if (!port) break;
      out.push({ context, namespace: s.namespace, name: s.name, flavor: r.flavor, port, pathPrefix: r.pathPrefix, tier: r.tier, reason: why });
      break;
    }
  }
  return out;
}

function pickPort(ports: ServiceInfo['ports'], prefs: Array<string | number>): ServiceInfo['ports'][number] | undefined {
  for (const p of prefs) {
    const hit = ports.find((x) => (typeof p === 'string' ? x.name === p : x.port === p));
    if (hit) return hit;
  }
  return ports.length === 1 ? ports[0] : undefined;
}

export interface Pick {
  picked?: PrometheusCandidate;
  /** Set when there is no single best choice. */
  ambiguous?: PrometheusCandidate[];
  /** Why this one (or why none). */
  reason: string;
}

/**
 * Choose one: a query layer (Thanos Query, Mimir, vmselect) sees every server, so a single one
 * wins; otherwise a single Prometheus. Several services of one Prometheus Operator install in a
 * namespace (the chart's service and prometheus-operated) count as one server.
 */
export function pickPrometheus(candidates: PrometheusCandidate[]): Pick {
  if (candidates.length === 0) return { reason: 'no Prometheus-compatible Service found (looked for kube-prometheus-stack, prometheus-operated, prometheus-server, thanos-query, mimir query-frontend, vmselect)' };
  const layers = candidates.filter((c) => c.tier === 1);
  if (layers.length === 1) return { picked: layers[0], reason: `${describe(layers[0])}: a ${layers[0].flavor} query layer sees every Prometheus behind it` };
  if (layers.length > 1) return { ambiguous: layers, reason: `${layers.length} query layers found` };
  // one server per (context, namespace), the most specific flavour first
  const order: PrometheusFlavor[] = ['kube-prometheus-stack', 'prometheus-server', 'vmsingle', 'prometheus', 'prometheus-operated'];
  const byNs = new Map<string, PrometheusCandidate>();
  for (const c of [...candidates].sort((a, b) => order.indexOf(a.flavor) - order.indexOf(b.flavor))) {
    const k = `${c.context}\u0000${c.namespace}`;
    if (!byNs.has(k)) byNs.set(k, c);
  }
  const servers = [...byNs.values()];
  if (servers.length === 1) return { picked: servers[0], reason: `${describe(servers[0])}: the only Prometheus found (${servers[0].reason})` };
  return { ambiguous: servers, reason: `${servers.length} Prometheus servers found` };
}

export function describe(c: PrometheusCandidate): string {
  return `${c.context ? c.context + '/' : ''}${c.namespace}/${c.name}:${c.port.name ?? c.port.port}`;
}

/** The address KEDA (running in the cluster) should use for the same Prometheus. */
export function inClusterAddressOf(c: PrometheusCandidate): string {
  return `http://${c.name}.${c.namespace}.svc:${c.port.port}${c.pathPrefix}`;
}

/** For a user-given URL: usable in-cluster only when it already is a cluster Service address. */
export function inClusterAddressOfUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (/\.svc(\.[a-z0-9.-]+)?$/.test(u.hostname)) return parsePrometheusUrl(url).displayUrl;
  } catch {
    /* not a URL */
  }
  return undefined;
}

export interface Discovered {
  connection?: ResolvedConnection;
  picked?: PrometheusCandidate;
  candidates: PrometheusCandidate[];
  /** One line for users: what was picked and why, or what to do. */
  message: string;
}

/** List Services in every context, pick one, and build a connection through the service proxy. */
export async function discoverPrometheus(access: KubeServiceAccess[], extraHeaders: Record<string, string> = {}): Promise<Discovered> {
  const candidates: PrometheusCandidate[] = [];
  const byContext = new Map<string, KubeServiceAccess>();
  const failures: string[] = [];
  for (const a of access) {
    byContext.set(a.context, a);
    try {
      candidates.push(...recognisePrometheusServices(a.context, await a.listServices()));
    } catch (e) {
      failures.push(`${a.context || 'current context'}: ${(e as Error).message ?? String(e)}`);
    }
  }
  const pick = pickPrometheus(candidates);
  if (!pick.picked) {
    const list = pick.ambiguous ? `: ${pick.ambiguous.map(describe).join(', ')}` : '';
    const failed = failures.length ? ` (could not list Services in ${failures.join('; ')})` : '';
    return { candidates, message: `Prometheus auto-discovery: ${pick.reason}${list}${failed} — pass --prometheus-url` };
  }
  const c = pick.picked;
  const a = byContext.get(c.context)!;
  const url = a.serviceProxyUrl(c.namespace, c.name, c.port.name ?? c.port.port) + c.pathPrefix;
  const opts = await a.requestOptions();
  const headers: Record<string, string> = { ...extraHeaders };
  // the API server's credentials must reach the proxy; a user Authorization header would replace them
  for (const k of Object.keys(headers)) if (k.toLowerCase() === 'authorization') delete headers[k];
  Object.assign(headers, opts.headers);
  const connection: ResolvedConnection = {
    endpoint: parsePrometheusUrl(url),
    headers,
    ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
    ...(opts.cert !== undefined ? { cert: opts.cert } : {}),
    ...(opts.key !== undefined ? { key: opts.key } : {}),
    insecureSkipTlsVerify: opts.insecureSkipTlsVerify === true,
    viaApiServerProxy: true,
    // the API server is reached the way the Kubernetes reads reached it: same proxy, same TLS name
    ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
    ...(opts.proxy ? { proxy: opts.proxy } : {}),
    ...(opts.agent ? { agent: opts.agent } : {}),
  };
  const tenant = c.flavor === 'mimir-query-frontend' && !Object.keys(headers).some((h) => h.toLowerCase() === 'x-scope-orgid') ? ' (Mimir usually needs --prometheus-header "X-Scope-OrgID: <tenant>")' : '';
  return { connection, picked: c, candidates, message: `Prometheus auto-discovery picked ${pick.reason}, reached through the API server's service proxy${tenant}` };
}
