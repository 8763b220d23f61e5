// Snapshots: save what a live read returned, load it offline, get the same objects — and no
// credential, managedFields or last-applied annotation in the file.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandin, type Standin } from '../helpers/k8s-standin.js';
import { readOptions } from '../helpers/cluster-read.js';
import { readClusterInventory } from '../../src/inventory/read-cluster.js';
import { loadSnapshot, saveSnapshot, SNAPSHOT_FILE } from '../../src/inventory/snapshot.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { EXIT, UserError } from '../../src/cli/exit-codes.js';
import type { ManifestObject } from '../../src/inventory/model.js';

let s: Standin;
let dir: string;

beforeAll(async () => {
  s = await startStandin({ cluster: 'llm-platform' });
  dir = mkdtempSync(join(tmpdir(), 'qd-snapshot-'));
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

const view = (objects: ManifestObject[]) =>
  objects.map((o) => ({ ref: o.ref, context: o.context, raw: o.raw, at: o.locate(['spec', 'replicas']), file: o.file }));

describe('save and replay', () => {
  test('a replay returns exactly the objects of the live read', async () => {
    const live = await readClusterInventory(readOptions(s.writeKubeconfig(), { allNamespaces: true }));
    live.close();
    const prometheus = { recorded: [{ query: 'sum(agent_queue_depth{queue="default"})', result: [[1, '100']] }] };
    const path = await saveSnapshot(join(dir, 'snap'), { contexts: live.contexts, objects: live.objects, prometheus, meta: { window: '6h' }, createdAt: '2026-01-01T00:00:00Z' });
    expect(path).toBe(join(dir, 'snap', SNAPSHOT_FILE));
    const loaded = await loadSnapshot(join(dir, 'snap'));
    expect(view(loaded.objects)).toEqual(view(live.objects));
    expect(loaded).toMatchObject({ contexts: ['llm-platform'], createdAt: '2026-01-01T00:00:00Z', prometheus, meta: { window: '6h' }, problems: [] });
    // the same inventory, hence the same findings
    const a = buildInventory(live.objects, { sources: live.contexts });
    const b = buildInventory(loaded.objects, { sources: loaded.contexts });
    const summary = (inv: ReturnType<typeof buildInventory>) => inv.workloads.map((w) => ({ id: w.id, worker: w.worker, gpu: w.gpu, settings: w.settings, autoscalers: w.autoscalers.map((x) => x.id) }));
    expect(summary(b)).toEqual(summary(a));
    // a snapshot.json path works too
    expect((await loadSnapshot(path)).objects).toHaveLength(live.objects.length);
  });

  test('the file is plain versioned JSON without credentials or managedFields', async () => {
    const live = await readClusterInventory(readOptions(s.writeKubeconfig(), { namespaces: ['rag', 'workers', 'billing'] }));
    live.close();
    // an object from elsewhere (not sanitised yet) is sanitised on save
    const extra: ManifestObject = {
      ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'x', name: 'leaky' },
      context: 'llm-platform',
      raw: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'leaky', namespace: 'x', managedFields: [{ manager: 'kubectl' }], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"token":"CANARY-1"}' } },
        spec: { template: { spec: { containers: [{ name: 'c', env: [{ name: 'API_TOKEN', value: 'CANARY-2' }] }] } } },
      },
      locate: () => ({ type: 'cluster', context: 'llm-platform', kind: 'Deployment', name: 'leaky' }),
    };
    await saveSnapshot(join(dir, 'clean'), { contexts: live.contexts, objects: [...live.objects, extra] });
    const text = readFileSync(join(dir, 'clean', SNAPSHOT_FILE), 'utf8');
    const doc = JSON.parse(text);
    expect(doc).toMatchObject({ version: 1, tool: 'queue-doctor', contexts: ['llm-platform'] });
    expect(doc.objects[0]).toEqual({ context: 'llm-platform', object: expect.objectContaining({ apiVersion: 'apps/v1', kind: 'Deployment' }) });
    for (const leak of ['managedFields', 'last-applied-configuration', 's3cr3t-redis-pass', 'hunter2', 'sk-lf-0c1d2e3f', 'CANARY-1', 'CANARY-2']) expect(text).not.toContain(leak);
    expect(extra.raw.metadata.managedFields).toHaveLength(1); // the caller's object is untouched
  });
});

describe('snapshot errors: one line, exit 2', () => {
  const err = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).code).toBe(EXIT.USAGE);
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };

  test('missing directory or file', async () => {
    expect(await err(loadSnapshot(join(dir, 'nope')))).toBe(`--snapshot ${join(dir, 'nope')}: no such directory; pass a directory written by scan --save-snapshot`);
    mkdirSync(join(dir, 'empty'));
    expect(await err(loadSnapshot(join(dir, 'empty')))).toBe(`--snapshot ${join(dir, 'empty')}: no snapshot.json in it; pass a directory written by scan --save-snapshot`);
  });

  test('corrupt, foreign and newer snapshots', async () => {
    const put = (name: string, text: string) => {
      mkdirSync(join(dir, name), { recursive: true });
      writeFileSync(join(dir, name, SNAPSHOT_FILE), text);
      return join(dir, name);
    };
    expect(await err(loadSnapshot(put('corrupt', '{"version": 1, "objects": [')))).toMatch(/: not valid JSON \(.+\); the file is damaged — save it again with scan --save-snapshot$/);
    expect(await err(loadSnapshot(put('foreign', '{"kind": "List", "items": []}')))).toMatch(/: not a queue-doctor snapshot \("tool" is not "queue-doctor"\)/);
    expect(await err(loadSnapshot(put('newer', '{"version": 7, "tool": "queue-doctor", "toolVersion": "9.0.0", "objects": []}')))).toMatch(
      /: written by a newer queue-doctor \(9\.0\.0\) in snapshot format 7; this version \(.+\) reads format 1 — upgrade queue-doctor$/,
    );
    expect(await err(loadSnapshot(put('noobjects', '{"version": 1, "tool": "queue-doctor"}')))).toMatch(/"objects" is not a list/);
  });

  test('entries that are not objects are skipped with a warning', async () => {
    const p = join(dir, 'partial');
    mkdirSync(p);
    writeFileSync(join(p, SNAPSHOT_FILE), JSON.stringify({ version: 1, tool: 'queue-doctor', createdAt: 'x', contexts: ['c'], objects: [{ context: 'c', object: { kind: 'Deployment' } }, { context: 'c', object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n' } } }] }));
    const loaded = await loadSnapshot(p);
    expect(loaded.objects.map((o) => o.ref)).toEqual([{ apiVersion: 'v1', kind: 'Service', namespace: 'n', name: 's' }]);
    expect(loaded.problems.map((x) => x.message)).toEqual([`--snapshot ${join(p, SNAPSHOT_FILE)}: objects[0] is not a Kubernetes object (apiVersion, kind, metadata.name); skipped`]);
  });

  test('an unwritable target', async () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    expect(await err(saveSnapshot(join(dir, 'a-file', 'sub'), { contexts: [], objects: [] }))).toMatch(/^--save-snapshot .*: cannot create the directory \(a file is in the way\); pass a writable directory$/);
  });
});
