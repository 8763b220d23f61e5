import { describe, expect, it } from 'vitest';
import { formatSarif, FINGERPRINT_KEY, SRCROOT } from '../../src/report/sarif.js';
import { ruleHelpUri } from '../../src/report/report-model.js';
import type { Report } from '../../src/report/report-model.js';
import {
  BINARY_PROBLEM,
  INVALID_YAML_PROBLEM,
  NASTY,
  PATH_PROBLEM,
  QD101_AT,
  WEB_YAML,
  WORKER_YAML,
  clusterReport,
  fileReport,
  testContext,
} from '../helpers/report-fixtures.js';
import { sarifValidator, schemaErrors } from '../helpers/schemas.js';

const CWD = '/work/repo';

function sarif(report: Report, cwd = CWD): any {
  const text = formatSarif(report, testContext(cwd));
  expect(text.endsWith('\n')).toBe(true);
  const log = JSON.parse(text);
  expect(schemaErrors(sarifValidator(), log)).toEqual([]);
  return log;
}

function resultFor(log: any, ruleId: string): any {
  const r = log.runs[0].results.find((x: any) => x.ruleId === ruleId);
  expect(r, `result for ${ruleId}`).toBeDefined();
  return r;
}

describe('sarif: file findings', () => {
  const report = fileReport({ 'k8s/worker.yaml': WORKER_YAML, 'k8s/web.yaml': WEB_YAML });
  const log = sarif(report);
  const run = log.runs[0];

  it('is a SARIF 2.1.0 log with the tool and every rule that ran', () => {
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(run.tool.driver).toMatchObject({ name: 'queue-doctor', version: report.tool.version, informationUri: report.tool.informationUri });
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual(report.rules.map((m) => m.id));
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual(['QD101', 'QD901', 'QD902', 'QD903']);
  });

  it('describes each rule: name, descriptions, help with fix and examples, helpUri, level, tags', () => {
    const qd101 = report.rules.find((m) => m.id === 'QD101')!;
    const rule = run.tool.driver.rules[0];
    expect(rule).toMatchObject({
      id: 'QD101',
      name: 'cpu-hpa-on-queue-worker',
      shortDescription: { text: qd101.title },
      fullDescription: { text: qd101.rationale },
      helpUri: ruleHelpUri(qd101),
      defaultConfiguration: { level: 'error' },
    });
    expect(rule.help.text).toContain(qd101.fix);
    expect(rule.help.text).toContain(qd101.examples.bad);
    expect(rule.help.markdown).toContain('```yaml\n' + qd101.examples.good + '\n```');
    expect(rule.properties.tags).toEqual(expect.arrayContaining(['kubernetes', 'autoscaling']));
    const levels = Object.fromEntries(run.tool.driver.rules.map((r: any) => [r.id, r.defaultConfiguration.level]));
    expect(levels).toEqual({ QD101: 'error', QD901: 'warning', QD902: 'note', QD903: 'warning' });
  });

  it('points at the offending field with a relative URI and a real region', () => {
    const r = resultFor(log, 'QD101');
    expect(r.level).toBe('error');
    expect(run.tool.driver.rules[r.ruleIndex].id).toBe('QD101');
    const loc = r.locations[0].physicalLocation;
    expect(loc.artifactLocation).toMatchObject({ uri: 'k8s/worker.yaml', uriBaseId: SRCROOT });
    // the HPA's metrics entry `    - type: Resource`, at the column of `type`
    expect(WORKER_YAML.split('\n')[loc.region.startLine - 1]).toBe('    - type: Resource');
    expect(loc.region).toEqual({ startLine: QD101_AT.line, startColumn: 7 });
    expect(run.originalUriBaseIds[SRCROOT].uri).toBe('file:///work/repo/');
    expect(run.artifacts[loc.artifactLocation.index].location).toEqual({ uri: 'k8s/worker.yaml', uriBaseId: SRCROOT });
  });

  it('maps severities to levels and keeps each result on its rule index', () => {
    expect(resultFor(log, 'QD901').level).toBe('warning');
    expect(resultFor(log, 'QD902').level).toBe('note');
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
  });

  it('names the object and field as logical locations', () => {
    const r = resultFor(log, 'QD101');
    expect(r.locations[0].logicalLocations).toEqual([
      { name: '/spec/metrics/0', fullyQualifiedName: 'rag/HorizontalPodAutoscaler/rag-worker/spec/metrics/0', kind: 'property', index: expect.any(Number) },
      { name: 'rag-worker', fullyQualifiedName: 'rag/HorizontalPodAutoscaler/rag-worker', kind: 'resource', index: expect.any(Number) },
    ]);
    const [field, object] = r.locations[0].logicalLocations;
    expect(run.logicalLocations[field.index]).toMatchObject({ fullyQualifiedName: field.fullyQualifiedName, parentIndex: object.index });
  });

  it('carries the fingerprint, the fix and the evidence; messages are kept verbatim (JSON escapes them)', () => {
    const f = report.findings.find((x) => x.ruleId === 'QD901')!;
    const r = resultFor(log, 'QD901');
    expect(r.partialFingerprints).toEqual({ [FINGERPRINT_KEY]: f.fingerprint });
    expect(r.message.text).toBe(`${f.message}. Fix: ${f.fix}`);
    expect(r.message.text).toContain(NASTY);
    expect(r.properties.evidence).toEqual(f.evidence);
    expect(r).not.toHaveProperty('baselineState');
  });

  it('reports a successful invocation and the run summary', () => {
    expect(run.invocations).toEqual([{ executionSuccessful: true }]);
    expect(run.automationDetails).toEqual({ id: 'queue-doctor/check/' });
    expect(run.properties).toMatchObject({ command: 'check', failOn: 'error', suppressed: 0, baselined: 0 });
    expect(run.properties.summary).toEqual(report.summary);
  });
});

describe('sarif: paths', () => {
  const yaml = { [`${CWD}/deploy/worker.yaml`]: WORKER_YAML };

  it('makes absolute paths inside the working directory relative', () => {
    const log = sarif(fileReport(yaml));
    expect(resultFor(log, 'QD101').locations[0].physicalLocation.artifactLocation).toMatchObject({ uri: 'deploy/worker.yaml', uriBaseId: SRCROOT });
  });

  it('keeps files outside the working directory as absolute file URIs', () => {
    const log = sarif(fileReport(yaml), '/elsewhere');
    const art = resultFor(log, 'QD101').locations[0].physicalLocation.artifactLocation;
    expect(art.uri).toBe('file:///work/repo/deploy/worker.yaml');
    expect(art).not.toHaveProperty('uriBaseId');
  });

  it('normalises ./ and ../ and percent-encodes', () => {
    const log = sarif(fileReport({ './k8s/../k8s/my worker#1.yaml': WORKER_YAML }));
    expect(resultFor(log, 'QD101').locations[0].physicalLocation.artifactLocation.uri).toBe('k8s/my%20worker%231.yaml');
  });

  it('gives stdin findings no physical location, only the object and where in the stream', () => {
    const log = sarif(fileReport({ '<stdin>': WORKER_YAML }));
    const loc = resultFor(log, 'QD101').locations[0];
    expect(loc).not.toHaveProperty('physicalLocation');
    expect(loc.message.text).toBe(`<stdin>:${QD101_AT.line}:7`);
    expect(loc.logicalLocations[1].fullyQualifiedName).toBe('rag/HorizontalPodAutoscaler/rag-worker');
    expect(log.runs[0].artifacts).toEqual([]);
  });
});

describe('sarif: cluster findings', () => {
  const report = clusterReport('prod-eu', [WORKER_YAML, WEB_YAML]);
  const log = sarif(report);

  it('uses logical locations context/namespace/Kind/name plus the field path', () => {
    const r = resultFor(log, 'QD101');
    expect(r.locations).toHaveLength(1);
    expect(r.locations[0]).not.toHaveProperty('physicalLocation');
    expect(r.locations[0].logicalLocations).toEqual([
      {
        name: '/spec/metrics/0',
        fullyQualifiedName: 'prod-eu/rag/HorizontalPodAutoscaler/rag-worker/spec/metrics/0',
        kind: 'property',
        index: expect.any(Number),
      },
      { name: 'rag-worker', fullyQualifiedName: 'prod-eu/rag/HorizontalPodAutoscaler/rag-worker', kind: 'resource', index: expect.any(Number) },
    ]);
    expect(r.properties.object).toBe('prod-eu/rag/HorizontalPodAutoscaler/rag-worker');
  });

  it('lists each object once in run.logicalLocations', () => {
    const names = log.runs[0].logicalLocations.map((l: any) => l.fullyQualifiedName);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('prod-eu/rag/Deployment/rag-worker');
    expect(log.runs[0].artifacts).toEqual([]);
  });
});

describe('sarif: input problems', () => {
  it('become tool execution notifications; an error makes the execution unsuccessful', () => {
    const report = fileReport({ 'k8s/worker.yaml': WORKER_YAML }, { problems: [INVALID_YAML_PROBLEM, BINARY_PROBLEM, PATH_PROBLEM] });
    const log = sarif(report);
    const inv = log.runs[0].invocations[0];
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications).toHaveLength(3);
    const [yaml, binary, path] = inv.toolExecutionNotifications;
    expect(yaml).toMatchObject({ level: 'error', descriptor: { id: 'invalid-yaml' }, message: { text: 'invalid YAML: missed comma between flow collection entries' } });
    expect(yaml.locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: 'k8s/bad.yaml', uriBaseId: SRCROOT }, region: { startLine: 3, startColumn: 5 } });
    expect(binary).toMatchObject({ level: 'warning', descriptor: { id: 'binary-file' } });
    expect(path).toMatchObject({ level: 'error', message: { text: 'missing/: no such file or directory' }, properties: { where: 'missing/' } });
    expect(path).not.toHaveProperty('locations');
    // findings are still reported beside the problems
    expect(log.runs[0].results.map((r: any) => r.ruleId)).toContain('QD101');
  });

  it('warnings alone keep the execution successful', () => {
    const log = sarif(fileReport({ 'k8s/worker.yaml': WORKER_YAML }, { problems: [BINARY_PROBLEM] }));
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(true);
  });

  it('an incomplete run is not a successful execution', () => {
    const report = { ...clusterReport('prod', [WORKER_YAML]), incomplete: true };
    const log = sarif(report);
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(false);
    expect(log.runs[0].properties.incomplete).toBe(true);
    expect(log.runs[0].invocations[0].toolExecutionNotifications).toEqual([
      { level: 'warning', message: { text: 'some data could not be read: the results are partial' }, descriptor: { id: 'incomplete' } },
    ]);
  });

  it('a run with only problems and no findings is valid', () => {
    const log = sarif(fileReport({}, { problems: [INVALID_YAML_PROBLEM] }));
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].invocations[0].toolExecutionNotifications).toHaveLength(1);
  });
});

describe('sarif: baseline', () => {
  const first = fileReport({ 'k8s/worker.yaml': WORKER_YAML });
  const qd101 = first.findings.find((f) => f.ruleId === 'QD101')!;

  it("marks baselined results 'unchanged' and the others 'new'", () => {
    const report = fileReport({ 'k8s/worker.yaml': WORKER_YAML }, { baseline: new Set([qd101.fingerprint!]), metadata: { baseline: 'b.json' } });
    const log = sarif(report);
    expect(resultFor(log, 'QD101').baselineState).toBe('unchanged');
    expect(resultFor(log, 'QD901').baselineState).toBe('new');
    expect(log.runs[0].properties.baselined).toBe(1);
  });

  it("says 'new' for everything when a baseline matched nothing", () => {
    const log = sarif(fileReport({ 'k8s/worker.yaml': WORKER_YAML }, { baseline: new Set(['0000000000000000']), metadata: { baseline: 'b.json' } }));
    expect(log.runs[0].results.map((r: any) => r.baselineState)).toEqual(['new', 'new', 'new']);
  });

  it('counts suppressed findings in the run properties', () => {
    const report = { ...first, summary: { ...first.summary, suppressed: 2 } };
    expect(sarif(report).runs[0].properties.suppressed).toBe(2);
  });
});

describe('sarif: the schema check is not vacuous', () => {
  it('rejects a log with a zero line, an unknown level or a missing message', () => {
    const log = JSON.parse(formatSarif(fileReport({ 'k8s/worker.yaml': WORKER_YAML }), testContext(CWD)));
    const r = log.runs[0].results[0];
    r.locations[0].physicalLocation.region.startLine = 0;
    r.level = 'fatal';
    delete log.runs[0].results[1].message;
    const errors = schemaErrors(sarifValidator(), log);
    expect(errors.some((e) => e.includes('/region/startLine'))).toBe(true);
    expect(errors.some((e) => e.includes('/level'))).toBe(true);
    expect(errors.some((e) => e.includes('message'))).toBe(true);
  });
});
