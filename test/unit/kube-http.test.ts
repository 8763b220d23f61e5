// The raw GET client against a plain local HTTP server (the `kubectl proxy` case): retries,
// Retry-After, backoff bounds, the deadline, bounded concurrency, error classification.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeApiError, KubeClient, Limiter, networkError, type KubeHttpOptions } from '../../src/inventory/kube-http.js';
import { resolveKubeTargets, type KubeTarget } from '../../src/inventory/kube-config.js';
import { seededRandom } from '../helpers/cluster-read.js';

let server: http.Server;
let target: KubeTarget;
let dir: string;
let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = () => {};
const seen: Array<{ method: string; url: string; auth?: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  dir = mkdtempSync(join(tmpdir(), 'qd-kube-http-'));
  const kc = join(dir, 'kc');
  const port = (server.address() as AddressInfo).port;
  writeFileSync(kc, `apiVersion: v1\nkind: Config\nclusters:\n- name: proxy\n  cluster:\n    server: http://127.0.0.1:${port}/prefix\nusers:\n- name: me\n  user:\n    token: tok-123\ncontexts:\n- name: proxy\n  context: {cluster: proxy, user: me}\ncurrent-context: proxy\n`);
  [target] = await resolveKubeTargets({ kubeconfig: kc, env: {} });
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const client = (o: Partial<KubeHttpOptions> = {}) =>
  new KubeClient(target, { requestTimeoutMs: 2000, deadline: performance.now() + 10_000, limiter: new Limiter(4), random: seededRandom(7), backoffBaseMs: 100, sleep: async () => {}, ...o });

const json = (res: http.ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('KubeClient', () => {
  test('GET with the path prefix, the credentials and a query; http:// servers work', async () => {
    seen.length = 0;
    handler = (_req, res) => json(res, 200, { ok: true });
    const c = client();
    expect(await c.getJson('/apis', { limit: 5, continue: undefined, labelSelector: 'a=b' })).toEqual({ ok: true });
    c.close();
    expect(seen).toEqual([{ method: 'GET', url: '/prefix/apis?limit=5&labelSelector=a%3Db', auth: 'Bearer tok-123' }]);
  });

  test('Retry-After is honoured (seconds and HTTP dates); plain 5xx back off exponentially with jitter', async () => {
    const waits: number[] = [];
    let n = 0;
    handler = (_req, res) => {
      n++;
      if (n === 1) return json(res, 429, { kind: 'Status', code: 429 }, { 'Retry-After': '3' });
      if (n === 2) return json(res, 503, { kind: 'Status', code: 503 }, { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() });
      if (n === 3) return json(res, 500, { kind: 'Status', code: 500 });
      return json(res, 200, { items: [] });
    };
    const c = client({ sleep: async (ms) => void waits.push(ms), maxRetries: 5, deadline: performance.now() + 600_000 });
    expect(await c.getJson('/x')).toEqual({ items: [] });
    c.close();
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeGreaterThanOrEqual(3000);
    expect(waits[0]).toBeLessThan(3100);
    expect(waits[1]).toBeGreaterThan(55_000); // about a minute, as the date said (capped at 60 s)
    expect(waits[1]).toBeLessThanOrEqual(60_000);
    // third attempt: base 100 ms * 2^2 = 400 ms, equal jitter -> [200, 400]
    expect(waits[2]).toBeGreaterThanOrEqual(200);
    expect(waits[2]).toBeLessThanOrEqual(400);
  });

  test('a wait that would pass the deadline ends the request with a deadline error', async () => {
    handler = (_req, res) => json(res, 429, { kind: 'Status', code: 429 }, { 'Retry-After': '30' });
    const c = client({ deadline: performance.now() + 5000 });
    const e = await c.getJson('/apis/apps/v1/deployments').catch((x) => x);
    c.close();
    expect(e).toBeInstanceOf(KubeApiError);
    expect(e.kind).toBe('deadline');
    expect(e.message).toBe('the --timeout deadline passed before GET /apis/apps/v1/deployments on context "proxy" finished (last answer: 429); raise --timeout or narrow the scan with -n');
  });

  test('4xx other than 401/429 are not retried; the Status message is kept (redacted)', async () => {
    let n = 0;
    handler = (_req, res) => {
      n++;
      json(res, 404, { kind: 'Status', code: 404, reason: 'NotFound', message: 'x "y" not found at amqp://u:p@h' });
    };
    const c = client();
    const e = (await c.getJson('/api/v1/namespaces/y').catch((x) => x)) as KubeApiError;
    c.close();
    expect(n).toBe(1);
    expect(e.status).toBe(404);
    expect(e.details.serverMessage).toBe('x "y" not found at amqp://<redacted>@h');
  });

  test('bounded concurrency', async () => {
    let active = 0;
    let peak = 0;
    handler = (_req, res) => {
      active++;
      peak = Math.max(peak, active);
      setTimeout(() => {
        active--;
        json(res, 200, {});
      }, 15);
    };
    const c = client({ limiter: new Limiter(3) });
    await Promise.all(Array.from({ length: 12 }, (_, i) => c.getJson(`/r${i}`)));
    c.close();
    expect(peak).toBe(3);
  });

  test('pagination follows continue and restarts once on 410', async () => {
    let calls = 0;
    handler = (req, res) => {
      calls++;
      const q = new URL(req.url ?? '', 'http://x').searchParams;
      if (calls === 3) return json(res, 410, { kind: 'Status', code: 410, reason: 'Expired' });
      const page = Number(q.get('continue') ?? 0);
      json(res, 200, { kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: { resourceVersion: '9', ...(page < 2 ? { continue: String(page + 1) } : {}) }, items: [{ page }] });
    };
    const got: number[] = [];
    let restarts = 0;
    const c = client();
    const r = await c.list('/apis/apps/v1/deployments', {}, 1, (items) => got.push(...items.map((i) => i.page)), () => {
      restarts++;
      got.length = 0;
    });
    c.close();
    expect(r).toEqual({ pages: 5, restarts: 1, resourceVersion: '9' });
    expect(restarts).toBe(1);
    expect(got).toEqual([0, 1, 2]);
  });
});

describe('networkError classification', () => {
  const e = (code: string, message = code) => networkError('prod', 'https://k8s:6443', '/apis', Object.assign(new Error(message), { code }));
  test.each([
    ['ECONNREFUSED', /^cannot reach the API server https:\/\/k8s:6443 of context "prod" \(GET \/apis\): connection refused; /],
    ['ENOTFOUND', /does not resolve; check the server address in the kubeconfig and your VPN\/DNS$/],
    ['ECONNRESET', /^lost the connection to the API server .*: the connection was reset/],
    ['CERT_HAS_EXPIRED', /^TLS verification of the API server https:\/\/k8s:6443 of context "prod" failed: its certificate has expired \(CERT_HAS_EXPIRED\); renew/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', /issued for another host name .*tls-server-name/],
  ])('%s', (code, re) => {
    const err = e(code);
    expect(err.message).toMatch(re);
    expect(err.message.split('\n')).toHaveLength(1);
  });
});
