// The main path, as an SRE runs it: the built CLI scans a cluster (the HTTPS stand-in serving
// fixtures/clusters/llm-platform) with no --prometheus-url, finds the cluster's Prometheus (a
// real one, backfilled from fixtures/series/llm-platform.om) through the API server's service
// proxy, diagnoses the seed scenario and prints a valid, backtested KEDA ScaledObject. A
// snapshot of that scan replays offline to the same result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { startStandin, type Standin } from '../helpers/k8s-standin.js';
import { backfill, startPrometheus, type Backfilled, type PrometheusServer } from '../helpers/prometheus.js';
import { FIXTURE_END } from '../helpers/series-gen.js';
import { validateScaledObject } from '../../src/recommend/validate.js';

let s: Standin;
let bf: Backfilled;
let prom: PrometheusServer;
let kubeconfig: string;
let work: string;

beforeAll(async () => {
  ensureBuilt();
  bf = backfill(['llm-platform']);
  prom = await startPrometheus({ dataDir: bf.data });
  // every Prometheus-looking Service of the fixture answers with the same real server
  const upstream = prom.url;
  s = await startStandin({
    cluster: 'llm-platform',
    serviceProxy: { 'monitoring/kube-prometheus-stack-prometheus': upstream, 'monitoring/prometheus-operated': upstream },
  });
  kubeconfig = s.writeKubeconfig();
  work = mkdtempSync(join(tmpdir(), 'qd-scan-live-'));
}, 60_000);

afterAll(async () => {
  await s?.close();
  await prom?.stop();
  bf?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const scanArgs = () => ['scan', '--kubeconfig', kubeconfig, '-A', '--at', String(FIXTURE_END)];

describe('scan a live cluster with its own Prometheus', () => {
  let report: any;
  let snapshotReport: any;

  it('discovers Prometheus through the service proxy and diagnoses the seed scenario (QD201), exit 1', async () => {
    const before = s.requests.length;
    const r = await runCli([...scanArgs(), '-o', 'json', '--save-snapshot', join(work, 'snap')], { timeoutMs: 120_000 });
    expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
    expect(r.code).toBe(1);
    report = JSON.parse(r.stdout);
    // read-only: discovery, lists and Prometheus through the proxy, all GET
    const sent = s.requests.slice(before);
    expect(sent.length).toBeGreaterThan(5);
    expect(sent.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(sent.some((q) => q.path.includes('/services/') && q.path.includes('/proxy/'))).toBe(true);

    expect(report.scan.prometheus.discoveredFrom).toMatch(/prometheus/i);
    const qd201 = report.findings.find((f: any) => f.ruleId === 'QD201' && f.object.namespace === 'rag');
    expect(qd201, JSON.stringify(report.findings.map((f: any) => `${f.ruleId} ${f.object.id}`))).toBeDefined();
    expect(qd201.location).toMatchObject({ type: 'cluster', namespace: 'rag' });
    expect(Number(qd201.evidence.cpuMeanPercent ?? qd201.evidence.cpuPercent ?? 0)).toBeLessThan(70);
    // the web app that CPU scaling suits is not flagged
    expect(report.findings.filter((f: any) => f.object.namespace === 'web' && f.severity !== 'info')).toEqual([]);
    // the number of PromQL requests is reported and bounded
    expect(report.metadata.queryCount).toBeGreaterThan(0);
    expect(report.metadata.queryCount).toBeLessThan(40);
  });

  it('recommends a valid ScaledObject on the seed queue that takes over the CPU HPA, backtested', () => {
    const rec = report.scan.recommendations.find((r: any) => r.workloadId.endsWith('rag/Deployment/rag-worker'));
    expect(rec).toBeDefined();
    const so = rec.scaledObject;
    expect(validateScaledObject(so).valid).toBe(true);
    expect(so.spec.scaleTargetRef.name).toBe('rag-worker');
    const trigger = so.spec.triggers[0];
    expect(trigger.type).toBe('prometheus');
    expect(trigger.metadata.query).toContain('agent_queue_depth{queue="default"}');
    // KEDA queries the in-cluster address of the Prometheus that was found, not the proxy URL
    expect(trigger.metadata.serverAddress).toMatch(/^http:\/\/[a-z0-9-]+\.monitoring\.svc(\.cluster\.local)?:\d+/);
    expect(so.metadata.annotations['scaledobject.keda.sh/transfer-hpa-ownership']).toBe('true');
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.name).toBe('rag-worker');
    expect(rec.derivations.length).toBeGreaterThan(5);
    expect(rec.backtest.after.waitP95).toBeLessThan(rec.backtest.before.waitP95);
  });

  it('prints only the recommended objects with -o yaml, ready for kubectl apply', async () => {
    const r = await runCli([...scanArgs(), '-o', 'yaml'], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const docs = YAML.parseAllDocuments(r.stdout).map((d) => d.toJS()).filter(Boolean);
    const sos = docs.filter((d: any) => d.kind === 'ScaledObject');
    expect(sos.length).toBeGreaterThan(0);
    for (const so of sos) expect(validateScaledObject(so).valid).toBe(true);
    expect(r.stdout).toMatch(/^# /m); // derivations as comments
  });

  it('replays the snapshot offline (no cluster, no Prometheus) to the same findings and recommendations', async () => {
    const r = await runCli(['scan', '--snapshot', join(work, 'snap'), '-o', 'json'], { timeoutMs: 120_000 });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
    snapshotReport = JSON.parse(r.stdout);
    const key = (rep: any) => rep.findings.map((f: any) => `${f.ruleId} ${f.object.id} ${f.message}`).sort();
    expect(key(snapshotReport)).toEqual(key(report));
    const recs = (rep: any) => rep.scan.recommendations.map((x: any) => ({ id: x.workloadId, so: x.scaledObject }));
    expect(recs(snapshotReport)).toEqual(recs(report));
  });
});
