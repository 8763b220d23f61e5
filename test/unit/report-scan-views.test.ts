// The pure pieces of the scan views: sparklines, ASCII folding, number formats, the YAML with
// derivation markers, wrapping, the SVG chart, and the text/Markdown/HTML views on a small
// hand-made scan report (hostile names, many recommendations, unicode off).
import { describe, expect, it } from 'vitest';
import type { Report, ScanWorkloadView } from '../../src/report/report-model.js';
import type { Recommendation } from '../../src/recommend/model.js';
import { columns, sparkline } from '../../src/report/sparkline.js';
import { asciiFold } from '../../src/report/ascii-fold.js';
import { fmtCount, fmtTrend, fmtWait, markedYaml, parseFieldPath, wrap } from '../../src/report/scan-format.js';
import { workloadChart } from '../../src/report/svg-chart.js';
import { formatScanText } from '../../src/report/scan-text.js';
import { formatScanMarkdown } from '../../src/report/scan-markdown.js';
import { code, inline } from '../../src/report/markdown.js';
import { formatHtml, html } from '../../src/report/html.js';

const plain = new Proxy(((...a: unknown[]) => a.join(' ')) as any, { get: (_t, p) => (p === 'level' ? 0 : plain) });
const HOSTILE = '<img src=x onerror=alert(1)>\u001b]52;c;aGk=\u0007|*_';

function view(over: Partial<ScanWorkloadView> = {}): ScanWorkloadView {
  const t = Array.from({ length: 120 }, (_, i) => 1_000_000 + i * 60);
  return {
    id: 'prod/rag/Deployment/rag-worker',
    context: 'prod',
    namespace: 'rag',
    kind: 'Deployment',
    name: 'rag-worker',
    isQueueWorker: true,
    isGpu: false,
    status: 'error',
    verdict: 'Backlog grows while the CPU autoscaler stays put',
    autoscaler: 'HPA cpu 70%',
    queue: { system: 'custom', name: 'default', confidence: 1, source: 'annotation', query: 'sum(q)' },
    backlog: { now: 118, trendPerMinute: 0.42, rising: true, series: { t, v: t.map((_, i) => i) } },
    cpu: { nowPercent: 12, targetPercent: 70, series: { t, v: t.map(() => 12) } },
    replicas: { min: 1, now: 1, max: 10, series: { t, v: t.map(() => 1) } },
    wait: { p95Seconds: 560, targetSeconds: 60 },
    findings: ['QD201'],
    objects: ['prod/rag/Deployment/rag-worker', 'prod/rag/HorizontalPodAutoscaler/rag-worker'],
    ...over,
  };
}

function recommendation(workloadId: string, name: string): Recommendation {
  return {
    workloadId,
    scaledObject: {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name, namespace: 'rag' },
      spec: { scaleTargetRef: { name }, minReplicaCount: 1, maxReplicaCount: 3, triggers: [{ type: 'prometheus', metadata: { query: 'sum(agent_queue_depth{queue="default"}) + (sum(agent_jobs_inflight{queue="default"}) or vector(0))', threshold: '9' } }] },
    },
    derivations: [
      { field: 'spec.triggers[0].metadata.threshold', value: '9', derivation: 'concurrency 4 + 0.22/s × 60s × 0.4 = 9.28 → 9 '.repeat(6) },
      { field: 'spec.minReplicaCount', value: 1, derivation: 'max(1, floor(p5 arrivals × duration ÷ concurrency)) = 1' },
      { field: 'spec.maxReplicaCount', value: 3, derivation: 'ceil(peak × duration ÷ concurrency × 1.5) = 3' },
      { field: 'PrometheusRule x: spec.groups[0].rules[0].for', value: '4m', derivation: 'max(2m, 4 × target)' },
    ],
    trigger: { type: 'prometheus', native: false, measures: 'backlog + in-flight jobs', countsInflight: true, query: 'sum(q)' },
    backtest: {
      window: { start: 1_000_000, end: 1_021_600, jobs: 4722 },
      before: { policy: 'current', waitP50: 100, waitP95: 699, waitP99: 730, waitMax: 750, jobsLost: 0, podSeconds: 21600, costRatio: 1.03, scaleEvents: 0, targetMet: false },
      after: { policy: 'threshold 9', waitP50: 10, waitP95: 41, waitP99: 52, waitMax: 80, jobsLost: 0, podSeconds: 27720, costRatio: 1.32, scaleEvents: 100, targetMet: true },
      searched: '…',
      candidates: 40,
    },
    migration: { transferHpa: name, notes: [] },
    confidence: { score: 1, level: 'high', reasons: [] },
    notes: ['a note'],
    placeholders: [],
    addresses: ['QD201'],
    validation: { valid: true, issues: [] },
    targetWaitSeconds: 60,
  };
}

function report(views: ScanWorkloadView[], recs: Recommendation[] = []): Report {
  return {
    command: 'scan',
    tool: { name: 'queue-doctor', version: '0.0.0', informationUri: 'https://example.invalid/qd' },
    findings: views.map((v) => ({
      ruleId: 'QD201',
      severity: 'error' as const,
      message: `Deployment ${v.name}: backlog grows`,
      object: { apiVersion: 'apps/v1', kind: 'HorizontalPodAutoscaler', namespace: v.namespace, name: v.name, context: v.context, id: v.objects![1] },
      location: { type: 'cluster' as const, context: v.context, namespace: v.namespace, kind: 'HorizontalPodAutoscaler', name: v.name, path: '/spec/metrics/0' },
      evidence: { backlogNow: 118, cpuP90Percent: 13.46, note: v.name, missing: null },
      fix: 'scale on the queue',
    })),
    problems: [],
    rules: [],
    summary: { errors: views.length, warnings: 0, infos: 0, baselined: 0, suppressed: 0, files: 0, objects: 2, workloads: views.length, queueWorkers: views.length, autoscalers: 1, ignoredObjects: 0 },
    incomplete: false,
    failOn: 'error',
    metadata: { generatedAt: '2026-03-10T15:00:00Z', durationMs: 1, contexts: ['prod'], queryCount: 12 },
    scan: {
      window: { start: 1_000_000, end: 1_021_600, step: 60 },
      source: { kind: 'cluster', detail: 'context prod' },
      prometheus: { url: 'http://prometheus.monitoring.svc:9090' },
      workloads: views.map((v, i) => ({ ...v, recommendation: recs[i] ? i : undefined })),
      bindings: [],
      recommendations: recs,
    },
  };
}

describe('sparkline', () => {
  it('draws eighth blocks scaled to the maximum, ASCII where unicode is unsafe', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8, { unicode: true })).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8, { unicode: false })).toBe('_.-:=+*#');
    expect(sparkline([5, 5, 5], 3, { unicode: true })).toBe('▁▁▁'.replace(/▁/g, '█'));
    expect(sparkline([0, 0], 4, { unicode: true })).toBe('▁▁');
    expect(sparkline([], 8, { unicode: true })).toBe('');
    expect(sparkline([1, NaN, 3], 3, { unicode: true, min: 0, max: 4 })).toBe('▃ ▆');
  });

  it('merges points into columns by their peak (backlog) or mean (CPU)', () => {
    expect(columns([1, 9, 2, 2], 2, 'max')).toEqual([9, 2]);
    expect(columns([1, 9, 2, 2], 2, 'mean')).toEqual([5, 2]);
    expect(sparkline(Array.from({ length: 100 }, (_, i) => (i === 55 ? 100 : 0)), 10, { unicode: true })).toBe('▁▁▁▁▁█▁▁▁▁');
  });
});

describe('formats', () => {
  it('counts, trends and waits', () => {
    expect([fmtCount(129), fmtCount(2344), fmtCount(24602), fmtCount(1_234_567), fmtCount(undefined)]).toEqual(['129', '2.3k', '24.6k', '1.2M', '—']);
    expect([fmtTrend(0.4167), fmtTrend(17.19), fmtTrend(-0.001), fmtTrend(-3.456)]).toEqual(['+0.42', '+17.2', '0', '-3.46']);
    expect([fmtWait(557), fmtWait(Infinity), fmtWait(Infinity, false), fmtWait(0.3), fmtWait(7200)]).toEqual(['9m17s', '∞', 'inf', '<1s', '2h']);
  });

  it('folds unicode to ASCII without losing meaning', () => {
    expect(asciiFold('p95 9m → 41s × 2 ÷ 3 ≥ 4 · ✔ … café')).toBe('p95 9m -> 41s x 2 / 3 >= 4 - OK ... cafe');
    expect(asciiFold('漢')).toBe('?');
  });

  it('wraps to a width with a hanging indent', () => {
    const lines = wrap('a '.repeat(60).trim(), 20, '    ');
    expect(lines.every((l) => l.length <= 20)).toBe(true);
    expect(lines[1].startsWith('    a')).toBe(true);
    expect(wrap('x'.repeat(45), 20, '').every((l) => l.length <= 20)).toBe(true);
  });

  it('puts a numbered marker on every field that has a derivation', () => {
    expect(parseFieldPath('spec.triggers[0].metadata.threshold')).toEqual(['spec', 'triggers', 0, 'metadata', 'threshold']);
    expect(parseFieldPath('PrometheusRule x: spec.for')).toBeUndefined();
    const { yaml, notes } = markedYaml(recommendation('a', 'rag-worker').scaledObject, recommendation('a', 'rag-worker').derivations);
    expect(yaml).toContain('threshold: "9" # [1]');
    expect(yaml).toContain('minReplicaCount: 1 # [2]');
    expect(notes.map((n) => n.marker)).toEqual([1, 2, 3, undefined]);
  });
});

describe('svg chart', () => {
  it('draws panels with data, a reference line, gaps, and escapes every label', () => {
    const s = { t: [0, 60, 120, 180], v: [1, NaN, 3, 4] };
    const svg = workloadChart(
      [
        { key: 'backlog', label: HOSTILE, series: s, kind: 'area', color: '#000' },
        { key: 'cpu', label: 'CPU %', series: undefined, kind: 'line', color: '#111', reference: { value: 70, label: 'target 70%', dash: 'dashed' } },
      ],
      { start: 0, end: 180, id: 'c1', title: HOSTILE, description: 'd', escape: html },
    );
    expect(svg).toContain('data-series="backlog" data-points="4"');
    expect(svg.match(/<path d="M/g)!.length).toBe(4); // the gap splits the line: two segments, each an area and a line
    expect(svg).toContain('no data');
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg).not.toContain('<img');
    expect(svg).not.toMatch(/[\u0000-\u0008\u001b]/);
  });
});

describe('scan views on a hand-made report', () => {
  const views = [view(), view({ id: 'prod/ns/Deployment/x', name: HOSTILE, namespace: 'a-very-long-namespace-name', objects: ['prod/ns/Deployment/x', 'prod/ns/HPA/x'] })];
  const r = report(views, [recommendation(views[0].id, 'rag-worker')]);

  it('text: fits 100 columns in both modes, no raw control characters, ASCII when asked', () => {
    for (const unicode of [true, false]) {
      const text = formatScanText(r, plain, unicode);
      expect(text.split('\n').filter((l) => [...l].length > 100)).toEqual([]);
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
      if (!unicode) expect(text.match(/[^\x00-\x7f]/g) ?? []).toEqual([]);
    }
    const text = formatScanText(r, plain, true);
    expect(text).toMatch(/^✖ rag\/rag-worker +default +118 [▁▂▃▄▅▆▇█]{8} +\+0\.42 +12\/70 [▁▂▃▄▅▆▇█]{6} +1\/1\/10 +9m20s\/1m$/m);
    expect(text).toContain('backtest on its own 6h (4,722 jobs): p95 wait 11m39s → 41s, pod-hours 6 → 7.7 (target 1m ✔)');
    expect(text).toContain('evidence: backlogNow=118, cpuP90Percent=13.46, note=rag-worker');
  });

  it('markdown: escaped cells, a details block per recommendation, and a size budget', () => {
    const md = formatScanMarkdown(r, { inline, code });
    // markup only inside code spans, which GitHub shows literally
    expect(md.replace(/`[^`\n]*`/g, '')).not.toContain('<img');
    expect(md).toContain('<details>\n<summary>ScaledObject rag-worker');
    const many = Array.from({ length: 40 }, (_, i) => view({ id: `prod/rag/Deployment/w${i}`, name: `w${i}`, objects: [`prod/rag/Deployment/w${i}`] }));
    const big = report(many, many.map((v) => recommendation(v.id, v.name)));
    const limited = formatScanMarkdown(big, { inline, code }, 20_000);
    expect(limited.length).toBeLessThanOrEqual(20_000);
    expect(limited).toMatch(/Not shown here \(comments have a size limit\): `rag\/w\d+`/);
  });

  it('html: every cluster string escaped, one hashed inline script, no external reference', () => {
    const doc = formatHtml(r);
    expect(doc).not.toContain('<img');
    expect(doc).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(doc).not.toMatch(/\u001b|\u0007/);
    expect(doc.match(/<script>/g)).toHaveLength(1);
    expect(doc).not.toMatch(/<[a-z]+[^>]*\ssrc=|<link|url\(/i);
    expect(doc).toContain('data-copy="w1-yaml"');
    expect(html(`"'<>&`)).toBe('&quot;&#39;&lt;&gt;&amp;');
  });
});
