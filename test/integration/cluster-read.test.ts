// readClusterInventory against the HTTPS stand-in serving fixtures/clusters/*.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mergedKubeconfig, startStandin, type Standin } from '../helpers/k8s-standin.js';
import { readOptions } from '../helpers/cluster-read.js';
import { readClusterInventory } from '../../src/inventory/read-cluster.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { UserError } from '../../src/cli/exit-codes.js';
import type { ManifestObject } from '../../src/inventory/model.js';

let llm: Standin;
let small: Standin;

beforeAll(async () => {
  [llm, small] = await Promise.all([startStandin({ cluster: 'llm-platform', clientCert: true }), startStandin({ cluster: 'small-no-keda' })]);
});
afterAll(async () => {
  await Promise.all([llm?.close(), small?.close()]);
});

const ids = (objects: ManifestObject[]) => objects.map((o) => `${o.ref.namespace}/${o.ref.kind}/${o.ref.name}`);

describe('reading a whole cluster (-A)', () => {
  test('reads workloads, autoscalers and KEDA objects, read-only, with cluster locations', async () => {
    const before = llm.requests.length;
    const r = await readClusterInventory(readOptions(llm.writeKubeconfig(), { allNamespaces: true }));
    r.close();
    const sent = llm.requests.slice(before);
    expect(sent.every((q) => q.method === 'GET')).toBe(true);
    expect(r.requestCount).toBe(sent.length);
    expect(r.incomplete).toBe(false);
    expect(r.problems).toEqual([]);
    expect(r.contexts).toEqual(['llm-platform']);
    const kinds: Record<string, number> = {};
    for (const o of r.objects) kinds[o.ref.kind] = (kinds[o.ref.kind] ?? 0) + 1;
    expect(kinds).toEqual({ Deployment: 16, StatefulSet: 4, Rollout: 1, HorizontalPodAutoscaler: 7, ScaledObject: 2, ScaledJob: 1, TriggerAuthentication: 2 });
    // the HPA KEDA made for document-ingest is left out: its ScaledObject is the configuration
    expect(ids(r.objects)).not.toContain('ingest/HorizontalPodAutoscaler/keda-hpa-document-ingest');
    expect(r.summaries[0].kedaManagedHpas).toBe(1);
    expect(r.notes.join('\n')).toMatch(/left out 1 HPA that KEDA manages/);

    const rag = r.objects.find((o) => o.ref.kind === 'Deployment' && o.ref.name === 'rag-worker')!;
    expect(rag.context).toBe('llm-platform');
    expect(rag.ref).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'rag', name: 'rag-worker' });
    expect(rag.raw.apiVersion).toBe('apps/v1');
    expect(rag.raw.metadata.managedFields).toBeUndefined();
    expect(rag.raw.status.replicas).toBe(1);
    expect(rag.locate(['spec', 'template', 'spec', 'containers', 0, 'env', 4, 'value'])).toEqual({
      type: 'cluster',
      context: 'llm-platform',
      namespace: 'rag',
      kind: 'Deployment',
      name: 'rag-worker',
      path: '/spec/template/spec/containers/0/env/4/value',
    });
    // credentials never reach the inventory
    const text = JSON.stringify(r.objects.map((o) => o.raw));
    for (const canary of ['s3cr3t-redis-pass', 'sk-lf-0c1d2e3f', 'hunter2']) expect(text).not.toContain(canary);
    expect(text).toContain('redis://<redacted>@redis-master.rag.svc.cluster.local:6379/0');
  });

  test('the same rules input as manifests: buildInventory links cluster objects', async () => {
    const r = await readClusterInventory(readOptions(llm.writeKubeconfig(), { allNamespaces: true }));
    r.close();
    const inv = buildInventory(r.objects, { sources: r.contexts });
    const w = (ns: string, name: string) => inv.workloads.find((x) => x.namespace === ns && x.name === name)!;
    expect(w('rag', 'rag-worker').id).toBe('llm-platform/rag/Deployment/rag-worker');
    expect(w('rag', 'rag-worker').worker.isQueueWorker).toBe(true);
    expect(w('rag', 'rag-worker').settings.backlogQuery).toBe('sum(agent_queue_depth{queue="default"})');
    expect(w('rag', 'rag-worker').autoscalers.map((a) => [a.kind, a.metrics[0].target])).toEqual([['HorizontalPodAutoscaler', 70]]);
    expect(w('ml', 'embedding-worker').gpu.isGpu).toBe(true);
    expect(w('billing', 'invoice-worker').autoscalers.map((a) => a.kind).sort()).toEqual(['HorizontalPodAutoscaler', 'ScaledObject']);
    expect(w('ingest', 'document-ingest').autoscalers.map((a) => a.kind)).toEqual(['ScaledObject']);
    expect(w('web', 'checkout').kind).toBe('Rollout');
    expect(w('web', 'checkout').autoscalers).toHaveLength(1);
    expect(w('web', 'storefront').worker.isQueueWorker).toBe(false);
    expect(inv.triggerAuthentications.map((t) => t.ref.name).sort()).toEqual(['aws-irsa', 'redis-auth']);
  });

  test('small pages: limit/continue give the same objects', async () => {
    const whole = await readClusterInventory(readOptions(llm.writeKubeconfig(), { allNamespaces: true }));
    const before = llm.requests.length;
    const paged = await readClusterInventory(readOptions(llm.writeKubeconfig(), { allNamespaces: true, pageSize: 3 }));
    whole.close();
    paged.close();
    expect(ids(paged.objects)).toEqual(ids(whole.objects));
    const deployPages = llm.requests.slice(before).filter((q) => q.path === '/apis/apps/v1/deployments');
    expect(deployPages).toHaveLength(6); // 16 items, 3 per page
    expect(deployPages.every((q) => q.query.limit === '3')).toBe(true);
    expect(deployPages.filter((q) => q.query.continue)).toHaveLength(5);
  });

  test('410 Gone for an expired continue token restarts the list', async () => {
    let expired = false;
    llm.faults.push({
      type: 'delay',
      ms: 0,
      match: (q) => {
        if (!expired && q.path === '/apis/apps/v1/deployments' && q.query.continue) {
          expired = true;
          llm.expireContinueTokens();
        }
        return false;
      },
    });
    const before = llm.requests.length;
    try {
      const r = await readClusterInventory(readOptions(llm.writeKubeconfig(), { allNamespaces: true, pageSize: 5 }));
      r.close();
      expect(r.incomplete).toBe(false);
      expect(r.objects.filter((o) => o.ref.kind === 'Deployment')).toHaveLength(16);
      const deploy = llm.requests.slice(before).filter((q) => q.path === '/apis/apps/v1/deployments');
      expect(deploy.map((q) => q.status)).toEqual([200, 410, 200, 200, 200, 200]);
      expect(deploy[2].query.continue).toBeUndefined(); // started again
    } finally {
      llm.faults.length = 0;
    }
  });
});

describe('scope: namespaces and selectors', () => {
  test("the context's namespace is the default, like kubectl", async () => {
    const r = await readClusterInventory(readOptions(llm.writeKubeconfig({ namespace: 'rag' }, 'kc-rag')));
    r.close();
    expect(new Set(r.objects.map((o) => o.ref.namespace))).toEqual(new Set(['rag']));
    expect(ids(r.objects)).toEqual(['rag/Deployment/rag-worker', 'rag/StatefulSet/redis-master', 'rag/HorizontalPodAutoscaler/rag-worker']);
    expect(r.summaries[0].namespaces).toEqual(['rag']);
  });

  test('-n (repeatable) and a namespace that does not exist', async () => {
    const r = await readClusterInventory(readOptions(llm.writeKubeconfig(), { namespaces: ['web', 'billing', 'nope'] }));
    r.close();
    expect(new Set(r.objects.map((o) => o.ref.namespace))).toEqual(new Set(['web', 'billing']));
    expect(r.problems).toEqual([{ level: 'warning', code: 'namespace-not-found', message: 'context "llm-platform": namespace "nope" does not exist; check -n (kubectl get namespaces lists them)', where: 'context llm-platform' }]);
    expect(r.incomplete).toBe(false);
  });

  test('-l selects workloads; autoscalers follow their targets', async () => {
    const before = llm.requests.length;
    const r = await readClusterInventory(readOptions(llm.writeKubeconfig(), { allNamespaces: true, selector: 'app.kubernetes.io/component in (worker,consumer)' }));
    r.close();
    expect(ids(r.objects.filter((o) => o.ref.kind === 'Deployment')).sort()).toEqual([
      'ingest/Deployment/document-ingest',
      'ml/Deployment/embedding-worker',
      'rag/Deployment/rag-worker',
      'streaming/Deployment/orders-consumer',
      'workers/Deployment/celery-worker',
    ]);
    expect(ids(r.objects.filter((o) => o.ref.kind === 'HorizontalPodAutoscaler')).sort()).toEqual([
      'ml/HorizontalPodAutoscaler/embedding-worker',
      'rag/HorizontalPodAutoscaler/rag-worker',
      'streaming/HorizontalPodAutoscaler/orders-consumer',
      'workers/HorizontalPodAutoscaler/celery-worker',
    ]);
    expect(ids(r.objects.filter((o) => o.ref.kind === 'ScaledObject'))).toEqual(['ingest/ScaledObject/document-ingest']);
    const sent = llm.requests.slice(before);
    expect(sent.find((q) => q.path === '/apis/apps/v1/deployments')?.query.labelSelector).toBe('app.kubernetes.io/component in (worker,consumer)');
    expect(sent.find((q) => q.path === '/apis/autoscaling/v2/horizontalpodautoscalers')?.query.labelSelector).toBeUndefined();
  });

  test('an invalid selector is a usage error quoting the API server', async () => {
    await expect(readClusterInventory(readOptions(llm.writeKubeconfig(), { allNamespaces: true, selector: 'a in (b' }))).rejects.toThrow(
      /^-l\/--selector "a in \(b": the API server rejected it \(unable to parse requirement.*\); use kubectl's label selector syntax/,
    );
  });

  test('-A with -n, and invalid namespace names, are usage errors', async () => {
    await expect(readClusterInventory(readOptions(llm.writeKubeconfig(), { allNamespaces: true, namespaces: ['rag'] }))).rejects.toThrow(UserError);
    await expect(readClusterInventory(readOptions(llm.writeKubeconfig(), { namespaces: ['../etc'] }))).rejects.toThrow(/not a valid namespace name/);
  });
});

describe('partial access', () => {
  test('-A without cluster-wide rights: namespace by namespace, naming what was forbidden and the rule', async () => {
    llm.forbid.push({ namespace: 'billing' });
    const before = llm.requests.length;
    try {
      const r = await readClusterInventory(readOptions(llm.writeKubeconfig(), { allNamespaces: true }));
      r.close();
      expect(r.incomplete).toBe(true);
      const forbidden = r.problems.filter((p) => p.code === 'forbidden').map((p) => p.message);
      expect(forbidden).toContain(
        'context "llm-platform": not allowed to list deployments.apps in namespace "billing" (403 Forbidden); grant {apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list"]} in a Role in "billing" or a ClusterRole — `queue-doctor rbac` prints the full set',
      );
      expect(forbidden.some((m) => m.includes('scaledobjects.keda.sh in namespace "billing"'))).toBe(true);
      expect(forbidden.every((m) => m.includes('"billing"'))).toBe(true);
      // everything else was read
      expect(r.objects.some((o) => o.ref.name === 'rag-worker')).toBe(true);
      expect(r.objects.some((o) => o.ref.namespace === 'billing')).toBe(false);
      const sent = llm.requests.slice(before);
      expect(sent.some((q) => q.path === '/apis/apps/v1/deployments' && q.status === 403)).toBe(true);
      expect(sent.some((q) => q.path === '/api/v1/namespaces' && q.status === 200)).toBe(true);
      expect(sent.some((q) => q.path === '/apis/apps/v1/namespaces/rag/deployments' && q.status === 200)).toBe(true);
    } finally {
      llm.forbid.length = 0;
    }
  });

  test('a forbidden authentication list only marks the read incomplete when a trigger uses it', async () => {
    llm.forbid.push({ resource: 'triggerauthentications' });
    try {
      const r = await readClusterInventory(readOptions(llm.writeKubeconfig(), { namespaces: ['web'] }));
      r.close();
      expect(r.problems).toEqual([]);
      expect(r.notes.some((n) => n.includes('not allowed to list triggerauthentications.keda.sh in namespace "web"'))).toBe(true);
      expect(r.incomplete).toBe(false);
      const used = await readClusterInventory(readOptions(llm.writeKubeconfig(), { namespaces: ['ingest'] }));
      used.close();
      expect(used.incomplete).toBe(true);
      expect(used.problems.map((p) => p.code)).toEqual(['forbidden']);
    } finally {
      llm.forbid.length = 0;
    }
  });

  test('a cluster without KEDA: noted, not incomplete', async () => {
    const r = await readClusterInventory(readOptions(small.writeKubeconfig(), { allNamespaces: true }));
    r.close();
    expect(r.incomplete).toBe(false);
    expect(r.problems).toEqual([]);
    expect(r.notes).toContain('context "small-no-keda": KEDA is not installed (no keda.sh API group); no ScaledObjects to read');
    expect(ids(r.objects)).toEqual(['jobs/Deployment/sidekiq', 'jobs/StatefulSet/rq-worker', 'jobs/HorizontalPodAutoscaler/rq-worker', 'jobs/HorizontalPodAutoscaler/sidekiq']);
    expect(small.requests.some((q) => q.path.startsWith('/apis/keda.sh'))).toBe(false);
  });
});

describe('several contexts and credentials', () => {
  test('--context twice: each object labelled with its context', async () => {
    const kc = llm.writeKubeconfig(undefined, 'unused');
    const merged = mergedKubeconfig([{ standin: llm, options: { namespace: 'rag' } }, { standin: small, options: { namespace: 'jobs' } }]);
    const path = kc + '-merged';
    (await import('node:fs')).writeFileSync(path, merged);
    const r = await readClusterInventory(readOptions(path, { contexts: ['small-no-keda', 'llm-platform'] }));
    r.close();
    expect(r.contexts).toEqual(['small-no-keda', 'llm-platform']);
    expect([...new Set(r.objects.map((o) => o.context))]).toEqual(['small-no-keda', 'llm-platform']);
    const inv = buildInventory(r.objects, { sources: r.contexts });
    expect(inv.workloads.map((w) => w.id)).toEqual(['small-no-keda/jobs/Deployment/sidekiq', 'small-no-keda/jobs/StatefulSet/rq-worker', 'llm-platform/rag/Deployment/rag-worker', 'llm-platform/rag/StatefulSet/redis-master']);
    expect(r.serviceAccess.map((s) => s.context)).toEqual(['small-no-keda', 'llm-platform']);
    const all = await readClusterInventory(readOptions(path, { allContexts: true }));
    all.close();
    expect(all.contexts).toEqual(['llm-platform', 'small-no-keda']);
  });

  test('one unreachable context among two: a warning, the other is read, incomplete', async () => {
    const merged = mergedKubeconfig([{ standin: llm, options: { namespace: 'rag' } }, { standin: small, options: { context: 'gone', server: 'https://127.0.0.1:9' } }]);
    const path = llm.dir + '/kc-gone';
    (await import('node:fs')).writeFileSync(path, merged);
    const r = await readClusterInventory(readOptions(path, { allContexts: true }));
    r.close();
    expect(r.incomplete).toBe(true);
    expect(r.objects.length).toBe(3);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].message).toMatch(/^cannot reach the API server https:\/\/127\.0\.0\.1:9 of context "gone" \(GET \/apis\): connection refused; .*; the report leaves this context out$/);
  });

  test.each([['cert'], ['exec'], ['token-file']] as const)('%s credentials', async (auth) => {
    const before = llm.requests.length;
    const r = await readClusterInventory(readOptions(llm.writeKubeconfig({ auth: auth as 'cert', namespace: 'ml' }, `kc-${auth}`)));
    r.close();
    expect(r.problems).toEqual([]);
    expect(ids(r.objects)).toContain('ml/Deployment/embedding-worker');
    const users = new Set(llm.requests.slice(before).map((q) => q.user));
    expect(users).toEqual(new Set([auth === 'cert' ? 'jane' : 'system:serviceaccount:queue-doctor:queue-doctor']));
  });

  test('insecure-skip-tls-verify works and warns', async () => {
    const r = await readClusterInventory(readOptions(llm.writeKubeconfig({ ca: 'insecure', namespace: 'rag' }, 'kc-insecure')));
    r.close();
    expect(r.objects).toHaveLength(3);
    expect(r.problems.map((p) => p.code)).toEqual(['tls-verification-off']);
    expect(r.incomplete).toBe(false);
  });
});

describe('service access for Prometheus discovery', () => {
  test('lists Services and reaches one through the API server service proxy', async () => {
    const prom = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { url: req.url, auth: req.headers.authorization ?? null } }));
    });
    await new Promise<void>((r) => prom.listen(0, '127.0.0.1', () => r()));
    llm.serviceProxy['monitoring/prometheus-operated'] = `http://127.0.0.1:${(prom.address() as AddressInfo).port}`;
    try {
      const r = await readClusterInventory(readOptions(llm.writeKubeconfig(), { namespaces: ['rag'] }));
      const access = r.serviceAccess[0];
      const services = await access.listServices();
      expect(services.find((s) => s.name === 'prometheus-operated')).toEqual({ namespace: 'monitoring', name: 'prometheus-operated', labels: { 'managed-by': 'prometheus-operator', 'operated-prometheus': 'true' }, ports: [{ name: 'web', port: 9090 }] });
      expect(services.length).toBe(14);
      const url = access.serviceProxyUrl('monitoring', 'prometheus-operated', 9090);
      expect(url).toBe(`${llm.url}/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy`);
      const opts = await access.requestOptions();
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get(`${url}/api/v1/query?query=${encodeURIComponent('up{job="x"}')}`, { headers: opts.headers, ca: opts.ca, cert: opts.cert, key: opts.key }, (res) => {
            let s = '';
            res.on('data', (c) => (s += c));
            res.on('end', () => resolve(s));
          })
          .on('error', reject);
      });
      // the API server's credentials stop at the API server
      expect(JSON.parse(body)).toEqual({ status: 'success', data: { url: '/api/v1/query?query=up%7Bjob%3D%22x%22%7D', auth: null } });
      expect(r.requestCount).toBeGreaterThan(5);
      r.close();
    } finally {
      delete llm.serviceProxy['monitoring/prometheus-operated'];
      await new Promise<void>((r) => prom.close(() => r()));
    }
  });

  test('without cluster-wide Service access it looks in the scanned and monitoring namespaces', async () => {
    llm.forbid.push({ resource: 'services', namespace: 'kube-system' });
    try {
      const r = await readClusterInventory(readOptions(llm.writeKubeconfig(), { namespaces: ['web'] }));
      const services = await r.serviceAccess[0].listServices();
      r.close();
      expect(new Set(services.map((s) => s.namespace))).toEqual(new Set(['web', 'monitoring']));
    } finally {
      llm.forbid.length = 0;
    }
  });
});
