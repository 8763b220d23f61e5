// The Prometheus client's pure parts: connection settings, URL prefixes, error normalisation,
// the gentle query runner (concurrency, retries, budget, circuit breaker), recordings, the
// grid, decoding, and auto-discovery's choice among Services.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/cli/exit-codes.js';
import { isApiServerProxyPath, parsePrometheusUrl, redactUrl, resolvePrometheusConnection, loadConnection } from '../../src/metrics/connection.js';
import { normalisePrometheusError, PrometheusQueryError, summariseErrors } from '../../src/metrics/errors.js';
import { QueryRunner, isFailure, type PlannedQuery } from '../../src/metrics/query-runner.js';
import { createRecorder, replayFrom } from '../../src/metrics/record-replay.js';
import { compactToJson, decodeMatrix, decodeVector, makeGrid, parseMatrixBody, parseSampleValue } from '../../src/metrics/decode.js';
import fc from 'fast-check';
import { pickPrometheus, recognisePrometheusServices, inClusterAddressOf, inClusterAddressOfUrl, discoverPrometheus } from '../../src/metrics/discover-prometheus.js';
import { getUrlLength, MAX_GET_URL_BYTES, type QueryRequest, type QueryTransport, type RawResult } from '../../src/metrics/transport.js';
import { collectSignals } from '../../src/metrics/collect-signals.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { REPO_ROOT, servicesFromCluster } from '../helpers/prometheus.js';

const ctx = { url: 'http://prom:9090', query: 'sum(x)' };

describe('connection settings', () => {
  it('flags win over env, env over the config file; headers merge by name', () => {
    const conn = resolvePrometheusConnection(
      { prometheusUrl: 'http://flag:9090', prometheusHeader: ['X-Scope-OrgID: from-flag'] },
      {
        QUEUE_DOCTOR_PROMETHEUS_URL: 'http://env:9090',
        QUEUE_DOCTOR_PROMETHEUS_HEADERS: 'x-scope-orgid: from-env\nX-Extra: e\n\n',
        QUEUE_DOCTOR_PROMETHEUS_BEARER_TOKEN_FILE: '/env/token',
      },
      { url: 'http://config:9090', headers: { 'X-Config': 'c', 'X-Extra': 'config' }, caFile: '/config/ca.pem' },
    );
    expect(conn).toEqual({
      url: 'http://flag:9090',
      headers: { 'X-Config': 'c', 'X-Extra': 'e', 'X-Scope-OrgID': 'from-flag' },
      bearerTokenFile: '/env/token',
      caFile: '/config/ca.pem',
    });
    expect(resolvePrometheusConnection({}, { QUEUE_DOCTOR_PROMETHEUS_URL: 'http://env:9090' }, { url: 'http://config:9090' }).url).toBe('http://env:9090');
    expect(resolvePrometheusConnection({ insecureSkipTlsVerify: true }, {})).toEqual({ insecureSkipTlsVerify: true });
  });

  it('malformed headers and URLs are usage errors that never echo a header value', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        return (e as UserError).message;
      }
      throw new Error('did not throw');
    };
    expect(err(() => resolvePrometheusConnection({ prometheusHeader: ['s3cret-no-colon'] }, {}))).toBe('--prometheus-header: expected "Name: value", got a line without a header name before \':\'');
    expect(err(() => resolvePrometheusConnection({ prometheusHeader: ['Bad Name: s3cret'] }, {}))).not.toContain('s3cret');
    expect(err(() => resolvePrometheusConnection({}, { QUEUE_DOCTOR_PROMETHEUS_HEADERS: 'Authorization Bearer s3cret' }))).not.toContain('s3cret');
    expect(err(() => resolvePrometheusConnection({ prometheusUrl: 'ftp://user:pw@x' }, {}))).toBe('--prometheus-url: ftp://x must start with http:// or https://');
    expect(err(() => resolvePrometheusConnection({ prometheusUrl: 'not a url' }, {}))).toMatch(/is not a URL/);
    expect(err(() => resolvePrometheusConnection({ prometheusUrl: 'http://x/?tenant=a' }, {}))).toMatch(/must not carry a query string/);
    // a token pasted where the header name goes is not echoed either
    expect(err(() => resolvePrometheusConnection({ prometheusHeader: ['s3cret x: y'] }, {}))).toBe(
      '--prometheus-header: the header name before \':\' is not a valid HTTP header name (it contains whitespace); expected "Name: value"',
    );
    expect(err(() => resolvePrometheusConnection({}, {}, { headers: { 'X-Tenant': 'a\r\nX-Injected: s3cret' } }))).toBe('.queue-doctor.yaml prometheus.headers: header X-Tenant has a control character in its value');
    expect(err(() => resolvePrometheusConnection({ prometheusHeader: ['X-Tenant: a\u0001b'] }, {}))).toMatch(/control character/);
    expect(resolvePrometheusConnection({ prometheusHeader: ['X-Tenant: a\tb'] }, {}).headers).toEqual({ 'X-Tenant': 'a\tb' });
  });

  it('URLs in messages: no userinfo, no query-parameter values, no fragment', () => {
    expect(redactUrl('http://u:p@127.0.0.1:9/?token=SECRET')).toBe('http://127.0.0.1:9?token=<redacted>');
    expect(redactUrl('https://h/prom?a=1&SECRET&b=&c=x=y#access_token=SECRET')).toBe('https://h/prom?a=<redacted>&<redacted>&b=<redacted>&c=<redacted>#<redacted>');
    expect(redactUrl('http://h:9090/prometheus')).toBe('http://h:9090/prometheus');
    // not parseable as a URL: still no userinfo (even with '/' in the password), nothing after ? or #
    expect(redactUrl('http://user:SECRET@[::1')).toBe('http://[::1');
    expect(redactUrl('http://user:SE/CRET@[::1?token=SECRET')).toBe('http://[::1?<redacted>');
    expect(redactUrl('not a url#SECRET')).toBe('not a url#<redacted>');
    fc.assert(
      fc.property(fc.string({ minLength: 6, maxLength: 20 }).filter((x) => /^[A-Za-z0-9]+$/.test(x)), fc.constantFrom('http://u:%s@h:1/?t=%s', 'http://u:%s@[::1?k=%s', 'https://h/?a=b&c=%s#%s', 'http://%s@h/x?y=%s'), (secret, shape) => {
        expect(redactUrl(shape.replaceAll('%s', secret))).not.toContain(secret);
      }),
    );
  });

  it('recognises URLs that go through the API server proxy (auto-discovery, kubectl proxy): GET only', () => {
    expect(isApiServerProxyPath('/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy/api/v1')).toBe(true);
    expect(isApiServerProxyPath('/api/v1/namespaces/monitoring/services/http:prometheus:web/proxy')).toBe(true);
    expect(isApiServerProxyPath('/prometheus/api/v1')).toBe(false);
    expect(loadConnection({ url: 'http://127.0.0.1:8001/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy' }).viaApiServerProxy).toBe(true);
    expect(loadConnection({ url: 'http://prometheus.monitoring:9090' }).viaApiServerProxy).toBeUndefined();
  });

  it('path prefixes: /prometheus, Mimir /prometheus/api/v1, VictoriaMetrics /select/0/prometheus', () => {
    expect(parsePrometheusUrl('http://prom:9090')).toEqual({ origin: 'http://prom:9090', apiPath: '/api/v1', displayUrl: 'http://prom:9090', https: false });
    expect(parsePrometheusUrl('https://mimir.example.com/prometheus/')).toMatchObject({ apiPath: '/prometheus/api/v1', displayUrl: 'https://mimir.example.com/prometheus' });
    expect(parsePrometheusUrl('https://mimir.example.com/prometheus/api/v1')).toMatchObject({ apiPath: '/prometheus/api/v1', displayUrl: 'https://mimir.example.com/prometheus' });
    expect(parsePrometheusUrl('http://vmselect:8481/select/0/prometheus').apiPath).toBe('/select/0/prometheus/api/v1');
    const withCreds = parsePrometheusUrl('https://u%40x:p%3Ass@h/');
    expect(withCreds.auth).toEqual({ username: 'u@x', password: 'p:ss' });
    expect(withCreds.displayUrl).toBe('https://h');
    expect(redactUrl('https://user:pw@h:1/p')).toBe('https://h:1/p');
  });

  it('reads the bearer token file (an explicit Authorization header wins) and names missing files', () => {
    const token = join(REPO_ROOT, 'package.json'); // any readable file
    const c = loadConnection({ url: 'http://p', bearerTokenFile: token });
    expect(c.headers.Authorization).toMatch(/^Bearer \{/);
    expect(loadConnection({ url: 'http://p', bearerTokenFile: token, headers: { authorization: 'Basic x' } }).headers).toEqual({ authorization: 'Basic x' });
    expect(() => loadConnection({ url: 'http://p', bearerTokenFile: '/nope/token' })).toThrow('--prometheus-bearer-token-file /nope/token: no such file');
    expect(() => loadConnection({ url: 'http://p', caFile: '/nope/ca.pem' })).toThrow('--prometheus-ca-file /nope/ca.pem: no such file');
  });
});

describe('error normalisation (prometheus-query throws plain objects)', () => {
  it('http_error with Prometheus JSON: the annotation, the status, Prometheus errorType and message', () => {
    const e = normalisePrometheusError(
      { status: 'error', errorType: 'http_error', httpStatus: 400, error: 'x', prometheus: { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:16: parse error:\nunclosed left parenthesis' } },
      { ...ctx, origin: 'queue-doctor.io/backlog-query on rag/rag-worker' },
    );
    expect(e).toBeInstanceOf(PrometheusQueryError);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ kind: 'bad_query', errorType: 'bad_data', httpStatus: 400, retryable: false, fatal: false });
    expect(e.message).toBe('Prometheus http://prom:9090 rejected queue-doctor.io/backlog-query on rag/rag-worker (400 bad_data): invalid parameter "query": 1:16: parse error: unclosed left parenthesis — fix the annotation');
  });

  it('503 timeout and 422 execution', () => {
    const t = normalisePrometheusError({ errorType: 'http_error', httpStatus: 503, prometheus: { errorType: 'timeout', error: 'query timed out in expression evaluation' } }, ctx);
    expect(t).toMatchObject({ kind: 'timeout', retryable: true, fatal: false });
    const x = normalisePrometheusError({ errorType: 'http_error', httpStatus: 422, prometheus: { errorType: 'execution', error: 'found duplicate series for the match group' } }, ctx);
    expect(x.kind).toBe('bad_query');
    expect(x.message).toBe('Prometheus http://prom:9090 rejected query sum(x) (422 execution): found duplicate series for the match group');
    expect(normalisePrometheusError({ errorType: 'http_error', httpStatus: 502, error: 'Bad Gateway', prometheus: {} }, ctx)).toMatchObject({ kind: 'server', retryable: true });
  });

  it('network, timeout, TLS and non-JSON bodies', () => {
    expect(normalisePrometheusError({ errorType: 'network_error', error: 'connect ECONNREFUSED 127.0.0.1:1', code: 'ECONNREFUSED' }, ctx)).toMatchObject({ kind: 'unreachable', fatal: true, detail: 'ECONNREFUSED' });
    expect(normalisePrometheusError({ errorType: 'timeout_error', error: 'timeout of 300ms exceeded', code: 'ECONNABORTED' }, ctx)).toMatchObject({ kind: 'timeout', retryable: true, fatal: true });
    expect(normalisePrometheusError({ errorType: 'ssl_error', error: 'self-signed certificate', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, ctx).message).toMatch(/--prometheus-ca-file/);
    expect(normalisePrometheusError({ errorType: 'client_error', error: 'unexpected client error', data: 'Unauthorized\n' }, ctx)).toMatchObject({ kind: 'auth' });
    expect(normalisePrometheusError({ errorType: 'client_error', data: '404 page not found\n' }, ctx, { httpStatus: 404 })).toMatchObject({ kind: 'not_found', httpStatus: 404 });
    expect(normalisePrometheusError('Endpoint is required', ctx)).toMatchObject({ kind: 'protocol', detail: 'Endpoint is required' });
    expect(normalisePrometheusError(new Error('boom'), ctx).detail).toBe('boom');
  });

  it('a dropped connection is transient (retried); refused, DNS and TLS failures are terminal', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'EHOSTUNREACH', undefined]) {
      const e = normalisePrometheusError({ errorType: 'network_error', error: 'socket hang up', ...(code ? { code } : {}) }, ctx);
      expect(e, String(code)).toMatchObject({ kind: 'network', retryable: true, fatal: false });
      expect(e.message).toMatch(/^Prometheus http:\/\/prom:9090 dropped the connection on query sum\(x\)/);
    }
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'EPROTO']) {
      expect(normalisePrometheusError({ errorType: 'network_error', error: 'x', code }, ctx), code).toMatchObject({ kind: 'unreachable', retryable: false, fatal: true });
    }
    expect(normalisePrometheusError({ errorType: 'http_error', httpStatus: 401, error: 'Unauthorized', prometheus: {} }, ctx)).toMatchObject({ kind: 'auth', fatal: true });
    // refused for its length on the way (a proxy in front of the API server, or the API server)
    expect(normalisePrometheusError({ errorType: 'client_error', data: '' }, ctx, { httpStatus: 431 })).toMatchObject({ kind: 'too_long', retryable: false, fatal: false });
    expect(normalisePrometheusError({ errorType: 'client_error', data: '' }, ctx, { httpStatus: 414 }).message).toMatch(/is too long for a GET request through the API server's service proxy .* — pass --prometheus-url/);
  });

  it('the same failure on many queries is one warning line with a count', () => {
    const outage = ['queue discovery', 'CPU utilisation', 'replicas', 'HPA state', 'pod start-up'].map(
      (origin) => new PrometheusQueryError({ kind: 'server', context: { ...ctx, origin }, errorType: 'unavailable', httpStatus: 503, detail: 'injected 503' }),
    );
    const bad = new PrometheusQueryError({ kind: 'bad_query', context: { ...ctx, origin: 'queue-doctor.io/backlog-query on a/b' }, errorType: 'bad_data', httpStatus: 400, detail: 'parse error' });
    expect(summariseErrors([...outage, bad])).toEqual([
      'Prometheus http://prom:9090 failed on 5 queries (queue discovery, CPU utilisation, replicas, +2 more) (503 unavailable): injected 503',
      bad.message,
    ]);
    expect(summariseErrors([outage[0]])).toEqual([outage[0].message]);
    expect(summariseErrors([outage[0], outage[0]])).toEqual([outage[0].message]);
  });
});

/** A scripted transport: answers by query text, counts calls and concurrency. */
function fakeTransport(answer: (query: string, attempt: number) => RawResult | Error | PrometheusQueryError, opts: { offline?: boolean } = {}) {
  const calls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const attempts = new Map<string, number>();
  const t: QueryTransport & { calls: string[]; maxInFlight: () => number } = {
    url: 'http://fake:9090',
    ...(opts.offline ? { offline: true } : {}),
    calls,
    maxInFlight: () => maxInFlight,
    async query(req) {
      calls.push(req.query);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      const n = (attempts.get(req.query) ?? 0) + 1;
      attempts.set(req.query, n);
      const a = answer(req.query, n);
      if (a instanceof Error) throw a;
      return a;
    },
    close() {},
  };
  return t;
}

const planned = (n: number, perWorkload = false): PlannedQuery[] => Array.from({ length: n }, (_, i) => ({ request: { kind: 'instant', query: `q${i}`, time: 1 }, perWorkload }));
const ok: RawResult = { resultType: 'vector', result: [] };
const err = (kind: 'timeout' | 'unreachable' | 'bad_query', extra: Record<string, unknown> = {}) =>
  new PrometheusQueryError({ kind, context: ctx, detail: kind, ...(kind === 'timeout' ? { errorType: 'timeout', httpStatus: 503 } : {}), ...extra });

describe('the query runner', () => {
  it('bounds concurrency and keeps input order', async () => {
    const t = fakeTransport(() => ok);
    const runner = new QueryRunner(t, { concurrency: 3, timeoutSeconds: 1, retries: 0, backoffMs: 0 });
    const progress: Array<[number, number]> = [];
    const r2 = new QueryRunner(t, { concurrency: 3, timeoutSeconds: 1, retries: 0, backoffMs: 0, onProgress: (d, total) => progress.push([d, total]) });
    r2.expect(5);
    await r2.runAll(planned(5));
    expect(progress.at(-1)).toEqual([5, 5]);
    const out = await runner.runAll(planned(20, true));
    expect(out).toHaveLength(20);
    expect(t.maxInFlight()).toBe(3);
    expect(runner.perWorkload).toBe(20);
    expect(runner.batched).toBe(0);
  });

  it('retries 503 timeouts with exponential back-off, then succeeds', async () => {
    const sleeps: number[] = [];
    const t = fakeTransport((_q, attempt) => (attempt < 3 ? err('timeout') : ok));
    const runner = new QueryRunner(t, { concurrency: 1, timeoutSeconds: 1, retries: 2, backoffMs: 100, sleep: async (ms) => void sleeps.push(ms) });
    const [o] = await runner.runAll(planned(1));
    expect(isFailure(o)).toBe(false);
    expect(sleeps).toEqual([100, 200]);
    expect(runner.sent).toBe(3);
    expect(runner.retries).toBe(2);
  });

  it('does not retry a bad query, nor anything when replaying offline', async () => {
    const t = fakeTransport(() => err('bad_query'));
    const runner = new QueryRunner(t, { concurrency: 1, timeoutSeconds: 1, retries: 3, backoffMs: 1 });
    await runner.runAll(planned(2));
    expect(runner.sent).toBe(2);
    const off = fakeTransport(() => err('timeout'), { offline: true });
    const r2 = new QueryRunner(off, { concurrency: 1, timeoutSeconds: 1, retries: 3, backoffMs: 1 });
    await r2.runAll(planned(1));
    expect(r2.sent).toBe(1);
  });

  it('stops sending after a fatal failure (circuit breaker)', async () => {
    const t = fakeTransport(() => err('unreachable'));
    const runner = new QueryRunner(t, { concurrency: 1, timeoutSeconds: 1, retries: 2, backoffMs: 1 });
    const out = await runner.runAll(planned(10));
    expect(t.calls).toHaveLength(1);
    expect(out.every((o) => isFailure(o) && o.kind === 'unreachable')).toBe(true);
    expect(runner.skipped).toBe(9);
    expect(runner.errors).toHaveLength(1);
    expect(runner.fatal?.kind).toBe('unreachable');
  });

  it('enforces the budget, retries included', async () => {
    const t = fakeTransport((q, attempt) => (q === 'q0' && attempt === 1 ? err('timeout') : ok));
    const runner = new QueryRunner(t, { concurrency: 1, maxQueries: 4, timeoutSeconds: 1, retries: 2, backoffMs: 0 });
    const out = await runner.runAll(planned(6));
    expect(runner.sent).toBe(4);
    expect(out.filter((o) => isFailure(o) && o.kind === 'budget')).toHaveLength(3);
    expect(runner.skipped).toBe(3);
  });

  const network = () => new PrometheusQueryError({ kind: 'network', context: ctx, errorType: 'network_error', detail: 'ECONNRESET' });

  it('retries a dropped connection like any transient failure, and stops everything when retries do not help', async () => {
    const once = fakeTransport((_q, attempt) => (attempt === 1 ? network() : ok));
    const r1 = new QueryRunner(once, { concurrency: 1, timeoutSeconds: 1, retries: 2, backoffMs: 0 });
    const out = await r1.runAll(planned(3));
    expect(out.every((o) => !isFailure(o))).toBe(true);
    expect(r1.retries).toBe(3);
    expect(r1.fatal).toBeUndefined();

    const always = fakeTransport(() => network());
    const r2 = new QueryRunner(always, { concurrency: 1, timeoutSeconds: 1, retries: 2, backoffMs: 0 });
    const out2 = await r2.runAll(planned(5));
    expect(always.calls).toEqual(['q0', 'q0', 'q0']); // bounded: one query's retries, then the breaker
    expect(out2.every((o) => isFailure(o) && o.kind === 'network')).toBe(true);
    expect(r2.skipped).toBe(4);
  });

  it('honours the deadline: no request, retry or back-off past it, and the wait is cut to what is left', async () => {
    let now = 1_000_000;
    const timeouts: number[] = [];
    const deadlines: Array<number | undefined> = [];
    const sleeps: number[] = [];
    const t: QueryTransport = {
      url: 'http://fake:9090',
      async query(_req, timeoutSeconds, _origin, deadline) {
        timeouts.push(timeoutSeconds);
        deadlines.push(deadline);
        now += 3_000; // each attempt takes 3 s and times out (503)
        throw err('timeout');
      },
      close() {},
    };
    const runner = new QueryRunner(t, { concurrency: 1, timeoutSeconds: 30, retries: 5, backoffMs: 500, deadline: now + 4_000, now: () => now, sleep: async (ms) => void (sleeps.push(ms), (now += ms)) });
    const out = await runner.runAll(planned(4));
    // attempt 1 gets the 4 s left, waits 0.5 s, attempt 2 gets the 0.5 s left; no time for more
    expect(timeouts).toEqual([4, 0.5]);
    expect(deadlines).toEqual([1_004_000, 1_004_000]);
    expect(sleeps).toEqual([500]);
    expect(runner.sent).toBe(2);
    expect(runner.fatal?.kind).toBe('timeout');
    expect(out.slice(1).every((o) => o === runner.fatal)).toBe(true);
    expect(runner.skipped).toBe(3);

    // a deadline already past: nothing is sent, one clear error
    const late = new QueryRunner(fakeTransport(() => ok), { concurrency: 2, timeoutSeconds: 30, retries: 2, backoffMs: 0, deadline: 5, now: () => 10 });
    const lateOut = await late.runAll(planned(3));
    expect(late.sent).toBe(0);
    expect(late.errors.map((e) => e.message)).toEqual(['Prometheus http://fake:9090 timed out on query q0 (deadline): the scan deadline (--timeout) passed before it was sent — raise --timeout or shorten --window']);
    expect(lateOut.every(isFailure)).toBe(true);
  });

  it('a request too long for a GET URL goes as its shorter fallback; without one it fails alone', async () => {
    const sent: string[] = [];
    const t: QueryTransport = {
      url: 'http://fake:9090',
      tooLong: (req: QueryRequest) => (req.query.length > 10 ? new PrometheusQueryError({ kind: 'too_long', context: { url: 'http://fake:9090', query: req.query }, detail: 'long' }) : undefined),
      async query(req) {
        sent.push(req.query);
        return ok;
      },
      close() {},
    };
    const runner = new QueryRunner(t, { concurrency: 1, timeoutSeconds: 1, retries: 0, backoffMs: 0 });
    const out = await runner.runAll([
      { request: { kind: 'instant', query: 'sum(x{namespace=~"a|b|c"})', time: 1 }, fallback: { kind: 'instant', query: 'sum(x)', time: 1 }, perWorkload: false },
      { request: { kind: 'instant', query: 'my own long annotation query', time: 1 }, perWorkload: true },
      { request: { kind: 'instant', query: 'q', time: 1 }, perWorkload: false },
    ]);
    expect(sent).toEqual(['sum(x)', 'q']);
    expect(runner.fallbacks).toBe(1);
    expect(isFailure(out[1]) && out[1].kind).toBe('too_long');
    expect(runner.fatal).toBeUndefined();

    // refused on the way (431): the fallback, once
    let refusals = 0;
    const t2: QueryTransport = {
      url: 'http://fake:9090',
      async query(req) {
        sent.push(req.query);
        if (req.query.includes('namespace')) {
          refusals++;
          throw normalisePrometheusError({ errorType: 'client_error', data: '' }, { url: 'http://fake:9090', query: req.query }, { httpStatus: 431 });
        }
        return ok;
      },
      close() {},
    };
    const r2 = new QueryRunner(t2, { concurrency: 1, timeoutSeconds: 1, retries: 2, backoffMs: 0 });
    const [o] = await r2.runAll([{ request: { kind: 'instant', query: 'sum(x{namespace=~"a|b"})', time: 1 }, fallback: { kind: 'instant', query: 'sum(x)', time: 1 }, perWorkload: false }]);
    expect(isFailure(o)).toBe(false);
    expect(refusals).toBe(1);
    expect(r2.sent).toBe(2);
  });

  it('GET URL length: what the client sends, under the 1 MiB that Go servers allow', () => {
    const req: QueryRequest = { kind: 'range', query: 'sum(rate(x{a="b c"}[5m]))', start: 1, end: 2, step: 30 };
    const base = 'https://10.0.0.1:6443/api/v1/namespaces/m/services/p:9090/proxy/api/v1';
    const params = new URLSearchParams({ query: req.query, start: '1', end: '2', step: '30', timeout: '30000ms' });
    expect(getUrlLength(base, req, 30)).toBe(`${base}/query_range?${params}`.length);
    expect(MAX_GET_URL_BYTES).toBeLessThan(1024 * 1024);
  });
});

describe('recordings', () => {
  it('record then replay: the same answers and failures, offline; unknown requests fail as replay', async () => {
    const live = fakeTransport((q) => (q === 'q1' ? err('bad_query', { httpStatus: 400, errorType: 'bad_data' }) : { resultType: 'vector', result: [{ metric: { a: '1' }, value: [1, '+Inf'] }] }));
    const rec = createRecorder();
    const wrapped = rec.wrap(live);
    await wrapped.query({ kind: 'instant', query: 'q0', time: 5 }, 1);
    await expect(wrapped.query({ kind: 'instant', query: 'q1', time: 5 }, 1, 'queue-doctor.io/backlog-query on a/b')).rejects.toBeInstanceOf(PrometheusQueryError);
    const json = JSON.parse(JSON.stringify(rec.toJSON()));
    expect(json).toMatchObject({ format: 'queue-doctor/prometheus-recording', version: 1, url: 'http://fake:9090' });
    const replay = replayFrom(json);
    expect(replay.offline).toBe(true);
    expect(await replay.query({ kind: 'instant', query: 'q0', time: 5 }, 1)).toEqual({ resultType: 'vector', result: [{ metric: { a: '1' }, value: [1, '+Inf'] }] });
    await expect(replay.query({ kind: 'instant', query: 'q1', time: 5 }, 1, 'queue-doctor.io/backlog-query on a/b')).rejects.toMatchObject({ kind: 'bad_query', httpStatus: 400, origin: 'queue-doctor.io/backlog-query on a/b' });
    await expect(replay.query({ kind: 'instant', query: 'q0', time: 6 }, 1)).rejects.toMatchObject({ kind: 'replay' });
    expect(() => replayFrom({ nope: 1 })).toThrow(/not a queue-doctor Prometheus recording/);
  });
});

describe('grid and decoding', () => {
  it('chooses a nice step that keeps series at or under 721 points (and never over 11,000)', () => {
    expect(makeGrid(1767225600, 6 * 3600)).toMatchObject({ step: 30, end: 1767225600, start: 1767225600 - 21600 });
    expect(makeGrid(1767225600, 6 * 3600).t).toHaveLength(721);
    expect(makeGrid(1767225600, 24 * 3600).step).toBe(120);
    expect(makeGrid(1767225600, 3600).step).toBe(15);
    expect(makeGrid(1767225607, 3600).end).toBe(1767225600);
    const year = makeGrid(1767225600, 365 * 86400, { maxPoints: 50_000 });
    expect(year.t.length).toBeLessThanOrEqual(11_000);
    expect(() => makeGrid(0, 0)).toThrow(/window must be positive/);
  });

  it('parses +Inf, -Inf and NaN, and places samples on the grid', () => {
    expect([parseSampleValue('+Inf'), parseSampleValue('-Inf'), parseSampleValue('NaN'), parseSampleValue('1.5e3')]).toEqual([Infinity, -Infinity, NaN, 1500]);
    const g = makeGrid(1000 * 30, 120, { minStep: 30 });
    const m = decodeMatrix({ resultType: 'matrix', result: [{ metric: { q: 'a' }, values: [[g.start, '1'], [g.start + 60, '+Inf'], [g.end, 'NaN']] }] }, g);
    expect(m[0].labels).toEqual({ q: 'a' });
    expect(m[0].series.v).toEqual([1, NaN, Infinity, NaN, NaN]);
    expect(m[0].series.t).toBe(g.t);
    expect(decodeVector({ resultType: 'scalar', result: [5, '2'] })).toEqual([{ labels: {}, value: 2, time: 5 }]);
    expect(decodeVector({ resultType: 'matrix', result: [] })).toEqual([]);
  });
});

describe('the fast range-answer reader', () => {
  const g = makeGrid(1767225600, 3600, { minStep: 60 });
  const gridOf = { start: g.start, step: g.step, n: g.t.length };
  const sampleValue = fc.oneof(fc.constantFrom('NaN', '+Inf', '-Inf', '0', '1e-7', '-3.5'), fc.double({ noNaN: true, noDefaultInfinity: true }).map(String));
  const seriesArb = fc.record({
    metric: fc.dictionary(fc.constantFrom('__name__', 'queue', 'namespace', 'pod'), fc.string({ unit: 'binary', maxLength: 10 })),
    values: fc.uniqueArray(fc.integer({ min: 0, max: g.t.length - 1 }), { maxLength: 20 }).chain((idx) =>
      fc.tuple(...[...idx].sort((a, b) => a - b).map((i) => fc.tuple(fc.constant(g.start + i * g.step), sampleValue))),
    ),
  });

  it('reads exactly what JSON.parse would, for any series, labels and values', () => {
    fc.assert(
      fc.property(fc.array(seriesArb, { maxLength: 6 }), fc.boolean(), (series, pretty) => {
        const body = { status: 'success', data: { resultType: 'matrix', result: series.map((x) => ({ metric: x.metric, values: x.values })) } };
        const text = pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body);
        const fast = parseMatrixBody(Buffer.from(text), gridOf);
        expect(fast).toBeDefined();
        const slow = decodeMatrix(JSON.parse(text).data, g);
        expect(decodeMatrix(fast!, g)).toEqual(slow);
        // and through a recording (JSON) unchanged
        expect(decodeMatrix(JSON.parse(JSON.stringify(compactToJson(fast!))), g)).toEqual(slow);
      }),
      { numRuns: 300 },
    );
  });

  it('tolerates key order and extra keys; gives up (undefined) on anything else', () => {
    const t = g.start;
    const ok = `{"status":"success","warnings":["w"],"data":{"resultType":"matrix","result":[{"values":[[${t},"1"]],"histograms":[[${t},{"count":"1"}]],"metric":{"q":"a"}}]}}`;
    expect(decodeMatrix(parseMatrixBody(Buffer.from(ok), gridOf)!, g)[0]).toMatchObject({ labels: { q: 'a' } });
    expect(parseMatrixBody(Buffer.from(`{"status":"success","data":{"resultType":"matrix","result":[]}}`), gridOf)!.result).toEqual([]);
    expect(parseMatrixBody(Buffer.from(`{"status":"success","data":{"resultType":"vector","result":[]}}`), gridOf)).toBeUndefined();
    expect(parseMatrixBody(Buffer.from(`{"status":"error","errorType":"bad_data","error":"x"}`), gridOf)).toBeUndefined();
    expect(parseMatrixBody(Buffer.from(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[${t},1]]}]}}`), gridOf)).toBeUndefined();
  });
});

describe('auto-discovery of a Prometheus-compatible Service', () => {
  it('the llm-platform cluster: kube-prometheus-stack (its service and prometheus-operated are one server)', () => {
    const c = recognisePrometheusServices('kind-llm', servicesFromCluster('llm-platform'));
    expect(c.map((x) => `${x.namespace}/${x.name}:${x.flavor}`).sort()).toEqual(['monitoring/kube-prometheus-stack-prometheus:kube-prometheus-stack', 'monitoring/prometheus-operated:prometheus-operated']);
    const pick = pickPrometheus(c);
    expect(pick.picked).toMatchObject({ name: 'kube-prometheus-stack-prometheus', port: { name: 'http-web', port: 9090 } });
    expect(pick.reason).toBe('kind-llm/monitoring/kube-prometheus-stack-prometheus:http-web: the only Prometheus found (label app=kube-prometheus-stack-prometheus)');
    expect(inClusterAddressOf(pick.picked!)).toBe('http://kube-prometheus-stack-prometheus.monitoring.svc:9090');
  });

  it('a query layer wins; two servers are ambiguous; none is said plainly', () => {
    const svc = (namespace: string, name: string, labels: Record<string, string>, ports: Array<{ name?: string; port: number }>) => ({ namespace, name, labels, ports });
    const thanos = svc('obs', 'thanos-query', { 'app.kubernetes.io/name': 'thanos', 'app.kubernetes.io/component': 'query' }, [{ name: 'http', port: 10902 }, { name: 'grpc', port: 10901 }]);
    const p1 = svc('team-a', 'prometheus-server', { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/component': 'server' }, [{ name: 'http', port: 80 }]);
    const p2 = svc('team-b', 'prometheus-operated', {}, [{ name: 'web', port: 9090 }]);
    const mimir = svc('mimir', 'mimir-query-frontend', { 'app.kubernetes.io/name': 'mimir', 'app.kubernetes.io/component': 'query-frontend' }, [{ name: 'http-metrics', port: 8080 }]);
    const vm = svc('vm', 'vmselect-main', {}, [{ name: 'http', port: 8481 }]);
    expect(pickPrometheus(recognisePrometheusServices('', [thanos, p1, p2])).picked?.flavor).toBe('thanos-query');
    const amb = pickPrometheus(recognisePrometheusServices('', [p1, p2]));
    expect(amb.picked).toBeUndefined();
    expect(amb.ambiguous?.map((x) => x.name)).toEqual(['prometheus-server', 'prometheus-operated']);
    expect(pickPrometheus(recognisePrometheusServices('', [thanos, mimir])).ambiguous).toHaveLength(2);
    const m = pickPrometheus(recognisePrometheusServices('', [mimir])).picked!;
    expect(inClusterAddressOf(m)).toBe('http://mimir-query-frontend.mimir.svc:8080/prometheus');
    expect(inClusterAddressOf(pickPrometheus(recognisePrometheusServices('', [vm])).picked!)).toBe('http://vmselect-main.vm.svc:8481/select/0/prometheus');
    expect(pickPrometheus([]).reason).toMatch(/^no Prometheus-compatible Service found/);
    expect(inClusterAddressOfUrl('http://prometheus-operated.monitoring.svc:9090')).toBe('http://prometheus-operated.monitoring.svc:9090');
    expect(inClusterAddressOfUrl('https://prom.example.com')).toBeUndefined();
  });

  it('reaches the pick through the API server proxy with the kube credentials, and says why', async () => {
    const access = {
      context: 'kind-llm',
      listServices: async () => servicesFromCluster('llm-platform'),
      serviceProxyUrl: (ns: string, name: string, port: number | string) => `https://10.0.0.1:6443/api/v1/namespaces/${ns}/services/${name}:${port}/proxy`,
      requestOptions: async () => ({ headers: { Authorization: 'Bearer kube-token' }, ca: 'CA' }),
    };
    const d = await discoverPrometheus([access], { 'X-Scope-OrgID': 't', Authorization: 'Bearer user-token' });
    expect(d.connection!.endpoint).toMatchObject({ origin: 'https://10.0.0.1:6443', apiPath: '/api/v1/namespaces/monitoring/services/kube-prometheus-stack-prometheus:http-web/proxy/api/v1' });
    expect(d.connection!.headers).toEqual({ 'X-Scope-OrgID': 't', Authorization: 'Bearer kube-token' });
    expect(d.message).toBe("Prometheus auto-discovery picked kind-llm/monitoring/kube-prometheus-stack-prometheus:http-web: the only Prometheus found (label app=kube-prometheus-stack-prometheus), reached through the API server's service proxy");
    // none found: a warning and an incomplete, inventory-only result, with no request sent
    const none = { ...access, listServices: async () => [] };
    const inv = buildInventory([], {});
    const r = await collectSignals(inv, { prometheus: {}, at: 1767225600, windowSeconds: 3600, targetWaitSeconds: 30, serviceAccess: [none] });
    expect(r.incomplete).toBe(true);
    expect(r.queryCount).toBe(0);
    expect(r.warnings[0]).toMatch(/^Prometheus auto-discovery: no Prometheus-compatible Service found .* — pass --prometheus-url$/);
    const noUrl = await collectSignals(inv, { prometheus: {}, at: 1767225600, windowSeconds: 3600, targetWaitSeconds: 30 });
    expect(noUrl.warnings).toEqual(['no Prometheus: pass --prometheus-url (or set QUEUE_DOCTOR_PROMETHEUS_URL); only inventory rules ran']);
  });

  it('the services fixture is the one the cluster stand-in serves', () => {
    expect(JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures/clusters/llm-platform/api/v1/services.json'), 'utf8')).kind).toBe('ServiceList');
  });
});
