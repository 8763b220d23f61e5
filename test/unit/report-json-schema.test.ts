import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { formatJson, toJsonReport } from '../../src/report/json.js';
import { packagePath } from '../../src/package-files.js';
import {
  BINARY_PROBLEM,
  INVALID_YAML_PROBLEM,
  PATH_PROBLEM,
  WEB_YAML,
  WORKER_YAML,
  clusterReport,
  fileReport,
} from '../helpers/report-fixtures.js';
import { reportValidator, schemaErrors } from '../helpers/schemas.js';

const validate = (data: unknown) => schemaErrors(reportValidator(), data);
const roundTrip = (r: Parameters<typeof formatJson>[0]) => JSON.parse(formatJson(r));

describe('report.schema.json', () => {
  it('is shipped where the package finds its schemas', () => {
    const schema = JSON.parse(readFileSync(packagePath('src', 'schemas', 'report.schema.json'), 'utf8'));
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('describes a report with file findings, evidence, fixes and fingerprints', () => {
    const json = roundTrip(fileReport({ 'k8s/worker.yaml': WORKER_YAML, 'k8s/web.yaml': WEB_YAML }));
    expect(validate(json)).toEqual([]);
    expect(json.findings).toHaveLength(3);
    expect(json.findings[0].location.type).toBe('file');
    expect(json.findings.find((f: any) => f.ruleId === 'QD901')).toMatchObject({ fix: 'remove spec.replicas from rag-worker', evidence: { replicas: 3, note: 'x|y' } });
    for (const r of json.rules) expect(r.helpUri).toMatch(new RegExp(`^https://.+#${r.id.toLowerCase()}-${r.slug}$`));
  });

  it('describes a report with cluster findings', () => {
    const json = roundTrip(clusterReport('prod-eu', [WORKER_YAML]));
    expect(validate(json)).toEqual([]);
    expect(json.findings.find((f: any) => f.ruleId === 'QD101').location).toEqual({
      type: 'cluster',
      context: 'prod-eu',
      namespace: 'rag',
      kind: 'HorizontalPodAutoscaler',
      name: 'rag-worker',
      path: '/spec/metrics/0',
    });
  });

  it('describes input problems with and without locations, baselined findings, and a scan part', () => {
    const fp = fileReport({ 'k8s/worker.yaml': WORKER_YAML }).findings[0].fingerprint!;
    const report = fileReport({ 'k8s/worker.yaml': WORKER_YAML }, { baseline: new Set([fp]), problems: [INVALID_YAML_PROBLEM, BINARY_PROBLEM, PATH_PROBLEM], metadata: { baseline: 'b.json', config: '.queue-doctor.yaml' } });
    const json = roundTrip({ ...report, scan: { workloads: [{ id: 'rag/Deployment/rag-worker' }], text: () => 'dropped by JSON' } as any });
    expect(validate(json)).toEqual([]);
    expect(json.problems.map((p: any) => p.code)).toEqual(['invalid-yaml', 'binary-file', 'path-not-found']);
    expect(json.findings.filter((f: any) => f.baselined)).toHaveLength(1);
    expect(json.scan).toEqual({ workloads: [{ id: 'rag/Deployment/rag-worker' }] });
  });

  it('copies only the documented location fields', () => {
    const report = fileReport({ 'k8s/worker.yaml': WORKER_YAML });
    (report.findings[0].location as any).internal = 'not for output';
    const json = toJsonReport(report) as any;
    expect(json.findings[0].location).not.toHaveProperty('internal');
    expect(validate(JSON.parse(JSON.stringify(json)))).toEqual([]);
  });

  it('rejects what does not match the documented shape', () => {
    const json = roundTrip(fileReport({ 'k8s/worker.yaml': WORKER_YAML }));
    json.findings[0].severity = 'fatal';
    delete json.findings[1].location.line;
    json.findings[2].location = { type: 'cluster', kind: 'Deployment', name: 'x' }; // no context
    json.findings[2].evidence = { nested: { a: 1 } };
    json.extra = true;
    const errors = validate(json);
    expect(errors.some((e) => e.startsWith('/findings/0/severity'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/findings/1/location'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/findings/2/location'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/findings/2/evidence/nested'))).toBe(true);
    expect(errors.some((e) => e.includes('additionalProperty') && e.includes('extra'))).toBe(true);
  });
});
