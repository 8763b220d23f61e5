import { describe, expect, it } from 'vitest';
import { code, formatMarkdown, inline, SCAN_SECTION_MARKER } from '../../src/report/markdown.js';
import { ruleHelpUri } from '../../src/report/report-model.js';
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

/** Cells of a GFM table row, splitting on unescaped pipes (as GitHub does). */
function cells(row: string): string[] {
  expect(row.startsWith('| ') && row.endsWith(' |')).toBe(true);
  return row
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((c) => c.trim());
}

function section(md: string, heading: string): string {
  const start = md.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rest = md.slice(start + heading.length + 2);
  const next = rest.search(/\n### |\n<sub>/);
  return next < 0 ? rest : rest.slice(0, next);
}

function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('| '))
    .slice(2) // header and delimiter row
    .map(cells);
}

describe('markdown: findings', () => {
  const report = fileReport({ 'k8s/worker.yaml': WORKER_YAML, 'k8s/web.yaml': WEB_YAML });
  const md = formatMarkdown(report, testContext());

  it('opens with a heading, a headline and a summary table of counts', () => {
    expect(md.startsWith('## queue-doctor check\n\n❌ **3 findings** (1 error, 1 warning, 1 info) in 3 objects in 2 files')).toBe(true);
    const summary = md.slice(md.indexOf('| | count |'), md.indexOf('\n\n', md.indexOf('| | count |')));
    expect(tableRows(summary)).toEqual([
      ['🔴 error', '1'],
      ['🟡 warning', '1'],
      ['🔵 info', '1'],
      ['in baseline (not failing)', '0'],
      ['suppressed by annotation', '0'],
      ['input errors', '0'],
      ['input warnings', '0'],
    ]);
  });

  it('has one findings row per finding: severity, linked rule, location, message', () => {
    const rows = tableRows(section(md, '### Findings'));
    expect(rows).toHaveLength(3);
    const qd101 = report.rules.find((m) => m.id === 'QD101')!;
    const row = rows.find((r) => r[1].startsWith('[QD101]'))!;
    expect(row).toEqual([
      '🔴 error',
      `[QD101](${ruleHelpUri(qd101)} "cpu-hpa-on-queue-worker")`,
      `\`k8s/worker.yaml:${QD101_AT.line}:7\`<br>HorizontalPodAutoscaler rag/rag-worker`,
      'Deployment rag-worker is a queue worker but HorizontalPodAutoscaler rag-worker scales it only on cpu 70%: queued jobs will not add replicas',
    ]);
  });

  it('escapes pipes, HTML and Markdown from manifests so the table and the comment hold', () => {
    const row = tableRows(section(md, '### Findings')).find((r) => r[1].startsWith('[QD901]'))!;
    expect(row).toHaveLength(4);
    expect(row[3]).toBe(
      'rag-worker sets replicas: 50% \\| &lt;b&gt;bold&lt;/b&gt; &amp; \\[link\\](x) \\*star\\* \\`tick\\` &quot;q&quot; a,b:c \\]\\]&gt; red<br>second line' +
        '<br>**Fix:** remove spec.replicas from rag-worker',
    );
    expect(md).not.toContain('<b>bold');
    expect(md).not.toContain('\u001b');
  });

  it('explains each rule that found something in a collapsible block', () => {
    const rules = section(md, '### Rules');
    const qd101 = report.rules.find((m) => m.id === 'QD101')!;
    expect(rules).toContain('<details>\n<summary><b>QD101</b> cpu-hpa-on-queue-worker: Queue worker scaled only on CPU/memory (1 finding)</summary>');
    expect(rules).toContain(`**Why:** ${qd101.rationale}`);
    expect(rules).toContain(`**Fix:** ${qd101.fix}`);
    expect(rules).toContain('```yaml\n' + qd101.examples.bad + '\n```');
    expect(rules.match(/<details>/g)).toHaveLength(3);
    expect(rules.match(/<\/details>/g)).toHaveLength(3);
    expect(rules).toContain('Passed: QD903 test-quiet');
  });

  it('has no problems section and no scan section when there are none', () => {
    expect(md).not.toContain('### Input problems');
    expect(md).not.toContain(SCAN_SECTION_MARKER);
    expect(md.trimEnd().endsWith('<sub>queue-doctor 0.1.0 · fails on: error</sub>'.replace('0.1.0', report.tool.version))).toBe(true);
  });
});

describe('markdown: cluster findings, baseline, problems, scan hook', () => {
  it('shows the cluster object as the location', () => {
    const md = formatMarkdown(clusterReport('prod-eu', [WORKER_YAML]), testContext());
    const row = tableRows(section(md, '### Findings')).find((r) => r[1].startsWith('[QD101]'))!;
    expect(row[2]).toBe('`prod-eu/rag/HorizontalPodAutoscaler/rag-worker`');
  });

  it('marks baselined findings', () => {
    const fp = fileReport({ 'k8s/worker.yaml': WORKER_YAML }).findings.find((f) => f.ruleId === 'QD101')!.fingerprint!;
    const md = formatMarkdown(fileReport({ 'k8s/worker.yaml': WORKER_YAML }, { baseline: new Set([fp]) }), testContext());
    expect(tableRows(section(md, '### Findings')).find((r) => r[1].startsWith('[QD101]'))![0]).toBe('🔴 error (baseline)');
    expect(md).toContain('| in baseline (not failing) | 1 |');
  });

  it('lists input problems in their own section', () => {
    const md = formatMarkdown(fileReport({}, { problems: [INVALID_YAML_PROBLEM, BINARY_PROBLEM, PATH_PROBLEM] }), testContext());
    expect(md).toContain('❌ **No findings, but the input has errors**');
    expect(tableRows(section(md, '### Input problems'))).toEqual([
      ['🔴 error', '`invalid-yaml`', '`k8s/bad.yaml:3:5`', 'invalid YAML: missed comma between flow collection entries'],
      ['🟡 warning', '`binary-file`', '`k8s/logo.png:1:1`', 'binary content (NUL bytes); skipped'],
      ['🔴 error', '`path-not-found`', '`missing/`', 'missing/: no such file or directory'],
    ]);
  });

  it('a clean run says so', () => {
    const md = formatMarkdown(fileReport({ 'k8s/web.yaml': WEB_YAML }), testContext());
    expect(md).toContain('✅ **No findings** in 1 object in 1 file');
    expect(md).not.toContain('### Findings');
    expect(md).toContain('Passed: QD101 cpu-hpa-on-queue-worker, QD901 test-replicas-warning, QD902 test-replicas-info, QD903 test-quiet');
  });

  it('renders the scan section from report.scan (workload table), and nothing without workloads', () => {
    const base = fileReport({ 'k8s/worker.yaml': WORKER_YAML });
    const view = {
      id: 'prod/rag/Deployment/rag-worker', context: 'prod', namespace: 'rag', kind: 'Deployment', name: 'rag-worker', isQueueWorker: true, isGpu: false,
      status: 'error' as const, verdict: 'Backlog grows | while CPU stays put', findings: ['QD201'],
      backlog: { now: 100, trendPerMinute: 0.5, rising: true, series: { t: [1, 2, 3], v: [10, 50, 100] } },
      replicas: { min: 1, now: 1, max: 10 }, wait: { p95Seconds: 600, targetSeconds: 60 },
    };
    const md = formatMarkdown({ ...base, scan: { source: { kind: 'demo', detail: 'the demo' }, workloads: [view], bindings: [], recommendations: [] } }, testContext());
    expect(md).toContain(`${SCAN_SECTION_MARKER}\n### Workloads`);
    expect(md).toContain('| 🔴 | `rag/rag-worker` | `?` | 100 ');
    expect(md).toContain('Backlog grows \\| while CPU stays put (QD201)');
    expect(md.indexOf(SCAN_SECTION_MARKER)).toBeLessThan(md.indexOf('### Findings'));
    expect(formatMarkdown({ ...base, scan: { workloads: [] } } as never, testContext())).not.toContain(SCAN_SECTION_MARKER);
  });
});

describe('markdown: escaping helpers', () => {
  it('inline escapes HTML, Markdown punctuation and pipes, and keeps line breaks', () => {
    expect(inline('a|b <i>x</i> & _y_\nz')).toBe('a\\|b &lt;i&gt;x&lt;/i&gt; &amp; \\_y\\_<br>z');
  });

  it('code spans survive backticks and pipes', () => {
    expect(code('a|b')).toBe('`a\\|b`');
    expect(code('x`y')).toBe('``x`y``');
    expect(code('`start')).toBe('`` `start ``');
  });
});

describe('markdown: size', () => {
  it('stops the findings table within the budget of a PR comment and says how many were left out', async () => {
    const { FINDINGS_TABLE_BUDGET } = await import('../../src/report/markdown.js');
    const base = fileReport({ 'k8s/worker.yaml': WORKER_YAML });
    const one = base.findings.find((f) => f.ruleId === 'QD101')!;
    const findings = Array.from({ length: 1000 }, (_, i) => ({ ...one, message: `${one.message} #${i}` }));
    const md = formatMarkdown({ ...base, findings }, testContext());
    expect(md.length).toBeLessThan(65_536);
    const rows = tableRows(section(md, '### Findings'));
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.map((r) => r.join(' | ')).join('\n').length).toBeLessThanOrEqual(FINDINGS_TABLE_BUDGET);
    expect(md).toContain(`_${1000 - rows.length} more findings not shown here (comments have a size limit)`);
    expect(rows[rows.length - 1][3]).toMatch(new RegExp(`#${rows.length - 1}$`));
  });
});
