// The meta-test (ESLint's checkRuleFiles): every rules/QD*.ts file exports complete meta and
// a rule, is named <id>-<slug>.ts, is registered in rules/index.ts in id order, and has fixtures
// (at least one valid and one invalid) that a test walks. Fails when the registry and the
// folder disagree.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { Rule, RuleMeta } from '../../src/diagnose/rule.js';
import { findRule, RULES } from '../../rules/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RULES_DIR = join(ROOT, 'rules');
const FIXTURES = join(ROOT, 'fixtures', 'rules');
const RULE_FILE = /^(QD\d{3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.ts$/;

const files = readdirSync(RULES_DIR)
  .filter((f) => /^QD/.test(f) && f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .sort();

describe('rule files', () => {
  it('are named <id>-<slug>.ts', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f, `rules/${f} must be named like QD101-cpu-hpa-on-queue-worker.ts`).toMatch(RULE_FILE);
  });

  it.each(files.filter((f) => RULE_FILE.test(f)))('%s exports complete meta and a rule', async (file) => {
    const [, id, slug] = RULE_FILE.exec(file)!;
    const mod = (await import(join(RULES_DIR, file))) as { meta?: RuleMeta; rule?: Rule };
    expect(Object.keys(mod), `rules/${file} exports meta and rule`).toEqual(expect.arrayContaining(['meta', 'rule']));
    const { meta, rule } = mod as { meta: RuleMeta; rule: Rule };
    expect(rule.meta, 'rule.meta is the exported meta').toBe(meta);
    expect(typeof rule.check).toBe('function');
    expect(meta.id).toBe(id);
    expect(meta.slug).toBe(slug);
    expect(['error', 'warning', 'info']).toContain(meta.severity);
    expect(typeof meta.needsSignals).toBe('boolean');
    expect(meta.title.trim().length, 'title').toBeGreaterThan(10);
    expect(meta.title.length, 'title fits a table cell').toBeLessThanOrEqual(80);
    expect(meta.rationale.trim().length, 'rationale').toBeGreaterThan(60);
    expect(meta.fix.trim().length, 'fix').toBeGreaterThan(20);
    for (const kind of ['bad', 'good'] as const) {
      const text = meta.examples?.[kind];
      expect(typeof text === 'string' && text.trim().length > 0, `examples.${kind}`).toBe(true);
      expect(() => jsyaml.loadAll(text), `examples.${kind} must be valid YAML`).not.toThrow();
    }
    expect(meta.examples.bad).not.toBe(meta.examples.good);
    expect(Array.isArray(meta.references) && meta.references.length > 0, 'references').toBe(true);
    for (const r of meta.references ?? []) expect(r.trim().length).toBeGreaterThan(5);
  });
});

describe('registry (rules/index.ts)', () => {
  const fileIds = files.map((f) => RULE_FILE.exec(f)?.[1]).filter((x): x is string => x !== undefined);

  it('lists exactly the rule files of the folder', () => {
    const registered = RULES.map((r) => r.meta.id);
    const missing = fileIds.filter((id) => !registered.includes(id));
    const extra = registered.filter((id) => !fileIds.includes(id));
    expect(missing, 'rule files not registered in rules/index.ts').toEqual([]);
    expect(extra, 'registered rules without a rules/<id>-<slug>.ts file').toEqual([]);
  });

  it('is in id order without duplicates', () => {
    const ids = RULES.map((r) => r.meta.id);
    expect(ids).toEqual([...new Set(ids)].sort());
  });

  it('holds the same rule objects the files export', async () => {
    for (const r of RULES) {
      const file = files.find((f) => f.startsWith(`${r.meta.id}-`));
      expect(file, r.meta.id).toBeDefined();
      const mod = (await import(join(RULES_DIR, file!))) as { rule: Rule };
      expect(mod.rule, `${r.meta.id} in the registry is the rule its file exports`).toBe(r);
      expect(file).toBe(`${r.meta.id}-${r.meta.slug}.ts`);
    }
  });

  it('finds rules by id and slug', () => {
    expect(findRule('qd101')?.meta.id).toBe('QD101');
    expect(findRule('double-scaled')?.meta.id).toBe('QD104');
    expect(findRule('QD999')).toBeUndefined();
  });
});

describe('fixtures and tests per rule', () => {
  it.each(files.filter((f) => RULE_FILE.test(f)))('%s has valid and invalid fixtures', async (file) => {
    const { meta } = (await import(join(RULES_DIR, file))) as { meta: RuleMeta };
    const dir = join(FIXTURES, meta.id);
    expect(existsSync(dir), `fixtures/rules/${meta.id}/ is missing`).toBe(true);
    // manifest rules: valid*.yaml / invalid*.yaml walked by rules-fixtures.test.ts;
    // live rules: *.scenario.yaml walked by rules-live.test.ts
    const scenario = meta.needsSignals;
    const list = readdirSync(dir).filter((f) => (scenario ? f.endsWith('.scenario.yaml') : /\.ya?ml$/.test(f) && !f.endsWith('.scenario.yaml')));
    expect(list.some((f) => f.startsWith('valid')), `fixtures/rules/${meta.id} needs a valid*${scenario ? '.scenario' : ''}.yaml`).toBe(true);
    expect(list.some((f) => f.startsWith('invalid')), `fixtures/rules/${meta.id} needs an invalid*${scenario ? '.scenario' : ''}.yaml`).toBe(true);
    const test = join(ROOT, 'test', 'unit', scenario ? 'rules-live.test.ts' : 'rules-fixtures.test.ts');
    expect(existsSync(test), `${test} walks these fixtures`).toBe(true);
  });

  it('has no fixture folder without a rule', () => {
    const folders = readdirSync(FIXTURES, { withFileTypes: true })
      .filter((d) => d.isDirectory() && /^QD\d{3}$/.test(d.name))
      .map((d) => d.name);
    const ids = files.map((f) => RULE_FILE.exec(f)?.[1]);
    expect(folders.filter((d) => !ids.includes(d))).toEqual([]);
  });
});
