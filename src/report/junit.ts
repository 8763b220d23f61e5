// `-o junit`: JUnit XML for CI test reports (GitLab, Jenkins, Azure DevOps…).
//
// Shape (chosen so GitLab's test report lists each problem on its own line):
// - one <testsuite> per file (or per context/namespace for cluster objects) that has findings
//   or input problems; in it one <testcase> per finding, named by rule, object and location,
//   classname = the file (or context/namespace);
// - a finding that fails the run under --fail-on is a <failure type="error|warning|info">;
//   one below the threshold passes and says what it found in <system-out>, so the failure
//   count agrees with the exit code; a baselined finding is <skipped>;
// - input problems: level error is an <error> (the run exits 2), level warning is <skipped>;
// - a last suite "queue-doctor rules" holds one passing test case per rule that ran and found
//   nothing, so a clean run still shows which checks passed.
// Plain string building: the document is small and flat, and this keeps the escaping (and
// the removal of characters XML 1.0 forbids) in one visible place.
import type { Finding, InputProblem } from '../inventory/model.js';
import type { Report } from './report-model.js';
import { ruleHelpUri } from './report-model.js';
import type { FormatContext } from './format.js';
import { sanitize } from './terminal.js';
import { locationGroup } from './locations.js';
import { failsRun, locationLabel, objectName, problemText } from './format-helpers.js';

interface TestCase {
  name: string;
  classname: string;
  file?: string;
  line?: number;
  /** failure / error / skipped child, or none for a pass */
  outcome?: { tag: 'failure' | 'error' | 'skipped'; type?: string; message: string; body?: string };
  systemOut?: string;
}

interface Suite {
  name: string;
  cases: TestCase[];
}

export const RULES_SUITE = 'queue-doctor rules';
export const INPUT_SUITE = 'queue-doctor input';
export const INCOMPLETE_TEXT = 'some data could not be read: the results are partial';

export function formatJunit(report: Report, _ctx?: FormatContext): string {
  const suites = new Map<string, Suite>();
  const suite = (name: string) => {
    let s = suites.get(name);
    if (!s) suites.set(name, (s = { name, cases: [] }));
    return s;
  };

  for (const p of report.problems) {
    const group = p.location ? locationGroup(p.location) : INPUT_SUITE;
    suite(group).cases.push(problemCase(p, group));
  }
  if (report.incomplete) {
    // exit code 3: the test report must not look all green
    suite(INPUT_SUITE).cases.push({
      name: 'input: incomplete',
      classname: INPUT_SUITE,
      outcome: { tag: 'error', type: 'incomplete', message: INCOMPLETE_TEXT },
    });
  }
  const rulesWithFindings = new Set<string>();
  for (const f of report.findings) {
    rulesWithFindings.add(f.ruleId);
    const group = locationGroup(f.location);
    suite(group).cases.push(findingCase(f, group, report));
  }
  const clean = report.rules.filter((m) => !rulesWithFindings.has(m.id));
  if (clean.length) {
    suite(RULES_SUITE).cases.push(
      ...clean.map((m) => ({ name: `${m.id} ${m.slug}`, classname: RULES_SUITE, systemOut: `${m.title}: no findings` })),
    );
  }

  const all = [...suites.values()];
  const total = countCases(all.flatMap((s) => s.cases));
  const seconds = (report.metadata.durationMs ?? 0) / 1000;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attrs({ name: `${report.tool.name} ${report.command}`, ...total, time: seconds.toFixed(3) })}>`,
  ];
  for (const s of all) {
    out.push(`  <testsuite ${attrs({ name: s.name, ...countCases(s.cases), time: '0' })}>`);
    for (const c of s.cases) out.push(...caseXml(c));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

function findingCase(f: Finding, group: string, report: Report): TestCase {
  const where = locationLabel(f.location);
  const rule = report.rules.find((m) => m.id === f.ruleId);
  const title = `${f.ruleId}${rule ? ` ${rule.slug}` : ''}`;
  const body = [
    `${title} (${f.severity})${f.baselined ? ' — in baseline' : ''}`,
    `Location: ${where}${f.location.path ? ` (${f.location.path})` : ''}`,
    `Object: ${f.object.id}`,
    f.message,
    ...(f.fix ? [`Fix: ${f.fix}`] : []),
    ...evidenceLines(f.evidence),
    ...(rule ? [`Help: ${ruleHelpUri(rule)}`] : []),
  ].join('\n');
  const c: TestCase = {
    name: `${title}: ${objectName({ namespace: f.object.namespace, kind: f.object.kind, name: f.object.name })} (${where})`,
    classname: group,
    ...(f.location.type === 'file' ? { file: f.location.file, line: f.location.line } : {}),
  };
  if (f.baselined) c.outcome = { tag: 'skipped', message: `in baseline: ${f.message}` };
  else if (failsRun(f, report)) c.outcome = { tag: 'failure', type: f.severity, message: f.message, body };
  else c.systemOut = body;
  return c;
}

function evidenceLines(evidence: Finding['evidence']): string[] {
  const entries = Object.entries(evidence);
  return entries.length ? ['Evidence:', ...entries.map(([k, v]) => `  ${k}: ${v === null ? 'null' : String(v)}`)] : [];
}

function problemCase(p: InputProblem, group: string): TestCase {
  const where = p.location ? locationLabel(p.location) : p.where;
  const text = problemText(p);
  return {
    name: `input: ${p.code}${where ? ` (${where})` : ''}`,
    classname: group,
    ...(p.location?.type === 'file' ? { file: p.location.file, line: p.location.line } : {}),
    outcome:
      p.level === 'error'
        ? { tag: 'error', type: p.code, message: text, body: p.message }
        : { tag: 'skipped', message: `${p.code}: ${text}` },
  };
}

function countCases(cases: TestCase[]): { tests: number; failures: number; errors: number; skipped: number } {
  const n = (tag: string) => cases.filter((c) => c.outcome?.tag === tag).length;
  return { tests: cases.length, failures: n('failure'), errors: n('error'), skipped: n('skipped') };
}

function caseXml(c: TestCase): string[] {
  const open = `    <testcase ${attrs({ name: c.name, classname: c.classname, file: c.file, line: c.line, time: '0' })}`;
  if (!c.outcome && c.systemOut === undefined) return [`${open}/>`];
  const lines = [`${open}>`];
  const o = c.outcome;
  if (o) {
    const head = `      <${o.tag} ${attrs({ type: o.type, message: o.message })}`;
    lines.push(o.body === undefined ? `${head}/>` : `${head}>${text(o.body)}</${o.tag}>`);
  }
  if (c.systemOut !== undefined) lines.push(`      <system-out>${text(c.systemOut)}</system-out>`);
  lines.push('    </testcase>');
  return lines;
}

// XML 1.0 allows tab, LF, CR and these ranges; anything else (other C0 controls, lone
// surrogates, U+FFFE/U+FFFF) makes the whole report unparseable, so it is dropped.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function clean(s: string): string {
  return sanitize(s).replace(NOT_XML_CHAR, '');
}

/** Element text content. */
export function text(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute value (double-quoted); newlines and tabs as references so parsers keep them. */
export function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${attr(String(v))}"`)
    .join(' ');
}
