// Messages for a proxy that cannot be reached or refuses the tunnel (src/net/proxy-agent.ts):
// one line naming the proxy (host:port and the setting), the target and the fix, never the
// proxy's user or password. The agents themselves are exercised against a real CONNECT proxy
// in test/integration/proxy-env.test.ts.
import { describe, expect, test } from 'vitest';
import { describeProxyFailure, findProxyError, ProxyConnectError } from '../../src/net/proxy-agent.js';
import { networkError } from '../../src/inventory/kube-http.js';
import { normalisePrometheusError } from '../../src/metrics/errors.js';
import type { ProxyRoute } from '../../src/net/proxy-env.js';

const PASSWORD = 'pw-7d1e0c';
const env: ProxyRoute = { url: new URL(`http://ops:${PASSWORD}@proxy.corp:3128`), source: 'HTTPS_PROXY' };
const anonymous: ProxyRoute = { url: new URL('http://proxy.corp:3128'), source: 'https_proxy' };
const kube: ProxyRoute = { url: new URL(`https://ops:${PASSWORD}@proxy.corp`), source: 'proxy-url of cluster "prod"' };

describe('describeProxyFailure', () => {
  test.each([
    [env, 'ECONNREFUSED', undefined, 'it refused the connection (ECONNREFUSED)', 'check HTTPS_PROXY, or add kube.example to NO_PROXY to connect directly'],
    [env, 'ENOTFOUND', undefined, 'its host name does not resolve (ENOTFOUND)', 'check HTTPS_PROXY, or add kube.example to NO_PROXY to connect directly'],
    [env, 'PROXY_TIMEOUT', undefined, 'it did not answer CONNECT in time (PROXY_TIMEOUT)', 'check HTTPS_PROXY, or add kube.example to NO_PROXY to connect directly'],
    [kube, 'SELF_SIGNED_CERT_IN_CHAIN', undefined, 'TLS with the proxy failed (SELF_SIGNED_CERT_IN_CHAIN)', 'check proxy-url of cluster "prod" in the kubeconfig'],
    [env, 'PROXY_STATUS', 407, 'it rejected the user and password (407 Proxy Authentication Required)', 'fix the user and password in HTTPS_PROXY'],
    [anonymous, 'PROXY_STATUS', 407, 'it requires a user and password (407 Proxy Authentication Required)', 'put them in https_proxy as http://user:password@proxy.corp:3128'],
    [kube, 'PROXY_STATUS', 407, 'it rejected the user and password (407 Proxy Authentication Required)', 'fix the user and password in proxy-url of cluster "prod" in the kubeconfig'],
    [env, 'PROXY_STATUS', 403, 'it does not allow a tunnel to kube.example:6443 (403 Forbidden)', 'ask for CONNECT to kube.example:6443 to be allowed, or add kube.example to NO_PROXY to connect directly'],
    [kube, 'PROXY_STATUS', 403, 'it does not allow a tunnel to kube.example:6443 (403 Forbidden)', 'ask for CONNECT to kube.example:6443 to be allowed'],
    [env, 'PROXY_STATUS', 504, 'it could not reach kube.example:6443 (504 Gateway Timeout)', 'check the target address and HTTPS_PROXY, or add kube.example to NO_PROXY to connect directly'],
    [env, 'PROXY_STATUS', 418, 'it refused the tunnel to kube.example:6443 (418)', 'check HTTPS_PROXY and NO_PROXY'],
  ] as Array<[ProxyRoute, string, number | undefined, string, string]>)('%#: %s %s %s', (route, code, status, reason, fix) => {
    const e = new ProxyConnectError(route, 'kube.example:6443', code, status);
    const d = describeProxyFailure(e, 'kube.example');
    expect(d).toEqual({ proxy: `the proxy ${route === kube ? 'proxy.corp:443' : 'proxy.corp:3128'} (${route.source})`, reason, fix });
    expect(JSON.stringify(d) + e.message).not.toContain(PASSWORD);
    expect(JSON.stringify(d)).not.toContain('ops');
  });

  test('transient: resets, timeouts, 503/504; not refusals or auth', () => {
    const t = (code: string, status?: number) => new ProxyConnectError(env, 'k:1', code, status).transient;
    expect([t('ECONNRESET'), t('PROXY_TIMEOUT'), t('PROXY_STATUS', 503), t('PROXY_STATUS', 504)]).toEqual([true, true, true, true]);
    expect([t('ECONNREFUSED'), t('ENOTFOUND'), t('PROXY_STATUS', 407), t('PROXY_STATUS', 403), t('PROXY_STATUS', 502)]).toEqual([false, false, false, false, false]);
  });
});

describe('where the proxy errors surface', () => {
  const refused = new ProxyConnectError(env, 'kube.example:6443', 'PROXY_STATUS', 403);

  test('found behind axios (cause) and prometheus-query (original)', () => {
    const axiosError = Object.assign(new Error('Bad response'), { cause: refused });
    expect(findProxyError({ errorType: 'network_error', original: axiosError })).toBe(refused);
    expect(findProxyError(new Error('other'))).toBeUndefined();
  });

  test('the Kubernetes client: kind proxy, one line, not retried unless transient', () => {
    const e = networkError('prod', 'https://kube.example:6443', '/apis', refused);
    expect(e.kind).toBe('proxy');
    expect(e.message).toBe(
      'cannot reach the API server https://kube.example:6443 of context "prod" (GET /apis) through the proxy proxy.corp:3128 (HTTPS_PROXY): it does not allow a tunnel to kube.example:6443 (403 Forbidden); ask for CONNECT to kube.example:6443 to be allowed, or add kube.example to NO_PROXY to connect directly',
    );
    expect(e.details).toMatchObject({ proxyStatus: 403, transient: false, code: 'PROXY_STATUS' });
    expect(e.details.status).toBeUndefined(); // a 407 must never look like the API server's 401/403
  });

  test('prometheus-query sees a plain network error (the transport names the proxy itself)', () => {
    const e = normalisePrometheusError({ errorType: 'network_error', error: 'Bad response: 403', original: { cause: refused } }, { url: 'https://prom', query: 'up' });
    expect(e.message).not.toContain(PASSWORD);
  });
});
