// How PromQL requests reach a Prometheus-compatible API: prometheus-query 3.5.1 over axios
// (imported lazily: ~140 ms that `check` and `--help` must not pay), keep-alive sockets shared
// by all requests, TLS from the CA file or the API server's credentials, and a per-request
// timeout on both sides (Prometheus's `timeout` parameter and the client's socket timeout),
// cut short by the scan's deadline.
//
// Proxies: decided upstream (connection.ts by kubectl's rules, or the Kubernetes client's own
// decision for the service proxy) and applied here with our own agent. axios' own proxy
// handling is switched off (`proxy: false`): left on, axios 1.x reads HTTP(S)_PROXY, ALL_PROXY
// and npm_config_*_proxy from process.env by its own rules, proxies loopback addresses, and
// forwards plain-http requests in absolute form, handing every request header (bearer tokens,
// tenant headers) to the proxy.
//
// The method: POST form bodies to a Prometheus reached directly, so long PromQL never hits URL
// limits; GET through the Kubernetes API server's service proxy, where POST is the RBAC verb
// `create` and queue-doctor promises read-only access. A GET URL has limits: kube-apiserver
// and Prometheus (Go's net/http) refuse a request line plus headers over 1 MiB, and a proxy in
// between may refuse less (414/431). `fits` tells the runner which requests can go, so it can
// send a shorter equivalent instead (see PlannedQuery.fallback).
import type { Agent } from 'node:http';
import type { ResolvedConnection } from './connection.js';
import { DEADLINE, normalisePrometheusError, PrometheusQueryError, PROXY_ERROR } from './errors.js';
import { parseMatrixBody } from './decode.js';
import { describeProxyFailure, findProxyError, loadProxyAgents } from '../net/proxy-agent.js';

export interface QueryRequest {
  kind: 'instant' | 'range';
  query: string;
  /** Instant queries: evaluation time, unix seconds. */
  time?: number;
  /** Range queries: unix seconds and step seconds. */
  start?: number;
  end?: number;
  step?: number;
}

/** The `data` member of a Prometheus API response: `{resultType, result}`, undecoded… */
export type RawResult = PrometheusData | CompactMatrix;

export interface PrometheusData {
  resultType: string;
  result: unknown;
}

/** …or a range answer already placed on its request's grid (see decode.ts parseMatrixBody). */
export interface CompactMatrix {
  resultType: 'matrix';
  compact: { start: number; step: number; n: number };
  /** v[i] is the sample at start + i·step (NaN where there is none; recordings use strings for NaN/±Inf). */
  result: Array<{ metric: Record<string, string>; v: Array<number | string> }>;
}

export interface QueryTransport {
  /** Credential-free API base URL, for messages. */
  readonly url: string;
  /** True for offline replays: no retries, no back-off sleeps. */
  readonly offline?: boolean;
  /**
   * Run one request; rejects with a PrometheusQueryError. `timeoutSeconds` bounds the query
   * (Prometheus's `timeout` and the client's wait); `deadline` (absolute ms, Date.now() clock)
   * cuts the wait short for the whole scan.
   */
  query(request: QueryRequest, timeoutSeconds: number, origin?: string, deadline?: number): Promise<RawResult>;
  /** Why the request cannot be sent as it is (too long for a GET URL), or undefined when it can. */
  tooLong?(request: QueryRequest, origin?: string): PrometheusQueryError | undefined;
  close(): void;
}

/**
 * Longest GET URL sent through the API server's proxy: Go servers (kube-apiserver's secure
 * port, Prometheus) allow 1 MiB for the request line and headers together; the rest is left
 * for headers (a bearer token, impersonation, tenant headers).
 */
export const MAX_GET_URL_BYTES = 1024 * 1024 - 32 * 1024;

/** The GET URL of a request (what the client sends, give or take the timeout parameter's digits). */
export function getUrlLength(base: string, request: QueryRequest, timeoutSeconds = 30): number {
  const params = new URLSearchParams();
  params.append('query', request.query);
  if (request.kind === 'instant') params.append('time', String(request.time));
  else {
    params.append('start', String(request.start));
    params.append('end', String(request.end));
    params.append('step', String(request.step));
  }
  params.append('timeout', `${Math.max(1, Math.round(timeoutSeconds * 1000))}ms`);
  return base.length + (request.kind === 'instant' ? '/query?'.length : '/query_range?'.length) + params.toString().length;
}

/** A stable key for a request: what snapshots are indexed by. */
export function requestKey(r: QueryRequest): string {
  return JSON.stringify([r.kind, r.query, r.time ?? null, r.start ?? null, r.end ?? null, r.step ?? null]);
}

/**
 * A transport over prometheus-query. One PrometheusDriver per request, so that the response
 * interceptor can hand back the raw `data` member untouched: the driver's own decoding builds
 * a Date object per sample and reads `+Inf` as NaN, so the matrix is decoded once, by
 * src/metrics/decode.ts, instead.
 */
export async function createHttpTransport(conn: ResolvedConnection, options: { concurrency: number }): Promise<QueryTransport> {
  const { PrometheusDriver } = await import('prometheus-query');
  const http = await import('node:http');
  const https = await import('node:https');
  const maxSockets = Math.max(1, options.concurrency);
  const tls = {
    ...(conn.ca !== undefined ? { ca: conn.ca } : {}),
    ...(conn.cert !== undefined ? { cert: conn.cert } : {}),
    ...(conn.key !== undefined ? { key: conn.key } : {}),
    ...(conn.servername !== undefined ? { servername: conn.servername } : {}),
    rejectUnauthorized: !conn.insecureSkipTlsVerify,
  };
  let httpAgent: Agent;
  let httpsAgent: Agent;
  if (conn.agent) {
    httpAgent = httpsAgent = conn.agent;
  } else if (conn.proxy) {
    // one tunnel per connection, TLS (when https) end to end with the CA/insecure settings above
    const proxyAgent = await loadProxyAgents();
    httpAgent = proxyAgent(conn.proxy, 'http:', { keepAlive: true, maxSockets });
    httpsAgent = proxyAgent(conn.proxy, 'https:', { keepAlive: true, maxSockets, ...tls });
  } else {
    httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    httpsAgent = new https.Agent({ keepAlive: true, maxSockets, ...tls });
  }
  const url = conn.endpoint.displayUrl;
  const useGet = conn.viaApiServerProxy === true;
  const base = conn.endpoint.origin + conn.endpoint.apiPath;
  // lowered when something on the way refuses a shorter URL (414/431)
  let urlLimit = MAX_GET_URL_BYTES;
  const tooLong = (request: QueryRequest, origin?: string) => {
    if (!useGet) return undefined;
    const length = getUrlLength(base, request);
    if (length <= urlLimit) return undefined;
    const context = { url, query: request.query, ...(origin !== undefined ? { origin } : {}) };
    return new PrometheusQueryError({ kind: 'too_long', context, detail: `a ${length}-byte URL, over the ${urlLimit}-byte limit on this way` });
  };

  return {
    url,
    ...(useGet ? { tooLong } : {}),
    async query(request, timeoutSeconds, origin, deadline) {
      const context = { url, query: request.query, ...(origin !== undefined ? { origin } : {}) };
      const refused = tooLong(request, origin);
      if (refused) throw refused;
      let raw: RawResult | undefined;
      let httpStatus: number | undefined;
      // the client waits a little longer than Prometheus's own timeout, so a slow query comes
      // back as Prometheus's 503 "timeout" rather than a bare socket timeout — but never past
      // the deadline: there, the request is aborted
      const clientMs = Math.ceil(timeoutSeconds * 1000) + 500;
      const untilDeadline = deadline !== undefined ? deadline - Date.now() : Infinity;
      const abort = new AbortController();
      let cutByDeadline = false;
      const timer =
        untilDeadline < clientMs
          ? setTimeout(() => {
              cutByDeadline = true;
              abort.abort();
            }, Math.max(0, untilDeadline))
          : undefined;
      timer?.unref?.();
      const driver = new PrometheusDriver({
        endpoint: conn.endpoint.origin,
        baseURL: conn.endpoint.apiPath,
        headers: conn.headers,
        ...(conn.endpoint.auth ? { auth: conn.endpoint.auth } : {}),
        timeout: clientMs,
        preferPost: !useGet,
        requestInterceptor: {
          onFulfilled: (config) => {
            config.signal = abort.signal;
            config.httpAgent = httpAgent;
            config.httpsAgent = httpsAgent;
            // never axios' own (process.env) proxy handling: the agents above carry our decision
            config.proxy = false;
            config.maxRedirects = 0;
            // the body arrives as bytes: range answers are decoded by parseMatrixBody
            config.responseType = 'arraybuffer';
            config.transformResponse = [(data: unknown) => data];
            return config;
          },
        },
        responseInterceptor: {
          onFulfilled: (response) => {
            const bytes = toBuffer(response.data);
            if (request.kind === 'range' && bytes) {
              const n = Math.floor((request.end! - request.start!) / request.step!) + 1;
              raw = parseMatrixBody(bytes, { start: request.start!, step: request.step!, n });
            }
            const body = raw ? undefined : bodyOf(response.data);
            if (!raw && body && body.status === 'success' && body.data && typeof body.data === 'object') raw = body.data;
            response.data = raw ? { status: 'success', data: { resultType: raw.resultType, result: [] } } : body;
            return response;
          },
          onRejected: (error: any) => {
            if (error?.response && error.request?.res?.complete === false) {
              // the connection closed mid-answer ("stream has been aborted"): a dropped
              // connection, worth a retry, not a malformed answer
              error.response = undefined;
              error.code = 'ECONNRESET';
              error.message = 'the connection closed before the whole answer arrived';
            }
            httpStatus = typeof error?.response?.status === 'number' ? error.response.status : undefined;
            // let prometheus-query read the error body as it would have
            if (error?.response) error.response.data = bodyOf(error.response.data);
            return Promise.reject(error);
          },
        },
      });
      const serverTimeout = `${Math.max(1, Math.round(timeoutSeconds * 1000))}ms`;
      try {
        if (request.kind === 'instant') await driver.instantQuery(request.query, request.time! * 1000, serverTimeout);
        else await driver.rangeQuery(request.query, request.start! * 1000, request.end! * 1000, request.step!, serverTimeout);
      } catch (e) {
        if (cutByDeadline) throw new PrometheusQueryError({ kind: 'timeout', context, errorType: DEADLINE, detail: 'no answer before the scan deadline (--timeout)' });
        const viaProxy = findProxyError(e);
        if (viaProxy) {
          const { proxy, reason, fix } = describeProxyFailure(viaProxy, new URL(conn.endpoint.origin).hostname.replace(/^\[|\]$/g, ''));
          throw new PrometheusQueryError({ kind: viaProxy.transient ? 'network' : 'unreachable', context, errorType: PROXY_ERROR, detail: `${proxy}: ${reason} — ${fix}` });
        }
        const err = normalisePrometheusError(e, context, { ...(httpStatus !== undefined ? { httpStatus } : {}) });
        if (err.kind === 'too_long' && useGet) {
          // remember: no longer URL will pass on this way either
          urlLimit = Math.min(urlLimit, getUrlLength(base, request, timeoutSeconds) - 1);
        }
        throw err;
      } finally {
        if (timer) clearTimeout(timer);
      }
      if (!raw) {
        throw normalisePrometheusError({ errorType: 'client_error', data: 'the response is not the Prometheus API JSON' }, context);
      }
      return raw;
    },
    close() {
      // a borrowed agent (SOCKS, from the Kubernetes client) is its owner's to close
      if (conn.agent) return;
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function toBuffer(data: unknown): Buffer | undefined {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** A body as JSON when it is JSON, else as text ("Unauthorized\n", "404 page not found"). */
function bodyOf(data: unknown): any {
  const bytes = toBuffer(data);
  if (!bytes) return data;
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
