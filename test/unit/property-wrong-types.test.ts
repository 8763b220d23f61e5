// Wrong types everywhere: take real manifests (fixtures/examples, fixtures/rules/QD1xx), put
// hostile values (null, "three", [1], {}, NaN, -1, 1e308, huge strings, nested junk) at random
// fields and in queue-doctor.io/* annotations, then run what `check` runs: build the inventory,
// every rule that needs no signals, and every check output format. Nothing may throw, and no
// rule may crash (the engine would catch it, but a caught crash is still a bug: QDxxx must
// read defensively).
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_READ_OPTIONS, parseFileInto, type ReadResult } from '../../src/inventory/read-manifests.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import type { FieldPath, ManifestObject } from '../../src/inventory/model.js';
import { runRules } from '../../src/diagnose/run-rules.js';
import { buildReport } from '../../src/cli/common.js';
import { formatReport } from '../../src/report/format.js';
import { RULES } from '../../rules/index.js';
import { ROOT } from '../helpers/cli.js';
import { checkProperty } from '../helpers/property.js';
import { testContext } from '../helpers/report-fixtures.js';

function manifestFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name) && !e.name.includes('.scenario.')) out.push(p);
    }
  };
  walk(join(ROOT, 'fixtures', 'examples'));
  for (const d of readdirSync(join(ROOT, 'fixtures', 'rules'))) if (/^QD1\d\d$/.test(d)) walk(join(ROOT, 'fixtures', 'rules', d));
  return out.sort();
}

const FILES = manifestFiles();
const CHECK_RULES = RULES.filter((r) => !r.meta.needsSignals);
const FORMATS = ['text', 'json', 'sarif', 'junit', 'github', 'markdown'];

function readFile(file: string): ManifestObject[] {
  const r: ReadResult = { objects: [], problems: [], sources: [], nonObjects: 0, partialView: false };
  parseFileInto(file, readFileSync(file), DEFAULT_READ_OPTIONS, r);
  return r.objects;
}

/** Paths of every field of an object (not apiVersion/kind/metadata.name: it must stay an object). */
function fieldPaths(value: unknown, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [];
  if (value === null || typeof value !== 'object') return out;
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [k, v] of entries) {
    const p = [...prefix, k];
    const s = p.join('.');
    if (s === 'apiVersion' || s === 'kind' || s === 'metadata' || s === 'metadata.name') {
      out.push(...fieldPaths(v, p));
      continue;
    }
    out.push(p, ...fieldPaths(v, p));
  }
  return out;
}

function setAt(root: Record<string, unknown>, path: FieldPath, value: unknown): void {
  let node: any = root;
  for (const k of path.slice(0, -1)) node = node[k as string];
  node[path[path.length - 1] as string] = value;
}

const hostileValue = fc.oneof(
  fc.constantFrom(null, '', 'three', '70%', '-1', '1e400', 'NaN', '0x10', '5m', '∞', true, false, 0, -1, 0.5, 1e308, -1e308, NaN, Infinity, -Infinity, [], [1], ['cpu'], {}, { a: 'b' }, [null], [[]], { name: null }),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.constant('x'.repeat(10_000)),
  fc.anything({ maxDepth: 2, maxKeys: 3 }),
);

const ANNOTATIONS = ['queue-worker', 'job-duration', 'target-wait', 'concurrency', 'backlog-query', 'inflight-query', 'throughput-query', 'job-duration-query', 'ignore', 'ignore-reason'].map((k) => `queue-doctor.io/${k}`);

const io = { ...testContext(ROOT).io, env: { NO_COLOR: '1' } };

describe('no rule and no formatter crashes on wrong types', () => {
  test(`hostile values at random fields of ${FILES.length} real manifest files`, async () => {
    expect(FILES.length).toBeGreaterThan(40);
    await checkProperty(
      fc.asyncProperty(
        fc.constantFrom(...FILES),
        fc.array(fc.tuple(fc.nat(), fc.nat(), hostileValue), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...ANNOTATIONS), hostileValue), { maxLength: 3 }),
        async (file, mutations, annotations) => {
          const objects = readFile(file);
          if (objects.length === 0) return;
          for (const [oi, pi, value] of mutations) {
            const o = objects[oi % objects.length];
            const paths = fieldPaths(o.raw);
            if (paths.length) setAt(o.raw, paths[pi % paths.length], structuredClone(value));
          }
          for (const [oi, name, value] of annotations) {
            const o = objects[oi % objects.length];
            if (o.raw.metadata && typeof o.raw.metadata === 'object') {
              const a = o.raw.metadata.annotations;
              o.raw.metadata.annotations = a && typeof a === 'object' && !Array.isArray(a) ? { ...a, [name]: value } : { [name]: value };
            }
          }
          const inventory = buildInventory(objects, { sources: [file], partialView: true });
          const engine = runRules(CHECK_RULES, { inventory, options: { targetWaitSeconds: 30 } });
          expect(engine.crashes.map((c) => c.problem.message)).toEqual([]);
          const report = buildReport({ command: 'check', inventory, engine, rules: CHECK_RULES, failOn: 'error', incomplete: false, started: performance.now() });
          for (const format of FORMATS) {
            const text = await formatReport(report, format, { io, color: false });
            expect(typeof text).toBe('string');
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
