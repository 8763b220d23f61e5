// Conformance: queue-doctor picks the proxy exactly as the real kubectl (Go's
// http.ProxyFromEnvironment) does. For each environment, kubectl reads /version from the
// Kubernetes stand-in addressed by a name only the test proxies resolve; which proxy saw the
// tunnel (or none: kubectl went direct, and the name did not resolve) is compared with
// proxyFromEnvironment's answer for the same URL and environment.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startStandin, type Standin } from '../helpers/k8s-standin.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { proxyFromEnvironment } from '../../src/net/proxy-env.js';

const KUBE = 'kube.qd-test.invalid';
const HOSTS = { [KUBE]: '127.0.0.1', [`api.${KUBE}`]: '127.0.0.1' };

let work: string;
let s: Standin;
let upper: ConnectProxy; // named by the upper-case variables
let lower: ConnectProxy; // named by the lower-case ones

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'qd-proxy-kubectl-'));
  s = await startStandin({ cluster: 'llm-platform' });
  upper = await startConnectProxy({ hosts: HOSTS });
  lower = await startConnectProxy({ hosts: HOSTS });
});

afterAll(async () => {
  await upper?.close();
  await lower?.close();
  await s?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A kubeconfig for `server`, verifying the stand-in's certificate (it names localhost). */
function kubeconfigFor(server: string): string {
  const text = s
    .kubeconfig({ server })
    .split('\n')
    .flatMap((l) => (/^\s+server: /.test(l) ? [l, '    tls-server-name: localhost'] : [l]))
    .join('\n');
  const path = join(work, `kc-${Buffer.from(server).toString('hex').slice(0, 40)}`);
  writeFileSync(path, text);
  return path;
}

/** Which proxy kubectl went through ('upper', 'lower' or 'direct'), and whether it read /version. */
async function kubectlRoute(server: string, env: Record<string, string>): Promise<{ route: string; ok: boolean }> {
  const before = [upper.tunnels.length, lower.tunnels.length];
  let ok = false;
  try {
    const { stdout } = await promisify(execFile)('kubectl', ['--kubeconfig', kubeconfigFor(server), '--request-timeout=10s', 'get', '--raw', '/version'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, ...env },
    });
    ok = JSON.parse(stdout).gitVersion === s.data.version.gitVersion;
  } catch {
    ok = false;
  }
  const viaUpper = upper.tunnels.length > before[0];
  const viaLower = lower.tunnels.length > before[1];
  return { route: viaUpper && viaLower ? 'both' : viaUpper ? 'upper' : viaLower ? 'lower' : 'direct', ok };
}

function ourRoute(server: string, env: Record<string, string>): string {
  const r = proxyFromEnvironment(server, env);
  if (!r) return 'direct';
  return Number(r.url.port) === upper.port ? 'upper' : Number(r.url.port) === lower.port ? 'lower' : 'other';
}

type Case = [label: string, server: (port: number) => string, env: (p: { up: string; low: string; port: number }) => Record<string, string>];

const named = (port: number) => `https://${KUBE}:${port}`;
const CASES: Case[] = [
  ['no variables', named, () => ({})],
  ['HTTPS_PROXY', named, ({ up }) => ({ HTTPS_PROXY: up })],
  ['https_proxy', named, ({ low }) => ({ https_proxy: low })],
  ['both cases set: upper wins', named, ({ up, low }) => ({ HTTPS_PROXY: up, https_proxy: low })],
  ['HTTPS_PROXY empty: lower case', named, ({ low }) => ({ HTTPS_PROXY: '', https_proxy: low })],
  ['HTTP_PROXY only (https target)', named, ({ up }) => ({ HTTP_PROXY: up })],
  ['bare host:port value', named, ({ up }) => ({ HTTPS_PROXY: up.replace('http://', '') })],
  ['CGI (REQUEST_METHOD) keeps HTTPS_PROXY', named, ({ up }) => ({ HTTPS_PROXY: up, REQUEST_METHOD: 'GET' })],
  ['NO_PROXY=<host>', named, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: KUBE })],
  ['no_proxy=<host>', named, ({ up }) => ({ HTTPS_PROXY: up, no_proxy: KUBE })],
  ['NO_PROXY wins over no_proxy', named, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: 'example.com', no_proxy: KUBE })],
  ['NO_PROXY=*', named, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: '*' })],
  ['NO_PROXY=.parent', named, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: '.qd-test.invalid' })],
  ['NO_PROXY=*.parent', named, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: '*.qd-test.invalid' })],
  ['NO_PROXY=parent', named, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: 'qd-test.invalid' })],
  ['NO_PROXY=tld', named, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: 'invalid' })],
  ['NO_PROXY=part of a label', named, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: 'test.invalid' })],
  ['NO_PROXY=label suffix', named, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: 'd-test.invalid' })],
  ['NO_PROXY=*host (not a wildcard)', named, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: `*${KUBE}` })],
  ['NO_PROXY=host:port', named, ({ up, port }) => ({ HTTPS_PROXY: up, NO_PROXY: `${KUBE}:${port}` })],
  ['NO_PROXY=host:other-port', named, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: `${KUBE}:1` })],
  ['NO_PROXY upper case, spaces, a list', named, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: ` example.com ,  ${KUBE.toUpperCase()} ` })],
  ['NO_PROXY=a CIDR (names are not matched)', named, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: '0.0.0.0/0' })],
  ['NO_PROXY=host covers a subdomain', (port) => `https://api.${KUBE}:${port}`, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: KUBE })],
  ['NO_PROXY=.host covers a subdomain', (port) => `https://api.${KUBE}:${port}`, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: `.${KUBE}` })],
  ['NO_PROXY=.host does not cover host', named, ({ up }) => ({ HTTPS_PROXY: up, NO_PROXY: `.${KUBE}` })],
  ['localhost is never proxied', (port) => `https://localhost:${port}`, ({ up }) => ({ HTTPS_PROXY: up })],
  ['127.0.0.1 is never proxied', (port) => `https://127.0.0.1:${port}`, ({ up }) => ({ HTTPS_PROXY: up })],
];

describe('kubectl and queue-doctor pick the same proxy', () => {
  test.each(CASES)('%s', async (_label, server, envOf) => {
    const env = envOf({ up: upper.url, low: lower.url, port: s.port });
    const url = server(s.port);
    const theirs = await kubectlRoute(url, env);
    expect(theirs.route, `kubectl with ${JSON.stringify(env)} for ${url}`).toBe(ourRoute(url, env));
    // through a proxy (or to a loopback server) kubectl reads; direct to the unresolvable name it cannot
    const reachable = theirs.route !== 'direct' || /localhost|127\.0\.0\.1/.test(url);
    expect(theirs.ok).toBe(reachable);
  });
});
