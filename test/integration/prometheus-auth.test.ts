// Connection settings against real servers: TLS with a CA file, basic auth (web.config.file),
// --insecure-skip-tls-verify, a bearer token + tenant header in front of a Mimir-style
// /prometheus/api/v1 prefix, and Prometheus's own --web.route-prefix. Secrets never appear in
// warnings or errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfill, inventoryFromCluster, startPrometheus, TEST_PASSWORD, TEST_PASSWORD_BCRYPT, TEST_USER, type Backfilled, type PrometheusServer } from '../helpers/prometheus.js';
import { EXPECTED, FIXTURE_END, FIXTURE_WINDOW } from '../helpers/series-gen.js';
import { collectSignals, resolvePrometheusConnection, type CollectSignalsOptions } from '../../src/metrics/index.js';
import type { PrometheusConnectionOptions } from '../../src/metrics/connection.js';
import type { Inventory } from '../../src/inventory/model.js';
import type { SignalsResult } from '../../src/metrics/signals-model.js';
import { lastValue } from '../../src/metrics/stats.js';

let tmp: string;
let caFile: string;
let tlsData: Backfilled;
let plainData: Backfilled;
let tls: PrometheusServer; // https + basic auth
let plain: PrometheusServer; // http, --web.route-prefix=/prom
let proxy: Server; // Mimir-like: /prometheus/api/v1, bearer token + X-Scope-OrgID
let proxyUrl: string;
let inventory: Inventory;
const TOKEN = 'qd-bearer-token-0123456789';

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'qd-auth-'));
  caFile = join(tmp, 'cert.pem');
  const key = join(tmp, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', caFile, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  tlsData = backfill(['llm-platform']);
  const basic = 'Basic ' + Buffer.from(`${TEST_USER}:${TEST_PASSWORD}`).toString('base64');
  tls = await startPrometheus({
    dataDir: tlsData.data,
    https: true,
    ca: readFileSync(caFile, 'utf8'),
    readyHeaders: { Authorization: basic },
    webConfig: `tls_server_config:\n  cert_file: ${caFile}\n  key_file: ${key}\nbasic_auth_users:\n  ${TEST_USER}: ${TEST_PASSWORD_BCRYPT}\n`,
  });
  plainData = backfill(['llm-platform']);
  plain = await startPrometheus({ dataDir: plainData.data, routePrefix: '/prom' });
  proxy = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}` || req.headers['x-scope-orgid'] !== 'team-a') {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('no org id or bad token\n');
      return;
    }
    if (!req.url?.startsWith('/prometheus/api/v1/')) {
      res.writeHead(404).end('404 page not found\n');
      return;
    }
    const target = new URL(plain.url);
    const upstream = request({ host: target.hostname, port: target.port, path: '/prom' + req.url.slice('/prometheus'.length), method: req.method, headers: { 'content-type': req.headers['content-type'] ?? '' } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const addr = proxy.address() as { port: number };
  proxyUrl = `http://127.0.0.1:${addr.port}/prometheus/api/v1`;
  inventory = inventoryFromCluster('llm-platform');
});

afterAll(async () => {
  await tls?.stop();
  await plain?.stop();
  await new Promise((r) => proxy?.close(r));
  tlsData?.cleanup();
  plainData?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

const run = (prometheus: PrometheusConnectionOptions, extra: Partial<CollectSignalsOptions> = {}) =>
  collectSignals(inventory, { prometheus, at: FIXTURE_END, windowSeconds: FIXTURE_WINDOW, targetWaitSeconds: 30, retries: 0, ...extra });

function expectSeedRead(r: SignalsResult): void {
  expect(r.errors ?? []).toEqual([]);
  expect(r.incomplete).toBe(false);
  expect(lastValue(r.byWorkload.get(EXPECTED.seed.workloadId)!.backlog)).toBe(EXPECTED.seed.backlogEnd);
}

function expectNoSecrets(r: SignalsResult, ...secrets: string[]): void {
  const text = JSON.stringify({ warnings: r.warnings, errors: r.errors, prometheus: r.prometheus });
  for (const s of secrets) expect(text).not.toContain(s);
}

describe('TLS and basic auth (web.config.file)', () => {
  const httpsUrl = () => tls.url.replace('https://', `https://${TEST_USER}:${TEST_PASSWORD}@`);

  it('credentials in the URL and --prometheus-ca-file', async () => {
    const r = await run({ url: httpsUrl(), caFile });
    expectSeedRead(r);
    expect(r.prometheus?.url).toBe(tls.url);
    expectNoSecrets(r, TEST_PASSWORD);
  });

  it('an Authorization header from the environment, the CA from QUEUE_DOCTOR_PROMETHEUS_CA_FILE', async () => {
    const basic = 'Basic ' + Buffer.from(`${TEST_USER}:${TEST_PASSWORD}`).toString('base64');
    const conn = resolvePrometheusConnection({}, { QUEUE_DOCTOR_PROMETHEUS_URL: tls.url, QUEUE_DOCTOR_PROMETHEUS_HEADERS: `Authorization: ${basic}`, QUEUE_DOCTOR_PROMETHEUS_CA_FILE: caFile });
    const r = await run(conn);
    expectSeedRead(r);
  });

  it('no credentials: one auth error that names the fix, not the secret', async () => {
    const r = await run({ url: tls.url, caFile });
    expect(r.incomplete).toBe(true);
    expect(r.queryCount).toBe(1); // refused credentials stop the scan
    expect(r.errors![0]).toMatchObject({ kind: 'auth', httpStatus: 401 });
    expect(r.warnings[0]).toBe(`Prometheus ${tls.url} refused the credentials (401 client_error): Unauthorized — check --prometheus-header / --prometheus-bearer-token-file`);
  });

  it('a wrong password is refused and never printed', async () => {
    const r = await run({ url: tls.url.replace('https://', `https://${TEST_USER}:not-the-password-xyz@`), caFile });
    expect(r.errors![0].kind).toBe('auth');
    expectNoSecrets(r, 'not-the-password-xyz');
  });

  it('an unknown CA fails with a hint; --insecure-skip-tls-verify works and warns on every run', async () => {
    const bad = await run({ url: httpsUrl() });
    expect(bad.errors![0].kind).toBe('unreachable');
    expect(bad.warnings[0]).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/);
    expect(bad.warnings[0]).toMatch(/use --prometheus-ca-file with the server's CA, or --insecure-skip-tls-verify/);
    for (let i = 0; i < 2; i++) {
      const r = await run({ url: httpsUrl(), insecureSkipTlsVerify: true });
      expect(r.incomplete).toBe(false);
      expect(r.warnings).toEqual([`TLS certificates of ${tls.url} are not verified (--insecure-skip-tls-verify)`]);
    }
  });
});

describe('path prefixes', () => {
  it('Prometheus behind --web.route-prefix=/prom, with or without /api/v1 in the URL', async () => {
    expectSeedRead(await run({ url: plain.url }));
    expectSeedRead(await run({ url: `${plain.url}/api/v1/` }));
  });

  it('a missing prefix is a not-found error that points at the URL', async () => {
    const root = plain.url.replace(/\/prom$/, '');
    const r = await run({ url: root });
    expect(r.errors![0]).toMatchObject({ kind: 'not_found' });
    expect(r.warnings[0]).toBe(`Prometheus API not found at ${root}/api/v1 (404 client_error): 404 page not found — check the path prefix in --prometheus-url`);
  });

  it("Mimir-style /prometheus/api/v1 with a bearer token file and X-Scope-OrgID from --prometheus-header", async () => {
    const tokenFile = join(tmp, 'token');
    writeFileSync(tokenFile, TOKEN + '\n');
    const conn = resolvePrometheusConnection({ prometheusUrl: proxyUrl, prometheusHeader: ['X-Scope-OrgID: team-a'], prometheusBearerTokenFile: tokenFile }, {});
    const r = await run(conn);
    expectSeedRead(r);
    expect(r.prometheus?.url).toBe(proxyUrl.replace(/\/api\/v1$/, ''));
    // the wrong tenant: refused, and neither the token nor the header value is printed
    const wrong = await run({ ...conn, headers: { 'X-Scope-OrgID': 'team-zzz-secret' } });
    expect(wrong.errors![0].kind).toBe('auth');
    expectNoSecrets(wrong, TOKEN, 'team-zzz-secret');
  });
});
