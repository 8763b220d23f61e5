// How PromQL requests reach a Prometheus-compatible API: prometheus-query 3.5.1 over axios
// (imported lazily: ~140 ms that `check` and `--help` must not pay), POST form bodies so long
// PromQL never hits URL limits, keep-alive sockets shared by all requests, TLS from the CA
// file or the API server's credentials, and a per-request timeout on both sides (Prometheus's
// `timeout` parameter and the client's socket timeout).
import type { ResolvedConnection } from './connection.js';
import { normalisePrometheusError } from './errors.js';
import { parseMatrixBody } from './decode.js';

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
  /** Run one request; rejects with a PrometheusQueryError. */
  query(request: QueryRequest, timeoutSeconds: number, origin?: string): Promise<RawResult>;
  close(): void;
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
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets });
  const httpsAgent = new https.Agent({
    keepAlive: true,
    maxSockets,
    ...(conn.ca !== undefined ? { ca: conn.ca } : {}),
    ...(conn.cert !== undefined ? { cert: conn.cert } : {}),
    ...(conn.key !== undefined ? { key: conn.key } : {}),
    rejectUnauthorized: !conn.insecureSkipTlsVerify,
  });
  const url = conn.endpoint.displayUrl;

  return {
    url,
    async query(request, timeoutSeconds, origin) {
      let raw: RawResult | undefined;
      let httpStatus: number | undefined;
      const driver = new PrometheusDriver({
        endpoint: conn.endpoint.origin,
        baseURL: conn.endpoint.apiPath,
        headers: conn.headers,
        ...(conn.endpoint.auth ? { auth: conn.endpoint.auth } : {}),
        // the client waits a little longer than Prometheus's own timeout, so a slow query
        // comes back as Prometheus's 503 "timeout" rather than a bare socket timeout
        timeout: Math.ceil(timeoutSeconds * 1000) + 500,
        preferPost: true,
        requestInterceptor: {
          onFulfilled: (config) => {
            config.httpAgent = httpAgent;
            config.httpsAgent = httpsAgent;
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
        throw normalisePrometheusError(e, { url, query: request.query, ...(origin !== undefined ? { origin } : {}) }, { ...(httpStatus !== undefined ? { httpStatus } : {}) });
      }
      if (!raw) {
        throw normalisePrometheusError({ errorType: 'client_error', data: 'the response is not the Prometheus API JSON' }, { url, query: request.query, ...(origin !== undefined ? { origin } : {}) });
      }
      return raw;
    },
    close() {
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
