// `queue-doctor simulate` as a user runs it (the built CLI), plus the worker-thread search of
// the built library agreeing with the synchronous one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli, ROOT } from '../helpers/cli.js';

const SYNTHETIC = 'fixtures/traces/synthetic-onoff-ramp-burst-6h.csv';
const MOONCAKE = 'fixtures/traces/mooncake-kimi-conversation.csv';
const UTF8 = { LANG: 'en_US.UTF-8', QUEUE_DOCTOR_ASCII: '' };

const SCALED_OBJECT = `# what queue-doctor recommends
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: rag-worker
  namespace: rag
spec:
  scaleTargetRef:
    name: rag-worker
  minReplicaCount: 0
  maxReplicaCount: 80
  pollingInterval: 15
  cooldownPeriod: 300
  triggers:
    - type: prometheus
      metadata:
        serverAddress: http://prometheus-operated.monitoring.svc:9090
        query: sum(agent_queue_depth{queue="default"}) + sum(agent_jobs_inflight{queue="default"})
        threshold: "2"
        activationThreshold: "0"
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleDown:
          stabilizationWindowSeconds: 120
`;
const CPU_HPA = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: rag-worker, namespace: rag}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: rag-worker}
  minReplicas: 1
  maxReplicas: 20
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: 70}
`;

let dir: string;
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'simulate.js'))) throw new Error('build first: npx tsc -p tsconfig.build.json');
  dir = mkdtempSync(join(tmpdir(), 'qd-simulate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('queue-doctor simulate: output', () => {
  it('compares fixed:N, a ScaledObject and a cpu HPA side by side, with charts', async () => {
    const so = file('keda.yaml', SCALED_OBJECT);
    const hpa = file('hpa.yaml', CPU_HPA);
    const r = await runCli(['simulate', '--trace', SYNTHETIC, '--policy', 'fixed:30', '--policy', so, '--policy', hpa, '--startup', '30s', '--concurrency', '1', '--target-wait', '30s'], { env: UTF8 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain(`Simulated ${SYNTHETIC}`);
    expect(out).toContain('6h in 2,160 buckets of 10s, 23,639 jobs');
    expect(out).toMatch(/#\s+policy\s+p50\s+p95\s+p99\s+max\s+lost\s+pod-h\s+cost\s+scales\s+target/);
    const lines = out.split('\n');
    const head = lines.findIndex((l) => l.startsWith('#  policy'));
    const rows = lines.slice(head + 1, lines.indexOf('', head));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^1\s+fixed:30\s/);
    expect(rows[1]).toMatch(/^2\s+keda\.yaml\s/);
    expect(rows[2]).toMatch(/^3\s+hpa\.yaml\s.*MISSED$/);
    // the cpu HPA never scales the I/O-bound worker
    expect(out).toContain('HPA cpu 70% 1..20, behavior legacy');
    expect(out).toMatch(/replicas 1–1 \(mean 1\); 100 % of jobs waited over 30s/);
    expect(out).toContain('KEDA prometheus AverageValue 2 (backlog+inflight) 0..80, poll 15s, cooldown 5m');
    // charts in unicode blocks with a time axis
    expect(out).toMatch(/backlog\s+\d+ ┤/);
    expect(out).toMatch(/replicas\s+\d+ ┤/);
    expect(out).toMatch(/[▁▂▃▄▅▆▇█]/);
    expect(out).toMatch(/└─+\n\s+0s\s+3h\s+6h/);
  });

  it('falls back to plain ASCII where the terminal cannot show unicode', async () => {
    const r = await runCli(['simulate', '--trace', MOONCAKE, '--policy', 'fixed:45'], { env: { LANG: 'C', QUEUE_DOCTOR_ASCII: '1' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[\x20-\x7e\n]*$/);
    expect(r.stdout).toMatch(/backlog\s+\d+ \|/);
    expect(r.stdout).toContain('#');
    expect(r.stdout).toMatch(/\+-{20,}/);
  });

  it('-o json carries every result field and is deterministic for a seed', async () => {
    const so = file('keda2.yaml', SCALED_OBJECT);
    const args = ['simulate', '--trace', MOONCAKE, '--policy', 'fixed:50', '--policy', so, '--seed', '7', '-o', 'json'];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const doc = JSON.parse(a.stdout);
    expect(doc.trace).toMatchObject({ file: MOONCAKE, jobs: 12031, buckets: 354 });
    expect(doc.config).toMatchObject({ startupSeconds: 30, concurrency: 1, graceSeconds: 30, targetWaitSeconds: 30, seed: 7 });
    expect(doc.results).toHaveLength(2);
    const [fixed, keda] = doc.results;
    expect(fixed).toMatchObject({ label: 'fixed:50', spec: { kind: 'fixed', replicas: 50 }, jobsArrived: 12031, jobsLost: 0, scaleEvents: 0, podSeconds: 50 * 3540 });
    expect(fixed.jobsServed + fixed.jobsLost + fixed.jobsUnfinished).toBe(fixed.jobsArrived);
    expect(keda.spec.kind).toBe('keda');
    expect(keda.description).toMatch(/^KEDA prometheus AverageValue 2 \(backlog\+inflight\)/);
    for (const k of ['p50', 'p95', 'p99', 'max', 'mean']) expect(typeof keda.wait[k]).toBe('number');
    expect(keda.timeline.t.length).toBe(501);
    expect(Object.keys(keda.timeline)).toEqual(['t', 'backlog', 'inflight', 'replicas', 'readyReplicas', 'cpuPercent', 'arrivals', 'completed']);
    expect(typeof keda.targetMet).toBe('boolean');
    // another seed gives another draw
    const c = await runCli(['simulate', '--trace', MOONCAKE, '--policy', 'fixed:50', '--seed', '8', '-o', 'json']);
    expect(JSON.parse(c.stdout).results[0].wait.p95).not.toBe(fixed.wait.p95);
  });

  it('--output-file writes the result instead of stdout; options change the model', async () => {
    const out = join(dir, 'result.json');
    const r = await runCli(['simulate', '--trace', MOONCAKE, '--policy', 'fixed:45', '--concurrency', '2', '--startup', '1m', '--grace', '2m', '--target-wait', '10s', '-o', 'json', '--output-file', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.config).toMatchObject({ concurrency: 2, startupSeconds: 60, graceSeconds: 120, targetWaitSeconds: 10 });
    // 45 pods × 2 slots: nobody waits long
    expect(doc.results[0].wait.p99).toBeLessThan(10);
  });

  it('a ScaledObject file with several autoscalers yields one policy each', async () => {
    const both = file('both.yaml', `${SCALED_OBJECT}---\n${CPU_HPA}`);
    const r = await runCli(['simulate', '--trace', MOONCAKE, '--policy', both, '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results.map((x: { label: string }) => x.label)).toEqual(['both.yaml#rag-worker', 'both.yaml#rag-worker']);
  });
});

describe('queue-doctor simulate: input errors exit 2 with one line naming file:line', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ['a bad trace row', () => ['--trace', file('bad.csv', 't_s,arrivals,mean_service_s,p95_service_s\n0,1,2,3\n10,x,2,3\n'), '--policy', 'fixed:1'], /bad\.csv:3: arrivals "x" is not a number/],
    ['a trace going back in time', () => ['--trace', file('back.csv', '0,1,2,3\n10,1,2,3\n5,1,2,3\n'), '--policy', 'fixed:1'], /back\.csv:3: t_s 5 does not increase/],
    ['a missing trace', () => ['--trace', join(dir, 'nope.csv'), '--policy', 'fixed:1'], /--trace .*nope\.csv: no such file or directory/],
    [
      'a bad policy field',
      () => ['--trace', MOONCAKE, '--policy', file('badso.yaml', SCALED_OBJECT.replace('threshold: "2"', 'threshold: "0"'))],
      /badso\.yaml:19:9: ScaledObject\/rag-worker: prometheus trigger target must be > 0/,
    ],
    ['invalid YAML', () => ['--trace', MOONCAKE, '--policy', file('broken.yaml', 'kind: ScaledObject\nspec: [unclosed\n')], /broken\.yaml:\d+:\d+: not valid YAML/],
    ['a file without autoscalers', () => ['--trace', MOONCAKE, '--policy', file('deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n')], /deploy\.yaml: no ScaledObject or HorizontalPodAutoscaler in the file/],
    ['fixed:N with a bad N', () => ['--trace', MOONCAKE, '--policy', 'fixed:lots'], /--policy fixed:lots: expected fixed:N/],
    ['an unsupported trigger', () => ['--trace', MOONCAKE, '--policy', file('cron.yaml', SCALED_OBJECT.replace('type: prometheus', 'type: cron'))], /cron\.yaml:15:7: .*trigger type "cron" is not simulated/],
    ['a bad duration', () => ['--trace', MOONCAKE, '--policy', 'fixed:1', '--startup', 'soon'], /--startup: "soon" is not a duration/],
    ['zero concurrency', () => ['--trace', MOONCAKE, '--policy', 'fixed:1', '--concurrency', '0'], /--concurrency: must be at least 1/],
  ];
  for (const [name, args, re] of cases) {
    it(name, async () => {
      const r = await runCli(['simulate', ...args()]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('missing required options is a usage error', async () => {
    const r = await runCli(['simulate', '--policy', 'fixed:1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '--trace <file>' not specified/);
  });
});

describe('built library: worker-thread search', () => {
  it('uses both cores (where there are two) and returns exactly what the synchronous search returns', async () => {
    const S = await import(pathToFileURL(join(ROOT, 'dist', 'src', 'simulate', 'index.js')).href);
    const trace = S.sliceTrace(S.parseTrace(readFileSync(join(ROOT, 'fixtures/traces/hybrid-servegen-mlarge-client48-14d.csv'), 'utf8'), 'h'), 0, 6 * 3600);
    const candidates = [1, 2, 4].flatMap((target: number) => [0, 1].map((min: number) => S.kedaPolicy({ target, minReplicaCount: min, maxReplicaCount: 30, measure: 'backlog+inflight' })));
    const config = { startupSeconds: 30, concurrency: 1, graceSeconds: 30, targetWaitSeconds: 30, seed: 3 };
    const objective = { targetWaitSeconds: 30, margin: 0.2 };
    const par = await S.searchCandidates(trace, candidates, config, objective, { parallel: 2 });
    const sync = S.searchCandidatesSync(trace, candidates, config, objective);
    expect(par.threads).toBe(Math.min(2, availableParallelism()));
    expect(par.ranked.map((o: { index: number }) => o.index)).toEqual(sync.ranked.map((o: { index: number }) => o.index));
    expect(par.ranked.map((o: { result: unknown }) => o.result)).toEqual(sync.ranked.map((o: { result: unknown }) => o.result));
    expect(par.why).toBe(sync.why);
  });
});
