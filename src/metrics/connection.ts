// Prometheus connection settings: flags, then QUEUE_DOCTOR_PROMETHEUS_* environment variables,
// then `.queue-doctor.yaml` (`prometheus:`), and the URL parsing every Prometheus-compatible
// API needs (path prefixes such as /prometheus or Mimir's /prometheus/api/v1). Header values,
// passwords and tokens never appear in messages: only header names and credential-free URLs.
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { UserError } from '../cli/exit-codes.js';
import { REDACTED } from '../inventory/redact.js';
import { proxyFromEnvironment, type ProxyEnvironment, type ProxyRoute } from '../net/proxy-env.js';

/** Connection settings as the library takes them. */
export interface PrometheusConnectionOptions {
  /** Base URL of a Prometheus-compatible HTTP API (with or without the trailing /api/v1). */
  url?: string;
  /** Extra request headers, e.g. `X-Scope-OrgID` for Mimir/Cortex. Values are never printed. */
  headers?: Record<string, string>;
  /** File holding a bearer token (re-read on every run, as Kubernetes rotates them). */
  bearerTokenFile?: string;
  /** PEM CA bundle to verify the server's certificate. */
  caFile?: string;
  /** Do not verify TLS certificates (a warning is added on every run). */
  insecureSkipTlsVerify?: boolean;
}

/** The `scan` flags that carry connection settings (commander's camelCase names). */
export interface PrometheusFlags {
  prometheusUrl?: string;
  prometheusHeader?: string[];
  prometheusBearerTokenFile?: string;
  prometheusCaFile?: string;
  insecureSkipTlsVerify?: boolean;
}

/** The `prometheus:` section of `.queue-doctor.yaml`. */
export interface PrometheusConfigSection {
  url?: string;
  headers?: Record<string, string>;
  bearerTokenFile?: string;
  caFile?: string;
}

export const PROMETHEUS_ENV = {
  url: 'QUEUE_DOCTOR_PROMETHEUS_URL',
  headers: 'QUEUE_DOCTOR_PROMETHEUS_HEADERS',
  bearerTokenFile: 'QUEUE_DOCTOR_PROMETHEUS_BEARER_TOKEN_FILE',
  caFile: 'QUEUE_DOCTOR_PROMETHEUS_CA_FILE',
} as const;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Resolve connection settings: a flag wins over its environment variable, which wins over the
 * config file. Headers merge by (case-insensitive) name with the same precedence.
 * Throws a UserError (exit 2) for a malformed header or URL; messages name the header, never
 * its value.
 */
export function resolvePrometheusConnection(
  flags: PrometheusFlags,
  env: NodeJS.ProcessEnv = process.env,
  config: PrometheusConfigSection = {},
): PrometheusConnectionOptions {
  const nonEmpty = (v: string | undefined) => (v !== undefined && v.trim() !== '' ? v.trim() : undefined);
  const url = nonEmpty(flags.prometheusUrl) ?? nonEmpty(env[PROMETHEUS_ENV.url]) ?? nonEmpty(config.url);
  if (url !== undefined) parsePrometheusUrl(url); // validate early: a usage error, exit 2

  const headers = new Map<string, [string, string]>();
  const put = (name: string, value: string) => headers.set(name.toLowerCase(), [name, value]);
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    checkHeaderName(name, '.queue-doctor.yaml prometheus.headers');
    checkHeaderValue(name, String(value), '.queue-doctor.yaml prometheus.headers');
    put(name, String(value));
  }
  const envHeaders = env[PROMETHEUS_ENV.headers];
  if (envHeaders) {
    for (const line of envHeaders.split(/\r?\n/)) {
      if (line.trim() === '') continue;
      const [name, value] = parseHeader(line, PROMETHEUS_ENV.headers);
      put(name, value);
    }
  }
  for (const line of flags.prometheusHeader ?? []) {
    const [name, value] = parseHeader(line, '--prometheus-header');
    put(name, value);
  }

  const out: PrometheusConnectionOptions = {};
  if (url !== undefined) out.url = url;
  if (headers.size > 0) out.headers = Object.fromEntries([...headers.values()]);
  const token = nonEmpty(flags.prometheusBearerTokenFile) ?? nonEmpty(env[PROMETHEUS_ENV.bearerTokenFile]) ?? nonEmpty(config.bearerTokenFile);
  if (token !== undefined) out.bearerTokenFile = token;
  const ca = nonEmpty(flags.prometheusCaFile) ?? nonEmpty(env[PROMETHEUS_ENV.caFile]) ?? nonEmpty(config.caFile);
  if (ca !== undefined) out.caFile = ca;
  if (flags.insecureSkipTlsVerify) out.insecureSkipTlsVerify = true;
  return out;
}

/** Parse `Name: value`. The error names the header (or its position), never the value. */
export function parseHeader(line: string, where: string): [string, string] {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new UserError(`${where}: expected "Name: value", got a line without a header name before ':'`);
  const name = line.slice(0, colon).trim();
  checkHeaderName(name, where);
  const value = line.slice(colon + 1).trim();
  checkHeaderValue(name, value, where);
  return [name, value];
}

/** Control characters other than tab (CR/LF: header injection) are not allowed in a value. */
function checkHeaderValue(name: string, value: string, where: string): void {
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) throw new UserError(`${where}: header ${name} has a control character in its value`);
}

function checkHeaderName(name: string, where: string): void {
  if (HEADER_NAME.test(name)) return;
  // never echo the name: a token pasted in the wrong place must not reach the terminal
  const why = name === '' ? 'it is empty' : /\s/.test(name) ? 'it contains whitespace' : 'it contains a character not allowed in header names';
  throw new UserError(`${where}: the header name before ':' is not a valid HTTP header name (${why}); expected "Name: value"`);
}

/** Where the API is, split the way prometheus-query wants it. */
export interface PrometheusEndpoint {
  /** scheme://host:port */
  origin: string;
  /** The API path, starting with '/' and ending with '/api/v1' (prometheus-query's baseURL). */
  apiPath: string;
  /** The URL to show users: no credentials, no trailing /api/v1. */
  displayUrl: string;
  /** Credentials given in the URL (`https://user:pass@host`), sent as basic auth. */
  auth?: { username: string; password: string };
  https: boolean;
}

/**
 * Parse a Prometheus-compatible base URL. Accepts `http(s)://host[:port][/prefix][/api/v1]`:
 * `/prometheus` (Mimir, Thanos behind a path), `/select/0/prometheus` (VictoriaMetrics cluster)
 * and a full `/prometheus/api/v1` all work.
 */
export function parsePrometheusUrl(raw: string): PrometheusEndpoint {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UserError(`--prometheus-url: "${redactUrl(raw)}" is not a URL (expected e.g. http://prometheus.monitoring:9090)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UserError(`--prometheus-url: ${redactUrl(raw)} must start with http:// or https://`);
  }
  if (u.search !== '' || u.hash !== '') {
    throw new UserError(`--prometheus-url: ${redactUrl(raw)} must not carry a query string or fragment (use --prometheus-header for tenant headers)`);
  }
  let path = u.pathname.replace(/\/+$/, '');
  path = path.replace(/\/api\/v1$/, '');
  const auth = u.username !== '' ? { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } : undefined;
  const origin = `${u.protocol}//${u.host}`;
  return {
    origin,
    apiPath: `${path}/api/v1`,
    displayUrl: origin + path,
    ...(auth ? { auth } : {}),
    https: u.protocol === 'https:',
  };
}

/**
 * A URL fit for messages: userinfo removed, every query-parameter value and any fragment
 * replaced by <redacted> (a `?token=…` or `#access_token=…` is as secret as a password).
 * Parameter names stay, so users can still see what they passed.
 */
export function redactUrl(raw: string): string {
  let u: URL | undefined;
  try {
    u = new URL(raw);
  } catch {
    u = undefined;
  }
  if (u) {
    const search = u.search;
    const hash = u.hash;
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/$/, '') + redactQuery(search) + (hash ? `#${REDACTED}` : '');
  }
  // not a URL: drop anything that may be userinfo (up to the last '@' after the scheme) and
  // everything from the first '?' or '#' on
  let out = raw;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(out);
  const start = scheme ? scheme[0].length : 0;
  const at = out.lastIndexOf('@');
  if (at >= start) out = out.slice(0, start) + out.slice(at + 1);
  const cut = out.search(/[?#]/);
  return cut >= 0 ? `${out.slice(0, cut)}${out[cut]}${REDACTED}` : out;
}

function redactQuery(search: string): string {
  if (search === '' || search === '?') return '';
  const parts = search
    .slice(1)
    .split('&')
    .map((p) => {
      const eq = p.indexOf('=');
      // a bare `?secret` is a value too
      return eq > 0 ? `${p.slice(0, eq)}=${REDACTED}` : REDACTED;
    });
  return `?${parts.join('&')}`;
}

/**
 * True for a URL path that goes through the Kubernetes API server's proxy
 * (`/api/v1/namespaces/<ns>/services/<svc>/proxy`, as auto-discovery or `kubectl proxy` build):
 * such requests must be GET, because POST there is the RBAC verb `create`.
 */
export function isApiServerProxyPath(pathname: string): boolean {
  return /\/api\/v1\/namespaces\/[^/]+\/(services|pods)\/[^/]+\/proxy(\/|$)/.test(pathname);
}

/** Everything a transport needs, with files read. */
export interface ResolvedConnection {
  endpoint: PrometheusEndpoint;
  headers: Record<string, string>;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  insecureSkipTlsVerify: boolean;
  /**
   * The API is reached through the Kubernetes API server's service proxy: queries go as GET
   * (read-only RBAC grants `get` on services/proxy; POST would need `create`).
   */
  viaApiServerProxy?: boolean;
  /** TLS server name to verify (the cluster's tls-server-name, through the service proxy). */
  servername?: string;
  /** Go through this HTTP(S) proxy (CONNECT); undefined: connect directly. */
  proxy?: ProxyRoute;
  /** A ready agent to use instead (a SOCKS proxy-url of the kubeconfig, through the service proxy). */
  agent?: http.Agent;
}

/**
 * Read the token and CA files and assemble the request settings. The bearer token file is
 * read here (each run), and an explicit Authorization header wins over it. The proxy comes
 * from `env` by kubectl's rules (HTTPS_PROXY/HTTP_PROXY, NO_PROXY, never for loopback).
 */
export function loadConnection(options: PrometheusConnectionOptions & { url: string }, env: ProxyEnvironment = process.env): ResolvedConnection {
  const endpoint = parsePrometheusUrl(options.url);
  const proxy = proxyFromEnvironment(endpoint.origin, env);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.bearerTokenFile) {
    let token: string;
    try {
      token = readFileSync(options.bearerTokenFile, 'utf8').trim();
    } catch (e) {
      throw new UserError(`--prometheus-bearer-token-file ${options.bearerTokenFile}: ${fsReason(e)}`);
    }
    if (token === '') throw new UserError(`--prometheus-bearer-token-file ${options.bearerTokenFile}: the file is empty`);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) headers.Authorization = `Bearer ${token}`;
  }
  let ca: Buffer | undefined;
  if (options.caFile) {
    try {
      ca = readFileSync(options.caFile);
    } catch (e) {
      throw new UserError(`--prometheus-ca-file ${options.caFile}: ${fsReason(e)}`);
    }
  }
  return {
    endpoint,
    headers,
    ...(ca ? { ca } : {}),
    insecureSkipTlsVerify: options.insecureSkipTlsVerify === true,
    ...(isApiServerProxyPath(endpoint.apiPath) ? { viaApiServerProxy: true } : {}),
    ...(proxy ? { proxy } : {}),
  };
}

function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (e as Error).message;
}
