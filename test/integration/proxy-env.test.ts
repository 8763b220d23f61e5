// HTTPS_PROXY / HTTP_PROXY / NO_PROXY and the kubeconfig's proxy-url, against real servers:
// the Kubernetes stand-in, real Prometheus servers (plain http, and https with basic auth),
// and a real CONNECT proxy (test/helpers/connect-proxy.ts) that records every tunnel.
//
// Go (and so kubectl) never proxies loopback, and everything here listens on 127.0.0.1. So the
// proxied cases address the servers by names only the proxy can resolve (kube.qd-test.invalid,
// prom.qd-test.invalid -> 127.0.0.1, as a corporate proxy resolves names the client cannot):
// a request that reaches the server at all went through the proxy. The direct cases use
// 127.0.0.1 (the loopback rule) or the same names with NO_PROXY (they then fail to resolve:
// proof that no proxy was used).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandin, type KubeconfigOptions, type Standin } from '../helpers/k8s-standin.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { readOptions } from '../helpers/cluster-read.js';
import { closedPort as findClosedPort } from '../helpers/net.js';
import { backfill, inventoryFromCluster, startPrometheus, TEST_PASSWORD, TEST_PASSWORD_BCRYPT, TEST_USER, type Backfilled, type PrometheusServer } from '../helpers/prometheus.js';
import { EXPECTED, FIXTURE_END, FIXTURE_WINDOW } from '../helpers/series-gen.js';
import { readClusterInventory, type ClusterReadOptions, type ClusterReadResult } from '../../src/inventory/read-cluster.js';
import { collectSignals, type CollectSignalsOptions } from '../../src/metrics/index.js';
import type { PrometheusConnectionOptions } from '../../src/metrics/connection.js';
import type { SignalsResult } from '../../src/metrics/signals-model.js';
import { lastValue } from '../../src/metrics/stats.js';
import { EXIT, UserError } from '../../src/cli/exit-codes.js';

const KUBE_HOST = 'kube.qd-test.invalid';
const PROM_HOST = 'prom.qd-test.invalid';
const HOSTS = { [KUBE_HOST]: '127.0.0.1', [PROM_HOST]: '127.0.0.1' };
const PROXY_USER = 'proxy-user';
const PROXY_PASSWORD = 'proxy-pass-1f3b';

let work: string;
let s: Standin;
let bf: Backfilled;
let prom: PrometheusServer;
let tlsBf: Backfilled;
let tlsProm: PrometheusServer;
let tlsCa: string;
let proxy: ConnectProxy;
let authProxy: ConnectProxy;
let closedPort: number;
let direct: ClusterReadResult;

/** The stand-in's kubeconfig, with extra cluster fields (tls-server-name, proxy-url). */
function kubeconfig(name: string, options: KubeconfigOptions, cluster: Record<string, string> = {}): string {
  const text = s
    .kubeconfig(options)
    .split('\n')
    .flatMap((line) => (/^\s+server: /.test(line) ? [line, ...Object.entries(cluster).map(([k, v]) => `    ${k}: ${v}`)] : [line]))
    .join('\n');
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

/** The stand-in addressed by a name only the proxy resolves; its certificate names localhost. */
const named = (options: KubeconfigOptions = {}, cluster: Record<string, string> = {}) =>
  kubeconfig(`named-${Object.values(options).join('-')}-${Object.keys(cluster).join('-')}`, { server: `https://${KUBE_HOST}:${s.port}`, ...options }, { 'tls-server-name': 'localhost', ...cluster });

const read = (path: string, extra: Partial<ClusterReadOptions> = {}) => readClusterInventory(readOptions(path, { allNamespaces: true, ...extra }));

/** The UserError a read ends with. */
async function failure(path: string, extra: Partial<ClusterReadOptions>): Promise<UserError> {
  try {
    (await read(path, { maxRetries: 0, ...extra })).close();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('the read did not fail');
}

const comparable = (r: ClusterReadResult) => r.objects.map((o) => ({ ref: o.ref, raw: o.raw, context: o.context }));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'qd-proxy-'));
  bf = backfill(['llm-platform']);
  prom = await startPrometheus({ dataDir: bf.data });
  // an https Prometheus with basic auth, whose certificate names the host only the proxy resolves
  tlsCa = join(work, 'prom-cert.pem');
  const key = join(work, 'prom-key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', tlsCa, '-days', '2', '-subj', `/CN=${PROM_HOST}`, '-addext', `subjectAltName=DNS:${PROM_HOST},IP:127.0.0.1`], { stdio: 'pipe' });
  tlsBf = backfill(['llm-platform']);
  tlsProm = await startPrometheus({
    dataDir: tlsBf.data,
    https: true,
    ca: readFileSync(tlsCa, 'utf8'),
    readyHeaders: { Authorization: 'Basic ' + Buffer.from(`${TEST_USER}:${TEST_PASSWORD}`).toString('base64') },
    webConfig: `tls_server_config:\n  cert_file: ${tlsCa}\n  key_file: ${key}\nbasic_auth_users:\n  ${TEST_USER}: ${TEST_PASSWORD_BCRYPT}\n`,
  });
  s = await startStandin({ cluster: 'llm-platform', clientCert: true, serviceProxy: { 'monitoring/kube-prometheus-stack-prometheus': prom.url } });
  proxy = await startConnectProxy({ hosts: HOSTS });
  authProxy = await startConnectProxy({ hosts: HOSTS, auth: { user: PROXY_USER, password: PROXY_PASSWORD } });
  closedPort = await findClosedPort();
  direct = await read(s.writeKubeconfig());
}, 120_000);

afterAll(async () => {
  direct?.close();
  await proxy?.close();
  await authProxy?.close();
  await s?.close();
  await prom?.stop();
  await tlsProm?.stop();
  bf?.cleanup();
  tlsBf?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('Kubernetes API through HTTPS_PROXY', () => {
  it('tunnels every request to the API server (TLS end to end, token inside the tunnel) and reads what a direct read reads, GET only', async () => {
    const tunnels = proxy.tunnels.length;
    const sent = s.requests.length;
    const via = await read(named(), { env: { HTTPS_PROXY: proxy.url } });
    via.close();
    const mine = proxy.tunnels.slice(tunnels);
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((t) => `${t.target} ${t.status}`))).toEqual(new Set([`${KUBE_HOST}:${s.port} 200`]));
    // the proxy is sent CONNECT, Host and nothing else: the bearer token travels inside the tunnel
    for (const t of mine) expect(t.headerNames.sort()).toEqual(['connection', 'host']);
    expect(proxy.forwarded).toEqual([]);
    expect(comparable(via)).toEqual(comparable(direct));
    expect(via.summaries[0].proxy).toBe(`127.0.0.1:${proxy.port} (HTTPS_PROXY)`);
    expect(direct.summaries[0].proxy).toBeUndefined();
    const requests = s.requests.slice(sent);
    expect(requests.length).toBeGreaterThan(5);
    expect(requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(requests.every((r) => r.status === 200)).toBe(true);
  });

  it('https_proxy (lower case) works too; keep-alive reuses tunnels', async () => {
    const tunnels = proxy.tunnels.length;
    const sent = s.requests.length;
    const via = await read(named(), { env: { https_proxy: proxy.url }, concurrency: 2 });
    via.close();
    expect(comparable(via)).toEqual(comparable(direct));
    const opened = proxy.tunnels.length - tunnels;
    expect(opened).toBeGreaterThan(0);
    expect(opened).toBeLessThanOrEqual(2); // one per socket of the pool, not one per request
    expect(s.requests.length - sent).toBeGreaterThan(opened);
  });

  it('a client certificate authenticates through the tunnel', async () => {
    const tunnels = proxy.tunnels.length;
    const sent = s.requests.length;
    const via = await read(named({ auth: 'cert' }), { env: { HTTPS_PROXY: proxy.url } });
    via.close();
    expect(proxy.tunnels.length).toBeGreaterThan(tunnels);
    expect(comparable(via)).toEqual(comparable(direct));
    expect(new Set(s.requests.slice(sent).map((r) => r.user))).toEqual(new Set(['jane']));
  });

  it('TLS is verified against the kubeconfig CA through the tunnel: a wrong CA fails as the API server\'s TLS, --insecure-skip-tls-verify reads', async () => {
    const err = await failure(named({ ca: 'wrong' }), { env: { HTTPS_PROXY: proxy.url } });
    expect(err.message).toMatch(new RegExp(`^TLS verification of the API server https://${KUBE_HOST.replace(/\./g, '\\.')}:${s.port} of context "llm-platform" failed`));
    expect(err.code).toBe(EXIT.USAGE);
    expect(proxy.tunnels.at(-1)).toMatchObject({ target: `${KUBE_HOST}:${s.port}`, status: 200 });

    const insecure = await read(named({ ca: 'none' }), { env: { HTTPS_PROXY: proxy.url }, insecureSkipTlsVerify: true });
    insecure.close();
    expect(comparable(insecure)).toEqual(comparable(direct));
  });

  it.each(['*', KUBE_HOST, '.qd-test.invalid', '*.qd-test.invalid', 'qd-test.invalid', 'invalid', `${KUBE_HOST}:PORT`, `example.com, ${KUBE_HOST.toUpperCase()}`])(
    'NO_PROXY=%s: the proxy sees nothing (the name then does not resolve)',
    async (noProxy) => {
      const tunnels = proxy.tunnels.length;
      const err = await failure(named(), { env: { HTTPS_PROXY: proxy.url, NO_PROXY: noProxy.replace('PORT', String(s.port)) } });
      expect(err.message).toMatch(/cannot reach the API server .* the host name does not resolve/);
      expect(proxy.tunnels.length).toBe(tunnels);
    },
  );

  it.each([`${KUBE_HOST}:1`, 'test.invalid', `d-test.invalid`, '127.0.0.1', '10.0.0.0/8'])('NO_PROXY=%s does not cover the host: through the proxy', async (noProxy) => {
    const tunnels = proxy.tunnels.length;
    const via = await read(named(), { env: { HTTPS_PROXY: proxy.url, no_proxy: noProxy } });
    via.close();
    expect(proxy.tunnels.length).toBeGreaterThan(tunnels);
    expect(via.objects.length).toBe(direct.objects.length);
  });

  it('loopback (127.0.0.1, localhost) is never proxied, whatever HTTPS_PROXY says', async () => {
    const refusing = await startConnectProxy({ refuse: 403 });
    try {
      for (const server of [s.url, `https://localhost:${s.port}`]) {
        const r = await read(kubeconfig('loopback', { server }), { env: { HTTPS_PROXY: refusing.url, HTTP_PROXY: refusing.url } });
        r.close();
        expect(comparable(r)).toEqual(comparable(direct));
        expect(r.summaries[0].proxy).toBeUndefined();
      }
      expect(refusing.tunnels).toEqual([]);
    } finally {
      await refusing.close();
    }
  });

  it('a kubeconfig proxy-url wins over HTTPS_PROXY and NO_PROXY, and applies to loopback servers too (client-go)', async () => {
    const refusing = await startConnectProxy({ refuse: 403 });
    try {
      const tunnels = proxy.tunnels.length;
      const viaUrl = await read(named({}, { 'proxy-url': proxy.url }), { env: { HTTPS_PROXY: refusing.url } });
      viaUrl.close();
      expect(comparable(viaUrl)).toEqual(comparable(direct));
      expect(viaUrl.summaries[0].proxy).toBe(`127.0.0.1:${proxy.port} (proxy-url of cluster "llm-platform")`);
      expect(proxy.tunnels.length).toBeGreaterThan(tunnels);

      const loop = proxy.tunnels.length;
      const loopback = await read(kubeconfig('loopback-proxy-url', {}, { 'proxy-url': proxy.url }), { env: { NO_PROXY: '*' } });
      loopback.close();
      expect(proxy.tunnels.slice(loop).map((t) => t.target)).toContain(`127.0.0.1:${s.port}`);
      expect(refusing.tunnels).toEqual([]);

      const err = await failure(named({}, { 'proxy-url': refusing.url }), { env: { HTTPS_PROXY: proxy.url } });
      expect(err.message).toContain(`through the proxy 127.0.0.1:${refusing.port} (proxy-url of cluster "llm-platform"): it does not allow a tunnel to ${KUBE_HOST}:${s.port} (403 Forbidden); ask for CONNECT to ${KUBE_HOST}:${s.port} to be allowed`);
      expect(err.message).not.toContain('NO_PROXY'); // NO_PROXY does not bypass a proxy-url
    } finally {
      await refusing.close();
    }
  });
});

describe('proxy authentication and failures (Kubernetes API)', () => {
  it('a user and password in HTTPS_PROXY go as Proxy-Authorization on CONNECT only', async () => {
    const tunnels = authProxy.tunnels.length;
    const r = await read(named(), { env: { HTTPS_PROXY: authProxy.urlWithAuth(PROXY_USER, PROXY_PASSWORD) } });
    r.close();
    expect(comparable(r)).toEqual(comparable(direct));
    const mine = authProxy.tunnels.slice(tunnels);
    expect(mine.length).toBeGreaterThan(0);
    for (const t of mine) expect(t).toMatchObject({ status: 200, authorization: 'Basic ' + Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64') });
    expect(r.summaries[0].proxy).toBe(`127.0.0.1:${authProxy.port} (HTTPS_PROXY)`);
  });

  const target = () => `the API server https://${KUBE_HOST}:${s.port} of context "llm-platform" (GET /apis)`;

  it('407 without credentials, and with wrong ones: one line naming the proxy, the target and the fix; exit 2; no password', async () => {
    const none = await failure(named(), { env: { HTTPS_PROXY: authProxy.url } });
    expect(none.message).toBe(
      `cannot reach ${target()} through the proxy 127.0.0.1:${authProxy.port} (HTTPS_PROXY): it requires a user and password (407 Proxy Authentication Required); put them in HTTPS_PROXY as http://user:password@127.0.0.1:${authProxy.port}`,
    );
    expect(none.code).toBe(EXIT.USAGE);
    const wrong = await failure(named(), { env: { HTTPS_PROXY: authProxy.urlWithAuth(PROXY_USER, 'not-the-password-9c1') } });
    expect(wrong.message).toBe(`cannot reach ${target()} through the proxy 127.0.0.1:${authProxy.port} (HTTPS_PROXY): it rejected the user and password (407 Proxy Authentication Required); fix the user and password in HTTPS_PROXY`);
    expect(wrong.message).not.toContain('not-the-password');
    expect(wrong.message).not.toContain(PROXY_USER);
  });

  it.each([
    [403, 'it does not allow a tunnel to HOST (403 Forbidden); ask for CONNECT to HOST to be allowed, or add kube.qd-test.invalid to NO_PROXY to connect directly'],
    [502, 'it could not reach HOST (502 Bad Gateway); check the target address and HTTPS_PROXY, or add kube.qd-test.invalid to NO_PROXY to connect directly'],
  ])('a proxy answering CONNECT with %i', async (status, reason) => {
    const refusing = await startConnectProxy({ refuse: status });
    const sent = s.requests.length;
    try {
      const err = await failure(named(), { env: { HTTPS_PROXY: refusing.url } });
      expect(err.message).toBe(`cannot reach ${target()} through the proxy 127.0.0.1:${refusing.port} (HTTPS_PROXY): ${reason.replace(/HOST/g, `${KUBE_HOST}:${s.port}`)}`);
      expect(err.code).toBe(EXIT.USAGE);
      expect(refusing.tunnels.map((t) => t.status)).toEqual([status]);
      expect(s.requests.length).toBe(sent);
    } finally {
      await refusing.close();
    }
  });

  it('a proxy that is not listening', async () => {
    const err = await failure(named(), { env: { HTTPS_PROXY: `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${closedPort}` } });
    expect(err.message).toBe(
      `cannot reach ${target()} through the proxy 127.0.0.1:${closedPort} (HTTPS_PROXY): it refused the connection (ECONNREFUSED); check HTTPS_PROXY, or add ${KUBE_HOST} to NO_PROXY to connect directly`,
    );
    expect(err.code).toBe(EXIT.USAGE);
    expect(err.message).not.toContain(PROXY_PASSWORD);
  });

  it('an unusable HTTPS_PROXY is a usage error naming the variable, not its value', async () => {
    await expect(read(named(), { env: { HTTPS_PROXY: `socks5://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:1080` } })).rejects.toThrow(
      /^HTTPS_PROXY uses the socks5:\/\/ scheme, which queue-doctor cannot use: SOCKS proxies are supported only as a kubeconfig proxy-url/,
    );
  });
});

const signalsOptions = (prometheus: PrometheusConnectionOptions, extra: Partial<CollectSignalsOptions> = {}): CollectSignalsOptions => ({
  prometheus,
  at: FIXTURE_END,
  windowSeconds: FIXTURE_WINDOW,
  targetWaitSeconds: 30,
  retries: 0,
  ...extra,
});

/** Signals, comparable across connections (not the URL the KEDA trigger would use). */
function signalsOf(r: SignalsResult): unknown {
  return JSON.parse(JSON.stringify({ bindings: r.bindings, byWorkload: [...r.byWorkload.entries()], warnings: r.warnings, incomplete: r.incomplete }, (k, v) => (k === 'keda' ? undefined : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
}

describe('Prometheus through the proxy', () => {
  let inventory: ReturnType<typeof inventoryFromCluster>;
  let reference: SignalsResult;
  const promUrl = () => prom.url.replace('127.0.0.1', PROM_HOST);

  beforeAll(async () => {
    inventory = inventoryFromCluster('llm-platform');
    reference = await collectSignals(inventory, signalsOptions({ url: prom.url }, { env: {} }));
    expect(reference.incomplete).toBe(false);
  });

  it('a loopback --prometheus-url is never proxied (axios\' own env handling is off): the proxy sees nothing', async () => {
    const refusing = await startConnectProxy({ refuse: 403 });
    try {
      const r = await collectSignals(inventory, signalsOptions({ url: prom.url }, { env: { HTTP_PROXY: refusing.url, HTTPS_PROXY: refusing.url } }));
      expect(signalsOf(r)).toEqual(signalsOf(reference));
      expect(refusing.tunnels).toEqual([]);
      expect(refusing.forwarded).toEqual([]);
    } finally {
      await refusing.close();
    }
  });

  it('http:// by name through HTTP_PROXY: tunnelled, headers never handed to the proxy, same signals', async () => {
    const tunnels = authProxy.tunnels.length;
    const r = await collectSignals(
      inventory,
      signalsOptions({ url: promUrl(), headers: { 'X-Scope-OrgID': 'team-a', Authorization: 'Bearer not-for-the-proxy' } }, { env: { HTTP_PROXY: authProxy.urlWithAuth(PROXY_USER, PROXY_PASSWORD), HTTPS_PROXY: 'http://127.0.0.1:1' } }),
    );
    expect(signalsOf(r)).toEqual(signalsOf(reference));
    const mine = authProxy.tunnels.slice(tunnels);
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((t) => `${t.target} ${t.status}`))).toEqual(new Set([`${PROM_HOST}:${prom.port} 200`]));
    for (const t of mine) expect(t.headerNames.sort()).toEqual(['connection', 'host', 'proxy-authorization']);
    expect(authProxy.forwarded).toEqual([]);
    expect(r.queryCount).toBe(reference.queryCount);
  });

  it('NO_PROXY covering the host: direct (and the name does not resolve), the proxy sees nothing', async () => {
    const tunnels = proxy.tunnels.length;
    const r = await collectSignals(inventory, signalsOptions({ url: promUrl() }, { env: { HTTP_PROXY: proxy.url, NO_PROXY: `.qd-test.invalid` } }));
    expect(r.incomplete).toBe(true);
    expect(r.warnings[0]).toMatch(new RegExp(`^Prometheus http://${PROM_HOST.replace(/\./g, '\\.')}:${prom.port} is unreachable: ENOTFOUND`));
    expect(proxy.tunnels.length).toBe(tunnels);
  });

  it('https by name through HTTPS_PROXY: TLS verified end to end with --prometheus-ca-file, basic auth inside the tunnel', async () => {
    const url = tlsProm.url.replace('https://127.0.0.1', `https://${TEST_USER}:${TEST_PASSWORD}@${PROM_HOST}`);
    const tunnels = proxy.tunnels.length;
    const r = await collectSignals(inventory, signalsOptions({ url, caFile: tlsCa }, { env: { HTTPS_PROXY: proxy.url } }));
    expect(r.errors ?? []).toEqual([]);
    expect(lastValue(r.byWorkload.get(EXPECTED.seed.workloadId)!.backlog)).toBe(EXPECTED.seed.backlogEnd);
    expect(signalsOf(r)).toEqual(signalsOf(reference));
    const mine = proxy.tunnels.slice(tunnels);
    expect(new Set(mine.map((t) => `${t.target} ${t.status}`))).toEqual(new Set([`${PROM_HOST}:${tlsProm.port} 200`]));
    for (const t of mine) expect(t.headerNames.sort()).toEqual(['connection', 'host']);

    // without the CA: the target's certificate is refused (not the proxy's doing)
    const untrusted = await collectSignals(inventory, signalsOptions({ url }, { env: { HTTPS_PROXY: proxy.url } }));
    expect(untrusted.warnings[0]).toMatch(/is unreachable: .*(use --prometheus-ca-file with the server's CA, or --insecure-skip-tls-verify)/);
    expect(untrusted.warnings[0]).not.toMatch(/through the proxy/);
    const insecure = await collectSignals(inventory, signalsOptions({ url, insecureSkipTlsVerify: true }, { env: { HTTPS_PROXY: proxy.url } }));
    expect(insecure.errors ?? []).toEqual([]);
    expect(JSON.stringify([untrusted.warnings, insecure.warnings, r.warnings])).not.toContain(TEST_PASSWORD);
  });

  it.each([
    ['closed', (port: number) => `is unreachable through the proxy 127.0.0.1:${port} (HTTP_PROXY): it refused the connection (ECONNREFUSED) — check HTTP_PROXY, or add ${PROM_HOST} to NO_PROXY to connect directly`],
    ['407', (port: number) => `is unreachable through the proxy 127.0.0.1:${port} (HTTP_PROXY): it requires a user and password (407 Proxy Authentication Required) — put them in HTTP_PROXY as http://user:password@127.0.0.1:${port}`],
  ] as const)('a failing proxy (%s): one warning naming the proxy and the fix, the rest not sent', async (kind, message) => {
    const port = kind === 'closed' ? closedPort : authProxy.port;
    const r = await collectSignals(inventory, signalsOptions({ url: promUrl() }, { env: { HTTP_PROXY: `http://127.0.0.1:${port}` } }));
    expect(r.incomplete).toBe(true);
    expect(r.warnings[0]).toBe(`Prometheus http://${PROM_HOST}:${prom.port} ${message(port)}`);
    expect(r.errors![0]).toMatchObject({ kind: 'unreachable', errorType: 'proxy_error' });
  });

  it('the auto-discovered Prometheus follows the Kubernetes API\'s proxy: through the tunnel to the API server\'s service proxy', async () => {
    const cluster = await read(named(), { env: { HTTPS_PROXY: proxy.url } });
    try {
      const tunnels = proxy.tunnels.length;
      const sent = s.requests.length;
      // a --prometheus-url proxy setting must not matter here: the API server's route does
      const r = await collectSignals(inventory, signalsOptions({}, { serviceAccess: cluster.serviceAccess, env: { HTTPS_PROXY: 'http://127.0.0.1:1' } }));
      expect(r.prometheus?.discoveredFrom).toMatch(/service proxy/);
      expect(signalsOf(r)).toEqual(signalsOf(reference));
      const proxied = s.requests.slice(sent).filter((q) => q.path.includes('/proxy/'));
      expect(proxied.length).toBe(r.queryCount);
      expect(s.requests.slice(sent).filter((q) => q.method !== 'GET')).toEqual([]);
      const mine = proxy.tunnels.slice(tunnels);
      expect(mine.length).toBeGreaterThan(0);
      expect(new Set(mine.map((t) => t.target))).toEqual(new Set([`${KUBE_HOST}:${s.port}`]));
    } finally {
      cluster.close();
    }
  });
});
