// One generic test for every manifest rule, like Polaris' check fixtures: it walks
// fixtures/rules/<ID>/. Every valid*.yaml must produce no finding of rule <ID>; every
// invalid*.yaml exactly the findings its header declares, and no other finding of <ID>:
//
//   # expect: QD104 27:20                  rule id, line:column of the offending field
//   # expect: QD112 9:11 warning           … with the severity, when it is not the rule's default
//   # expect: QD108 12:16 ~ never match    … with a piece of the message
//   # options: partialView=true targetWait=10s
//   # signal: rag-worker jobDuration.p99=95   (per-workload signals, as `scan` would supply)
//
// Live-rule scenarios (*.scenario.yaml) have their own test. Folders starting with "_" hold
// robustness fixtures: every rule must run on them without throwing. On every fixture, every
// rule's messages must read well (no "undefined", "NaN", "[object Object]").
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding, Inventory, Severity } from '../../src/inventory/model.js';
import type { WorkloadSignals } from '../../src/metrics/signals-model.js';
import type { RuleContext } from '../../src/diagnose/rule.js';
import { DEFAULT_READ_OPTIONS, parseFileInto, type ReadResult } from '../../src/inventory/read-manifests.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { parseDuration } from '../../src/units/duration.js';
import { RULES } from '../../rules/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'fixtures', 'rules');
const MANIFEST_FIXTURE = /^(valid|invalid).*\.ya?ml$/;
const isManifestFixture = (f: string) => MANIFEST_FIXTURE.test(f) && !f.endsWith('.scenario.yaml');

interface Expectation {
  ruleId: string;
  line: number;
  column: number;
  severity?: Severity;
  contains?: string;
}

interface Header {
  expects: Expectation[];
  partialView: boolean;
  targetWaitSeconds: number;
  signals: Array<{ workload: string; key: 'p50' | 'p95' | 'p99'; seconds: number }>;
}

function parseHeader(text: string, file: string): Header {
  const header: Header = { expects: [], partialView: false, targetWaitSeconds: 30, signals: [] };
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) continue;
    const directive = /^#\s*(expect|options|signal):\s*(.*)$/.exec(line);
    if (!directive) continue;
    const [, kind, rest] = directive;
    if (kind === 'expect') {
      const m = /^(QD\d{3})\s+(\d+):(\d+)(?:\s+(error|warning|info))?(?:\s+~\s*(.+?))?\s*$/.exec(rest);
      if (!m) throw new Error(`${file}: bad expect line "${line}" (use: # expect: QD104 12:7 [severity] [~ text])`);
      header.expects.push({ ruleId: m[1], line: Number(m[2]), column: Number(m[3]), severity: m[4] as Severity | undefined, contains: m[5] });
    } else if (kind === 'options') {
      for (const pair of rest.trim().split(/\s+/)) {
        const [key, value] = pair.split('=');
        if (key === 'partialView') header.partialView = value === 'true';
        else if (key === 'targetWait') header.targetWaitSeconds = parseDuration(value) ?? NaN;
        else throw new Error(`${file}: unknown option "${key}"`);
      }
    } else {
      const m = /^(\S+)\s+jobDuration\.(p50|p95|p99)=(\d+(?:\.\d+)?)\s*$/.exec(rest);
      if (!m) throw new Error(`${file}: bad signal line "${line}" (use: # signal: <workload> jobDuration.p99=<seconds>)`);
      header.signals.push({ workload: m[1], key: m[2] as 'p50' | 'p95' | 'p99', seconds: Number(m[3]) });
    }
  }
  return header;
}

function load(display: string, header: Header): { inventory: Inventory; context: RuleContext } {
  const result: ReadResult = { objects: [], problems: [], sources: [display], nonObjects: 0, partialView: header.partialView };
  parseFileInto(display, readFileSync(join(ROOT, display)), DEFAULT_READ_OPTIONS, result);
  expect(result.problems.filter((p) => p.code === 'invalid-yaml'), `${display} must be valid YAML`).toEqual([]);
  const inventory = buildInventory(result.objects, { sources: [display], partialView: header.partialView, problems: result.problems, nonObjects: result.nonObjects });
  const context: RuleContext = { inventory, options: { targetWaitSeconds: header.targetWaitSeconds } };
  if (header.signals.length > 0) {
    const signals = new Map<string, WorkloadSignals>();
    for (const s of header.signals) {
      const w = inventory.workloads.find((x) => x.name === s.workload);
      if (!w) throw new Error(`${display}: signal for unknown workload ${s.workload}`);
      const entry = signals.get(w.id) ?? { workloadId: w.id, window: { start: 0, end: 3600, step: 60 }, notes: [] };
      entry.jobDuration = { ...(entry.jobDuration ?? { source: 'histogram' }), [s.key]: s.seconds };
      signals.set(w.id, entry);
    }
    context.signals = signals;
  }
  return { inventory, context };
}

/** Run every manifest rule; a rule that throws fails the test with its id. */
function runAll(context: RuleContext, display: string): Finding[] {
  const out: Finding[] = [];
  for (const rule of RULES) {
    if (rule.meta.needsSignals) continue;
    try {
      out.push(...rule.check(context));
    } catch (e) {
      throw new Error(`${rule.meta.id} threw on ${display}: ${(e as Error).stack ?? String(e)}`);
    }
  }
  return out;
}

function readsWell(findings: Finding[], display: string): void {
  for (const f of findings) {
    const where = `${f.ruleId} at ${display}`;
    expect(f.message, where).not.toMatch(/\bundefined\b|\bNaN\b|\[object Object\]|(?<!YAML )\bnull\b/);
    expect(f.message.length, where).toBeGreaterThan(20);
    if (f.fix !== undefined) expect(f.fix, where).not.toMatch(/\bundefined\b|\bNaN\b|\[object Object\]/);
    expect(f.location.type, where).toBe('file');
    if (f.location.type === 'file') {
      expect(f.location.file).toBe(display);
      expect(f.location.line, where).toBeGreaterThanOrEqual(1);
      expect(f.location.column, where).toBeGreaterThanOrEqual(1);
    }
    for (const [k, v] of Object.entries(f.evidence)) expect(['string', 'number', 'boolean'].includes(typeof v) || v === null, `${where}: evidence ${k}`).toBe(true);
  }
}

const at = (f: Finding) => (f.location.type === 'file' ? `${f.ruleId} ${f.location.line}:${f.location.column}` : `${f.ruleId} cluster`);

const folders = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const ruleFolders = folders.filter((d) => /^QD\d{3}$/.test(d) && readdirSync(join(FIXTURES, d)).some(isManifestFixture));

describe.each(ruleFolders)('%s fixtures', (id) => {
  const rule = RULES.find((r) => r.meta.id === id);
  const files = readdirSync(join(FIXTURES, id)).filter(isManifestFixture).sort();

  it('belongs to a registered manifest rule', () => {
    expect(rule, `fixtures/rules/${id} has manifest fixtures but ${id} is not in rules/index.ts`).toBeDefined();
  });

  it.each(files)('%s', (file) => {
    const display = `fixtures/rules/${id}/${file}`;
    const text = readFileSync(join(ROOT, display), 'utf8');
    const header = parseHeader(text, display);
    const { context } = load(display, header);
    const all = runAll(context, display);
    readsWell(all, display);
    const mine = all.filter((f) => f.ruleId === id);
    if (file.startsWith('valid')) {
      expect(header.expects, `${display}: a valid fixture declares no findings`).toEqual([]);
      expect(mine.map((f) => `${at(f)} ${f.message}`), `${display} must produce no ${id} finding`).toEqual([]);
      return;
    }
    expect(header.expects.length, `${display}: an invalid fixture declares its findings with "# expect:" lines`).toBeGreaterThan(0);
    for (const e of header.expects) expect(e.ruleId, `${display}: expect lines name the folder's rule`).toBe(id);
    const got = mine.map(at).sort();
    const want = header.expects.map((e) => `${e.ruleId} ${e.line}:${e.column}`).sort();
    expect(got, `${display}: findings of ${id}\n${mine.map((f) => `  ${at(f)} ${f.severity} ${f.message}`).join('\n')}`).toEqual(want);
    for (const e of header.expects) {
      const f = mine.find((x) => at(x) === `${e.ruleId} ${e.line}:${e.column}`)!;
      expect(f.severity, `${display} ${e.line}:${e.column} severity`).toBe(e.severity ?? rule!.meta.severity);
      if (e.contains) expect(f.message, `${display} ${e.line}:${e.column} message`).toContain(e.contains);
    }
  });
});

describe('robustness fixtures', () => {
  const robust = folders.filter((d) => d.startsWith('_'));
  const files = robust.flatMap((d) => readdirSync(join(FIXTURES, d)).filter((f) => /\.ya?ml$/.test(f)).map((f) => `fixtures/rules/${d}/${f}`));

  it('exist', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s: every rule runs without throwing and its messages read well', (display) => {
    const header = parseHeader(readFileSync(join(ROOT, display), 'utf8'), display);
    const { inventory, context } = load(display, header);
    expect(inventory.workloads.length + inventory.autoscalers.length).toBeGreaterThan(0);
    const all = runAll(context, display);
    readsWell(all, display);
    // the rules looked at the broken objects rather than skipping everything
    expect(new Set(all.map((f) => f.ruleId)).size).toBeGreaterThan(3);
  });
});

describe('fixture folders', () => {
  it('exist for every manifest rule, with at least one valid and one invalid file', () => {
    for (const rule of RULES.filter((r) => !r.meta.needsSignals)) {
      const dir = join(FIXTURES, rule.meta.id);
      expect(existsSync(dir), `fixtures/rules/${rule.meta.id}/ is missing`).toBe(true);
      const files = readdirSync(dir).filter(isManifestFixture);
      expect(files.some((f) => f.startsWith('valid')), `${rule.meta.id} needs a valid*.yaml fixture`).toBe(true);
      expect(files.some((f) => f.startsWith('invalid')), `${rule.meta.id} needs an invalid*.yaml fixture`).toBe(true);
    }
  });
});
