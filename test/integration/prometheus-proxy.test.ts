// Prometheus reached through the Kubernetes API server's service proxy (auto-discovery): the
// real client against the cluster stand-in, which passes /proxy/ requests to a real
// Prometheus. Every request is a GET (POST on services/proxy is the RBAC verb `create`, which
// the read-only role refuses), and the signals equal those read directly. Long queries: the
// stand-in is a Node server, which refuses a request line plus headers over 16 KiB with 431
// (as a proxy in front of an API server may); the client then sends the same query without
// its namespace filter, and the signals are still those read directly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill, inventoryFromCluster, startPrometheus, type Backfilled, type PrometheusServer } from '../helpers/prometheus.js';
import { startStandin, type Standin } from '../helpers/k8s-standin.js';
import { readOptions } from '../helpers/cluster-read.js';
import { FIXTURE_END, FIXTURE_WINDOW } from '../helpers/series-gen.js';
import { readClusterInventory } from '../../src/inventory/read-cluster.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { collectSignals, type CollectSignalsOptions } from '../../src/metrics/index.js';
import type { Inventory } from '../../src/inventory/model.js';
import type { KubeServiceAccess, SignalsResult } from '../../src/metrics/signals-model.js';

let bf: Backfilled;
let prom: PrometheusServer;
let s: Standin;
let access: KubeServiceAccess[];
let close: () => void;

beforeAll(async () => {
  bf = backfill(['llm-platform']);
  prom = await startPrometheus({ dataDir: bf.data });
  s = await startStandin({ cluster: 'llm-platform', serviceProxy: { 'monitoring/kube-prometheus-stack-prometheus': prom.url } });
  const read = await readClusterInventory(readOptions(s.writeKubeconfig(), { allNamespaces: true }));
  access = read.serviceAccess;
  close = () => read.close();
}, 60_000);

afterAll(async () => {
  close?.();
  await s?.close();
  await prom?.stop();
  bf?.cleanup();
});

const options = (extra: Partial<CollectSignalsOptions>): CollectSignalsOptions => ({ prometheus: {}, at: FIXTURE_END, windowSeconds: FIXTURE_WINDOW, targetWaitSeconds: 30, ...extra });

/**
 * Signals and bindings, comparable across runs: not the request count, nor the KEDA trigger
 * (discovery knows the in-cluster address KEDA should use; a plain URL does not).
 */
function comparable(r: SignalsResult, ids?: Set<string>): unknown {
  const byWorkload = [...r.byWorkload.entries()].filter(([id]) => !ids || ids.has(id));
  const bindings = r.bindings.filter((b) => !ids || ids.has(b.workloadId));
  return JSON.parse(JSON.stringify({ bindings, byWorkload, warnings: r.warnings, incomplete: r.incomplete }, (k, v) => (k === 'keda' ? undefined : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
}

/** The inventory plus `n` Deployments in `n` namespaces with long names: namespace filters too long for a 16 KiB request line. */
function withManyNamespaces(inv: Inventory, n: number): Inventory {
  const seed = inv.workloads.find((w) => w.name === 'storefront') ?? inv.workloads[0];
  const objects = [...inv.workloads.map((w) => w.object), ...inv.autoscalers.map((a) => a.object)];
  for (let i = 0; i < n; i++) {
    const raw = JSON.parse(JSON.stringify(seed.object.raw));
    raw.metadata.namespace = `tenant-with-a-rather-long-namespace-name-${String(i).padStart(3, '0')}`;
    objects.push({ ...seed.object, raw, ref: { ...seed.object.ref, namespace: raw.metadata.namespace } });
  }
  return buildInventory(objects, {});
}

const proxied = (from: number) => s.requests.slice(from).filter((q) => q.path.includes('/proxy/'));

describe('through the API server service proxy', () => {
  it('reads with GET only, and reads what a direct connection reads', async () => {
    const inventory = inventoryFromCluster('llm-platform');
    const direct = await collectSignals(inventory, options({ prometheus: { url: prom.url } }));
    const before = s.requests.length;
    const viaProxy = await collectSignals(inventory, options({ serviceAccess: access }));
    const sent = s.requests.slice(before);
    expect(proxied(before).length).toBe(viaProxy.queryCount);
    expect(sent.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.path}`)).toEqual([]);
    expect(proxied(before).every((q) => q.status === 200)).toBe(true);
    expect(viaProxy.prometheus?.discoveredFrom).toMatch(/reached through the API server's service proxy/);
    expect(viaProxy.queryCount).toBe(direct.queryCount);
    expect(direct.incomplete).toBe(false);
    expect(comparable(viaProxy)).toEqual(comparable(direct));
  });

  it('a query too long for the way (431) is sent again without its namespace filter: same signals, still GET', async () => {
    const base = inventoryFromCluster('llm-platform');
    const inventory = withManyNamespaces(base, 300);
    const direct = await collectSignals(inventory, options({ prometheus: { url: prom.url } }));
    const before = s.requests.length;
    const viaProxy = await collectSignals(inventory, options({ serviceAccess: access }));
    const sent = s.requests.slice(before);
    expect(sent.filter((q) => q.method !== 'GET')).toEqual([]);
    // the CPU query names 300 namespaces several times: refused at 16 KiB, answered unfiltered
    const cpu = proxied(before).filter((q) => (q.query.query ?? '').includes('container_cpu_usage_seconds_total'));
    expect(cpu.map((q) => q.status)).toEqual([200]);
    expect(cpu[0].query.query).not.toContain('namespace=~');
    expect(viaProxy.queryStats!.retries).toBeGreaterThan(0); // the refused requests, counted as sent
    const ids = new Set(base.workloads.map((w) => w.id));
    expect(direct.incomplete).toBe(false);
    expect(comparable(viaProxy, ids)).toEqual(comparable(direct, ids));
    expect(viaProxy.warnings).toEqual([]);
  });
});
