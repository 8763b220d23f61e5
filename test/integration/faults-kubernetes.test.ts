// A failing Kubernetes API, as users meet it: the built CLI (`scan -o json --fail-on none`)
// against the stand-in with injected faults, with a real Prometheus behind --prometheus-url.
// (test/integration/cluster-faults.test.ts covers the same faults one level down, in
// readClusterInventory; this file checks what reaches the user.) Each scenario: bounded
// retries (counted on the server), one clear line per problem on stderr, partial results
// marked (`incomplete`, exit 3), no stack trace, and an end by --timeout: the watchdog that
// would kill a hung CLI never fires.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { closedPort } from '../helpers/net.js';
import { startStandin, type Fault, type Standin } from '../helpers/k8s-standin.js';
import { backfill, startPrometheus, type Backfilled, type PrometheusServer } from '../helpers/prometheus.js';
import { recordFigure } from '../helpers/robustness-figures.js';

let s: Standin;
let bf: Backfilled;
let prom: PrometheusServer;
let kubeconfig: string;

beforeAll(async () => {
  bf = backfill(['llm-platform']);
  prom = await startPrometheus({ dataDir: bf.data });
  s = await startStandin({ cluster: 'llm-platform' });
  kubeconfig = s.writeKubeconfig();
}, 60_000);

afterAll(async () => {
  await s?.close();
  await prom?.stop();
  bf?.cleanup();
});

interface Outcome {
  r: CliResult;
  report?: any;
  /** Requests the stand-in received during this run. */
  sent: Array<{ method: string; path: string; status: number; query: Record<string, string> }>;
}

/** One scan; the watchdog kills it after `watchdogMs` (a hang is a failure, not a slow test). */
async function scan(args: string[], faults: Fault[] = [], watchdogMs = 60_000, kc = kubeconfig): Promise<Outcome> {
  s.faults.length = 0;
  s.faults.push(...faults);
  const before = s.requests.length;
  try {
    const r = await runCli(['scan', '--kubeconfig', kc, '--prometheus-url', prom.url, '-o', 'json', '--fail-on', 'none', ...args], { timeoutMs: watchdogMs });
    expect(r.code, `the CLI did not end by itself within ${watchdogMs} ms\n${r.stderr}`).not.toBeNull();
    let report: any;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      report = undefined;
    }
    return { r, report, sent: s.requests.slice(before) };
  } finally {
    s.faults.length = 0;
  }
}

/** stderr: only one-line `queue-doctor: …` messages, no stack trace. */
function oneLiners(r: CliResult): string[] {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  for (const l of lines) expect(l).toMatch(/^queue-doctor: /);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return lines;
}

const count = (o: Outcome, path: string) => o.sent.filter((q) => q.path === path).length;
const DEPLOYMENTS = '/apis/apps/v1/deployments';

describe('Kubernetes API faults, end to end', () => {
  test('connection refused: exit 2, one line naming the server and what to do', async () => {
    const port = await closedPort();
    const o = await scan(['-A'], [], 60_000, s.writeKubeconfig({ server: `https://127.0.0.1:${port}` }, 'kc-refused'));
    expect(o.r.code).toBe(2);
    const lines = oneLiners(o.r);
    expect(lines).toEqual([
      `queue-doctor: cannot reach the API server https://127.0.0.1:${port} of context "llm-platform" (GET /apis): connection refused; check that the cluster is running and the kubeconfig server address is right, or pick another context with --context`,
    ]);
    recordFigure('faultScenarios', 1);
  });

  test('a reset mid-body and a truncated JSON body are retried: complete, exit 0', async () => {
    const o = await scan(['-A'], [
      { type: 'reset', match: DEPLOYMENTS, times: 1 },
      { type: 'truncate', match: '/apis/apps/v1/statefulsets', times: 1 },
    ]);
    expect(o.r.code, o.r.stderr).toBe(0);
    expect(o.report.incomplete).toBe(false);
    expect(o.sent.filter((q) => q.path === DEPLOYMENTS).map((q) => q.status)).toEqual([0, 200]);
    expect(o.report.summary.workloads).toBeGreaterThan(15);
    recordFigure('faultScenarios', 1);
  });

  test.each([
    ['reset', { type: 'reset' } as Fault, /could not be read/],
    ['truncated JSON', { type: 'truncate' } as Fault, /could not be read/],
    ['500', { type: 'status', status: 500 } as Fault, /500/],
    ['503', { type: 'status', status: 503 } as Fault, /503/],
  ])('deployments always fail (%s): bounded retries, the rest is read, incomplete (exit 3)', async (_name, fault, why) => {
    const o = await scan(['-A'], [{ ...fault, match: DEPLOYMENTS }]);
    expect(o.r.code, o.r.stderr).toBe(3);
    expect(o.report.incomplete).toBe(true);
    // 1 attempt + 3 retries (the default), never more
    expect(count(o, DEPLOYMENTS)).toBe(4);
    const problem = o.report.problems.find((p: any) => p.message.includes('deployments.apps'));
    expect(problem.message).toMatch(why);
    expect(problem.message.split('\n')).toHaveLength(1);
    expect(o.report.summary.autoscalers).toBeGreaterThan(0); // HPAs and ScaledObjects still read
    expect(oneLiners(o.r).some((l) => l.includes('deployments.apps'))).toBe(true);
    recordFigure('faultScenarios', 1);
  });

  test('429 with Retry-After: waits as told, then completes', async () => {
    const o = await scan(['-A'], [{ type: 'status', status: 429, retryAfter: 1, match: DEPLOYMENTS, times: 2 }]);
    expect(o.r.code, o.r.stderr).toBe(0);
    expect(o.sent.filter((q) => q.path === DEPLOYMENTS).map((q) => q.status)).toEqual([429, 429, 200]);
    expect(o.report.incomplete).toBe(false);
    recordFigure('faultScenarios', 1);
  });

  test('429 with a Retry-After past the deadline: gives up at --timeout instead of waiting', async () => {
    const o = await scan(['-A', '--timeout', '4s'], [{ type: 'status', status: 429, retryAfter: 3600, match: DEPLOYMENTS }], 10_000);
    expect(o.r.code, o.r.stderr).toBe(3);
    expect(count(o, DEPLOYMENTS)).toBe(1);
    expect(o.report.problems.find((p: any) => p.message.includes('deployments.apps')).message).toMatch(/--timeout/);
    oneLiners(o.r);
    recordFigure('faultScenarios', 1);
  });

  test('a stalled list: ends by --request-timeout/--timeout, the rest read, incomplete', async () => {
    // the bound is --timeout plus slack for starting node: a run past it is killed and fails
    const o = await scan(['-A', '--request-timeout', '1s', '--timeout', '6s'], [{ type: 'stall', match: DEPLOYMENTS }], 12_000);
    expect(o.r.code, o.r.stderr).toBe(3);
    expect(o.report.incomplete).toBe(true);
    const p = o.report.problems.find((x: any) => x.message.includes('deployments.apps'));
    expect(p.message).toMatch(/did not answer GET \/apis\/apps\/v1\/deployments within 1s|--timeout/);
    expect(o.report.summary.autoscalers).toBeGreaterThan(0);
    oneLiners(o.r);
    recordFigure('faultScenarios', 1);
  });

  test('a server that stalls from the first request: exit 3 by --timeout, one line', async () => {
    const o = await scan(['-A', '--request-timeout', '1s', '--timeout', '3s'], [{ type: 'stall' }], 9_000);
    expect(o.r.code, o.r.stderr).toBe(3);
    const lines = oneLiners(o.r);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/did not answer GET \/apis within 1s|--timeout/);
    recordFigure('faultScenarios', 1);
  });

  test('a continue token that expires mid-list: the list restarts and completes (1,100 deployments, 3 pages)', async () => {
    const list = s.data.lists.get('apps/v1/deployments')!;
    const extra = Array.from({ length: 1100 }, (_, i) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `bulk-${String(i).padStart(4, '0')}`, namespace: 'bulk', resourceVersion: '1' },
      spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    }));
    const saved = list.items;
    list.items = [...saved, ...extra];
    let expired = false;
    try {
      const o = await scan(['-A'], [
        {
          type: 'delay',
          ms: 0,
          match: (q) => {
            if (q.path === DEPLOYMENTS && q.query.continue && !expired) {
              expired = true;
              s.expireContinueTokens();
            }
            return false;
          },
        },
      ]);
      expect(o.r.code, o.r.stderr).toBe(0);
      expect(o.sent.filter((q) => q.path === DEPLOYMENTS).map((q) => q.status)).toEqual([200, 410, 200, 200, 200]);
      expect(o.report.incomplete).toBe(false);
      expect(o.report.summary.workloads).toBeGreaterThan(1100);
      recordFigure('faultScenarios', 1);

      // a token that expires on every page: 3 restarts, then a clear problem, incomplete
      const again = await scan(['-A'], [
        {
          type: 'delay',
          ms: 0,
          match: (q) => {
            if (q.path === DEPLOYMENTS && q.query.continue) s.expireContinueTokens();
            return false;
          },
        },
      ]);
      expect(again.r.code, again.r.stderr).toBe(3);
      expect(again.sent.filter((q) => q.path === DEPLOYMENTS && q.status === 410)).toHaveLength(4);
      const p = again.report.problems.find((x: any) => x.message.includes('deployments.apps'));
      expect(p.message).toMatch(/410|expired|too old/i);
      oneLiners(again.r);
      recordFigure('faultScenarios', 1);
    } finally {
      list.items = saved;
    }
  });

  test('Prometheus found through the API server’s service proxy: read with GET only (queue-doctor is read-only)', async () => {
    s.serviceProxy['monitoring/kube-prometheus-stack-prometheus'] = prom.url;
    const before = s.requests.length;
    try {
      const r = await runCli(['scan', '--kubeconfig', kubeconfig, '-A', '-o', 'json', '--fail-on', 'none'], { timeoutMs: 60_000 });
      expect(r.code, r.stderr).not.toBeNull();
      const sent = s.requests.slice(before);
      const proxied = sent.filter((q) => q.path.includes('/proxy/'));
      expect(proxied.length, 'the scan did not query Prometheus through the proxy').toBeGreaterThan(0);
      // a POST to services/proxy is the RBAC verb "create": refused by `queue-doctor rbac`'s read-only role
      expect(sent.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.path}`)).toEqual([]);
      expect(proxied.every((q) => q.status === 200)).toBe(true);
      recordFigure('faultScenarios', 1);
    } finally {
      delete s.serviceProxy['monitoring/kube-prometheus-stack-prometheus'];
    }
  });

  test('a namespace deleted mid-scan reads as gone, not as an error', async () => {
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
      const r = await runCli(['scan', '--kubeconfig', t.writeKubeconfig(), '-n', 'billing', '-n', 'rag', '--prometheus-url', prom.url, '-o', 'json', '--fail-on', 'none'], { timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.incomplete).toBe(false);
      expect(report.problems.map((p: any) => p.code)).toContain('namespace-not-found');
      expect(report.scan.workloads.some((w: any) => w.namespace === 'rag')).toBe(true);
      oneLiners(r);
      recordFigure('faultScenarios', 1);
    } finally {
      await t.close();
    }
  });
});
