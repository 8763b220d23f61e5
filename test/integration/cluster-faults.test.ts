// Bad configurations and failing API servers: one-line errors naming the cause and the fix,
// the documented exit code, retries that recover, and never a credential in a message.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStandin, type Standin } from '../helpers/k8s-standin.js';
import { readOptions } from '../helpers/cluster-read.js';
import { closedPort } from '../helpers/net.js';
import { readClusterInventory, type ClusterReadOptions } from '../../src/inventory/read-cluster.js';
import { EXIT, UserError } from '../../src/cli/exit-codes.js';

let s: Standin;
const CANARY = 'CANARY-token-6f1e0c2b9a';

beforeAll(async () => {
  s = await startStandin({ cluster: 'llm-platform' });
});
afterAll(async () => {
  await s?.close();
});

async function failure(options: ClusterReadOptions): Promise<UserError> {
  try {
    const r = await readClusterInventory(options);
    r.close();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    const err = e as UserError;
    expect(err.message.split('\n')).toHaveLength(1);
    expect(err.message).not.toContain(CANARY);
    expect(err.message).not.toContain(s.token);
    return err;
  }
  throw new Error('expected the read to fail');
}

describe('configuration problems: exit 2', () => {
  test('unreachable API server', async () => {
    const port = await closedPort();
    const e = await failure(readOptions(s.writeKubeconfig({ server: `https://127.0.0.1:${port}`, token: CANARY }, 'kc-down')));
    expect(e.code).toBe(EXIT.USAGE);
    expect(e.message).toBe(
      `cannot reach the API server https://127.0.0.1:${port} of context "llm-platform" (GET /apis): connection refused; check that the cluster is running and the kubeconfig server address is right, or pick another context with --context`,
    );
  });

  test('unknown CA', async () => {
    const e = await failure(readOptions(s.writeKubeconfig({ ca: 'wrong', token: CANARY }, 'kc-wrong-ca')));
    expect(e.code).toBe(EXIT.USAGE);
    expect(e.message).toMatch(
      new RegExp(`^TLS verification of the API server ${s.url.replace(/[.]/g, '\\.')} of context "llm-platform" failed: .*\\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\\); set the right certificate-authority`),
    );
  });

  test('no CA at all (system trust store) fails the same way', async () => {
    const e = await failure(readOptions(s.writeKubeconfig({ ca: 'none' }, 'kc-no-ca')));
    expect(e.message).toMatch(/^TLS verification of the API server .* failed: /);
  });

  test('expired or wrong token: 401, the token never printed', async () => {
    const e = await failure(readOptions(s.writeKubeconfig({ token: CANARY }, 'kc-bad-token')));
    expect(e.code).toBe(EXIT.USAGE);
    expect(e.message).toBe(
      `the API server ${s.url} of context "llm-platform" rejected the credentials of user "llm-platform-user" (401 Unauthorized): the token or certificate is expired or wrong; log in again (refresh the kubeconfig with your provider's CLI) or fix users[] in ${join(s.dir, 'kc-bad-token')}`,
    );
    // retried once with fresh credentials, then gave up
    expect(s.requests.filter((q) => q.status === 401).length).toBeGreaterThanOrEqual(2);
  });

  test('a credential plugin that is not installed', async () => {
    const p = join(s.dir, 'kc-exec-missing');
    writeFileSync(p, s.kubeconfig().replace(/ {2}user:\n {4}token: .*\n/, '  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: qd-no-such-credential-plugin\n      interactiveMode: Never\n'));
    const e = await failure(readOptions(p));
    expect(e.message).toBe(`the credential plugin "qd-no-such-credential-plugin" of user "llm-platform-user" (context "llm-platform") is not installed or not on PATH; install it, or fix users[].user.exec in ${p}`);
  });

  test('a server that is not a Kubernetes API server', async () => {
    const e = await failure(readOptions(s.writeKubeconfig({ server: `${s.url}/not-kubernetes` }, 'kc-not-k8s')));
    expect(e.message).toMatch(/does not look like a Kubernetes API server \(GET \/apis: 404\); check the server address in /);
  });
});

describe('faults: retried, bounded, reported', () => {
  test('429 with Retry-After and 500s are retried and the read completes', async () => {
    s.faults.push({ type: 'status', status: 429, retryAfter: 1, match: '/apis/apps/v1/deployments', times: 1 }, { type: 'status', status: 500, match: '/apis/autoscaling/v2/horizontalpodautoscalers', times: 2 });
    const before = s.requests.length;
    try {
      const r = await readClusterInventory(readOptions(s.writeKubeconfig(), { allNamespaces: true }));
      r.close();
      expect(r.incomplete).toBe(false);
      expect(r.problems).toEqual([]);
      const sent = s.requests.slice(before);
      expect(sent.filter((q) => q.path === '/apis/apps/v1/deployments').map((q) => q.status)).toEqual([429, 200]);
      expect(sent.filter((q) => q.path === '/apis/autoscaling/v2/horizontalpodautoscalers').map((q) => q.status)).toEqual([500, 500, 200]);
      expect(r.requestCount).toBe(sent.length);
    } finally {
      s.faults.length = 0;
    }
  });

  test('a connection reset mid-body and a truncated JSON body are retried', async () => {
    s.faults.push({ type: 'reset', match: '/apis/apps/v1/deployments', times: 1 }, { type: 'truncate', match: '/apis/apps/v1/statefulsets', times: 1 });
    try {
      const r = await readClusterInventory(readOptions(s.writeKubeconfig(), { allNamespaces: true }));
      r.close();
      expect(r.problems).toEqual([]);
      expect(r.objects.filter((o) => o.ref.kind === 'Deployment')).toHaveLength(16);
      expect(r.objects.filter((o) => o.ref.kind === 'StatefulSet')).toHaveLength(4);
    } finally {
      s.faults.length = 0;
    }
  });

  test('a list that keeps failing: a warning naming it, the rest read, incomplete (exit 3)', async () => {
    s.faults.push({ type: 'status', status: 503, match: '/apis/apps/v1/statefulsets' });
    try {
      const r = await readClusterInventory(readOptions(s.writeKubeconfig(), { allNamespaces: true, maxRetries: 2 }));
      r.close();
      expect(r.incomplete).toBe(true);
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0].code).toBe('list-failed');
      expect(r.problems[0].message).toMatch(/^context "llm-platform": statefulsets\.apps in any namespace \(cluster-wide\) could not be read: .*failed GET \/apis\/apps\/v1\/statefulsets \(503 ServiceUnavailable: .*\); check the cluster's health and retry \(after 3 attempts\)$/);
      expect(r.objects.filter((o) => o.ref.kind === 'Deployment')).toHaveLength(16);
    } finally {
      s.faults.length = 0;
    }
  });

  test('a stalled list: the per-request timeout and the deadline bound it', async () => {
    s.faults.push({ type: 'stall', match: '/apis/apps/v1/deployments' });
    try {
      const r = await readClusterInventory(readOptions(s.writeKubeconfig(), { allNamespaces: true, requestTimeoutSeconds: 0.5, timeoutSeconds: 2.5 }));
      r.close();
      expect(r.incomplete).toBe(true);
      const p = r.problems.find((x) => x.message.includes('deployments.apps'))!;
      expect(p.message).toMatch(/(did not answer GET \/apis\/apps\/v1\/deployments within 500ms|the --timeout of 2\.5s passed before)/);
      expect(r.objects.filter((o) => o.ref.kind === 'HorizontalPodAutoscaler').length).toBeGreaterThan(0);
    } finally {
      s.faults.length = 0;
    }
  });

  test('a server that stalls from the first request: exit 3, one line', async () => {
    s.faults.push({ type: 'stall' });
    try {
      const e = await failure(readOptions(s.writeKubeconfig(), { requestTimeoutSeconds: 0.4, timeoutSeconds: 1.5 }));
      expect(e.code).toBe(EXIT.INCOMPLETE);
      expect(e.message).toMatch(/did not answer GET \/apis within 400ms|the --timeout deadline passed before GET \/apis/);
    } finally {
      s.faults.length = 0;
    }
  });

  test('a namespace deleted mid-scan reads as empty, not as an error', async () => {
    const t = await startStandin({ cluster: 'llm-platform' });
    try {
      t.faults.push({
        type: 'delay',
        ms: 0,
        match: (q) => {
          if (q.path === '/apis/apps/v1/namespaces/billing/deployments') t.data.deleteNamespace('billing');
          return false;
        },
      });
      const r = await readClusterInventory(readOptions(t.writeKubeconfig(), { namespaces: ['billing', 'rag'], concurrency: 1 }));
      r.close();
      expect(r.objects.some((o) => o.ref.namespace === 'rag')).toBe(true);
      expect(r.problems.map((p) => p.code)).toEqual(['namespace-not-found']);
      expect(r.incomplete).toBe(false);
    } finally {
      await t.close();
    }
  });
});

test('across this file the stand-in saw nothing but GET', () => {
  expect(s.requests.length).toBeGreaterThan(50);
  expect(s.requests.filter((q) => q.method !== 'GET')).toEqual([]);
});
