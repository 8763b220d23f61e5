import { describe, expect, it } from 'vitest';
import { formatJunit, INPUT_SUITE, RULES_SUITE } from '../../src/report/junit.js';
import type { Report } from '../../src/report/report-model.js';
import {
  BINARY_PROBLEM,
  INVALID_YAML_PROBLEM,
  PATH_PROBLEM,
  QD101_AT,
  WEB_YAML,
  WORKER_YAML,
  clusterReport,
  fileReport,
  testContext,
} from '../helpers/report-fixtures.js';
import { findAll, parseXml, XmlError, type XmlElement } from '../helpers/xml-tree.js';

function junit(report: Report): XmlElement {
  const xml = formatJunit(report, testContext());
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const root = parseXml(xml);
  expect(root.name).toBe('testsuites');
  checkCounts(root);
  return root;
}

/** The count attributes agree with the test cases, for the root and every suite. */
function checkCounts(root: XmlElement) {
  const count = (cases: XmlElement[]) => ({
    tests: String(cases.length),
    failures: String(cases.filter((c) => c.children.some((x) => x.name === 'failure')).length),
    errors: String(cases.filter((c) => c.children.some((x) => x.name === 'error')).length),
    skipped: String(cases.filter((c) => c.children.some((x) => x.name === 'skipped')).length),
  });
  expect(root.attributes).toMatchObject(count(findAll(root, 'testcase')));
  for (const s of findAll(root, 'testsuite')) expect(s.attributes).toMatchObject(count(findAll(s, 'testcase')));
}

function suite(root: XmlElement, name: string): XmlElement {
  const s = findAll(root, 'testsuite').find((x) => x.attributes.name === name);
  expect(s, `suite ${name}`).toBeDefined();
  return s!;
}

function caseOf(root: XmlElement, prefix: string): XmlElement {
  const c = findAll(root, 'testcase').find((x) => x.attributes.name.startsWith(prefix));
  expect(c, `test case ${prefix}`).toBeDefined();
  return c!;
}

const child = (el: XmlElement, name: string) => el.children.find((c) => c.name === name);

describe('junit: file findings', () => {
  const report = fileReport({ 'k8s/worker.yaml': WORKER_YAML, 'k8s/web.yaml': WEB_YAML });
  const root = junit(report);

  it('has one suite per file with findings, and a suite of rules that found nothing', () => {
    expect(findAll(root, 'testsuite').map((s) => s.attributes.name)).toEqual(['k8s/worker.yaml', RULES_SUITE]);
    expect(root.attributes.name).toBe('queue-doctor check');
  });

  it('makes an error finding a failed test case named by rule, object and location', () => {
    const c = caseOf(root, 'QD101');
    expect(c.attributes).toMatchObject({
      name: `QD101 cpu-hpa-on-queue-worker: rag/HorizontalPodAutoscaler/rag-worker (k8s/worker.yaml:${QD101_AT.line}:7)`,
      classname: 'k8s/worker.yaml',
      file: 'k8s/worker.yaml',
      line: String(QD101_AT.line),
    });
    const failure = child(c, 'failure')!;
    const f = report.findings.find((x) => x.ruleId === 'QD101')!;
    expect(failure.attributes).toEqual({ type: 'error', message: f.message });
    expect(failure.text).toContain(`Location: k8s/worker.yaml:${QD101_AT.line}:7 (/spec/metrics/0)`);
    expect(failure.text).toContain('Evidence:\n  metrics: cpu 70%');
    expect(failure.text).toContain('Help: https://');
  });

  it('lets findings below --fail-on pass, with what they found in system-out', () => {
    const warning = caseOf(root, 'QD901');
    expect(child(warning, 'failure')).toBeUndefined();
    expect(child(warning, 'system-out')!.text).toContain('QD901 test-replicas-warning (warning)');
    expect(child(caseOf(root, 'QD902'), 'failure')).toBeUndefined();
    expect(root.attributes).toMatchObject({ tests: '4', failures: '1', errors: '0', skipped: '0' });
  });

  it('with --fail-on warning, warnings fail too (typed warning), info still passes', () => {
    const r = junit(fileReport({ 'k8s/worker.yaml': WORKER_YAML }, { failOn: 'warning' }));
    expect(child(caseOf(r, 'QD901'), 'failure')!.attributes.type).toBe('warning');
    expect(child(caseOf(r, 'QD902'), 'failure')).toBeUndefined();
    expect(r.attributes.failures).toBe('2');
  });

  it('with --fail-on none nothing fails', () => {
    expect(junit(fileReport({ 'k8s/worker.yaml': WORKER_YAML }, { failOn: 'none' })).attributes.failures).toBe('0');
  });

  it('lists the rules that found nothing as passing test cases', () => {
    const s = suite(root, RULES_SUITE);
    expect(s.children.map((c) => c.attributes.name)).toEqual(['QD903 test-quiet']);
    expect(s.children[0].children.map((c) => c.name)).toEqual(['system-out']);
  });

  it('keeps text that needs escaping intact through a real parse', () => {
    const f = report.findings.find((x) => x.ruleId === 'QD901')!;
    const out = child(caseOf(root, 'QD901'), 'system-out')!.text;
    // the ESC sequences are dropped, everything else survives: < > & " ]]> and the newline
    expect(out).toContain('50% | <b>bold</b> & [link](x) *star* `tick` "q" a,b:c ]]> red\nsecond line');
    expect(f.message).toContain('\u001b[31m');
    expect(out).not.toContain('\u001b');
  });
});

describe('junit: clean run', () => {
  it('shows a passing test case per rule', () => {
    const root = junit(fileReport({ 'k8s/web.yaml': WEB_YAML }));
    expect(findAll(root, 'testsuite').map((s) => s.attributes.name)).toEqual([RULES_SUITE]);
    expect(findAll(root, 'testcase').map((c) => c.attributes.name)).toEqual([
      'QD101 cpu-hpa-on-queue-worker',
      'QD901 test-replicas-warning',
      'QD902 test-replicas-info',
      'QD903 test-quiet',
    ]);
    expect(root.attributes).toMatchObject({ tests: '4', failures: '0', errors: '0', skipped: '0' });
  });
});

describe('junit: cluster findings', () => {
  it('groups by context/namespace and names the object', () => {
    const root = junit(clusterReport('prod-eu', [WORKER_YAML, WEB_YAML]));
    expect(findAll(root, 'testsuite').map((s) => s.attributes.name)).toEqual(['prod-eu/rag', RULES_SUITE]);
    const c = caseOf(root, 'QD101');
    expect(c.attributes.name).toBe('QD101 cpu-hpa-on-queue-worker: rag/HorizontalPodAutoscaler/rag-worker (prod-eu/rag/HorizontalPodAutoscaler/rag-worker)');
    expect(c.attributes.classname).toBe('prod-eu/rag');
    expect(c.attributes).not.toHaveProperty('file');
    expect(child(c, 'failure')!.text).toContain('Location: prod-eu/rag/HorizontalPodAutoscaler/rag-worker (/spec/metrics/0)');
  });
});

describe('junit: baseline and input problems', () => {
  it('skips baselined findings', () => {
    const fp = fileReport({ 'k8s/worker.yaml': WORKER_YAML }).findings.find((f) => f.ruleId === 'QD101')!.fingerprint!;
    const root = junit(fileReport({ 'k8s/worker.yaml': WORKER_YAML }, { baseline: new Set([fp]) }));
    const skipped = child(caseOf(root, 'QD101'), 'skipped')!;
    expect(skipped.attributes.message).toMatch(/^in baseline: Deployment rag-worker is a queue worker/);
    expect(root.attributes).toMatchObject({ failures: '0', skipped: '1' });
  });

  it('makes input errors errored test cases and input warnings skipped ones, in their file suites', () => {
    const root = junit(fileReport({ 'k8s/worker.yaml': WORKER_YAML }, { problems: [INVALID_YAML_PROBLEM, BINARY_PROBLEM, PATH_PROBLEM] }));
    const bad = caseOf(root, 'input: invalid-yaml');
    expect(bad.attributes).toMatchObject({ name: 'input: invalid-yaml (k8s/bad.yaml:3:5)', classname: 'k8s/bad.yaml', file: 'k8s/bad.yaml', line: '3' });
    expect(child(bad, 'error')!.attributes).toEqual({ type: 'invalid-yaml', message: 'invalid YAML: missed comma between flow collection entries' });
    expect(child(caseOf(root, 'input: binary-file'), 'skipped')!.attributes.message).toBe('binary-file: binary content (NUL bytes); skipped');
    const missing = caseOf(root, 'input: path-not-found');
    expect(missing.attributes).toMatchObject({ name: 'input: path-not-found (missing/)', classname: INPUT_SUITE });
    expect(suite(root, INPUT_SUITE).children).toHaveLength(1);
    expect(root.attributes).toMatchObject({ errors: '2', skipped: '1', failures: '1' });
    // the valid file is still reported
    expect(child(caseOf(root, 'QD101'), 'failure')).toBeDefined();
  });
});

describe('xml-tree: the checker used above is strict', () => {
  it.each([
    ['<a><b></a></b>', /does not match/],
    ['<a>x & y</a>', /"&"/],
    ['<a>1 < 2</a>', /bad start tag/],
    ['<a b="1" b="2"/>', /duplicate/],
    ['<a b=1/>', /not quoted/],
    ['<a b="<"/>', /"<" in attribute/],
    ['<a/><b/>', /more than one root/],
    ['<a>&nbsp;</a>', /unknown entity/],
    ['<a>\u0001</a>', /not allowed/],
    ['<a>&#1;</a>', /not allowed/],
    ['<a>x]]>y</a>', /"]]>"/],
    ['<a>', /not closed/],
    ['text<a/>', /outside the root/],
  ])('rejects %j', (doc, message) => {
    expect(() => parseXml(doc)).toThrow(XmlError);
    expect(() => parseXml(doc)).toThrow(message);
  });

  it('accepts and decodes a well-formed document', () => {
    const el = parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><a x="1&#10;2 &amp; &quot;3&quot;">t &lt;&gt; &#x41;<![CDATA[<raw>]]><b/></a>\n');
    expect(el).toEqual({ name: 'a', attributes: { x: '1\n2 & "3"' }, text: 't <> A<raw>', children: [{ name: 'b', attributes: {}, children: [], text: '' }] });
  });
});

describe('junit: incomplete runs', () => {
  it('add an errored test case, so exit code 3 does not look green', () => {
    const root = junit({ ...clusterReport('prod', [WEB_YAML]), incomplete: true });
    const c = caseOf(root, 'input: incomplete');
    expect(c.attributes.classname).toBe(INPUT_SUITE);
    expect(child(c, 'error')!.attributes).toEqual({ type: 'incomplete', message: 'some data could not be read: the results are partial' });
    expect(root.attributes.errors).toBe('1');
  });
});
