// kubeconfig resolution as kubectl does it: --kubeconfig, else $KUBECONFIG (several files,
// merged: the first file to define a name or current-context wins), else ~/.kube/config,
// else the in-cluster service account. Parsing and credentials go through
// @kubernetes/client-node (imported lazily: only `scan` pays for it).
import { readFile, stat } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../cli/exit-codes.js';
import { redactText } from './redact.js';
import { parseProxyUrl, proxyFromEnvironment, type ProxyRoute } from '../net/proxy-env.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeconfigOptions {
  /** --kubeconfig: one file, which must exist. */
  kubeconfig?: string;
  /** --context (repeatable); default: the kubeconfig's current-context. */
  contexts?: string[];
  /** --all-contexts. */
  allContexts?: boolean;
  /** Environment (KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST/PORT). */
  env: NodeJS.ProcessEnv;
  /** Where the in-cluster service account is mounted (tests point it elsewhere). */
  serviceAccountDir?: string;
}

/** One context to read: where its API server is and how to authenticate to it. */
export interface KubeTarget {
  context: string;
  cluster: string;
  user: string;
  /** API server URL without a trailing slash (may carry a path prefix, e.g. Rancher). */
  server: string;
  /** The context's namespace, else `default` (kubectl's default). */
  namespace: string;
  /** kubeconfig with this context current (credentials, TLS material). */
  kubeConfig: KubeConfig;
  /** Where the configuration came from (files, or `in-cluster`), for messages. */
  source: string;
  skipTlsVerify: boolean;
  /**
   * The proxy to the API server, as kubectl picks it: the cluster's proxy-url, else
   * HTTPS_PROXY/HTTP_PROXY unless NO_PROXY or the loopback rule says direct; undefined: direct.
   */
  proxy?: ProxyRoute;
}

export interface LoadedKubeconfig {
  kubeConfig: KubeConfig;
  /** Files merged, in order (or `in-cluster service account`). */
  source: string;
  /** The in-cluster namespace, when the configuration is the service account's. */
  inClusterNamespace?: string;
}

/** Load and merge the kubeconfig the way kubectl would. Throws UserError (exit 2) on any config problem. */
export async function loadKubeconfig(options: KubeconfigOptions): Promise<LoadedKubeconfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const env = options.env;
  let files: string[];
  if (options.kubeconfig) {
    if (!(await isFile(options.kubeconfig))) {
      throw new UserError(`--kubeconfig ${options.kubeconfig}: no such file; pass the path of a kubeconfig file`);
    }
    files = [options.kubeconfig];
  } else if (env.KUBECONFIG && env.KUBECONFIG.trim() !== '') {
    const listed = env.KUBECONFIG.split(delimiter).filter((f) => f !== '');
    files = [];
    // kubectl skips KUBECONFIG entries that do not exist
    for (const f of listed) if (await isFile(f)) files.push(f);
    if (files.length === 0) {
      throw new UserError(`KUBECONFIG=${listed.join(delimiter)}: none of these files exists; fix KUBECONFIG or pass --kubeconfig`);
    }
  } else {
    const home = env.HOME ?? env.USERPROFILE;
    const fallback = home ? join(home, '.kube', 'config') : undefined;
    if (fallback && (await isFile(fallback))) files = [fallback];
    else {
      const inCluster = await loadInCluster(options, KubeConfig);
      if (inCluster) return inCluster;
      throw new UserError(
        'no kubeconfig found: --kubeconfig and $KUBECONFIG are unset, ~/.kube/config does not exist, and this is not a pod with a service account; ' +
          'point --kubeconfig at a kubeconfig, or scan manifests with -f <dir> or a snapshot with --snapshot <dir>',
      );
    }
  }
  const parsed = [];
  for (const f of files) parsed.push(await parseKubeconfigFile(f, KubeConfig));
  const merged = new KubeConfig();
  const byName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const list of lists) for (const item of list) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  merged.loadFromOptions({
    clusters: byName(parsed.map((k) => k.clusters)),
    users: byName(parsed.map((k) => k.users)),
    contexts: byName(parsed.map((k) => k.contexts)),
    currentContext: parsed.map((k) => k.currentContext).find((c) => typeof c === 'string' && c !== '') ?? '',
  });
  return { kubeConfig: merged, source: files.join(delimiter) };
}

/** Resolve which contexts to read and validate each one. Throws UserError (exit 2). */
export async function resolveKubeTargets(options: KubeconfigOptions): Promise<KubeTarget[]> {
  const loaded = await loadKubeconfig(options);
  const kc = loaded.kubeConfig;
  const names = kc.getContexts().map((c) => c.name);
  let wanted: string[];
  if (options.allContexts) {
    if (names.length === 0) throw new UserError(`kubeconfig ${loaded.source} defines no contexts; add one (kubectl config set-context) or pass another --kubeconfig`);
    wanted = names;
  } else if (options.contexts && options.contexts.length > 0) {
    wanted = [...new Set(options.contexts)];
  } else {
    const current = kc.getCurrentContext();
    if (!current) {
      throw new UserError(
        `kubeconfig ${loaded.source} has no current-context; pass --context NAME${names.length ? ` (available: ${names.join(', ')})` : ''} or run kubectl config use-context NAME`,
      );
    }
    wanted = [current];
  }
  const { KubeConfig } = await import('@kubernetes/client-node');
  return wanted.map((name) => {
    const ctx = kc.getContextObject(name);
    if (!ctx) {
      throw new UserError(
        `context "${name}" not found in kubeconfig ${loaded.source}; ${names.length ? `available: ${names.join(', ')}` : 'it defines no contexts'} (kubectl config get-contexts lists them)`,
      );
    }
    const cluster = kc.getCluster(ctx.cluster);
    if (!cluster) {
      throw new UserError(`context "${name}" refers to cluster "${ctx.cluster}", which kubeconfig ${loaded.source} does not define; fix the context or add the cluster`);
    }
    let url: URL;
    try {
      url = new URL(cluster.server);
    } catch {
      throw new UserError(`cluster "${cluster.name}" (context "${name}") has an invalid server address "${redactText(cluster.server)}"; fix clusters[].cluster.server in ${loaded.source}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new UserError(`cluster "${cluster.name}" (context "${name}") server "${redactText(cluster.server)}" is not an http(s) URL; fix clusters[].cluster.server in ${loaded.source}`);
    }
    if (ctx.user && !kc.getUser(ctx.user)) {
      throw new UserError(`context "${name}" refers to user "${ctx.user}", which kubeconfig ${loaded.source} does not define; fix the context or add the user`);
    }
    const own = new KubeConfig();
    own.loadFromOptions({ clusters: kc.getClusters(), users: kc.getUsers(), contexts: kc.getContexts(), currentContext: name });
    // a cluster's proxy-url wins over the environment, and applies even to loopback servers (client-go)
    const proxy = cluster.proxyUrl
      ? { url: parseProxyUrl(cluster.proxyUrl, `proxy-url of cluster "${cluster.name}"`, { allowSocks: true }), source: `proxy-url of cluster "${cluster.name}"` }
      : proxyFromEnvironment(url, options.env);
    return {
      context: name,
      cluster: cluster.name,
      user: ctx.user ?? '',
      server: cluster.server.replace(/\/+$/, ''),
      namespace: ctx.namespace || loaded.inClusterNamespace || 'default',
      kubeConfig: own,
      source: loaded.source,
      skipTlsVerify: cluster.skipTLSVerify === true,
      ...(proxy ? { proxy } : {}),
    };
  });
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

async function parseKubeconfigFile(file: string, KubeConfigCtor: typeof KubeConfig): Promise<KubeConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(`kubeconfig ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'}); check the path and its permissions`);
  }
  const { load } = await import('js-yaml');
  let doc: unknown;
  try {
    doc = load(text);
  } catch (e) {
    const mark = (e as { mark?: { line: number; column: number }; reason?: string }).mark;
    const reason = (e as { reason?: string }).reason ?? 'not YAML';
    const at = mark ? `:${mark.line + 1}:${mark.column + 1}` : '';
    throw new UserError(`kubeconfig ${file}${at}: invalid YAML (${reason}); fix the file or point --kubeconfig/KUBECONFIG at another`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UserError(`kubeconfig ${file}: not a kubeconfig (expected a mapping with clusters, users and contexts); fix the file or point --kubeconfig/KUBECONFIG at another`);
  }
  const d = doc as Record<string, unknown>;
  for (const key of ['clusters', 'users', 'contexts']) {
    if (d[key] !== undefined && d[key] !== null && !Array.isArray(d[key])) {
      throw new UserError(`kubeconfig ${file}: "${key}" must be a list; fix the file or point --kubeconfig/KUBECONFIG at another`);
    }
  }
  const kc = new KubeConfigCtor();
  try {
    kc.loadFromString(text);
    kc.makePathsAbsolute(dirname(file));
  } catch (e) {
    const msg = redactText(String((e as Error).message ?? e).split('\n')[0]);
    throw new UserError(`kubeconfig ${file}: ${msg}; fix the file or point --kubeconfig/KUBECONFIG at another`);
  }
  kc.clusters ??= [];
  kc.users ??= [];
  kc.contexts ??= [];
  return kc;
}

async function loadInCluster(options: KubeconfigOptions, KubeConfigCtor: typeof KubeConfig): Promise<LoadedKubeconfig | undefined> {
  const host = options.env.KUBERNETES_SERVICE_HOST;
  const port = options.env.KUBERNETES_SERVICE_PORT;
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (!host || !port || !(await isFile(join(dir, 'token')))) return undefined;
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  let namespace: string | undefined;
  try {
    namespace = (await readFile(join(dir, 'namespace'), 'utf8')).trim() || undefined;
  } catch {
    namespace = undefined;
  }
  const kc = new KubeConfigCtor();
  kc.loadFromOptions({
    clusters: [{ name: 'in-cluster', server: `https://${hostPart}:${port}`, caFile: join(dir, 'ca.crt'), skipTLSVerify: false }],
    // the projected token rotates: client-node's tokenFile provider re-reads it every minute
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster', namespace }],
    currentContext: 'in-cluster',
  });
  return { kubeConfig: kc, source: 'in-cluster service account', inClusterNamespace: namespace };
}
