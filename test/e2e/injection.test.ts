// Data from files and clusters cannot change what queue-doctor does or what a terminal shows:
// - PromQL: hostile workload, namespace and queue names, scanned against a real Prometheus,
//   stay label values. Every query the scan sent (from its --save-snapshot recording) answers
//   exactly as it does with the hostile value replaced by a harmless absent one; the hostile
//   queue of fixtures/series/edge-cases reads its own backlog (7), not a decoy's or vector(1).
// - Terminal: escape sequences (OSC 52 clipboard writes, OSC 8 links, CSI screen clears, C1
//   controls, CR/BS overwrites) in names, annotations, commands and file names never reach
//   stdout or stderr raw, with or without colour; GitHub annotations stay one per line.
// - YAML output: strings YAML would reinterpret are quoted; `scan -o yaml` parses back (YAML
//   1.1 as kubectl reads it, YAML 1.2, js-yaml) to exactly the recommended objects.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import jsyaml from 'js-yaml';
import fc from 'fast-check';
import { BIN, ROOT, runCli, type CliResult } from '../helpers/cli.js';
import { spawn } from 'node:child_process';
import { backfill, rawQuery, startPrometheus, type Backfilled, type PrometheusServer } from '../helpers/prometheus.js';
import { FIXTURE_END } from '../helpers/series-gen.js';
import { regexLiteral, str } from '../../src/metrics/promql.js';
import { recommendationDocuments } from '../../src/report/yaml.js';
import { checkProperty } from '../helpers/property.js';

const HOSTILE = 'x"} or vector(1) #';
const AT = String(FIXTURE_END);
const EDGE = join(ROOT, 'fixtures', 'series', 'edge-cases.yaml');

let tmp: string;
let bf: Backfilled;
let prom: PrometheusServer;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'qd-injection-'));
  bf = backfill(['edge-cases']);
  prom = await startPrometheus({ dataDir: bf.data });
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  bf?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function deployment(name: string, namespace: string, extra: { env?: Array<[string, string]>; annotations?: Record<string, string>; command?: string[]; labels?: Record<string, string> } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: 'w', ...extra.labels }, annotations: extra.annotations ?? {} },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'w' } },
      template: {
        metadata: { labels: { app: 'w' } },
        spec: { containers: [{ name: 'main', image: 'example/worker:1', command: extra.command ?? ['python', 'worker.py'], env: (extra.env ?? []).map(([n, v]) => ({ name: n, value: v })) }] },
      },
    },
  };
}

/** A query_range or instant query, straight to Prometheus. */
async function ask(request: { kind: string; query: string; time?: number; start?: number; end?: number; step?: number }): Promise<any> {
  if (request.kind === 'instant') return rawQuery(prom.url, request.query, request.time!);
  const res = await fetch(`${prom.url}/api/v1/query_range`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: request.query, start: String(request.start), end: String(request.end), step: String(request.step) }),
  });
  return res.json();
}

/** Results in a comparable form: sorted series, labels and values. */
function canonical(body: any): string {
  if (body.status !== 'success') return `error: ${body.errorType}`;
  const rows = (body.data.result as any[]).map((r) => JSON.stringify([r.metric, r.value ?? r.values]));
  return JSON.stringify([body.data.resultType, rows.sort()]);
}

describe('PromQL injection through names, against a real Prometheus', () => {
  let report: any;
  let recording: Array<{ request: any; data?: unknown; error?: unknown }>;

  beforeAll(async () => {
    const dir = join(tmp, 'promql');
    mkdirSync(dir, { recursive: true });
    const objects = [
      deployment(HOSTILE, 'edge', { env: [['QUEUE_NAME', HOSTILE]], command: ['celery', '-A', 'app', 'worker', '-Q', HOSTILE] }),
      deployment('hostile-namespace-worker', `edge"} or vector(1) #`, { env: [['QUEUE_NAME', 'default']] }),
      deployment('hostile-label-worker', 'edge', { labels: { queue: HOSTILE, 'app.kubernetes.io/name': HOSTILE }, env: [['RQ_QUEUES', `${HOSTILE},b`]] }),
    ];
    writeFileSync(join(dir, 'hostile.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    writeFileSync(join(dir, 'edge-cases.yaml'), readFileSync(EDGE));
    const snap = join(tmp, 'promql-snap');
    const r = await runCli(['scan', '-f', dir, '--prometheus-url', prom.url, '--at', AT, '--window', '2h', '-o', 'json', '--save-snapshot', snap], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).not.toBeNull();
    expect([0, 1, 3]).toContain(r.code);
    report = JSON.parse(r.stdout);
    recording = JSON.parse(readFileSync(join(snap, 'snapshot.json'), 'utf8')).prometheus.entries;
  }, 180_000);

  test('the hostile queue of the fixtures reads its own backlog: 7, not the decoy (1000) nor vector(1)', () => {
    const weird = report.scan.workloads.find((w: any) => w.name === 'weird-worker');
    expect(weird.queue.name).toBe('we"ird\\q"} or vector(1) #');
    expect(weird.backlog.now).toBe(7);
  });

  test('no workload with a hostile name got a backlog from an injected vector(1)', () => {
    for (const name of [HOSTILE, 'hostile-namespace-worker', 'hostile-label-worker']) {
      const w = report.scan.workloads.find((x: any) => x.name === name);
      expect(w, name).toBeDefined();
      expect(w.backlog?.now ?? null, name).not.toBe(1);
    }
  });

  test('every query that carries a hostile value answers as if the value were a harmless absent one', async () => {
    const literals = [str(HOSTILE), str(regexLiteral(HOSTILE)), str(`edge"} or vector(1) #`), str(regexLiteral(`edge"} or vector(1) #`))].map((l) => l.slice(1, -1));
    let compared = 0;
    for (const e of recording) {
      const q: string = e.request.query;
      const hit = literals.filter((l) => q.includes(l));
      if (hit.length === 0) continue;
      expect(e.error, `Prometheus rejected ${q}`).toBeUndefined();
      let benign = q;
      for (const l of hit) benign = benign.split(l).join('qd-absent-value');
      const [a, b] = await Promise.all([ask(e.request), ask({ ...e.request, query: benign })]);
      expect(a.status, q).toBe('success');
      expect(canonical(a), q).toBe(canonical(b));
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
  });

  test('the probe can see an injection: the same text pasted raw into a matcher would have matched everything', async () => {
    const raw = await rawQuery(prom.url, `agent_queue_depth{namespace="${HOSTILE}"}`, FIXTURE_END);
    expect(raw.status).toBe('success');
    expect(raw.data.result.some((r: any) => r.value[1] === '1' && Object.keys(r.metric).length === 0)).toBe(true);
    const safe = await rawQuery(prom.url, `agent_queue_depth{namespace=${str(HOSTILE)}}`, FIXTURE_END);
    expect(safe.data.result).toEqual([]);
  });
});

// ---- terminal ---------------------------------------------------------------------------------

const ESCAPES = [
  '\x1b]52;c;ZWNobyBwd25lZA==\x07', // OSC 52: write the clipboard
  '\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\', // OSC 8 hyperlink
  '\x1b[2J\x1b[H', // clear the screen
  '\x1b[1A\x1b[2K', // erase the line above: hide earlier output
  '\u009b2J', // C1 CSI
  '\u009d52;c;eA==\u009c', // C1 OSC
  'ok\rFAKE', // carriage-return overwrite
  'a\b\b\bX', // backspaces
  '\x1bP+q544e\x1b\\', // DCS
];

/** Control characters a terminal acts on (after removing our own colour codes). */
function controls(text: string, allowSgr: boolean): string[] {
  const t = allowSgr ? text.replace(/\x1b\[[0-9;]*m/g, '') : text;
  return [...t.matchAll(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g)].map((m) => `U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} at …${JSON.stringify(t.slice(Math.max(0, m.index! - 30), m.index! + 10))}`);
}

describe('terminal escapes from names never reach the terminal raw', () => {
  let dir: string;

  beforeAll(() => {
    dir = join(tmp, 'terminal');
    mkdirSync(dir, { recursive: true });
    const objects = ESCAPES.map((esc, i) =>
      deployment(`evil${i}${esc}worker`, `ns${esc}`, {
        env: [['QUEUE_NAME', `q${esc}`]],
        command: ['celery', '-A', `app${esc}`, 'worker'],
        annotations: { 'queue-doctor.io/job-duration': `45s${esc}`, 'queue-doctor.io/ignore-reason': esc },
        labels: { team: `t${i}` },
      }),
    );
    // an autoscaler on the first one so that rules with messages naming both fire
    objects.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: `hpa${ESCAPES[0]}`, namespace: `ns${ESCAPES[0]}` },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `evil0${ESCAPES[0]}worker` }, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
    } as any);
    writeFileSync(join(dir, 'evil.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    // problems name the kind and the file: both hostile
    writeFileSync(join(dir, `file${ESCAPES[2]}name.yaml`), `apiVersion: apps/v1\nkind: "Deploy\\e]52;c;eA==\\ament"\nmetadata: {}\n`);
    writeFileSync(join(dir, 'broken.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "a\\e[2Jb"\n  labels: [\n`);
  });

  const variants: Array<{ label: string; env: NodeJS.ProcessEnv; sgr: boolean }> = [
    { label: 'no colour', env: {}, sgr: false },
    { label: 'FORCE_COLOR=1', env: { NO_COLOR: '', FORCE_COLOR: '1' }, sgr: true },
  ];

  const check = (r: CliResult, sgr: boolean) => {
    expect(r.code).not.toBeNull();
    expect(controls(r.stdout, sgr), 'stdout').toEqual([]);
    expect(controls(r.stderr, sgr), 'stderr').toEqual([]);
  };

  test.each(variants)('check -o text / json / markdown / github ($label)', async ({ env, sgr }) => {
    for (const format of ['text', 'json', 'markdown', 'github']) {
      const r = await runCli(['check', dir, '-o', format], { env, cwd: tmp });
      expect([1, 2], `${format}: ${r.stderr}`).toContain(r.code);
      if (format === 'json') {
        expect(controls(r.stderr, sgr), 'stderr').toEqual([]);
        JSON.parse(r.stdout);
      } else check(r, sgr);
      expect(r.stdout + r.stderr).toContain('evil0');
    }
  });

  test.each(variants)('scan -f with Prometheus -o text / markdown ($label)', async ({ env, sgr }) => {
    for (const format of ['text', 'markdown']) {
      const r = await runCli(['scan', '-f', dir, '--prometheus-url', prom.url, '--at', AT, '--window', '2h', '-o', format, '--verbose'], { env, cwd: tmp });
      expect([1, 2, 3], `${format}: ${r.stderr}`).toContain(r.code);
      check(r, sgr);
    }
  });

  test('under a real terminal (script(1)): spinner texts that name workloads are sanitised too', async () => {
    const ttyDir = join(tmp, 'tty');
    mkdirSync(ttyDir, { recursive: true });
    // the fixtures' weird-worker, renamed with an OSC 52 clipboard write: it is bound and backtested,
    // so its name reaches the "Backtesting recommendation …" spinner
    writeFileSync(join(ttyDir, 'edge.yaml'), readFileSync(EDGE, 'utf8').replace(/^ {2}name: weird-worker$/m, '  name: "weird\\e]52;c;ZWNobyBwd25lZA==\\aworker"'));
    const cmd = `stty cols 120 rows 40; exec '${process.execPath}' '${BIN}' scan -f '${ttyDir}' --prometheus-url '${prom.url}' --at ${AT} --window 2h`;
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8', NO_COLOR: '', FORCE_COLOR: '' };
    delete env.CI;
    delete env.GITHUB_ACTIONS;
    const raw = await new Promise<string>((resolve, reject) => {
      const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d) => (out += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('error', reject);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(out);
      });
    });
    expect(raw).toMatch(/Backtest/); // the spinner ran
    expect(raw).toContain('weird');
    // ora draws with CSI sequences; what must never appear: OSC (clipboard, links), BEL, C1, DCS, screen clears
    expect(raw).not.toMatch(/\u001b\]|\u0007|[\u0080-\u009f]|\u001bP|\u001b\[2J/);
    expect(raw).not.toContain('ZWNobyBwd25lZA==\u0007');
  });

  test('GitHub annotations: names with newlines cannot start a workflow command of their own', async () => {
    const gh = join(tmp, 'github');
    mkdirSync(gh, { recursive: true });
    const name = 'w\n::add-mask::pwned\r\n::set-env name=X::y%0A';
    writeFileSync(join(gh, 'w.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [deployment(name, 'ns'), { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'ns' }, spec: { scaleTargetRef: { kind: 'Deployment', name }, maxReplicas: 3 } }] }));
    const r = await runCli(['check', gh, '-o', 'github'], { cwd: tmp });
    const lines = r.stdout.split('\n').filter(Boolean);
    const commands = lines.filter((l) => l.startsWith('::'));
    expect(commands.length).toBeGreaterThan(0);
    for (const l of commands) expect(l).toMatch(/^::(error|warning|notice)( [^:]*)?::/);
    expect(lines.filter((l) => /^::(add-mask|set-env|set-output)/.test(l))).toEqual([]);
    // every line is an annotation, except the final summary
    expect(lines.length - commands.length).toBe(1);
  });
});

// ---- YAML output ------------------------------------------------------------------------------

const REINTERPRETED = ['yes', 'no', 'on', 'off', 'y', 'n', 'true', 'False', 'null', '~', '', '0x10', '0o17', '017', '1e3', '1_000', '.inf', '-.Inf', '.NaN', '12:30:00', '1:20', '2026-01-01', '= ', 'a: b', 'a #b', '#c', '- x', '*alias', '&anchor', '!tag', '!!str', '%YAML', '@x', '`x', '|', '>', '"', "'", '{a}', '[a]', ',', '? x', ' lead', 'trail ', 'multi\nline', 'tab\there', 'nel\u0085x', 'ls\u2028x', 'ps\u2029x', '\ufeffbom', '\u0000nul', '<<'];

/** Parse a YAML stream every way a consumer might. */
function parseAllWays(text: string): Array<{ how: string; docs: unknown[] }> {
  return [
    { how: 'yaml 1.1 (kubectl)', docs: YAML.parseAllDocuments(text, { version: '1.1' }).map((d) => (expect(d.errors).toEqual([]), d.toJS())) },
    { how: 'yaml 1.2', docs: YAML.parseAllDocuments(text, { version: '1.2' }).map((d) => (expect(d.errors).toEqual([]), d.toJS())) },
    { how: 'js-yaml', docs: jsyaml.loadAll(text) },
  ];
}

describe('YAML output', () => {
  let recs: any[];

  beforeAll(async () => {
    const r = await runCli(['scan', '-f', EDGE, '--prometheus-url', prom.url, '--at', AT, '--window', '2h', '-o', 'json'], { timeoutMs: 120_000 });
    recs = JSON.parse(r.stdout).scan.recommendations;
    expect(recs.length).toBeGreaterThan(0);
  }, 120_000);

  test('scan -o yaml parses back, every way, to exactly the recommended objects', async () => {
    const r = await runCli(['scan', '-f', EDGE, '--prometheus-url', prom.url, '--at', AT, '--window', '2h', '-o', 'yaml'], { timeoutMs: 120_000 });
    expect([0, 1, 3]).toContain(r.code);
    const want = recs.flatMap((x) => [x.scaledObject, ...(x.alert ? [x.alert] : [])]);
    for (const { how, docs } of parseAllWays(r.stdout)) expect(docs, how).toEqual(want);
  });

  test('strings YAML would reinterpret, in every string field, are quoted and round-trip', async () => {
    const strings = fc.oneof(fc.constantFrom(...REINTERPRETED), fc.string({ unit: 'binary', maxLength: 12 }));
    await checkProperty(
      // an index, not the object: a counterexample then reads "[2, [\"ls\u2028x\"]]"
      fc.property(fc.nat({ max: recs.length - 1 }), fc.array(strings, { minLength: 1, maxLength: 40 }), (index, values) => {
        const mutated = structuredClone(recs[index]);
        let i = 0;
        // every string value of the ScaledObject (names, queries, metadata values) becomes hostile
        const visit = (o: any) => {
          for (const k of Object.keys(o)) {
            if (typeof o[k] === 'string' && !['apiVersion', 'kind', 'type', 'metricType', 'selectPolicy'].includes(k)) o[k] = values[i++ % values.length];
            else if (o[k] && typeof o[k] === 'object') visit(o[k]);
          }
        };
        visit(mutated.scaledObject.metadata);
        for (const t of mutated.scaledObject.spec.triggers) visit(t.metadata);
        mutated.workloadId = `edge/Deployment/${values[0]}`;
        const docs = recommendationDocuments(mutated);
        const text = docs.join('---\n');
        // no raw character that a YAML 1.1 reader (go-yaml, kubectl) takes as a line break
        expect(text).not.toMatch(/[\u0085\u2028\u2029]/);
        const want = [mutated.scaledObject, ...(mutated.alert ? [mutated.alert] : [])];
        for (const { how, docs: back } of parseAllWays(text)) {
          // a ScaledObject the validator refuses is printed as a comment only: nothing to compare
          if (back.length === 0 || back.every((d) => d === null)) continue;
          expect(back, how).toEqual(want);
        }
      }),
      { numRuns: 400 },
    );
  });
});
