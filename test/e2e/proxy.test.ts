// The built CLI behind a proxy, as a user runs it: HTTPS_PROXY/HTTP_PROXY/NO_PROXY in the real
// process environment. A scan through a CONNECT proxy reports exactly what a direct scan
// reports (Prometheus discovered through the API server's service proxy, through the same
// tunnel); a proxy that is not there is one line naming it, the target and the fix, exit 2;
// a loopback --prometheus-url never goes to the proxy, although axios would send it there on
// its own. Servers listen on 127.0.0.1, which is never proxied, so proxied runs address them
// by names only the test proxy resolves (see test/integration/proxy-env.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { startStandin, type Standin } from '../helpers/k8s-standin.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { backfill, startPrometheus, type Backfilled, type PrometheusServer } from '../helpers/prometheus.js';
import { FIXTURE_END } from '../helpers/series-gen.js';

const KUBE_HOST = 'kube.qd-test.invalid';
const PROM_HOST = 'prom.qd-test.invalid';

let s: Standin;
let bf: Backfilled;
let prom: PrometheusServer;
let proxy: ConnectProxy;
let direct: string;
let named: string;
let closedPort: number;

/** The run's JSON report without what differs between any two runs (durations, counts of retries). */
function stable(stdout: string): unknown {
  const report = JSON.parse(stdout);
  return JSON.parse(JSON.stringify(report, (k, v) => (['durationMs', 'generatedAt', 'elapsedMs', 'queryStats', 'kubeRequestCount'].includes(k) ? undefined : v)));
}

beforeAll(async () => {
  ensureBuilt();
  bf = backfill(['llm-platform']);
  prom = await startPrometheus({ dataDir: bf.data });
  s = await startStandin({ cluster: 'llm-platform', serviceProxy: { 'monitoring/kube-prometheus-stack-prometheus': prom.url, 'monitoring/prometheus-operated': prom.url } });
  proxy = await startConnectProxy({ hosts: { [KUBE_HOST]: '127.0.0.1', [PROM_HOST]: '127.0.0.1' } });
  direct = s.writeKubeconfig();
  // the same cluster by a name only the proxy resolves (the certificate names localhost)
  const text = s
    .kubeconfig({ server: `https://${KUBE_HOST}:${s.port}` })
    .split('\n')
    .flatMap((l) => (/^\s+server: /.test(l) ? [l, '    tls-server-name: localhost'] : [l]))
    .join('\n');
  named = join(s.dir, 'kubeconfig-named');
  writeFileSync(named, text);
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  closedPort = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await s?.close();
  await prom?.stop();
  bf?.cleanup();
});

const scan = (kubeconfig: string, ...extra: string[]) => ['scan', '--kubeconfig', kubeconfig, '-A', '--at', String(FIXTURE_END), '-o', 'json', ...extra];

describe('scan behind a proxy', () => {
  it('through HTTPS_PROXY: the same report as a direct scan, the proxy saw only tunnels to the API server, GET only, --verbose says so', async () => {
    const plain = await runCli(scan(direct), { timeoutMs: 120_000 });
    expect(plain.code, plain.stderr).toBe(1);
    const tunnels = proxy.tunnels.length;
    const sent = s.requests.length;
    const via = await runCli(scan(named, '--verbose'), { env: { HTTPS_PROXY: proxy.url }, timeoutMs: 120_000 });
    expect(via.code, via.stderr).toBe(1);
    expect(via.stderr).toContain(`queue-doctor: context "llm-platform": API server https://${KUBE_HOST}:${s.port} reached through the proxy 127.0.0.1:${proxy.port} (HTTPS_PROXY)`);
    // the one difference: the API server's address (in the discovered Prometheus URL)
    expect(stable(via.stdout.replaceAll(`https://${KUBE_HOST}:`, 'https://127.0.0.1:'))).toEqual(stable(plain.stdout));
    expect(via.stdout).toContain(KUBE_HOST);
    const mine = proxy.tunnels.slice(tunnels);
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((t) => `${t.target} ${t.status}`))).toEqual(new Set([`${KUBE_HOST}:${s.port} 200`]));
    expect(proxy.forwarded).toEqual([]);
    const requests = s.requests.slice(sent);
    expect(requests.some((q) => q.path.includes('/proxy/'))).toBe(true); // Prometheus, through the same tunnel
    expect(requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('HTTPS_PROXY pointing at a closed port: one line naming the proxy, the API server and the fix; exit 2; no stack trace', async () => {
    const r = await runCli(scan(named), { env: { HTTPS_PROXY: `http://127.0.0.1:${closedPort}` }, timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toEqual([
      `queue-doctor: cannot reach the API server https://${KUBE_HOST}:${s.port} of context "llm-platform" (GET /apis) through the proxy 127.0.0.1:${closedPort} (HTTPS_PROXY): it refused the connection (ECONNREFUSED); check HTTPS_PROXY, or add ${KUBE_HOST} to NO_PROXY to connect directly`,
    ]);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('NO_PROXY covering the API server: the proxy is not used (the name then does not resolve), exit 2', async () => {
    const tunnels = proxy.tunnels.length;
    const r = await runCli(scan(named), { env: { HTTPS_PROXY: proxy.url, NO_PROXY: `.qd-test.invalid` }, timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot reach the API server .* the host name does not resolve/);
    expect(proxy.tunnels.length).toBe(tunnels);
  });

  it('a loopback API server and --prometheus-url are never proxied: axios\' own use of HTTP_PROXY is off', async () => {
    const refusing = await startConnectProxy({ refuse: 403 });
    try {
      const r = await runCli(scan(direct, '--prometheus-url', prom.url), { env: { HTTP_PROXY: refusing.url, HTTPS_PROXY: refusing.url, http_proxy: refusing.url }, timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(1);
      expect(JSON.parse(r.stdout).metadata.queryCount).toBeGreaterThan(0);
      expect(r.stderr).not.toMatch(/unreachable|proxy/i);
      expect(refusing.tunnels).toEqual([]);
      expect(refusing.forwarded).toEqual([]);
    } finally {
      await refusing.close();
    }
  });

  it('--prometheus-url by name through HTTP_PROXY: --verbose names the proxy; a refusing proxy is one warning naming it, exit 3', async () => {
    const url = prom.url.replace('127.0.0.1', PROM_HOST);
    const ok = await runCli(scan(direct, '--prometheus-url', url, '--verbose'), { env: { HTTP_PROXY: proxy.url }, timeoutMs: 120_000 });
    expect(ok.code, ok.stderr).toBe(1);
    expect(ok.stderr).toContain(`queue-doctor: Prometheus ${url} reached through the proxy 127.0.0.1:${proxy.port} (HTTP_PROXY)`);
    expect(proxy.tunnels.some((t) => t.target === `${PROM_HOST}:${prom.port}`)).toBe(true);

    const refusing = await startConnectProxy({ refuse: 403 });
    try {
      const r = await runCli(scan(direct, '--prometheus-url', url, '--fail-on', 'none'), { env: { HTTP_PROXY: refusing.url }, timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain(
        `queue-doctor: warning: Prometheus ${url} is unreachable through the proxy 127.0.0.1:${refusing.port} (HTTP_PROXY): it does not allow a tunnel to ${PROM_HOST}:${prom.port} (403 Forbidden) — ask for CONNECT to ${PROM_HOST}:${prom.port} to be allowed, or add ${PROM_HOST} to NO_PROXY to connect directly`,
      );
      expect(refusing.tunnels.length).toBe(1); // fatal: no further query was sent
    } finally {
      await refusing.close();
    }
  });
});
