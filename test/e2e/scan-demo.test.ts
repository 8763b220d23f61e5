// `queue-doctor scan --demo` as a newcomer runs it: the built CLI, no cluster, no Prometheus,
// no network. Every intended finding shows on the workload it is about (the `expect` lists of
// the demo generator), nothing is said against the web app or the healthy Celery worker, the
// scan is complete (every query answered from the recording), and every output format is read
// back by a real consumer: the report JSON Schema, the YAML parser + KEDA CRD schema, GFM.
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runCli, type CliResult } from '../helpers/cli.js';
import { reportValidator, schemaErrors } from '../helpers/schemas.js';
import { demoWorkloads } from '../helpers/demo/generate-demo.js';
import { validateScaledObject } from '../../src/recommend/validate.js';

const WORKLOADS = demoWorkloads().map((w) => ({ ...w, label: `${w.ns}/${w.name}`, id: `demo/${w.ns}/${w.kind}/${w.name}` }));
const RAG_BACKLOG = 'sum(agent_queue_depth{queue="default"})';

let text: CliResult;
let json: CliResult;
let yaml: CliResult;
let markdown: CliResult;
let report: any;

beforeAll(async () => {
  [text, json, yaml, markdown] = await Promise.all([
    runCli(['scan', '--demo']),
    runCli(['scan', '--demo', '-o', 'json']),
    runCli(['scan', '--demo', '-o', 'yaml']),
    runCli(['scan', '--demo', '-o', 'markdown']),
  ]);
  report = JSON.parse(json.stdout);
}, 120_000);

describe('scan --demo: the pipeline on the bundled snapshot', () => {
  it('exits 1 (errors found) with nothing on stderr: the replay answered every query', () => {
    for (const r of [text, json, yaml, markdown]) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
    }
    expect(report.incomplete).toBe(false);
    expect(report.metadata.queryCount).toBeGreaterThan(10);
    expect(report.metadata.contexts).toEqual(['demo']);
    expect(report.scan.source.kind).toBe('demo');
    expect(report.scan.prometheus.url).toBe('http://kube-prometheus-stack-prometheus.monitoring.svc:9090');
  });

  it('-o json is valid against the shipped report schema', () => {
    expect(schemaErrors(reportValidator(), report)).toEqual([]);
  });

  it('shows every intended finding on its workload, and nothing on the web app', () => {
    const byWorkload = new Map<string, any[]>();
    for (const view of report.scan.workloads) byWorkload.set(view.id, view.findings);
    for (const w of WORKLOADS) {
      const ids: string[] = byWorkload.get(w.id) ?? [];
      expect(ids, w.label).toEqual(expect.arrayContaining(w.expect));
    }
    const web = report.scan.workloads.find((v: any) => v.id === 'demo/web/Deployment/storefront');
    expect(web).toMatchObject({ isQueueWorker: false, status: 'ok', findings: [] });
    expect(report.findings.filter((f: any) => f.object.namespace === 'web')).toEqual([]);
  });

  it('says nothing serious about the healthy Celery worker on KEDA', () => {
    const celery = report.scan.workloads.find((v: any) => v.id === 'demo/workers/Deployment/celery-worker');
    expect(celery.status).toBe('ok');
    expect(celery.queue).toMatchObject({ system: 'rabbitmq', name: 'emails' });
    const serious = report.findings.filter((f: any) => f.object.namespace === 'workers' && f.severity !== 'info');
    expect(serious).toEqual([]);
  });

  it('the seed scenario: rag-worker backlog ~100+ and rising at 5–16 % CPU under a 70 % HPA, QD201 with evidence', () => {
    const view = report.scan.workloads.find((v: any) => v.id === 'demo/rag/Deployment/rag-worker');
    expect(view.backlog.now).toBeGreaterThanOrEqual(80);
    expect(view.backlog.rising).toBe(true);
    expect(view.cpu.targetPercent).toBe(70);
    expect(view.cpu.nowPercent).toBeGreaterThanOrEqual(5);
    expect(view.cpu.nowPercent).toBeLessThanOrEqual(16);
    expect(view.replicas).toMatchObject({ min: 1, now: 1, max: 10 });
    const qd201 = report.findings.find((f: any) => f.ruleId === 'QD201' && f.object.namespace === 'rag');
    expect(qd201.severity).toBe('error');
    expect(qd201.evidence.cpuTargetPercent).toBe(70);
    expect(qd201.evidence.cpuP90Percent).toBeLessThan(70);
    expect(qd201.evidence.replicas).toBe(1);
  });

  it('recommends a prometheus trigger on the annotated backlog + in-flight for rag-worker, backtested', () => {
    const rec = report.scan.recommendations.find((r: any) => r.workloadId === 'demo/rag/Deployment/rag-worker');
    expect(rec.trigger).toMatchObject({ type: 'prometheus', countsInflight: true });
    expect(rec.trigger.query).toContain(RAG_BACKLOG);
    expect(rec.trigger.query).toContain('agent_jobs_inflight{queue="default"}');
    expect(rec.scaledObject.spec.triggers[0].metadata.query).toBe(rec.trigger.query);
    expect(rec.scaledObject.spec.triggers[0].metadata.serverAddress).toBe('http://kube-prometheus-stack-prometheus.monitoring.svc:9090');
    expect(rec.migration.transferHpa).toBe('rag-worker');
    expect(rec.backtest.after.targetMet).toBe(true);
    expect(rec.backtest.before.waitP95).toBeGreaterThan(rec.backtest.after.waitP95);
    expect(rec.validation.valid).toBe(true);
    // every number in the object has its derivation
    expect(rec.derivations.map((d: any) => d.field)).toEqual(expect.arrayContaining(['spec.triggers[0].metadata.threshold', 'spec.minReplicaCount', 'spec.maxReplicaCount']));
  });
});

describe('scan --demo: the text view', () => {
  const lines = () => text.stdout.split('\n');
  const row = (label: string) => lines().find((l) => / [^ ]/.test(l) && l.slice(2).startsWith(label + ' '));

  it('fits 100 columns and carries no escape sequences under NO_COLOR', () => {
    const wide = lines().filter((l) => [...l].length > 100);
    expect(wide).toEqual([]);
    expect(text.stdout).not.toMatch(/\u001b/);
  });

  it('has one row per workload with status, queue, backlog + sparkline, trend, CPU vs target, replicas and wait', () => {
    for (const w of WORKLOADS) expect(row(w.label), w.label).toBeDefined();
    const rag = row('rag/rag-worker')!;
    expect(rag.startsWith('✖ ')).toBe(true);
    expect(rag).toMatch(/ default +\d{2,3} [▁▂▃▄▅▆▇█]{8} +\+\d+(\.\d+)? +\d{1,2}\/70 [▁▂▃▄▅▆▇█]{6} +1\/1\/10 +\S+\/1m$/);
    expect(row('web/storefront')!.startsWith('✔ ')).toBe(true);
    expect(row('workers/celery-worker')!.startsWith('✔ ')).toBe(true);
    // the verdict under the row
    const i = lines().indexOf(rag);
    expect(lines()[i + 1]).toMatch(/^ {2}\S/);
  });

  it('lists the findings under each workload, with evidence and fix', () => {
    const findings = text.stdout.slice(text.stdout.indexOf('\nFindings\n'), text.stdout.indexOf('\nRecommendations\n'));
    for (const w of WORKLOADS.filter((x) => x.expect.length)) {
      const start = findings.indexOf(` ${w.label}\n`);
      expect(start, w.label).toBeGreaterThan(0);
      const block = findings.slice(start, findings.indexOf('\n\n', start));
      for (const id of w.expect) expect(block, `${w.label} ${id}`).toMatch(new RegExp(`(error|warning|info) +${id} `));
      expect(block).toContain('evidence: ');
    }
    expect(findings).not.toContain(' web/storefront\n');
  });

  it('prints each recommendation as YAML with numbered derivations and the backtest before/after', () => {
    const recs = text.stdout.slice(text.stdout.indexOf('\nRecommendations\n'));
    const start = recs.indexOf('rag/rag-worker: ScaledObject rag-worker');
    expect(start).toBeGreaterThan(0);
    const block = recs.slice(start, recs.indexOf('\n━━', start + 1));
    expect(block).toMatch(/backtest on its own 6h \([\d,]+ jobs\): p95 wait \S+ → \S+, pod-hours [\d.]+ → [\d.]+ \(target 1m ✔\)/);
    expect(block).toContain('    kind: ScaledObject');
    expect(block).toMatch(/threshold: "[\d.]+" # \[1\]/);
    expect(block).toMatch(/\[1\] threshold: /);
    expect(block).toContain('agent_queue_depth{queue="default"}');
  });

  it('honours FORCE_COLOR and degrades to ASCII where unicode is unsafe', async () => {
    const [colour, ascii] = await Promise.all([runCli(['scan', '--demo'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } }), runCli(['scan', '--demo'], { env: { TERM: 'dumb' } })]);
    expect(colour.stdout).toMatch(/\u001b\[31m✖\u001b\[39m rag\/rag-worker/);
    expect(ascii.stdout).toMatch(/^[\x00-\x7f]*$/);
    expect(ascii.stdout.split('\n').filter((l) => l.length > 100)).toEqual([]);
    const rag = ascii.stdout.split('\n').find((l) => l.startsWith('X rag/rag-worker '));
    expect(rag).toMatch(/ \d{2,3} [_.\-:=+*#]{8} /);
    expect(ascii.stdout).toContain('-> ');
  });
});

describe('scan --demo: -o yaml', () => {
  it('is only the recommended objects, multi-document, each a valid ScaledObject (or its PrometheusRule)', () => {
    const docs = YAML.parseAllDocuments(yaml.stdout);
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    const objects = docs.map((d) => d.toJS()).filter(Boolean);
    const scaled = objects.filter((o) => o.kind === 'ScaledObject');
    expect(scaled.length).toBe(report.scan.recommendations.length);
    for (const so of scaled) {
      const v = validateScaledObject(so);
      expect(v.issues, so.metadata.name).toEqual([]);
      expect(v.valid).toBe(true);
    }
    expect(objects.every((o) => o.kind === 'ScaledObject' || o.kind === 'PrometheusRule')).toBe(true);
    const rag = scaled.find((o) => o.metadata.namespace === 'rag' && o.metadata.name === 'rag-worker');
    expect(rag.spec.triggers[0].metadata.query).toContain(RAG_BACKLOG);
    // derivations travel as comments
    expect(yaml.stdout).toMatch(/#.*\n\s+minReplicaCount: \d+/);
  });

  it('passes queue-doctor check itself: what scan recommends, check does not flag (only "target not in this input")', async () => {
    const r = await runCli(['check', '-', '-o', 'json'], { input: yaml.stdout });
    const out = JSON.parse(r.stdout);
    expect(out.problems).toEqual([]); // the alert's {{ $value }} is a template string, not a Helm template
    expect(out.findings.filter((f: any) => f.ruleId !== 'QD112')).toEqual([]);
    expect(r.code).toBe(0);
  });
});

describe('scan --demo: -o markdown', () => {
  it('has a GitHub-flavoured workload table and a collapsible YAML per recommendation', () => {
    const md = markdown.stdout;
    expect(md).toContain('<!-- queue-doctor:scan -->\n### Workloads');
    expect(md).toContain('| | workload | queue | backlog | trend/min | CPU % / target | replicas min/now/max | p95 wait / target | verdict |');
    expect(md).toMatch(/\| 🔴 \| `rag\/rag-worker` \| `default` \| \d+ [▁▂▃▄▅▆▇█]+ \| \+[\d.]+ \| \d+ \/ 70 \| 1 \/ 1 \/ 10 \| \*\*\S+\*\* \/ 1m \| .*QD201.* \|/);
    expect(md).toMatch(/\| 🟢 \| `web\/storefront` \|/);
    expect(md).toContain('#### `rag/rag-worker`: ScaledObject rag-worker');
    const details = md.match(/<details>\n<summary>ScaledObject /g) ?? [];
    expect(details.length).toBe(report.scan.recommendations.length);
    expect(md).toMatch(/```yaml\napiVersion: keda\.sh\/v1alpha1\nkind: ScaledObject\n/);
    expect(md).toMatch(/\*\*Backtest\*\* over 6h .*p95 wait \S+ → \S+, pod-hours/);
    for (const w of WORKLOADS) for (const id of w.expect) expect(md).toContain(id);
    expect(md.length).toBeLessThan(65_536);
  });
});
