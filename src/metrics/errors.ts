// One error type for everything that can go wrong talking to Prometheus. prometheus-query
// throws plain objects (not Errors) in four shapes; they, Node network errors and our own
// budget/replay failures all become a PrometheusQueryError that names the URL (without
// credentials), the query or the annotation it came from, and Prometheus's own errorType
// and message.
import type { QueryErrorInfo } from './signals-model.js';

export type QueryErrorKind =
  | 'unreachable'
  | 'network'
  | 'timeout'
  | 'bad_query'
  | 'auth'
  | 'not_found'
  | 'server'
  | 'too_long'
  | 'budget'
  | 'replay'
  | 'protocol';

/** errorType of a timeout caused by the scan's overall deadline (--timeout), not by one slow query. */
export const DEADLINE = 'deadline';

/** errorType of a failure of the HTTP(S) proxy on the way (unreachable, or CONNECT refused). */
export const PROXY_ERROR = 'proxy_error';

export interface QueryContext {
  /** The API base URL as shown to users (credential-free). */
  url: string;
  query: string;
  /** The annotation or catalogue signal the query came from. */
  origin?: string;
}

export class PrometheusQueryError extends Error {
  readonly kind: QueryErrorKind;
  readonly url: string;
  readonly query: string;
  readonly origin?: string;
  /** Prometheus's errorType (bad_data, timeout, execution, …) or the client's (network_error, timeout_error, …). */
  readonly errorType?: string;
  readonly httpStatus?: number;
  /** Prometheus's (or the network's) own message. */
  readonly detail: string;

  constructor(init: { kind: QueryErrorKind; context: QueryContext; errorType?: string; httpStatus?: number; detail: string }) {
    super(formatMessage(init.kind, init.context, init.errorType, init.httpStatus, init.detail));
    this.name = 'PrometheusQueryError';
    this.kind = init.kind;
    this.url = init.context.url;
    this.query = init.context.query;
    if (init.context.origin !== undefined) this.origin = init.context.origin;
    if (init.errorType !== undefined) this.errorType = init.errorType;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    this.detail = init.detail;
  }

  /** Worth another try: overload, gateway trouble, a dropped connection or a timeout (not the scan's deadline). */
  get retryable(): boolean {
    if (this.kind === 'timeout') return this.errorType !== DEADLINE;
    if (this.kind === 'network') return true;
    return this.kind === 'server' && [429, 502, 503, 504].includes(this.httpStatus ?? 0);
  }

  /**
   * Further queries would fail the same way: stop sending them. Connection refused, DNS and
   * TLS failures, 401/403, a wrong path, a server that does not answer at all, and the
   * deadline. (A dropped connection is retried; the runner stops only when retries do not help.)
   */
  get fatal(): boolean {
    return this.kind === 'unreachable' || this.kind === 'auth' || this.kind === 'not_found' || (this.kind === 'timeout' && (this.errorType === 'timeout_error' || this.errorType === DEADLINE));
  }

  toInfo(): QueryErrorInfo {
    return {
      kind: this.kind,
      message: this.message,
      query: this.query,
      ...(this.origin !== undefined ? { origin: this.origin } : {}),
      ...(this.errorType !== undefined ? { errorType: this.errorType } : {}),
      ...(this.httpStatus !== undefined ? { httpStatus: this.httpStatus } : {}),
    };
  }
}

/** What the transport knows beyond the thrown object: the HTTP status of a failed response. */
export interface TransportHints {
  httpStatus?: number;
}

/**
 * Turn whatever a query threw into a PrometheusQueryError. Handles the prometheus-query
 * shapes (http_error / network_error / timeout_error / ssl_error / client_error), its thrown
 * strings, and ordinary Errors.
 */
export function normalisePrometheusError(raw: unknown, context: QueryContext, hints: TransportHints = {}): PrometheusQueryError {
  if (raw instanceof PrometheusQueryError) return raw;
  const e = (raw ?? {}) as Record<string, any>;
  const errorType: string | undefined = typeof e.errorType === 'string' ? e.errorType : undefined;
  const status: number | undefined = typeof e.httpStatus === 'number' ? e.httpStatus : hints.httpStatus;
  const text = (v: unknown) => oneLine(typeof v === 'string' ? v : v instanceof Error ? v.message : v === undefined ? '' : String(v));

  if (errorType === 'http_error') {
    const promType: string | undefined = e.prometheus?.errorType;
    const detail = text(e.prometheus?.error ?? e.error);
    return new PrometheusQueryError({ kind: kindForStatus(status, promType), context, errorType: promType ?? errorType, httpStatus: status, detail });
  }
  if (errorType === 'timeout_error') {
    return new PrometheusQueryError({ kind: 'timeout', context, errorType, detail: text(e.error) || 'request timed out' });
  }
  if (errorType === 'network_error' || errorType === 'ssl_error') {
    const code: string | undefined = typeof e.code === 'string' ? e.code : undefined;
    if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return new PrometheusQueryError({ kind: 'timeout', context, errorType: 'timeout_error', detail: text(e.error) });
    const detail = code ? `${code}${e.error && !String(e.error).includes(code) ? ': ' + text(e.error) : ''}` : text(e.error) || 'network error';
    // refused, no such host, or a certificate we cannot trust: every further query would fail
    // the same way. Anything else (a reset, a cut body, an unreachable route) may be transient.
    const terminal = errorType === 'ssl_error' || isTerminalNetworkCode(code);
    return new PrometheusQueryError({ kind: terminal ? 'unreachable' : 'network', context, errorType, detail: tlsHint(code, detail) });
  }
  if (errorType === 'client_error') {
    // a non-JSON body: an auth proxy's 401, a wrong path's "404 page not found"
    const body = text(e.data);
    const kind = status !== undefined ? kindForStatus(status, undefined) : /unauthori[sz]ed|forbidden/i.test(body) ? 'auth' : /not found/i.test(body) ? 'not_found' : 'protocol';
    return new PrometheusQueryError({ kind, context, errorType, ...(status !== undefined ? { httpStatus: status } : {}), detail: body || 'the response is not the Prometheus API JSON' });
  }
  if (typeof raw === 'string') return new PrometheusQueryError({ kind: 'protocol', context, detail: oneLine(raw) });
  return new PrometheusQueryError({ kind: 'protocol', context, detail: text(raw) || 'unknown error' });
}

/** Connection refused, DNS failures and TLS failures: the server cannot be reached at all. */
function isTerminalNetworkCode(code: string | undefined): boolean {
  if (code === undefined) return false;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code.startsWith('EAI_')) return true;
  return isTlsCode(code);
}

function isTlsCode(code: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|DEPTH_ZERO|EPROTO/.test(code);
}

function kindForStatus(status: number | undefined, promType: string | undefined): QueryErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  // the request line was refused for its length (a proxy in between, or the API server)
  if (status === 414 || status === 431) return 'too_long';
  if (promType === 'timeout') return 'timeout';
  if (status === 400 || status === 422 || promType === 'bad_data' || promType === 'execution') return 'bad_query';
  return 'server';
}

function tlsHint(code: string | undefined, detail: string): string {
  if (code && isTlsCode(code) && code !== 'EPROTO') {
    return `${detail} (use --prometheus-ca-file with the server's CA, or --insecure-skip-tls-verify)`;
  }
  return detail;
}

function formatMessage(kind: QueryErrorKind, c: QueryContext, errorType: string | undefined, status: number | undefined, detail: string): string {
  const what = c.origin ?? `query ${shorten(c.query, 100)}`;
  const code = [status, errorType].filter((x) => x !== undefined && x !== '').join(' ');
  const tag = code ? ` (${code})` : '';
  switch (kind) {
    case 'unreachable':
      // the detail names the proxy and says which setting to fix
      if (errorType === PROXY_ERROR) return `Prometheus ${c.url} is unreachable through ${detail}`;
      return `Prometheus ${c.url} is unreachable: ${detail} — check --prometheus-url and that the server is up`;
    case 'network':
      if (errorType === PROXY_ERROR) return `Prometheus ${c.url} could not be reached on ${what} through ${detail}`;
      return `Prometheus ${c.url} dropped the connection on ${what}${tag}: ${detail} — check the server and any proxy in between`;
    case 'timeout':
      if (errorType === DEADLINE) return `Prometheus ${c.url} timed out on ${what}${tag}: ${detail} — raise --timeout or shorten --window`;
      return `Prometheus ${c.url} timed out on ${what}${tag}: ${detail} — raise the query timeout or shorten --window`;
    case 'too_long':
      return `Prometheus ${c.url}: ${what} is too long for a GET request through the API server's service proxy${tag}: ${detail} — pass --prometheus-url to query Prometheus directly`;
    case 'auth':
      return `Prometheus ${c.url} refused the credentials${tag}: ${detail} — check --prometheus-header / --prometheus-bearer-token-file`;
    case 'not_found':
      return `Prometheus API not found at ${c.url}/api/v1${tag}: ${detail} — check the path prefix in --prometheus-url`;
    case 'bad_query':
      return `Prometheus ${c.url} rejected ${what}${tag}: ${detail}${c.origin?.startsWith('queue-doctor.io/') ? ' — fix the annotation' : ''}`;
    case 'budget':
      return `query budget exhausted before ${what}: ${detail} — raise --max-queries`;
    case 'replay':
      return `snapshot has no recorded answer for ${what}: ${detail} — save the snapshot again with the same --at and --window`;
    default:
      return `Prometheus ${c.url} failed on ${what}${tag}: ${detail}`;
  }
}

export function shorten(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * One warning line per distinct failure: the same failure on several queries (an outage
 * answering 503 to every request) becomes one line that counts and names them.
 */
export function summariseErrors(errors: PrometheusQueryError[]): string[] {
  const groups = new Map<string, PrometheusQueryError[]>();
  for (const e of errors) {
    const key = JSON.stringify([e.kind, e.url, e.errorType ?? null, e.httpStatus ?? null, e.detail]);
    const g = groups.get(key);
    if (g) g.push(e);
    else groups.set(key, [e]);
  }
  const out: string[] = [];
  for (const g of groups.values()) {
    const distinct = [...new Set(g.map((e) => e.message))];
    if (distinct.length === 1) {
      out.push(distinct[0]);
      continue;
    }
    const names = [...new Set(g.map((e) => e.origin ?? `query ${shorten(e.query, 40)}`))];
    const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? `, +${names.length - 3} more` : '');
    const first = g[0];
    out.push(
      formatMessage(first.kind, { url: first.url, query: first.query, origin: `${g.length} queries (${shown})` }, first.errorType, first.httpStatus, first.detail),
    );
  }
  return out;
}
