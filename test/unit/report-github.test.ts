import { describe, expect, it } from 'vitest';
import { command, escapeData, escapeProperty, formatGithub } from '../../src/report/github.js';
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

const lines = (text: string) => text.trimEnd().split('\n');

describe('github: escaping (the rules of @actions/core)', () => {
  it('encodes %, CR and LF in messages', () => {
    expect(escapeData('50% done\r\nnext\nline')).toBe('50%25 done%0D%0Anext%0Aline');
  });

  it('also encodes : and , in properties', () => {
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });

  it('strips terminal escape sequences', () => {
    expect(escapeData('\u001b[31mred\u001b[0m')).toBe('red');
  });

  it('builds a command without properties', () => {
    expect(command('notice', {}, 'hi')).toBe('::notice::hi');
  });
});

describe('github: findings', () => {
  const report = fileReport({ 'k8s/worker.yaml': WORKER_YAML, 'k8s/web.yaml': WEB_YAML });
  const out = lines(formatGithub(report, testContext('/work/repo')));
  const f101 = report.findings.find((f) => f.ruleId === 'QD101')!;

  it('prints an exact ::error line for an error finding', () => {
    expect(out).toContain(
      `::error file=k8s/worker.yaml,line=${QD101_AT.line},col=7,title=QD101 cpu-hpa-on-queue-worker::${f101.message.replace('70%', '70%25')}`,
    );
  });

  it('maps warning to ::warning and info to ::notice, escaping the message and the fix', () => {
    const warning = out.find((l) => l.includes('title=QD901'))!;
    expect(warning).toMatch(/^::warning file=k8s\/worker\.yaml,line=\d+,col=3,title=QD901 test-replicas-warning::/);
    // one line: the newline in the message and the one before "Fix:" are encoded
    expect(warning).toContain('rag-worker sets replicas: 50%25 | <b>bold</b> & [link](x) *star* `tick` "q" a,b:c ]]> red%0Asecond line%0AFix: remove spec.replicas from rag-worker');
    expect(out.find((l) => l.includes('title=QD902'))).toMatch(/^::notice file=k8s\/worker\.yaml,/);
  });

  it('ends with a plain summary line', () => {
    expect(out[out.length - 1]).toBe(
      'queue-doctor: 3 findings (1 error, 1 warning, 1 info) in 3 objects in 2 files (2 workloads, 1 queue worker, 1 autoscaler)',
    );
    expect(out).toHaveLength(4);
  });

  it('uses paths relative to the working directory', () => {
    const abs = fileReport({ '/work/repo/deploy/worker.yaml': WORKER_YAML });
    expect(lines(formatGithub(abs, testContext('/work/repo')))[0]).toMatch(/^::warning file=deploy\/worker\.yaml,/);
  });

  it('escapes : and , in file names', () => {
    const odd = fileReport({ 'k8s/a:b,c.yaml': WORKER_YAML });
    expect(formatGithub(odd, testContext('/work/repo'))).toContain('::error file=k8s/a%3Ab%2Cc.yaml,line=');
  });

  it('puts the object in the title for stdin', () => {
    const stdin = fileReport({ '<stdin>': WORKER_YAML });
    const line = lines(formatGithub(stdin, testContext('/work/repo'))).find((l) => l.includes('QD101'))!;
    expect(line).toMatch(new RegExp(`^::error title=QD101 cpu-hpa-on-queue-worker%3A rag/HorizontalPodAutoscaler/rag-worker \\(<stdin>%3A${QD101_AT.line}\\)::`));
  });
});

describe('github: cluster findings, baseline, problems', () => {
  it('carries the cluster object in the title (no file)', () => {
    const out = lines(formatGithub(clusterReport('prod-eu', [WORKER_YAML]), testContext()));
    expect(out.find((l) => l.includes('QD101'))).toMatch(
      /^::error title=QD101 cpu-hpa-on-queue-worker%3A prod-eu\/rag\/HorizontalPodAutoscaler\/rag-worker::Deployment rag-worker is a queue worker/,
    );
  });

  it('gives baselined findings no annotation but counts them', () => {
    const fp = fileReport({ 'k8s/worker.yaml': WORKER_YAML }).findings.find((f) => f.ruleId === 'QD101')!.fingerprint!;
    const out = lines(formatGithub(fileReport({ 'k8s/worker.yaml': WORKER_YAML }, { baseline: new Set([fp]) }), testContext()));
    expect(out.some((l) => l.includes('QD101'))).toBe(false);
    expect(out[out.length - 1]).toMatch(/; 1 in baseline$/);
  });

  it('annotates input problems at their location and counts input errors', () => {
    const report = fileReport({ 'k8s/worker.yaml': WORKER_YAML }, { problems: [INVALID_YAML_PROBLEM, BINARY_PROBLEM, PATH_PROBLEM] });
    const out = lines(formatGithub(report, testContext('/work/repo')));
    expect(out.slice(0, 3)).toEqual([
      '::error file=k8s/bad.yaml,line=3,col=5,title=queue-doctor input%3A invalid-yaml::invalid YAML: missed comma between flow collection entries',
      '::warning file=k8s/logo.png,line=1,col=1,title=queue-doctor input%3A binary-file::binary content (NUL bytes); skipped',
      '::error title=queue-doctor input%3A path-not-found::missing/: no such file or directory',
    ]);
    expect(out[out.length - 1]).toMatch(/; 2 input errors$/);
  });

  it('says when there is nothing to report', () => {
    expect(formatGithub(fileReport({ 'k8s/web.yaml': WEB_YAML }), testContext())).toBe(
      'queue-doctor: no findings in 1 object in 1 file (1 workload, 0 queue workers, 0 autoscalers)\n',
    );
  });

  it('warns when the run is incomplete', () => {
    const report = clusterReport('prod', [WEB_YAML], { metadata: { contexts: ['prod'] } });
    const out = lines(formatGithub({ ...report, command: 'scan', incomplete: true }, testContext()));
    expect(out).toEqual([
      '::warning title=queue-doctor%3A incomplete::some data could not be read: the results are partial',
      'queue-doctor: no findings in 1 object in 1 context (1 workload, 0 queue workers, 0 autoscalers); INCOMPLETE: some data could not be read',
    ]);
  });
});
