// Fidelity: the real kubectl and queue-doctor read the same stand-in and must see the same
// objects. (kubectl is on the machine image; .ci/run installs Debian's kubernetes-client.)
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { startStandin, type Standin } from '../helpers/k8s-standin.js';
import { readOptions } from '../helpers/cluster-read.js';
import { readClusterInventory } from '../../src/inventory/read-cluster.js';
import { sanitizeClusterObject } from '../../src/inventory/redact.js';

let s: Standin;
let kubeconfig: string;

// async: the stand-in runs in this process, so kubectl must not block its event loop
async function kubectl(...args: string[]): Promise<any> {
  const { stdout } = await promisify(execFile)('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(s.dir, 'kubectl-cache'), ...args, '-o', 'json'], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout);
}

const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

beforeAll(async () => {
  s = await startStandin({ cluster: 'llm-platform' });
  kubeconfig = s.writeKubeconfig();
});
afterAll(async () => {
  await s?.close();
});

describe('kubectl and queue-doctor read the same objects', () => {
  test('kubectl get deploy,hpa -A -o json', async () => {
    const list = await kubectl('get', 'deploy,hpa', '-A');
    expect(list.kind).toBe('List');
    const r = await readClusterInventory(readOptions(kubeconfig, { allNamespaces: true }));
    r.close();
    const ours = new Map(r.objects.filter((o) => o.ref.kind === 'Deployment' || o.ref.kind === 'HorizontalPodAutoscaler').map((o) => [key(o.raw), o.raw]));
    const theirs = new Map<string, any>(list.items.map((i: any) => [key(i), i]));
    // the one difference is deliberate: HPAs that KEDA owns are represented by their ScaledObject
    const onlyKubectl = [...theirs.keys()].filter((k) => !ours.has(k));
    expect(onlyKubectl).toEqual(['HorizontalPodAutoscaler/ingest/keda-hpa-document-ingest']);
    expect(theirs.get(onlyKubectl[0]).metadata.ownerReferences[0].kind).toBe('ScaledObject');
    expect([...ours.keys()].filter((k) => !theirs.has(k))).toEqual([]);
    expect(ours.size).toBe(16 + 7);
    for (const [k, obj] of ours) {
      // queue-doctor keeps objects sanitised (no managedFields, no last-applied, credentials redacted)
      expect(obj, k).toEqual(sanitizeClusterObject(theirs.get(k)));
    }
  });

  test('custom resources, a namespace and a label selector', async () => {
    const list = await kubectl('get', 'statefulsets,scaledobjects.keda.sh,scaledjobs.keda.sh,rollouts.argoproj.io,triggerauthentications.keda.sh', '-A');
    const r = await readClusterInventory(readOptions(kubeconfig, { allNamespaces: true }));
    r.close();
    const kinds = new Set(['StatefulSet', 'ScaledObject', 'ScaledJob', 'Rollout', 'TriggerAuthentication']);
    const ours = r.objects.filter((o) => kinds.has(o.ref.kind));
    expect(ours.map((o) => key(o.raw)).sort()).toEqual(list.items.map(key).sort());
    for (const o of ours) expect(o.raw).toEqual(sanitizeClusterObject(list.items.find((i: any) => key(i) === key(o.raw))));

    const selected = await kubectl('get', 'deploy', '-n', 'rag', '-l', 'app.kubernetes.io/component=worker');
    const mine = await readClusterInventory(readOptions(kubeconfig, { namespaces: ['rag'], selector: 'app.kubernetes.io/component=worker' }));
    mine.close();
    expect(mine.objects.filter((o) => o.ref.kind === 'Deployment').map((o) => o.raw)).toEqual(selected.items.map((i: any) => sanitizeClusterObject(i)));
  });

  test('kubectl sent only GET, as queue-doctor did', () => {
    expect(s.requests.length).toBeGreaterThan(10);
    expect(s.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });
});
