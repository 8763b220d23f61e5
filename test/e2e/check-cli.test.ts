// `check` as a user runs it: paths, stdin, exit codes, bad input, config, ignores, baselines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const WORKER = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: rag-worker
  namespace: rag
spec:
  selector: {matchLabels: {app: rag-worker}}
  template:
    metadata: {labels: {app: rag-worker}}
    spec:
      containers:
        - name: worker
          image: rag:1
          command: ["celery", "-A", "rag", "worker"]
          resources: {requests: {cpu: 250m}}
`;
const CPU_HPA = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: rag-worker, namespace: rag}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: rag-worker}
  minReplicas: 1
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: 70}
`;

let dir: string;
const file = (name: string, text: string) => {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qd-check-e2e-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('check', () => {
  it('finds a CPU HPA on a queue worker, at the metric entry, and exits 1', async () => {
    const sub = join(dir, 'one');
    mkdirSync(sub);
    writeFileSync(join(sub, 'app.yaml'), `${WORKER}---\n${CPU_HPA}`);
    const r = await runCli(['check', 'app.yaml', '-o', 'json'], { cwd: sub });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    const f = out.findings.find((x: any) => x.ruleId === 'QD101');
    expect(f.location).toMatchObject({ type: 'file', file: 'app.yaml', line: 25, column: 7, path: '/spec/metrics/0' });
    expect(out.summary).toMatchObject({ objects: 2, workloads: 1, queueWorkers: 1, autoscalers: 1 });
  });

  it('reads stdin with - (helm template | queue-doctor check -)', async () => {
    const r = await runCli(['check', '-'], { input: `${WORKER}---\n${CPU_HPA}` });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('<stdin>');
    expect(r.stdout).toMatch(/25:7\s+error\s+Deployment rag-worker is a queue worker/);
  });

  it('walks folders recursively, reads kind: List wrappers and JSON, counts other kinds', async () => {
    const root = join(dir, 'tree');
    file('tree/a/deploy.yml', WORKER);
    file(
      'tree/b/list.json',
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'rag-worker', namespace: 'rag' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'rag-worker' }, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }] } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }] }),
    );
    file('tree/notes.txt', 'not a manifest');
    const r = await runCli(['check', root, '-o', 'json']);
    const out = JSON.parse(r.stdout);
    expect(out.summary).toMatchObject({ files: 2, objects: 3, ignoredObjects: 1 });
    expect(out.findings.map((f: any) => f.ruleId)).toContain('QD101');
    const f = out.findings.find((x: any) => x.ruleId === 'QD101');
    expect(f.location.file).toMatch(/list\.json$/);
    expect(f.location.line).toBeGreaterThan(0);
  });

  it('reports invalid YAML with file:line:col, still checks the other files, exits 2', async () => {
    const sub = join(dir, 'bad');
    file('bad/good.yaml', `${WORKER}---\n${CPU_HPA}`);
    file('bad/broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [x\n');
    const r = await runCli(['check', sub]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/broken\.yaml:[34]:\d+: invalid YAML: unexpected end of the stream/);
    expect(r.stdout).toContain('QD101');
    expect(r.stderr).toBe('');
  });

  it('says to render Helm templates first', async () => {
    const p = file('chart/templates/deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n');
    const r = await runCli(['check', p]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/deploy\.yaml:4:9: this is a Helm template.*helm template .* \| queue-doctor check -/);
  });

  it('does not take Go templates inside string values for Helm (a PrometheusRule annotation)', async () => {
    const rule = `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: queue-wait, namespace: rag}
spec:
  groups:
    - name: q
      rules:
        - alert: QueueWaitHigh
          expr: sum(agent_queue_depth) > 100
          annotations:
            description: "Value: {{ $value | humanizeDuration }}"
            summary: >-
              {{ $labels.namespace }} is slow
`;
    const r = await runCli(['check', '-', '-o', 'json', '--allow-empty'], { input: `${rule}---\n${WORKER}` });
    const out = JSON.parse(r.stdout);
    expect(out.problems).toEqual([]);
    expect(out.summary.objects).toBe(2);
  });

  it('fails when nothing was parsed, unless --allow-empty', async () => {
    const p = file('empty/values.yaml', 'replicaCount: 2\nimage: {tag: x}\n');
    const r = await runCli(['check', p]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/no Kubernetes objects found in .*values\.yaml/);
    const ok = await runCli(['check', p, '--allow-empty']);
    expect(ok.code).toBe(0);
  });

  it('names a missing path and exits 2', async () => {
    const r = await runCli(['check', join(dir, 'nope.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/nope\.yaml: no such file or directory/);
  });

  it('honours --fail-on and per-object ignore annotations', async () => {
    const none = await runCli(['check', '-', '--fail-on', 'none'], { input: `${WORKER}---\n${CPU_HPA}` });
    expect(none.code).toBe(0);
    const ignored = WORKER.replace('  namespace: rag\n', '  namespace: rag\n  annotations:\n    queue-doctor.io/ignore: "QD101"\n    queue-doctor.io/ignore-reason: migrating to KEDA in Q3\n');
    const r = await runCli(['check', '-', '-o', 'json'], { input: `${ignored}---\n${CPU_HPA}` });
    const out = JSON.parse(r.stdout);
    expect(out.findings.filter((f: any) => f.ruleId === 'QD101')).toHaveLength(0);
    expect(out.summary.suppressed).toBeGreaterThanOrEqual(1);
  });

  it('reads .queue-doctor.yaml upward and turns rules off; rejects a bad config with its path', async () => {
    const proj = join(dir, 'proj');
    file('proj/.queue-doctor.yaml', 'rules:\n  QD101: off\n');
    file('proj/k8s/app.yaml', `${WORKER}---\n${CPU_HPA}`);
    const r = await runCli(['check', 'app.yaml', '-o', 'json'], { cwd: join(proj, 'k8s') });
    expect(JSON.parse(r.stdout).findings.filter((f: any) => f.ruleId === 'QD101')).toHaveLength(0);
    file('proj2/.queue-doctor.yaml', 'rules:\n  QD101: loud\n');
    const bad = await runCli(['check', '-'], { cwd: join(dir, 'proj2'), input: WORKER });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^queue-doctor: config .*\.queue-doctor\.yaml: \/rules\/QD101 must be equal to one of the allowed values/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('writes a baseline, then passes on known findings and fails on new ones', async () => {
    const base = join(dir, 'baseline.json');
    const w = await runCli(['check', '-', '--write-baseline', base], { input: `${WORKER}---\n${CPU_HPA}` });
    expect(w.code).toBe(0);
    expect(JSON.parse(readFileSync(base, 'utf8')).findings.length).toBeGreaterThan(0);
    const again = await runCli(['check', '-', '--baseline', base, '-o', 'json'], { input: `${WORKER}---\n${CPU_HPA}` });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).findings.every((f: any) => f.baselined)).toBe(true);
    const other = (s: string) => s.replace(/rag-worker/g, 'other-worker');
    const fresh = await runCli(['check', '-', '--baseline', base], { input: `${other(WORKER)}---\n${other(CPU_HPA)}` });
    expect(fresh.code).toBe(1);
  });

  it('prints usage errors on one line with exit 2', async () => {
    const r = await runCli(['check', '-o', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/option '-o, --output <format>' argument 'xml' is invalid/);
  });
});
