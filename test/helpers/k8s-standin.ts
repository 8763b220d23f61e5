// A stand-in Kubernetes API server for tests and benchmarks (no kube-apiserver can be
// installed here). It serves recorded objects from fixtures/clusters/<name>/ over HTTPS with
// the wire behaviour clients depend on: discovery (/version, /api, /apis, group/version
// resource lists), namespaced and cluster-wide LISTs with limit/continue (410 Expired for a
// compacted continue token), bearer-token and client-certificate auth (401), RBAC-style 403s,
// 404 for absent API groups, the service proxy (passed through to a configured local URL),
// label selectors, gzip, and injected faults. It records every request so tests can assert
// that clients only ever sent GET. Real kubectl talks to it (see cluster-kubectl.test.ts).
//
// Self-contained on purpose (node built-ins only): the benchmark transpiles this one file.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { randomBytes, X509Certificate } from 'node:crypto';

// ---- types ---------------------------------------------------------------------------------

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

/** Forbid requests matching every given field; a cluster-wide request is forbidden when any namespace rule matches it. */
export interface ForbidRule {
  namespace?: string;
  group?: string;
  resource?: string;
  verb?: string;
}

export type FaultType = 'delay' | 'stall' | 'status' | 'reset' | 'truncate' | 'close';

export interface Fault {
  type: FaultType;
  /** Which requests: exact path, RegExp on path+query, or a predicate. Default: all. */
  match?: string | RegExp | ((r: RecordedRequest) => boolean);
  /** How many matching requests it applies to (default: all of them). */
  times?: number;
  /** delay: milliseconds before the normal answer. */
  ms?: number;
  /** status: the HTTP status (429, 500, 503 …) and optional Retry-After. */
  status?: number;
  retryAfter?: number | string;
  message?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Status sent (0 when the connection was cut or stalled). */
  status: number;
  /** Authenticated user name ('' when anonymous / rejected). */
  user: string;
}

export interface StandinOptions {
  /** Fixture name under fixtures/clusters/, or a directory in that layout. */
  cluster: string;
  /** Bearer token accepted (default: random). */
  token?: string;
  /** Context / cluster name in the generated kubeconfig (default: the cluster name). */
  context?: string;
  /** Namespace of the generated context (default: none, i.e. `default`). */
  namespace?: string;
  /** Simple 403s (see ForbidRule). */
  forbid?: ForbidRule[];
  /** Enforce RBAC: only these rules are allowed; with `namespaces` they act as Roles there. Discovery stays open (system:discovery). */
  rbac?: { rules: PolicyRule[]; namespaces?: string[] };
  /** API groups to hide (404), e.g. ['keda.sh'] for a cluster without KEDA. */
  absentGroups?: string[];
  /** Service proxy upstreams: 'namespace/name' (or 'namespace/name:port') -> base URL. */
  serviceProxy?: Record<string, string>;
  /** gzip bodies over 128 KiB when the client accepts it, as kube-apiserver does (default true). */
  gzip?: boolean;
  faults?: Fault[];
  /** Also issue a client certificate (CN=jane, O=sre) the server accepts. */
  clientCert?: boolean;
  /** Work directory for certificates and kubeconfigs (default: a new temp dir, removed on close). */
  dir?: string;
}

export interface KubeconfigOptions {
  /** 'token' (default), 'cert' (client certificate), 'exec' (a node credential plugin printing the token), 'token-file', 'none'. */
  auth?: 'token' | 'cert' | 'exec' | 'token-file' | 'none';
  /** Override the token written (e.g. a wrong or expired one). */
  token?: string;
  /** 'data' (default), 'file' (certificate-authority path), 'wrong' (another CA), 'none', 'insecure'. */
  ca?: 'data' | 'file' | 'wrong' | 'none' | 'insecure';
  context?: string;
  namespace?: string | null;
  server?: string;
}

export interface Standin {
  url: string;
  port: number;
  token: string;
  context: string;
  dir: string;
  caFile: string;
  caPem: string;
  requests: RecordedRequest[];
  faults: Fault[];
  forbid: ForbidRule[];
  rbac?: { rules: PolicyRule[]; namespaces?: string[] };
  serviceProxy: Record<string, string>;
  /** The objects served (mutable: tests may delete a namespace mid-scan). */
  data: ClusterData;
  /** Compact history: every continue token issued so far answers 410 Expired. */
  expireContinueTokens(): void;
  /** kubeconfig YAML for this server. */
  kubeconfig(options?: KubeconfigOptions): string;
  /** Write a kubeconfig file into the work dir and return its path. */
  writeKubeconfig(options?: KubeconfigOptions, name?: string): string;
  close(): Promise<void>;
}

// ---- fixture data --------------------------------------------------------------------------

interface ResourceInfo {
  kind: string;
  singularName: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const CATALOGUE: Record<string, ResourceInfo> = {
  'v1/namespaces': { kind: 'Namespace', singularName: 'namespace', namespaced: false, shortNames: ['ns'] },
  'v1/services': { kind: 'Service', singularName: 'service', namespaced: true, shortNames: ['svc'], categories: ['all'] },
  'apps/v1/deployments': { kind: 'Deployment', singularName: 'deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'] },
  'apps/v1/statefulsets': { kind: 'StatefulSet', singularName: 'statefulset', namespaced: true, shortNames: ['sts'], categories: ['all'] },
  'autoscaling/v2/horizontalpodautoscalers': { kind: 'HorizontalPodAutoscaler', singularName: 'horizontalpodautoscaler', namespaced: true, shortNames: ['hpa'], categories: ['all'] },
  'keda.sh/v1alpha1/scaledobjects': { kind: 'ScaledObject', singularName: 'scaledobject', namespaced: true, shortNames: ['so'] },
  'keda.sh/v1alpha1/scaledjobs': { kind: 'ScaledJob', singularName: 'scaledjob', namespaced: true, shortNames: ['sj'] },
  'keda.sh/v1alpha1/triggerauthentications': { kind: 'TriggerAuthentication', singularName: 'triggerauthentication', namespaced: true, shortNames: ['ta', 'triggerauth'] },
  'keda.sh/v1alpha1/clustertriggerauthentications': { kind: 'ClusterTriggerAuthentication', singularName: 'clustertriggerauthentication', namespaced: false, shortNames: ['cta', 'clustertriggerauth'] },
  'argoproj.io/v1alpha1/rollouts': { kind: 'Rollout', singularName: 'rollout', namespaced: true, shortNames: ['ro'] },
};

const SUBRESOURCES: Record<string, Array<{ name: string; kind: string; verbs: string[] }>> = {
  'v1/services': [
    { name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
    { name: 'status', kind: 'Service', verbs: ['get', 'patch', 'update'] },
  ],
  'apps/v1/deployments': [
    { name: 'scale', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
    { name: 'status', kind: 'Deployment', verbs: ['get', 'patch', 'update'] },
  ],
  'apps/v1/statefulsets': [
    { name: 'scale', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
    { name: 'status', kind: 'StatefulSet', verbs: ['get', 'patch', 'update'] },
  ],
  'autoscaling/v2/horizontalpodautoscalers': [{ name: 'status', kind: 'HorizontalPodAutoscaler', verbs: ['get', 'patch', 'update'] }],
  'keda.sh/v1alpha1/scaledobjects': [{ name: 'status', kind: 'ScaledObject', verbs: ['get', 'patch', 'update'] }],
  'argoproj.io/v1alpha1/rollouts': [
    { name: 'scale', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
    { name: 'status', kind: 'Rollout', verbs: ['get', 'patch', 'update'] },
  ],
};

interface StoredList {
  group: string;
  version: string;
  resource: string;
  listKind: string;
  apiVersion: string;
  info: ResourceInfo;
  items: any[];
}

/** Every request any stand-in in this process has received (for one suite-wide read-only assertion). */
export const ALL_REQUESTS: RecordedRequest[] = [];

export class ClusterData {
  /** `group/version/resource` ('v1/services' for core) -> list. */
  readonly lists = new Map<string, StoredList>();
  version: Record<string, string> = { major: '1', minor: '30', gitVersion: 'v1.30.4', platform: 'linux/amd64' };
  resourceVersion = 1;
  /** Continue tokens issued at or below this resourceVersion are expired (410). */
  compactedRevision = 0;

  static load(dir: string): ClusterData {
    const data = new ClusterData();
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.json')) data.addFile(relative(dir, p).split(sep).join('/'), JSON.parse(readFileSync(p, 'utf8')));
      }
    };
    walk(dir);
    return data;
  }

  addFile(rel: string, body: any): void {
    if (rel === 'cluster.json') {
      if (body?.version) this.version = body.version;
      return;
    }
    const parts = rel.replace(/\.json$/, '').split('/');
    let group: string, version: string, resource: string;
    if (parts[0] === 'api' && parts.length === 3) [group, version, resource] = ['', parts[1], parts[2]];
    else if (parts[0] === 'apis' && parts.length === 4) [group, version, resource] = [parts[1], parts[2], parts[3]];
    else return;
    const key = gvrKey(group, version, resource);
    const kind = String(body?.kind ?? '').replace(/List$/, '');
    const info = CATALOGUE[key] ?? { kind, singularName: kind.toLowerCase(), namespaced: (body?.items ?? []).some((i: any) => i?.metadata?.namespace) };
    const items = Array.isArray(body?.items) ? body.items : [];
    this.lists.set(key, { group, version, resource, listKind: `${info.kind}List`, apiVersion: group ? `${group}/${version}` : version, info, items });
    const rv = Number(body?.metadata?.resourceVersion);
    if (Number.isFinite(rv) && rv > this.resourceVersion) this.resourceVersion = rv;
    for (const i of items) {
      const r = Number(i?.metadata?.resourceVersion);
      if (Number.isFinite(r) && r > this.resourceVersion) this.resourceVersion = r;
    }
  }

  /** Remove a namespace and everything in it (a namespace deleted mid-scan). */
  deleteNamespace(ns: string): void {
    for (const l of this.lists.values()) {
      l.items = l.items.filter((i) => (l.resource === 'namespaces' ? i?.metadata?.name !== ns : i?.metadata?.namespace !== ns));
    }
    this.resourceVersion += 10;
  }

  groups(absent: string[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const l of this.lists.values()) {
      if (l.group === '' || absent.includes(l.group)) continue;
      const vs = out.get(l.group) ?? [];
      if (!vs.includes(l.version)) vs.push(l.version);
      out.set(l.group, vs);
    }
    return out;
  }
}

function gvrKey(group: string, version: string, resource: string): string {
  return group ? `${group}/${version}/${resource}` : `${version}/${resource}`;
}

// ---- certificates --------------------------------------------------------------------------

export interface CertSet {
  caPem: string;
  caKeyPath: string;
  caPath: string;
  serverCert: string;
  serverKey: string;
  clientCert?: string;
  clientKey?: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA (EC P-256, valid 2 days) generated with the openssl CLI. */
export function generateCa(dir: string, name = 'ca'): { caPath: string; caKeyPath: string; caPem: string } {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}-standin`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return { caPath: join(dir, `${name}.crt`), caKeyPath: join(dir, `${name}.key`), caPem: readFileSync(join(dir, `${name}.crt`), 'utf8') };
}

function issue(dir: string, ca: { caPath: string; caKeyPath: string }, name: string, subject: string, ext: string): { cert: string; key: string } {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', ca.caPath, '-CAkey', ca.caKeyPath, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`], dir);
  return { cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
}

/** CA, server certificate for 127.0.0.1/localhost, and optionally a client certificate. */
export function generateCerts(dir: string, clientCert = false): CertSet {
  const ca = generateCa(dir, 'ca');
  const server = issue(dir, ca, 'server', '/CN=kube-apiserver', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n');
  const set: CertSet = { caPem: ca.caPem, caPath: ca.caPath, caKeyPath: ca.caKeyPath, serverCert: server.cert, serverKey: server.key };
  if (clientCert) {
    const client = issue(dir, ca, 'client', '/O=sre/CN=jane', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n');
    set.clientCert = client.cert;
    set.clientKey = client.key;
  }
  return set;
}

// ---- request attributes and RBAC (what kube-apiserver's RequestInfo resolver does) ----------

export interface RequestAttributes {
  resourceRequest: boolean;
  verb: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
}

const VERB_BY_METHOD: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete', GET: 'get', HEAD: 'get' };

/** Resolve a request the way kube-apiserver does for authorization. */
export function requestAttributes(method: string, path: string, query: Record<string, string> = {}): RequestAttributes {
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  const base: RequestAttributes = { resourceRequest: false, verb: (VERB_BY_METHOD[method] ?? method.toLowerCase()), apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '', path };
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    base.apiVersion = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    base.apiGroup = parts[1];
    base.apiVersion = parts[2];
    rest = parts.slice(3);
  } else return base;
  base.resourceRequest = true;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    base.namespace = rest[1];
    rest = rest.slice(2);
  } else if (rest[0] === 'namespaces' && rest.length === 2) {
    base.resource = 'namespaces';
    base.name = rest[1];
    if (base.verb === 'get' && query.watch === 'true') base.verb = 'watch';
    return base;
  }
  base.resource = rest[0] ?? '';
  base.name = rest[1] ?? '';
  base.subresource = rest[2] ?? '';
  if (base.verb === 'get' && base.name === '') base.verb = query.watch === 'true' || query.watch === '1' ? 'watch' : 'list';
  return base;
}

const DISCOVERY_PATHS = [/^\/api\/?$/, /^\/api\/v1\/?$/, /^\/apis\/?$/, /^\/apis\/[^/]+\/?$/, /^\/apis\/[^/]+\/[^/]+\/?$/, /^\/version\/?$/, /^\/openapi\/.*/, /^\/healthz$/, /^\/livez$/, /^\/readyz$/];

function ruleMatches(rule: PolicyRule, a: RequestAttributes): boolean {
  if (!rule.verbs.includes(a.verb) && !rule.verbs.includes('*')) return false;
  if (!a.resourceRequest) {
    return (rule.nonResourceURLs ?? []).some((u) => u === a.path || u === '*' || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
  }
  if (!rule.apiGroups || !(rule.apiGroups.includes(a.apiGroup) || rule.apiGroups.includes('*'))) return false;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return (rule.resources ?? []).some((r) => r === res || r === '*' || (a.subresource && r === `*/${a.subresource}`));
}

/** True when the rules allow the request. With `namespaces`, the rules are Roles in those namespaces (no cluster scope). */
export function rbacAllows(rules: PolicyRule[], a: RequestAttributes, namespaces?: string[]): boolean {
  if (!a.resourceRequest && DISCOVERY_PATHS.some((re) => re.test(a.path))) return true; // system:discovery
  if (namespaces) {
    if (!a.resourceRequest || a.namespace === '' || !namespaces.includes(a.namespace)) return false;
  }
  return rules.some((r) => ruleMatches(r, a));
}

// ---- label selectors -----------------------------------------------------------------------

type Requirement = { key: string; op: 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin'; values: string[] };

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Parse a label selector as kube-apiserver does; throws Error with its message when invalid. */
export function parseSelector(s: string): Requirement[] {
  const reqs: Requirement[] = [];
  // split on commas outside parentheses
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (p === '') {
      if (s.trim() === '') continue;
      throw new Error(`unable to parse requirement: found '', expected: identifier`);
    }
    let m: RegExpExecArray | null;
    const check = (key: string, values: string[]) => {
      if (!LABEL_KEY.test(key)) throw new Error(`unable to parse requirement: invalid label key "${key}"`);
      for (const v of values) if (!LABEL_VALUE.test(v) || v.length > 63) throw new Error(`unable to parse requirement: invalid label value: "${v}"`);
    };
    if ((m = /^!\s*(\S+)$/.exec(p))) {
      check(m[1], []);
      reqs.push({ key: m[1], op: '!exists', values: [] });
    } else if ((m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(p))) {
      check(m[1], [m[3]]);
      reqs.push({ key: m[1], op: m[2] === '!=' ? '!=' : '=', values: [m[3]] });
    } else if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(p))) {
      const values = m[3].split(',').map((v) => v.trim());
      check(m[1], values);
      reqs.push({ key: m[1], op: m[2] as 'in' | 'notin', values });
    } else if ((m = /^(\S+)$/.exec(p))) {
      check(m[1], []);
      reqs.push({ key: m[1], op: 'exists', values: [] });
    } else throw new Error(`unable to parse requirement: found '${p}', expected: in, notin, =, ==, !=, gt, lt`);
  }
  return reqs;
}

function selectorMatches(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && l[r.key] === r.values[0];
      case '!=':
        return !has || l[r.key] !== r.values[0];
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
    }
    return false;
  });
}

// ---- the server ----------------------------------------------------------------------------

const here = fileURLToPath(new URL('.', import.meta.url));

function resolveClusterDir(cluster: string): string {
  if (isAbsolute(cluster) || cluster.includes('/') || cluster.includes(sep)) return resolve(cluster);
  return resolve(here, '..', '..', 'fixtures', 'clusters', cluster);
}

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

const REASONS: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 410: 'Expired', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout' };

/** Start a stand-in API server on 127.0.0.1:0. */
export async function startStandin(options: StandinOptions): Promise<Standin> {
  const clusterDir = resolveClusterDir(options.cluster);
  if (!statSync(clusterDir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`stand-in: no cluster fixture at ${clusterDir}`);
  const data = ClusterData.load(clusterDir);
  const ownDir = !options.dir;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'k8s-standin-'));
  mkdirSync(dir, { recursive: true });
  const certs = generateCerts(dir, options.clientCert);
  const token = options.token ?? `standin-${randomBytes(12).toString('hex')}`;
  const context = options.context ?? options.cluster.split(/[\\/]/).filter(Boolean).pop()!;
  const absent = options.absentGroups ?? [];
  const gzip = options.gzip ?? true;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:stream').Duplex>();
  const faultHits = new WeakMap<Fault, number>();

  const standin: Standin = {
    url: '',
    port: 0,
    token,
    context,
    dir,
    caFile: certs.caPath,
    caPem: certs.caPem,
    requests,
    faults: options.faults ?? [],
    forbid: options.forbid ?? [],
    rbac: options.rbac,
    serviceProxy: options.serviceProxy ?? {},
    data,
    expireContinueTokens() {
      data.compactedRevision = data.resourceVersion;
      data.resourceVersion += 1;
    },
    kubeconfig: (o) => kubeconfigYaml(o ?? {}),
    writeKubeconfig(o, name = 'kubeconfig') {
      const p = join(dir, name);
      writeFileSync(p, kubeconfigYaml(o ?? {}));
      return p;
    },
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };

  let wrongCa: string | undefined;
  function kubeconfigYaml(o: KubeconfigOptions): string {
    const ctx = o.context ?? context;
    const server = o.server ?? standin.url;
    const ca = o.ca ?? 'data';
    const clusterLines = [`    server: ${server}`];
    if (ca === 'data') clusterLines.push(`    certificate-authority-data: ${Buffer.from(certs.caPem).toString('base64')}`);
    else if (ca === 'file') clusterLines.push(`    certificate-authority: ${certs.caPath}`);
    else if (ca === 'wrong') {
      wrongCa ??= generateCa(dir, 'other-ca').caPem;
      clusterLines.push(`    certificate-authority-data: ${Buffer.from(wrongCa).toString('base64')}`);
    } else if (ca === 'insecure') clusterLines.push('    insecure-skip-tls-verify: true');
    const auth = o.auth ?? 'token';
    const userLines: string[] = [];
    if (auth === 'token') userLines.push(`    token: ${o.token ?? token}`);
    else if (auth === 'token-file') {
      const f = join(dir, `token-${ctx}`);
      writeFileSync(f, (o.token ?? token) + '\n');
      userLines.push(`    tokenFile: ${f}`, `    token-file: ${f}`);
    } else if (auth === 'cert') {
      if (!certs.clientCert || !certs.clientKey) throw new Error('stand-in: start it with clientCert: true');
      userLines.push(`    client-certificate-data: ${Buffer.from(certs.clientCert).toString('base64')}`, `    client-key-data: ${Buffer.from(certs.clientKey).toString('base64')}`);
    } else if (auth === 'exec') {
      const script = join(dir, `exec-credential-${ctx}.mjs`);
      writeFileSync(
        script,
        `process.stdout.write(JSON.stringify({apiVersion:'client.authentication.k8s.io/v1',kind:'ExecCredential',status:{token:${JSON.stringify(o.token ?? token)},expirationTimestamp:new Date(Date.now()+3600e3).toISOString()}}));\n`,
      );
      userLines.push('    exec:', '      apiVersion: client.authentication.k8s.io/v1', `      command: ${JSON.stringify(process.execPath)}`, '      args:', `      - ${JSON.stringify(script)}`, '      interactiveMode: Never');
    }
    const ctxLines = [`    cluster: ${ctx}`, `    user: ${ctx}-user`];
    const ns = o.namespace === undefined ? options.namespace : o.namespace;
    if (ns) ctxLines.push(`    namespace: ${ns}`);
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${ctx}`,
      '  cluster:',
      ...clusterLines,
      'users:',
      `- name: ${ctx}-user`,
      userLines.length ? '  user:' : '  user: {}',
      ...userLines,
      'contexts:',
      `- name: ${ctx}`,
      '  context:',
      ...ctxLines,
      `current-context: ${ctx}`,
      'preferences: {}',
      '',
    ].join('\n');
  }

  const send = (res: http.ServerResponse, rec: RecordedRequest, code: number, body: string | Buffer, contentType = 'application/json', acceptGzip = false, extra: Record<string, string> = {}) => {
    rec.status = code;
    let buf = typeof body === 'string' ? Buffer.from(body) : body;
    const headers: Record<string, string | number> = { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Audit-Id': randomBytes(8).toString('hex'), ...extra };
    if (gzip && acceptGzip && buf.length >= 128 * 1024) {
      buf = gzipSync(buf, { level: 1 });
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = buf.length;
    res.writeHead(code, headers);
    res.end(buf);
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'https://127.0.0.1');
    const query: Record<string, string> = {};
    u.searchParams.forEach((v, k) => (query[k] = v));
    const path = u.pathname;
    const rec: RecordedRequest = { method: req.method ?? 'GET', path, query, status: 0, user: '' };
    requests.push(rec);
    ALL_REQUESTS.push(rec);
    // the suite-wide read-only check (test/helpers/robustness-setup.ts) reads this log
    if (process.env.QD_STANDIN_REQUEST_LOG) appendFileSync(process.env.QD_STANDIN_REQUEST_LOG, `${rec.method} ${path}\n`);
    const acceptGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));

    // faults first: they model the network and overloaded servers
    for (const f of standin.faults) {
      const hits = faultHits.get(f) ?? 0;
      if (f.times !== undefined && hits >= f.times) continue;
      const m = f.match;
      const target = `${path}${u.search}`;
      const ok = m === undefined ? true : typeof m === 'string' ? m === path : m instanceof RegExp ? m.test(target) : m(rec);
      if (!ok) continue;
      faultHits.set(f, hits + 1);
      if (f.type === 'delay') {
        await new Promise((r) => setTimeout(r, f.ms ?? 1000));
        break;
      }
      if (f.type === 'stall') return; // never answer; close() cuts it
      if (f.type === 'close') {
        req.socket.destroy();
        return;
      }
      if (f.type === 'status') {
        const code = f.status ?? 500;
        const extra: Record<string, string> = {};
        if (f.retryAfter !== undefined) extra['Retry-After'] = String(f.retryAfter);
        send(res, rec, code, status(code, REASONS[code] ?? 'InternalError', f.message ?? (code === 429 ? 'Too many requests, please try again later.' : 'an error on the server ("etcdserver: request timed out") has prevented the request from succeeding')), 'application/json', false, extra);
        return;
      }
      if (f.type === 'reset' || f.type === 'truncate') {
        const body = await answer(req, res, path, query, rec);
        const buf = Buffer.from(body.body);
        const cut = buf.subarray(0, Math.max(1, Math.floor(buf.length / 2)));
        rec.status = f.type === 'truncate' ? body.code : 0;
        if (f.type === 'truncate') {
          res.writeHead(body.code, { 'Content-Type': 'application/json', 'Content-Length': cut.length });
          res.end(cut);
        } else {
          res.writeHead(body.code, { 'Content-Type': 'application/json', 'Content-Length': buf.length });
          res.write(cut, () => setTimeout(() => req.socket.destroy(), 5));
        }
        return;
      }
    }
    const a = await answer(req, res, path, query, rec);
    if (a.proxied) return;
    send(res, rec, a.code, a.body, a.contentType, acceptGzip, a.headers);
  }

  async function answer(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    query: Record<string, string>,
    rec: RecordedRequest,
  ): Promise<{ code: number; body: string; contentType?: string; headers?: Record<string, string>; proxied?: boolean }> {
    // authentication
    const authz = String(req.headers.authorization ?? '');
    const tlsSocket = req.socket as import('node:tls').TLSSocket;
    if (authz === `Bearer ${token}`) rec.user = 'system:serviceaccount:queue-doctor:queue-doctor';
    else if (!authz && tlsSocket.authorized && tlsSocket.getPeerCertificate) {
      const peer = tlsSocket.getPeerCertificate();
      if (peer && peer.raw) {
        const cn = new X509Certificate(peer.raw).subject.match(/CN=([^\n,]+)/)?.[1];
        rec.user = cn ?? '';
      }
    }
    if (!rec.user) return { code: 401, body: status(401, 'Unauthorized', 'Unauthorized') };
    const a = requestAttributes(req.method ?? 'GET', path, query);
    // authorization
    if (!allowed(a)) {
      const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
      const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
      const what = a.resourceRequest ? `cannot ${a.verb} resource "${res}" in API group "${a.apiGroup}" ${scope}` : `cannot ${a.verb} path "${path}"`;
      const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
      return { code: 403, body: status(403, 'Forbidden', `${a.resourceRequest ? qualified + (a.name ? ` "${a.name}"` : '') : `forbidden`} is forbidden: User "${rec.user}" ${what}`, a.resourceRequest ? { group: a.apiGroup, kind: a.resource, ...(a.name ? { name: a.name } : {}) } : undefined) };
    }
    // the service proxy passes any method through (the RBAC verb differs); everything else is read-only here
    if (a.resource === 'services' && a.subresource === 'proxy') return proxy(req, res, a, path, rec);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return { code: 405, body: status(405, 'MethodNotAllowed', `the stand-in is read-only: ${req.method} is not supported`) };
    }
    const groups = data.groups(absent);
    if (path === '/version' || path === '/version/') {
      return { code: 200, body: JSON.stringify({ gitCommit: '', gitTreeState: 'clean', buildDate: '', goVersion: 'go1.22.5', compiler: 'gc', platform: 'linux/amd64', ...data.version }) };
    }
    if (path === '/api' || path === '/api/') {
      return { code: 200, body: JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${standin.port}` }] }) };
    }
    if (path === '/apis' || path === '/apis/') {
      const list = [...groups.entries()].map(([name, versions]) => groupDoc(name, versions));
      return { code: 200, body: JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: list }) };
    }
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'apis' && parts.length === 2) {
      const versions = groups.get(parts[1]);
      if (!versions) return notFoundPage();
      return { code: 200, body: JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(parts[1], versions) }) };
    }
    if ((parts[0] === 'api' && parts.length === 2) || (parts[0] === 'apis' && parts.length === 3)) {
      const group = parts[0] === 'api' ? '' : parts[1];
      const version = parts[0] === 'api' ? parts[1] : parts[2];
      if (group !== '' && !groups.get(group)?.includes(version)) return notFoundPage();
      const resources = [];
      for (const l of data.lists.values()) {
        if (l.group !== group || l.version !== version) continue;
        const key = gvrKey(l.group, l.version, l.resource);
        resources.push({ name: l.resource, singularName: l.info.singularName, namespaced: l.info.namespaced, kind: l.info.kind, verbs: ALL_VERBS, ...(l.info.shortNames ? { shortNames: l.info.shortNames } : {}), ...(l.info.categories ? { categories: l.info.categories } : {}), storageVersionHash: Buffer.from(key).toString('base64').slice(0, 11) });
        for (const s of SUBRESOURCES[key] ?? []) resources.push({ name: `${l.resource}/${s.name}`, singularName: '', namespaced: l.info.namespaced, kind: s.kind, verbs: s.verbs });
      }
      return { code: 200, body: JSON.stringify({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources }) };
    }
    if (!a.resourceRequest) return notFoundPage();
    if (a.apiGroup && !groups.get(a.apiGroup)?.includes(a.apiVersion)) return notFoundPage();
    const list = data.lists.get(gvrKey(a.apiGroup, a.apiVersion, a.resource));
    if (!list) return notFoundPage();
    const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
    if (a.name) {
      const item = list.items.find((i) => i?.metadata?.name === a.name && (!list.info.namespaced || i?.metadata?.namespace === a.namespace));
      if (!item || a.subresource) return { code: 404, body: status(404, 'NotFound', `${qualified} "${a.name}" not found`, { name: a.name, group: a.apiGroup, kind: a.resource }) };
      return { code: 200, body: JSON.stringify({ ...(item.apiVersion ? {} : { kind: list.info.kind, apiVersion: list.apiVersion }), ...item }) };
    }
    return listResponse(list, a, query);
  }

  function notFoundPage() {
    return { code: 404, body: '404 page not found\n', contentType: 'text/plain; charset=utf-8' };
  }

  function groupDoc(name: string, versions: string[]) {
    const sorted = [...versions].sort((x, y) => versionPriority(y) - versionPriority(x));
    return { name, versions: sorted.map((v) => ({ groupVersion: `${name}/${v}`, version: v })), preferredVersion: { groupVersion: `${name}/${sorted[0]}`, version: sorted[0] } };
  }

  function listResponse(list: StoredList, a: RequestAttributes, query: Record<string, string>) {
    let reqs: Requirement[] = [];
    if (query.labelSelector) {
      try {
        reqs = parseSelector(query.labelSelector);
      } catch (e) {
        return { code: 400, body: status(400, 'BadRequest', (e as Error).message) };
      }
    }
    const nsOk = (i: any) => !list.info.namespaced || a.namespace === '' || i?.metadata?.namespace === a.namespace;
    const keyOf = (i: any) => `${i?.metadata?.namespace ?? ''}/${i?.metadata?.name ?? ''}`;
    let start = '';
    if (query.continue) {
      let tok: { rv?: number; start?: string };
      try {
        tok = JSON.parse(Buffer.from(query.continue, 'base64').toString('utf8'));
      } catch {
        return { code: 400, body: status(400, 'BadRequest', 'continue key is not valid: illegal base64 data at input byte 0') };
      }
      if ((tok.rv ?? 0) <= data.compactedRevision) {
        return {
          code: 410,
          body: status(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.'),
        };
      }
      start = tok.start ?? '';
    }
    const matching = list.items.filter((i) => nsOk(i) && (reqs.length === 0 || selectorMatches(reqs, i?.metadata?.labels)));
    const sorted = matching.slice().sort((x, y) => (keyOf(x) < keyOf(y) ? -1 : keyOf(x) > keyOf(y) ? 1 : 0));
    const from = start ? sorted.findIndex((i) => keyOf(i) >= start) : 0;
    const limit = Number(query.limit);
    const begin = from < 0 ? sorted.length : from;
    const end = Number.isInteger(limit) && limit > 0 ? Math.min(sorted.length, begin + limit) : sorted.length;
    const page = sorted.slice(begin, end);
    const metadata: Record<string, unknown> = { resourceVersion: String(data.resourceVersion) };
    if (end < sorted.length) {
      metadata.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: data.resourceVersion, start: keyOf(sorted[end]) })).toString('base64');
      metadata.remainingItemCount = sorted.length - end;
    }
    // one JSON.stringify per item list, like the API server's streaming encoder
    const head = JSON.stringify({ kind: list.listKind, apiVersion: list.apiVersion, metadata });
    const body = `${head.slice(0, -1)},"items":[${page.map((i) => JSON.stringify(i)).join(',')}]}`;
    return { code: 200, body };
  }

  function allowed(a: RequestAttributes): boolean {
    for (const f of standin.forbid) {
      if (!a.resourceRequest) continue;
      if (f.verb && f.verb !== a.verb) continue;
      if (f.group !== undefined && f.group !== a.apiGroup) continue;
      if (f.resource && f.resource !== a.resource && f.resource !== `${a.resource}/${a.subresource}`) continue;
      if (f.namespace) {
        // without access to one namespace, no cluster-wide list of a namespaced resource is allowed
        if (a.namespace === '') {
          const namespaced = data.lists.get(gvrKey(a.apiGroup, a.apiVersion, a.resource))?.info.namespaced ?? true;
          if (!namespaced || a.resource === 'namespaces') continue;
        } else if (a.namespace !== f.namespace) continue;
      }
      return false;
    }
    if (standin.rbac) return rbacAllows(standin.rbac.rules, a, standin.rbac.namespaces);
    return true;
  }

  function proxy(req: http.IncomingMessage, res: http.ServerResponse, a: RequestAttributes, path: string, rec: RecordedRequest): Promise<{ code: number; body: string; proxied?: boolean }> {
    // name is [scheme:]service[:port]
    const ref = a.name.split(':');
    const svc = ref.length === 3 ? ref[1] : ref[0];
    const port = ref.length === 3 ? ref[2] : ref[1];
    const services = data.lists.get('v1/services');
    const exists = services?.items.some((s) => s?.metadata?.namespace === a.namespace && s?.metadata?.name === svc);
    if (!exists) return Promise.resolve({ code: 404, body: status(404, 'NotFound', `services "${svc}" not found`, { name: svc, kind: 'services' }) });
    const upstream = standin.serviceProxy[`${a.namespace}/${svc}:${port}`] ?? standin.serviceProxy[`${a.namespace}/${svc}`];
    if (!upstream) return Promise.resolve({ code: 503, body: status(503, 'ServiceUnavailable', `error trying to reach service: dial tcp 10.96.0.${svc.length}:${port ?? 80}: connect: connection refused`) });
    const marker = `/proxy`;
    const idx = path.indexOf(marker, path.indexOf(`/services/`));
    const rest = path.slice(idx + marker.length) || '/';
    const search = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?')) : '';
    const target = new URL(upstream.replace(/\/+$/, '') + rest + search);
    return new Promise((resolveP) => {
      const mod = target.protocol === 'https:' ? https : http;
      const headers = { ...req.headers };
      delete headers.authorization;
      delete headers.host;
      const up = mod.request(target, { method: req.method, headers }, (ur) => {
        const h: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(ur.headers)) if (v !== undefined && !['connection', 'transfer-encoding', 'keep-alive'].includes(k)) h[k] = v;
        rec.status = ur.statusCode ?? 502;
        res.writeHead(ur.statusCode ?? 502, h);
        ur.pipe(res);
        ur.on('end', () => resolveP({ code: rec.status, body: '', proxied: true }));
      });
      up.on('error', (e) => resolveP({ code: 503, body: status(503, 'ServiceUnavailable', `error trying to reach service: ${e.message}`) }));
      req.pipe(up);
    });
  }

  const server = https.createServer(
    { cert: certs.serverCert, key: certs.serverKey, ca: certs.caPem, requestCert: true, rejectUnauthorized: false, keepAlive: true } as https.ServerOptions,
    (req, res) => {
      handle(req, res).catch((e) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(status(500, 'InternalError', String(e?.message ?? e)));
        }
      });
    },
  );
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {}); // clients that reject our CA: expected in tests
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  standin.port = (server.address() as AddressInfo).port;
  standin.url = `https://127.0.0.1:${standin.port}`;
  return standin;
}

function versionPriority(v: string): number {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return 0;
  const major = Number(m[1]) * 1000;
  if (!m[2]) return major + 900;
  return major + (m[2] === 'beta' ? 500 : 100) + Number(m[3]);
}

/** One kubeconfig with a context per stand-in (the first is current unless `current` says otherwise). */
export function mergedKubeconfig(standins: Array<{ standin: Standin; options?: KubeconfigOptions }>, current?: string): string {
  const docs = standins.map(({ standin, options }) => parseSimpleKubeconfig(standin.kubeconfig(options)));
  const section = (key: 'clusters' | 'users' | 'contexts') => docs.flatMap((d) => d[key]);
  return ['apiVersion: v1', 'kind: Config', 'clusters:', ...section('clusters'), 'users:', ...section('users'), 'contexts:', ...section('contexts'), `current-context: ${current ?? docs[0]?.current ?? ''}`, ''].join('\n');
}

function parseSimpleKubeconfig(text: string): { clusters: string[]; users: string[]; contexts: string[]; current: string } {
  const out = { clusters: [] as string[], users: [] as string[], contexts: [] as string[], current: '' };
  let sectionName: 'clusters' | 'users' | 'contexts' | undefined;
  for (const line of text.split('\n')) {
    if (line === 'clusters:' || line === 'users:' || line === 'contexts:') sectionName = line.slice(0, -1) as typeof sectionName;
    else if (line.startsWith('current-context:')) out.current = line.slice('current-context:'.length).trim();
    else if (/^[^\s-]/.test(line)) sectionName = undefined;
    else if (sectionName && line !== '') out[sectionName].push(line);
  }
  return out;
}
