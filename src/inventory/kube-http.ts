// Raw, read-only HTTP to a Kubernetes API server: GET only, JSON in, JSON out.
// Why not the typed client: its deserializer is slow on large lists and drops fields it
// does not know (CRD fields, status details). Credentials and TLS material come from
// @kubernetes/client-node's KubeConfig (exec plugins, tokens, client certificates).
import http from 'node:http';
import https from 'node:https';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { KubeTarget } from './kube-config.js';
import { redactText } from './redact.js';
import { isSocksProxy, proxyAddress, type ProxyRoute } from '../net/proxy-env.js';
import { describeProxyFailure, loadProxyAgents, ProxyConnectError, type ProxyAgentFactory } from '../net/proxy-agent.js';

const gunzipAsync = promisify(gunzip);

export type KubeErrorKind = 'http' | 'network' | 'proxy' | 'tls' | 'timeout' | 'deadline' | 'parse' | 'credentials' | 'too-large';

/** A failed API request, with a one-line message naming the cause and the fix (never a credential). */
export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly kind: KubeErrorKind,
    readonly details: {
      status?: number;
      reason?: string;
      /** The API server's own message (Status.message), redacted. */
      serverMessage?: string;
      /** errno / TLS code for network and TLS errors. */
      code?: string;
      path?: string;
      attempts?: number;
      /** Retry-After of a 429/503, ms. */
      retryAfterMs?: number;
      /** kind 'proxy': the proxy's answer to CONNECT, and whether another attempt may pass. */
      proxyStatus?: number;
      transient?: boolean;
    } = {},
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
  get status(): number | undefined {
    return this.details.status;
  }
}

/** A counting semaphore shared by every client of one read: bounds concurrent requests. */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

export interface KubeHttpOptions {
  /** Per-attempt timeout (headers and body), ms. */
  requestTimeoutMs: number;
  /** Absolute deadline on the performance.now() clock; no request runs past it. */
  deadline: number;
  limiter: Limiter;
  /** Retries after the first attempt for 429, 5xx, resets, timeouts and truncated bodies. */
  maxRetries?: number;
  /** [0,1) source for backoff jitter (inject a seeded one in tests). */
  random?: () => number;
  /** Called once per HTTP request sent (retries included). */
  onRequest?: (path: string) => void;
  /** Refuse response bodies larger than this (a hostile or broken server). */
  maxResponseBytes?: number;
  /** Base and cap of the exponential backoff, ms. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  sleep?: (ms: number) => Promise<void>;
  userAgent?: string;
  /** Skip TLS verification (--insecure-skip-tls-verify). */
  insecureSkipTlsVerify?: boolean;
}

/** What a caller needs to reach the API server itself (service proxy): never printed. */
export interface KubeRequestOptions {
  headers: Record<string, string>;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  insecureSkipTlsVerify?: boolean;
  /** tls-server-name of the cluster. */
  servername?: string;
  /** The proxy the API server is reached through (the same decision as for the API requests). */
  proxy?: ProxyRoute;
  /** A ready agent for a SOCKS proxy-url (only @kubernetes/client-node can build one). */
  agent?: http.Agent;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const CONFIG_NET_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const CREDENTIAL_REFRESH_MS = 30_000;
const DEFAULT_MAX_RESPONSE = 256 * 1024 * 1024;

interface Credentials {
  headers: Record<string, string>;
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
  rejectUnauthorized: boolean;
  servername?: string;
  proxyAgent?: http.Agent;
  at: number;
}

/** A GET-only JSON client for one kube context. */
export class KubeClient {
  private creds?: Credentials;
  private agent?: http.Agent;
  private proxyAgents?: ProxyAgentFactory;
  private readonly base: URL;
  private readonly isHttps: boolean;

  constructor(
    readonly target: KubeTarget,
    private readonly options: KubeHttpOptions,
  ) {
    this.base = new URL(target.server);
    this.isHttps = this.base.protocol === 'https:';
  }

  /** The API server URL of a path (no query), e.g. for the service proxy. */
  url(path: string): string {
    return this.target.server + path;
  }

  /** Headers and TLS material for callers that reach the API server themselves (service proxy). */
  async requestOptions(): Promise<KubeRequestOptions> {
    const c = await this.credentials(false);
    return {
      headers: { ...c.headers },
      ca: c.ca,
      cert: c.cert,
      key: c.key,
      insecureSkipTlsVerify: !c.rejectUnauthorized,
      ...(c.servername !== undefined ? { servername: c.servername } : {}),
      ...(this.target.proxy ? { proxy: this.target.proxy } : {}),
      ...(c.proxyAgent ? { agent: c.proxyAgent } : {}),
    };
  }

  /** `host:port (source)` of the proxy the API server is reached through, if any (for notes). */
  get proxyNote(): string | undefined {
    const p = this.target.proxy;
    return p ? `${proxyAddress(p)} (${p.source})` : undefined;
  }

  /** GET a path and parse the JSON body, with retries. Throws KubeApiError. */
  async getJson(path: string, query: Record<string, string | number | undefined> = {}): Promise<any> {
    const qs = encodeQuery(query);
    const full = qs ? `${path}?${qs}` : path;
    const maxRetries = this.options.maxRetries ?? 3;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const remaining = this.options.deadline - performance.now();
      if (remaining <= 0) throw this.deadlineError(path, attempt);
      try {
        return await this.options.limiter.run(() => this.once(full, path));
      } catch (e) {
        const err = e as KubeApiError;
        if (!(err instanceof KubeApiError)) throw e;
        // an expired exec/OIDC token: fetch fresh credentials once and retry
        if (err.details.status === 401 && !refreshed) {
          refreshed = true;
          this.creds = undefined;
          continue;
        }
        const retryable =
          (err.kind === 'http' && RETRYABLE_STATUS.has(err.details.status ?? 0)) ||
          err.kind === 'parse' ||
          err.kind === 'timeout' ||
          (err.kind === 'network' && !CONFIG_NET_CODES.has(err.details.code ?? '')) ||
          (err.kind === 'proxy' && err.details.transient === true);
        if (!retryable) throw err;
        if (attempt >= maxRetries) throw withAttempts(err, attempt + 1);
        const wait = this.backoff(attempt, err.details.retryAfterMs);
        if (performance.now() + wait >= this.options.deadline) throw this.deadlineError(path, attempt + 1, err);
        await (this.options.sleep ?? sleep)(wait);
      }
    }
  }

  /**
   * LIST a collection page by page (`limit` + `continue`). On 410 Gone (the continue token
   * expired) the list restarts from the beginning, up to 3 times. Items are handed to
   * `onPage` as they arrive; `onRestart` tells the caller to drop what it got so far.
   */
  async list(
    path: string,
    query: Record<string, string | number | undefined>,
    pageSize: number,
    onPage: (items: any[], page: { apiVersion?: string; kind?: string }) => void,
    onRestart: () => void,
  ): Promise<{ pages: number; restarts: number; resourceVersion?: string }> {
    let restarts = 0;
    let pages = 0;
    for (;;) {
      let cont: string | undefined;
      let rv: string | undefined;
      try {
        do {
          const body = await this.getJson(path, { ...query, limit: pageSize, continue: cont });
          if (!body || typeof body !== 'object' || !Array.isArray(body.items)) {
            throw new KubeApiError(
              `the API server of context "${this.target.context}" answered GET ${path} with something that is not a list; check that ${this.target.server} is a Kubernetes API server`,
              'parse',
              { path },
            );
          }
          pages++;
          onPage(body.items, { apiVersion: body.apiVersion, kind: body.kind });
          rv = body.metadata?.resourceVersion;
          cont = typeof body.metadata?.continue === 'string' && body.metadata.continue !== '' ? body.metadata.continue : undefined;
        } while (cont);
        return { pages, restarts, resourceVersion: rv };
      } catch (e) {
        if (e instanceof KubeApiError && e.details.status === 410 && cont !== undefined && restarts < 3) {
          restarts++;
          onRestart();
          continue;
        }
        throw e;
      }
    }
  }

  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private backoff(attempt: number, retryAfterMs?: number): number {
    const base = this.options.backoffBaseMs ?? 200;
    const cap = this.options.backoffCapMs ?? 10_000;
    const rnd = (this.options.random ?? Math.random)();
    // equal jitter: half fixed, half random, so retries spread out but never hammer
    const exp = Math.min(cap, base * 2 ** attempt);
    const jittered = exp / 2 + (rnd * exp) / 2;
    // Retry-After is a floor (the server said when); a little jitter keeps clients apart
    return retryAfterMs !== undefined ? Math.min(retryAfterMs + rnd * base, 60_000) : jittered;
  }

  private deadlineError(path: string, attempts: number, last?: KubeApiError): KubeApiError {
    const why = last ? ` (last answer: ${last.details.status ?? last.details.code ?? last.kind})` : '';
    return new KubeApiError(
      `the --timeout deadline passed before GET ${path} on context "${this.target.context}" finished${why}; raise --timeout or narrow the scan with -n`,
      'deadline',
      { path, attempts, status: last?.details.status },
    );
  }

  private async credentials(force: boolean): Promise<Credentials> {
    const now = performance.now();
    if (!force && this.creds && now - this.creds.at < CREDENTIAL_REFRESH_MS) return this.creds;
    const opts: https.RequestOptions & { headers?: Record<string, any> } = { headers: {} };
    const kc = this.target.kubeConfig;
    try {
      if (this.isHttps) await kc.applyToHTTPSOptions(opts);
      else {
        // client-node refuses http:// servers (kubectl proxy) unless TLS verification is off;
        // TLS does not apply to them anyway, so apply credentials from a copy that says so
        const { KubeConfig } = await import('@kubernetes/client-node');
        const copy = new KubeConfig();
        copy.loadFromOptions({
          clusters: kc.getClusters().map((c) => (c.name === this.target.cluster ? { ...c, skipTLSVerify: true } : c)),
          users: kc.getUsers(),
          contexts: kc.getContexts(),
          currentContext: kc.getCurrentContext(),
        });
        await copy.applyToHTTPSOptions(opts);
      }
    } catch (e) {
      throw credentialError(this.target, e);
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (v !== undefined && v !== null) headers[k] = String(v).trim();
    }
    if (typeof opts.auth === 'string' && opts.auth !== 'undefined:undefined') {
      headers.Authorization = 'Basic ' + Buffer.from(opts.auth).toString('base64');
    }
    const creds: Credentials = {
      headers,
      ca: opts.ca as Buffer | undefined,
      cert: opts.cert as Buffer | undefined,
      key: opts.key as Buffer | undefined,
      rejectUnauthorized: !(this.options.insecureSkipTlsVerify || opts.rejectUnauthorized === false),
      servername: opts.servername,
      // SOCKS is client-node's (socks-proxy-agent); an HTTP(S) proxy gets our agent (agentFor)
      proxyAgent: this.target.proxy && isSocksProxy(this.target.proxy) ? (opts.agent as http.Agent) : undefined,
      at: now,
    };
    const prev = this.creds;
    if (this.agent && prev && (String(prev.cert) !== String(creds.cert) || String(prev.key) !== String(creds.key))) {
      // an exec plugin issued a new client certificate
      this.agent.destroy();
      this.agent = undefined;
    }
    this.creds = creds;
    return creds;
  }

  private agentFor(c: Credentials): http.Agent {
    if (c.proxyAgent) return c.proxyAgent;
    if (!this.agent) {
      const maxSockets = this.options.limiter.max;
      const route = this.target.proxy;
      if (route && this.proxyAgents) {
        // TLS to the API server end to end, through a CONNECT tunnel, with the same verification
        this.agent = this.proxyAgents(route, this.base.protocol, { keepAlive: true, maxSockets, ca: c.ca, cert: c.cert, key: c.key, rejectUnauthorized: c.rejectUnauthorized, servername: c.servername });
      } else {
        this.agent = this.isHttps
          ? new https.Agent({ keepAlive: true, maxSockets, ca: c.ca, cert: c.cert, key: c.key, rejectUnauthorized: c.rejectUnauthorized, servername: c.servername })
          : new http.Agent({ keepAlive: true, maxSockets });
      }
    }
    return this.agent;
  }

  private async once(full: string, path: string): Promise<any> {
    const c = await this.credentials(false);
    if (this.target.proxy && !isSocksProxy(this.target.proxy)) this.proxyAgents ??= await loadProxyAgents();
    const agent = this.agentFor(c);
    const remaining = this.options.deadline - performance.now();
    if (remaining <= 0) throw this.deadlineError(path, 0);
    const byDeadline = remaining < this.options.requestTimeoutMs;
    const timeoutMs = Math.max(1, Math.min(this.options.requestTimeoutMs, remaining));
    const prefix = this.base.pathname.replace(/\/+$/, '');
    this.options.onRequest?.(path);
    const maxBytes = this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE;
    const ctx = this.target.context;
    const server = this.target.server;
    const { status, headers, body } = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const mod = this.isHttps ? https : http;
      const req = mod.request(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
          port: this.base.port || (this.isHttps ? 443 : 80),
          path: prefix + full,
          // the one and only method this tool ever sends to Kubernetes
          method: 'GET',
          agent,
          headers: {
            ...c.headers,
            Accept: 'application/json',
            'Accept-Encoding': 'gzip',
            'User-Agent': this.options.userAgent ?? 'queue-doctor (read-only)',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              req.destroy(new KubeApiError(`the API server of context "${ctx}" sent more than ${Math.round(maxBytes / 1024 / 1024)} MiB for GET ${path}; narrow the scan with -n or -l`, 'too-large', { path }));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            if (!res.complete) return; // 'aborted'/'error' reports it
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
          });
          res.on('aborted', () => reject(networkError(ctx, server, path, Object.assign(new Error('connection reset while reading the response'), { code: 'ECONNRESET' }))));
          res.on('error', (e) => reject(e instanceof KubeApiError ? e : networkError(ctx, server, path, e)));
        },
      );
      const timer = setTimeout(() => {
        req.destroy(
          byDeadline
            ? this.deadlineError(path, 0)
            : new KubeApiError(
                `the API server ${server} of context "${ctx}" did not answer GET ${path} within ${formatMs(timeoutMs)}; check the cluster's health, or raise --request-timeout`,
                'timeout',
                { path },
              ),
        );
      }, timeoutMs);
      req.on('error', (e) => reject(e instanceof KubeApiError ? e : networkError(ctx, server, path, e)));
      req.on('close', () => clearTimeout(timer));
      req.end();
    });
    let text: Buffer = body;
    if (headers['content-encoding'] === 'gzip') {
      try {
        text = await gunzipAsync(body);
      } catch {
        throw new KubeApiError(`the API server of context "${ctx}" sent a corrupt gzip body for GET ${path}`, 'parse', { path, status });
      }
    }
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text.toString('utf8'));
      } catch {
        throw new KubeApiError(
          `the API server of context "${ctx}" sent invalid or truncated JSON for GET ${path} (${text.length} bytes); retry, and check any proxy between you and ${server}`,
          'parse',
          { path, status },
        );
      }
    }
    throw httpError(this.target, path, status, headers, text);
  }
}

function withAttempts(err: KubeApiError, attempts: number): KubeApiError {
  if (attempts <= 1 || err.kind === 'deadline') return err;
  const e = new KubeApiError(`${err.message} (after ${attempts} attempts)`, err.kind, { ...err.details, attempts });
  return e;
}

function encodeQuery(query: Record<string, string | number | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.join('&');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : `${Math.round(ms)}ms`;
}

const TLS_CODES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is not signed by a CA the kubeconfig trusts',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is not signed by a CA the kubeconfig trusts',
  UNABLE_TO_GET_ISSUER_CERT: 'its certificate is not signed by a CA the kubeconfig trusts',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a CA the kubeconfig does not trust',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it presents a self-signed certificate the kubeconfig does not trust',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet (check the clock)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate was issued for another host name',
  CERT_SIGNATURE_FAILURE: 'its certificate signature is invalid',
};

/** Classify a socket/TLS error into a one-line message with the fix. */
export function networkError(context: string, server: string, path: string, e: unknown): KubeApiError {
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const code = err.code ?? '';
  const where = `the API server ${server} of context "${context}"`;
  if (e instanceof ProxyConnectError) {
    const { proxy, reason, fix } = describeProxyFailure(e, hostOf(server));
    return new KubeApiError(`cannot reach ${where} (GET ${path}) through ${proxy}: ${reason}; ${fix}`, 'proxy', {
      code: e.code,
      path,
      transient: e.transient,
      ...(e.status !== undefined ? { proxyStatus: e.status } : {}),
    });
  }
  if (TLS_CODES[code] || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /certificate|SSL routines/i.test(err.message ?? '')) {
    const what = TLS_CODES[code] ?? `TLS failed (${redactText(oneLine(err.message ?? code))})`;
    const fix =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? 'use the address the certificate names, or set tls-server-name on the cluster in the kubeconfig'
        : code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'
          ? 'renew the API server certificate or check this machine\'s clock'
          : 'set the right certificate-authority(-data) on the cluster in the kubeconfig (insecure-skip-tls-verify only for a throwaway test cluster)';
    return new KubeApiError(`TLS verification of ${where} failed: ${what} (${code || 'TLS'}); ${fix}`, 'tls', { code, path });
  }
  const fixes: Record<string, string> = {
    ECONNREFUSED: 'connection refused; check that the cluster is running and the kubeconfig server address is right, or pick another context with --context',
    ENOTFOUND: 'the host name does not resolve; check the server address in the kubeconfig and your VPN/DNS',
    EAI_AGAIN: 'DNS lookup failed; check your network, VPN or DNS',
    EHOSTUNREACH: 'no route to the host; check your network or VPN',
    ENETUNREACH: 'the network is unreachable; check your network or VPN',
    ETIMEDOUT: 'the connection timed out; check your network, VPN or firewall',
    ECONNRESET: 'the connection was reset; a proxy or load balancer may be cutting it',
    EPIPE: 'the connection was closed while sending; a proxy or load balancer may be cutting it',
  };
  const text = fixes[code] ?? redactText(oneLine(err.message ?? String(e)));
  const verb = CONFIG_NET_CODES.has(code) || code === 'ETIMEDOUT' ? 'cannot reach' : 'lost the connection to';
  return new KubeApiError(`${verb} ${where} (GET ${path}): ${text}`, 'network', { code: code || undefined, path });
}

function hostOf(server: string): string {
  try {
    return new URL(server).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return server;
  }
}

function credentialError(target: KubeTarget, e: unknown): KubeApiError {
  const err = e as NodeJS.ErrnoException;
  const first = redactText(oneLine(String(err?.message ?? e)).trim()) || 'no output';
  const user = target.kubeConfig.getCurrentUser();
  if (err?.code === 'ENOENT' && user?.exec) {
    const cmd = String((user.exec as { command?: string }).command ?? '');
    return new KubeApiError(
      `the credential plugin "${cmd}" of user "${target.user}" (context "${target.context}") is not installed or not on PATH; install it, or fix users[].user.exec in ${target.source}`,
      'credentials',
    );
  }
  if (err?.code === 'ENOENT') {
    return new KubeApiError(`a file named by user "${target.user}" or cluster "${target.cluster}" (context "${target.context}") does not exist: ${first}; fix the path in ${target.source}`, 'credentials');
  }
  return new KubeApiError(
    `getting credentials for user "${target.user}" (context "${target.context}") failed: ${first}; log in again with your provider's CLI, or fix users[] in ${target.source}`,
    'credentials',
  );
}

function httpError(target: KubeTarget, path: string, status: number, headers: http.IncomingHttpHeaders, body: Buffer): KubeApiError {
  let serverMessage: string | undefined;
  let reason: string | undefined;
  try {
    const s = JSON.parse(body.toString('utf8'));
    if (s && typeof s === 'object') {
      serverMessage = typeof s.message === 'string' ? redactText(oneLine(s.message)).slice(0, 300) : undefined;
      reason = typeof s.reason === 'string' ? s.reason : undefined;
    }
  } catch {
    const t = body.toString('utf8', 0, Math.min(body.length, 300)).trim();
    if (t) serverMessage = redactText(oneLine(t));
  }
  const where = `the API server ${target.server} of context "${target.context}"`;
  let message: string;
  if (status === 401) {
    message = `${where} rejected the credentials of user "${target.user}" (401 Unauthorized): the token or certificate is expired or wrong; log in again (refresh the kubeconfig with your provider's CLI) or fix users[] in ${target.source}`;
  } else if (status === 429) {
    message = `${where} throttled GET ${path} (429 Too Many Requests); retry later or narrow the scan with -n`;
  } else if (status >= 500) {
    message = `${where} failed GET ${path} (${status}${reason ? ` ${reason}` : ''}${serverMessage ? `: ${serverMessage}` : ''}); check the cluster's health and retry`;
  } else {
    message = `${where} answered GET ${path} with ${status}${reason ? ` ${reason}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`;
  }
  let retryAfterMs: number | undefined;
  const ra = headers['retry-after'];
  if (typeof ra === 'string' && ra.trim() !== '') {
    const secs = Number(ra);
    const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(ra) - Date.now();
    if (Number.isFinite(ms)) retryAfterMs = Math.max(0, ms);
  }
  return new KubeApiError(message, 'http', { status, reason, serverMessage, path, retryAfterMs });
}

function oneLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '') ?? '';
}
