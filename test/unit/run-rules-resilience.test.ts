// A rule that throws must not take the run down: the engine names the rule and the object,
// keeps the rule's findings about the other objects, runs the other rules, and exits 2.
import { describe, expect, test } from 'vitest';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { DEFAULT_READ_OPTIONS, parseFileInto, type ReadResult } from '../../src/inventory/read-manifests.js';
import { runRules } from '../../src/diagnose/run-rules.js';
import { finding, type Rule, type RuleMeta } from '../../src/diagnose/rule.js';
import { buildReport, decideExit } from '../../src/cli/common.js';
import type { Inventory } from '../../src/inventory/model.js';
import { RULES } from '../../rules/index.js';

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: alpha, namespace: q}
spec: {replicas: 1}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: boom, namespace: q}
spec: {replicas: 2}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: omega, namespace: q}
spec: {replicas: 3}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: omega, namespace: q}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: omega}
  maxReplicas: 4
`;

function inventory(): Inventory {
  const read: ReadResult = { objects: [], problems: [], sources: [], nonObjects: 0, partialView: false };
  parseFileInto('k8s/workers.yaml', Buffer.from(MANIFESTS), DEFAULT_READ_OPTIONS, read);
  expect(read.problems).toEqual([]);
  return buildInventory(read.objects, { sources: read.sources, problems: read.problems });
}

const meta = (id: string): RuleMeta => ({
  id,
  slug: `test-${id.toLowerCase()}`,
  severity: 'warning',
  title: id,
  rationale: '',
  fix: '',
  needsSignals: false,
  examples: { bad: '', good: '' },
});

/** Reports every workload; throws on the ones named in `bad` (as a rule reading a wrong-typed field would). */
function perWorkload(id: string, bad: string[]): Rule {
  const m = meta(id);
  return {
    meta: m,
    check: ({ inventory: inv }) =>
      inv.workloads.map((w) => {
        if (bad.includes(w.name)) void (null as unknown as { x: number }).x;
        return finding(m, w, ['spec', 'replicas'], `${w.name} seen`);
      }),
  };
}

const context = (inv: Inventory) => ({ inventory: inv, options: { targetWaitSeconds: 30 } });

describe('a crashing rule', () => {
  test('is named with the object it crashed on; its other findings and the other rules survive; exit 2', () => {
    const inv = inventory();
    const rules = [perWorkload('QD901', ['boom']), perWorkload('QD902', [])];
    const result = runRules(rules, context(inv));
    expect(result.findings.filter((f) => f.ruleId === 'QD901').map((f) => f.object.name).sort()).toEqual(['alpha', 'omega']);
    expect(result.findings.filter((f) => f.ruleId === 'QD902')).toHaveLength(3);
    expect(result.crashes).toHaveLength(1);
    expect(result.crashes[0].objectId).toBe('q/Deployment/boom');
    expect(inv.problems).toHaveLength(1);
    const p = inv.problems[0];
    expect(p.level).toBe('error');
    expect(p.code).toBe('rule-crashed');
    expect(p.message).toBe(
      "internal error: rule QD901 (test-qd901) crashed on Deployment q/boom (k8s/workers.yaml:6:1): TypeError: Cannot read properties of null (reading 'x'); the other rules ran. Please report this bug (run with --debug for the stack trace)",
    );
    expect(p.message.split('\n')).toHaveLength(1);
    expect(p.location).toMatchObject({ type: 'file', file: 'k8s/workers.yaml', line: 6, column: 1 });
    const report = buildReport({ command: 'check', inventory: inv, engine: result, rules, failOn: 'error', incomplete: false, started: performance.now() });
    expect(decideExit(report)).toBe(2);
  });

  test('crashes on several objects are each reported', () => {
    const inv = inventory();
    const result = runRules([perWorkload('QD901', ['alpha', 'omega'])], context(inv));
    expect(result.findings.map((f) => f.object.name)).toEqual(['boom']);
    expect(result.crashes.map((c) => c.objectId)).toEqual(['q/Deployment/alpha', 'q/Deployment/omega']);
  });

  test('a crash before any object is read is reported against the rule alone', () => {
    const inv = inventory();
    const broken: Rule = {
      meta: meta('QD903'),
      check: () => {
        throw new RangeError('bad\nsecond line');
      },
    };
    const result = runRules([broken, perWorkload('QD902', [])], context(inv));
    expect(result.findings).toHaveLength(3);
    expect(inv.problems.map((p) => p.message)).toEqual([
      'internal error: rule QD903 (test-qd903) crashed: RangeError: bad; the rule was skipped; the other rules ran. Please report this bug (run with --debug for the stack trace)',
    ]);
  });

  test('a rule crashing on every object gives up after a bound, not after one run per object', () => {
    const inv = inventory();
    let runs = 0;
    const m = meta('QD904');
    const always: Rule = {
      meta: m,
      check: ({ inventory: i }) => {
        runs++;
        return i.workloads.map(() => {
          throw new TypeError('always');
        });
      },
    };
    const result = runRules([always], context(inv));
    expect(result.findings).toEqual([]);
    // one normal run, one rerun per crashed object, and a final run with all of them hidden
    expect(runs).toBe(1 + 3 + 1);
    expect(result.crashes.map((c) => c.objectId)).toEqual(['q/Deployment/alpha', 'q/Deployment/boom', 'q/Deployment/omega']);
  });

  test('a rule that throws once and then not again is still reported, with its findings', () => {
    const inv = inventory();
    let calls = 0;
    const m = meta('QD905');
    const flaky: Rule = {
      meta: m,
      check: ({ inventory: i }) => {
        if (calls++ === 0) throw new Error('once');
        return i.workloads.map((w) => finding(m, w, [], 'ok'));
      },
    };
    const result = runRules([flaky], context(inv));
    expect(result.findings).toHaveLength(3);
    expect(inv.problems.map((p) => p.message)).toEqual([
      'internal error: rule QD905 (test-qd905) crashed: Error: once; it did not fail when run again, so its findings are kept; the other rules ran. Please report this bug (run with --debug for the stack trace)',
    ]);
  });

  test('the real rules do not crash on these objects (no isolation needed)', () => {
    const inv = inventory();
    const result = runRules(RULES.filter((r) => !r.meta.needsSignals), context(inv));
    expect(result.crashes).toEqual([]);
  });
});
