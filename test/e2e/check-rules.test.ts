// The manifest rules through the real CLI (bin/queue-doctor.js, built): the bundled example
// platform gives exactly the documented findings and exit code, and every rule fixture gives
// the locations its header declares (fixtures/rules/<ID>/*.yaml, see rules-fixtures.test.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, ensureBuilt } from '../helpers/cli.js';

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  fix?: string;
  location: { type: string; file: string; line: number; column: number; path?: string };
  object: { kind: string; name: string; namespace: string };
}

beforeAll(() => {
  ensureBuilt('dist/rules/index.js');
});

describe('check fixtures/examples (the README quickstart)', () => {
  it('reports the example platform\'s mistakes, each at its field, and exits 1', async () => {
    const r = await runCli(['check', 'fixtures/examples', '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    const found = (out.findings as JsonFinding[]).map((f) => `${f.ruleId} ${f.severity} ${f.location.file}:${f.location.line}:${f.location.column} ${f.location.path}`);
    expect(found).toEqual([
      'QD103 warning fixtures/examples/celery/email-worker.yaml:8:3 /spec/replicas',
      'QD102 error fixtures/examples/gpu/embedding-worker.yaml:38:7 /spec/metrics/0',
      'QD107 warning fixtures/examples/kafka/orders-consumer-scaledobject.yaml:6:1 /spec/advanced/horizontalPodAutoscalerConfig/behavior/scaleDown',
      'QD114 warning fixtures/examples/kafka/orders-consumer-scaledobject.yaml:14:7 /spec/triggers/0/metadata/ignoreNullValues',
      'QD108 error fixtures/examples/kafka/orders-consumer-scaledobject.yaml:16:9 /spec/triggers/0/metadata/query',
      'QD101 error fixtures/examples/rag/rag-worker-hpa.yaml:14:7 /spec/metrics/0',
      'QD105 warning fixtures/examples/rag/rag-worker.yaml:11:3 /spec/replicas',
      'QD106 error fixtures/examples/rag/rag-worker.yaml:17:5 /spec/template/spec/terminationGracePeriodSeconds',
    ]);
    expect(out.summary).toMatchObject({ errors: 4, warnings: 4, files: 7, workloads: 5, queueWorkers: 4, autoscalers: 4 });
    expect(out.problems).toEqual([]);

    const by = (id: string) => (out.findings as JsonFinding[]).find((f) => f.ruleId === id)!;
    expect(by('QD101').message).toBe('Deployment rag-worker is a queue worker but HorizontalPodAutoscaler rag-worker scales it only on cpu 70%: queued jobs will not add replicas');
    expect(by('QD102').message).toContain('runs on GPUs (container embedder requests 1 nvidia.com/gpu)');
    expect(by('QD103').message).toContain('it stays at 3 replicas');
    expect(by('QD105').message).toContain('sets spec.replicas: 2 while HorizontalPodAutoscaler rag-worker (2–20) scales it');
    expect(by('QD106').message).toContain('the default 30s (terminationGracePeriodSeconds unset) to stop, but its jobs take 1m30s');
    expect(by('QD106').fix).toContain('terminationGracePeriodSeconds: 120');
    expect(by('QD107').message).toContain('cooldownPeriod (10m) only delays the step to 0');
    expect(by('QD108').message).toContain('`sum by (topic)` keeps one series per topic');
    expect(by('QD108').fix).toBe('query: sum(kafka_consumergroup_lag{consumergroup="orders"})');
    expect(by('QD114').message).toContain('scales the worker to minReplicaCount 1');
    // the healthy web API (gunicorn, ports, broker URL only to enqueue) is left alone
    expect((out.findings as JsonFinding[]).filter((f) => f.object.name === 'api')).toEqual([]);
    // every finding names the rule that produced it, and the report lists those rules' metadata
    const ran = new Set((out.rules as Array<{ id: string }>).map((x) => x.id));
    for (const id of ['QD101', 'QD108', 'QD120']) expect(ran.has(id)).toBe(true);
  });

  it('passes at --fail-on none and fails on warnings with --fail-on warning', async () => {
    expect((await runCli(['check', 'fixtures/examples', '-o', 'json', '--fail-on', 'none'])).code).toBe(0);
    const onlyWarnings = await runCli(['check', 'fixtures/examples/celery', '-o', 'json', '--fail-on', 'warning']);
    expect(onlyWarnings.code).toBe(1);
    expect(JSON.parse(onlyWarnings.stdout).findings.map((f: JsonFinding) => f.ruleId)).toEqual(['QD103']);
    expect((await runCli(['check', 'fixtures/examples/celery', '-o', 'json'])).code).toBe(0);
  });

  it('says the autoscaler may live elsewhere when it reads only stdin', async () => {
    const text = readFileSync(join(ROOT, 'fixtures/examples/celery/email-worker.yaml'));
    const r = await runCli(['check', '-', '-o', 'json'], { input: text });
    const [f] = JSON.parse(r.stdout).findings as JsonFinding[];
    expect(f.ruleId).toBe('QD103');
    expect(f.location.file).toBe('<stdin>');
    expect(f.message).toContain('only stdin was read: an autoscaler may be defined elsewhere');
  });
});

// ---------------------------------------------------------------- every rule fixture via the CLI

const FIXTURES = join(ROOT, 'fixtures', 'rules');
const cases = readdirSync(FIXTURES)
  .filter((d) => /^QD1\d\d$/.test(d))
  .sort()
  .flatMap((id) =>
    readdirSync(join(FIXTURES, id))
      .filter((f) => /^(valid|invalid).*\.ya?ml$/.test(f) && !f.endsWith('.scenario.yaml'))
      .sort()
      .map((f) => ({ id, file: `fixtures/rules/${id}/${f}` })),
  );

describe.concurrent('each rule fixture through the CLI', () => {
  it.each(cases)('$file', async ({ id, file }) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    // per-workload signals only exist in `scan`; the unit test covers those fixtures
    if (/^#\s*signal:/m.test(text)) return;
    const wait = /^#\s*options:.*targetWait=(\S+)/m.exec(text)?.[1];
    const r = await runCli(['check', file, '-o', 'json', '--fail-on', 'error', ...(wait ? ['--target-wait', wait] : [])]);
    expect(r.stderr, file).toBe('');
    const out = JSON.parse(r.stdout);
    const findings = out.findings as JsonFinding[];
    const mine = findings
      .filter((f) => f.ruleId === id)
      .map((f) => `${f.ruleId} ${f.location.line}:${f.location.column}`)
      .sort();
    const declared = [...text.matchAll(/^#\s*expect:\s*(QD\d{3})\s+(\d+:\d+)/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
    expect(mine, file).toEqual(declared);
    expect(r.code, `${file}: exit 1 exactly when an error is reported`).toBe(findings.some((f) => f.severity === 'error') ? 1 : 0);
  });

  it('survives wrong types in every field (exit 1 with findings, no crash)', async () => {
    const r = await runCli(['check', 'fixtures/rules/_robustness/wrong-types.yaml', '-o', 'json']);
    expect(r.stderr).not.toMatch(/internal error|TypeError|at .*\.js:\d+/);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.findings.length).toBeGreaterThan(20);
    expect(new Set(out.findings.map((f: JsonFinding) => f.ruleId)).size).toBeGreaterThan(8);
  });
});
