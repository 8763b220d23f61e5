// The live rules (needsSignals: true) against their scenario fixtures: every
// fixtures/rules/QD2xx/invalid-*.scenario.yaml must produce exactly the expected findings of that
// rule, every valid-*.scenario.yaml none. Each live rule must have both kinds of fixture.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src/diagnose/rule.js';
import { runRules } from '../../src/diagnose/run-rules.js';
import { loadScenario, type Scenario } from './live-scenario.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RULES_DIR = join(ROOT, 'rules');
const FIXTURES = join(ROOT, 'fixtures', 'rules');

const LIVE_IDS = ['QD201', 'QD202', 'QD203', 'QD204', 'QD205', 'QD206', 'QD207', 'QD208'];

async function loadRule(id: string): Promise<Rule> {
  const file = readdirSync(RULES_DIR).find((f) => f.startsWith(`${id}-`) && f.endsWith('.ts'));
  if (!file) throw new Error(`no rule file for ${id}`);
  const mod = await import(join(RULES_DIR, file));
  return mod.rule as Rule;
}

function runOne(rule: Rule, s: Scenario) {
  return rule.check({ inventory: s.inventory, options: { targetWaitSeconds: s.targetWaitSeconds }, signals: s.signals, bindings: s.bindings });
}

function scenarios(id: string): string[] {
  return readdirSync(join(FIXTURES, id)).filter((f) => f.endsWith('.scenario.yaml')).sort();
}

describe.each(LIVE_IDS)('%s', (id) => {
  it('has meta that declares it needs signals, and a file named after its slug', async () => {
    const rule = await loadRule(id);
    expect(rule.meta.id).toBe(id);
    expect(rule.meta.needsSignals).toBe(true);
    expect(readdirSync(RULES_DIR)).toContain(`${id}-${rule.meta.slug}.ts`);
    expect(rule.meta.rationale.length).toBeGreaterThan(40);
    expect(rule.meta.fix.length).toBeGreaterThan(20);
  });

  it('has valid and invalid scenario fixtures', () => {
    const files = scenarios(id);
    expect(files.some((f) => f.startsWith('valid-'))).toBe(true);
    expect(files.some((f) => f.startsWith('invalid-'))).toBe(true);
  });

  for (const file of scenarios(id)) {
    it(file, async () => {
      const rule = await loadRule(id);
      const s = loadScenario(join(FIXTURES, id, file));
      const findings = runOne(rule, s);
      if (file.startsWith('valid-')) {
        expect(findings.map((f) => f.message)).toEqual([]);
        return;
      }
      const expected = s.expect.filter((e) => e.rule === id);
      expect(expected.length, 'an invalid fixture must list what it expects').toBeGreaterThan(0);
      expect(findings).toHaveLength(expected.length);
      expected.forEach((e, i) => {
        const f = findings[i];
        expect(f.ruleId).toBe(id);
        expect(f.severity).toBe(rule.meta.severity);
        if (e.object) expect(`${f.object.kind}/${f.object.name}`).toBe(e.object);
        for (const text of e.messageIncludes ?? []) expect(f.message).toContain(text);
        for (const [k, v] of Object.entries(e.evidence ?? {})) expect(f.evidence[k], `evidence.${k}`).toEqual(v);
        // located in the scenario's manifests, on a real line
        expect(f.location.type).toBe('file');
        if (f.location.type === 'file') {
          expect(f.location.file).toBe(s.file);
          expect(f.location.line).toBeGreaterThan(0);
          if (e.line !== undefined) expect(f.location.line).toBe(e.line);
        }
      });
    });
  }
});

describe('live rules through the engine', () => {
  it('the seed scenario yields QD201 (and the wait breach) and nothing about idle capacity or binding', async () => {
    const rules = await Promise.all(LIVE_IDS.map(loadRule));
    const s = loadScenario(join(FIXTURES, 'QD201', 'invalid-seed.scenario.yaml'));
    const r = runRules(rules, { inventory: s.inventory, options: { targetWaitSeconds: s.targetWaitSeconds }, signals: s.signals, bindings: s.bindings });
    const ids = r.findings.map((f) => f.ruleId).sort();
    expect(ids).toContain('QD201');
    expect(ids).toContain('QD206');
    expect(ids).not.toContain('QD205');
    expect(ids).not.toContain('QD207');
    expect(ids).not.toContain('QD203');
  });

  it('skips every live rule when there are no signals (check)', async () => {
    const rules = await Promise.all(LIVE_IDS.map(loadRule));
    const s = loadScenario(join(FIXTURES, 'QD201', 'invalid-seed.scenario.yaml'));
    const r = runRules(rules, { inventory: s.inventory, options: { targetWaitSeconds: 30 } });
    expect(r.findings).toEqual([]);
    expect(r.rulesSkipped.sort()).toEqual(LIVE_IDS);
  });
});
