// `scan -o yaml`: only the recommended objects, multi-document, ready for `kubectl apply -f -`,
// comments carrying each number's derivation, and a stream that parses back to the same objects.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import jsyaml from 'js-yaml';
import { recommend, type Recommendation } from '../../src/recommend/index.js';
import { formatYaml } from '../../src/report/yaml.js';
import type { Report } from '../../src/report/report-model.js';
import { loadScenario } from './live-scenario.js';

const ROOT = join(import.meta.dirname, '..', '..');

function seedRec(prometheus: { inClusterAddress?: string; url?: string } = { inClusterAddress: 'http://prometheus-operated.monitoring.svc:9090' }): Recommendation {
  const s = loadScenario(join(ROOT, 'fixtures', 'rules', 'QD201', 'invalid-seed.scenario.yaml'));
  const w = s.inventory.workloads[0];
  return recommend({ workload: w, signals: s.signals.get(w.id), targetWaitSeconds: 30, findings: [], prometheus });
}

/** All comment text of a YAML stream, wrapped lines joined. */
function comments(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.trim().startsWith('#'))
    .map((l) => l.trim().replace(/^#\s?/, '').trim())
    .join(' ')
    .replace(/\s+/g, ' ');
}

function report(recs: Recommendation[], command: 'scan' | 'check' = 'scan'): Report {
  return { command, scan: command === 'scan' ? ({ recommendations: recs, workloads: [], bindings: [], source: { kind: 'files', detail: '' } } as any) : undefined } as Report;
}

describe('formatYaml', () => {
  const rec = seedRec();
  const out = formatYaml(report([rec]));

  it('prints the ScaledObject and its PrometheusRule, and they parse back to exactly those objects', () => {
    const docs = YAML.parseAllDocuments(out);
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    expect(docs.map((d) => d.toJS())).toEqual([rec.scaledObject, rec.alert]);
    // YAML 1.1 readers (kubectl's) and js-yaml agree
    expect(YAML.parseAllDocuments(out, { version: '1.1' }).map((d) => d.toJS())).toEqual([rec.scaledObject, rec.alert]);
    expect(jsyaml.loadAll(out)).toEqual([rec.scaledObject, rec.alert]);
  });

  it('quotes strings a YAML parser would reinterpret', () => {
    expect(out).toContain('scaledobject.keda.sh/transfer-hpa-ownership: "true"');
    expect(out).toMatch(/threshold: "\d+(\.\d)?"/);
    expect(out).toContain('activationThreshold: "0"');
    expect(out).toContain('ignoreNullValues: "false"');
  });

  it('carries every derivation of the ScaledObject and the alert as comments', () => {
    const text = comments(out);
    for (const d of rec.derivations) expect(text).toContain(d.derivation.replace(/\s+/g, ' '));
    // the derivation sits right above its field
    const lines = out.split('\n');
    const i = lines.findIndex((l) => /^\s+minReplicaCount:/.test(l));
    expect(lines[i - 1].trim().startsWith('#')).toBe(true);
  });

  it('says what it is, how it was backtested and how to apply it', () => {
    expect(out).toMatch(/^# queue-doctor: KEDA ScaledObject for agents\/Deployment\/rag-worker \(target p95 queue wait 30s\)/);
    expect(comments(out)).toMatch(/Backtest on 1h1m of recorded arrivals: before p95 wait \S+, [\d.]+ pod-hours \(current: HorizontalPodAutoscaler rag-worker\) → after p95 wait/);
    expect(out).toContain('# Migration: HorizontalPodAutoscaler rag-worker already scales');
    expect(out).toContain('kubectl apply -f -');
    expect(out).toContain('\n---\n');
  });

  it('marks placeholders on the field itself', () => {
    const withPlaceholder = formatYaml(report([seedRec({ url: 'http://localhost:9090' })]));
    expect(withPlaceholder).toContain('serverAddress: http://EDIT-ME-prometheus.monitoring.svc:9090 # EDIT BEFORE APPLYING');
    expect(withPlaceholder).toContain('# EDIT BEFORE APPLYING spec.triggers[0].metadata.serverAddress');
  });

  it('never prints a ScaledObject that fails validation', () => {
    const bad = structuredClone(rec);
    bad.scaledObject.spec.minReplicaCount = 50;
    const text = formatYaml(report([bad, rec]));
    const objects = YAML.parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
    expect(objects).toEqual([rec.scaledObject, rec.alert]);
    expect(comments(text)).toContain('queue-doctor: internal error — the ScaledObject recommended for agents/Deployment/rag-worker fails KEDA validation and is not printed: spec.minReplicaCount: minReplicaCount must be less than or equal to maxReplicaCount (crd-cel)');
  });

  it('prints only a comment when there is nothing to recommend', () => {
    expect(formatYaml(report([]))).toBe('# queue-doctor: no recommended objects (no workload needed a change, or none could be measured).\n');
    expect(formatYaml(report([], 'check'))).toContain('`check` makes no recommendations');
    expect(jsyaml.loadAll(formatYaml(report([])))).toEqual([null]);
  });

  it('keeps control characters from names out of the comments', () => {
    const odd = structuredClone(rec);
    odd.workloadId = 'agents/Deployment/rag\u001b[31m-worker\nkind: Secret';
    const text = formatYaml(report([odd]));
    expect(text).not.toContain('\u001b');
    expect(jsyaml.loadAll(text)).toEqual([rec.scaledObject, rec.alert]);
  });
});
