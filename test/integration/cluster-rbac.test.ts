// `queue-doctor rbac` prints exactly what `scan` needs: a stand-in that enforces the printed
// rules serves a complete scan, and every request in its log is allowed by them.
import { afterEach, describe, expect, test } from 'vitest';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseAllDocuments } from 'yaml';
import { rbacAllows, requestAttributes, startStandin, type PolicyRule, type Standin } from '../helpers/k8s-standin.js';
import { readOptions } from '../helpers/cluster-read.js';
import { renderRbac } from '../../src/cli/rbac.js';
import { readClusterInventory } from '../../src/inventory/read-cluster.js';

const rulesOf = (yaml: string, kind: string): PolicyRule[] => parseAllDocuments(yaml).map((d) => d.toJS()).find((d) => d.kind === kind).rules;

let s: Standin | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('the printed RBAC is sufficient and every request is inside it', () => {
  test('ClusterRole: scan -A, Service discovery and the service proxy, with nothing forbidden', async () => {
    const rules = rulesOf(renderRbac({}), 'ClusterRole');
    const prom = http.createServer((_req, res) => res.end('{"status":"success","data":{"resultType":"vector","result":[]}}'));
    await new Promise<void>((r) => prom.listen(0, '127.0.0.1', () => r()));
    s = await startStandin({ cluster: 'llm-platform', rbac: { rules }, serviceProxy: { 'monitoring/prometheus-operated': `http://127.0.0.1:${(prom.address() as AddressInfo).port}` } });
    try {
      const r = await readClusterInventory(readOptions(s.writeKubeconfig(), { allNamespaces: true }));
      const services = await r.serviceAccess[0].listServices();
      const opts = await r.serviceAccess[0].requestOptions();
      const status = await new Promise<number>((resolve, reject) =>
        https.get(`${r.serviceAccess[0].serviceProxyUrl('monitoring', 'prometheus-operated', 9090)}/api/v1/query?query=up`, { headers: opts.headers, ca: opts.ca }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject),
      );
      r.close();
      expect(status).toBe(200);
      expect(services.length).toBeGreaterThan(10);
      expect(r.problems).toEqual([]);
      expect(r.incomplete).toBe(false);
      expect(s.requests.filter((q) => q.status === 403)).toEqual([]);
      for (const q of s.requests) {
        expect(q.method).toBe('GET');
        expect(rbacAllows(rules, requestAttributes(q.method, q.path, q.query)), `${q.method} ${q.path}`).toBe(true);
      }
      // the rules are not wider than needed: every resource rule was used by some request
      const used = (rule: PolicyRule) => s!.requests.some((q) => rbacAllows([rule], requestAttributes(q.method, q.path, q.query)) && requestAttributes(q.method, q.path, q.query).resourceRequest);
      const unused = rules.filter((rule) => rule.resources && !used(rule)).map((rule) => rule.resources!.join(','));
      // namespaces are only listed when cluster-wide lists are forbidden (see the next test)
      expect(unused).toEqual(['namespaces']);
    } finally {
      await new Promise<void>((r) => prom.close(() => r()));
    }
  });

  test('Role for one namespace: scan -n is complete; scan -A names what the Role cannot grant', async () => {
    const yaml = renderRbac({ namespace: 'rag' });
    const rules = rulesOf(yaml, 'Role');
    s = await startStandin({ cluster: 'llm-platform', rbac: { rules, namespaces: ['rag'] } });
    const r = await readClusterInventory(readOptions(s.writeKubeconfig(), { namespaces: ['rag'] }));
    const services = await r.serviceAccess[0].listServices();
    r.close();
    expect(r.problems).toEqual([]);
    expect(r.incomplete).toBe(false);
    expect(r.objects.map((o) => o.ref.name)).toEqual(['rag-worker', 'redis-master', 'rag-worker']);
    expect(services.map((x) => `${x.namespace}/${x.name}`)).toEqual(['rag/redis-master']);
    for (const q of s.requests.filter((x) => x.status !== 403)) {
      expect(rbacAllows(rules, requestAttributes(q.method, q.path, q.query), ['rag']), q.path).toBe(true);
    }

    const wide = await readClusterInventory(readOptions(s.writeKubeconfig(), { allNamespaces: true }));
    wide.close();
    expect(wide.incomplete).toBe(true);
    expect(wide.problems.map((p) => p.message)).toContain(
      'context "llm-platform": not allowed to list deployments.apps in any namespace (cluster-wide) (403 Forbidden); grant a ClusterRole with {apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list"]} — `queue-doctor rbac` prints the full set',
    );
  });
});
