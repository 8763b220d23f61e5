// `check -o <format>` as CI runs it: the built CLI on manifests written here, every output
// format checked by a real consumer (SARIF and report JSON schemas, an XML parser, GitHub's
// command syntax, GFM tables), with the exit codes that go with them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli, type CliResult, ensureBuilt } from '../helpers/cli.js';
import { reportValidator, sarifValidator, schemaErrors } from '../helpers/schemas.js';
import { findAll, parseXml, type XmlElement } from '../helpers/xml-tree.js';

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
---
apiVersion: autoscaling/v2
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
/** Where QD101 points: the HPA's metrics entry, at `type`. */
const QD101_LINE = WORKER.split('\n').indexOf('    - type: Resource') + 1;
const QD101_COL = 7;

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: web:1
          ports: [{containerPort: 8080}]
`;
const BAD_YAML = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\ndata: {}\n';

const FORMATS = ['text', 'json', 'sarif', 'junit', 'github', 'markdown'] as const;

let dir: string;
let chromiumXml: ((xml: string) => Promise<string | null>) | undefined;
let closeBrowser: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ensureBuilt('dist/src/report/sarif.js');

  dir = realpathSync(mkdtempSync(join(tmpdir(), 'qd-formats-')));
  mkdirSync(join(dir, 'k8s'));
  writeFileSync(join(dir, 'k8s', 'worker.yaml'), WORKER);
  writeFileSync(join(dir, 'k8s', 'web.yaml'), WEB);
  mkdirSync(join(dir, 'broken'));
  writeFileSync(join(dir, 'broken', 'bad.yaml'), BAD_YAML);
  writeFileSync(join(dir, 'broken', 'worker.yaml'), WORKER);
  mkdirSync(join(dir, 'warn'));
  writeFileSync(join(dir, 'warn', '.queue-doctor.yaml'), 'rules:\n  QD101: warning\n');

  // a real XML parser (Chromium's libxml2) to cross-check the JUnit output, when installed
  if (existsSync('/usr/bin/chromium')) {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
    const page = await browser.newPage();
    chromiumXml = (xml) =>
      page.evaluate((text) => {
        // runs in the page (this project's TS config has no DOM types)
        type Doc = { getElementsByTagName(name: string): ArrayLike<{ textContent: string | null }> };
        const { DOMParser } = globalThis as unknown as { DOMParser: new () => { parseFromString(s: string, type: string): Doc } };
        const doc = new DOMParser().parseFromString(text, 'application/xml');
        const err = doc.getElementsByTagName('parsererror')[0];
        return err ? err.textContent : null;
      }, xml);
    closeBrowser = () => browser.close();
  }
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const check = (args: string[], cwd = dir, input?: string): Promise<CliResult> => runCli(['check', ...args], { cwd, input });

function junitXml(text: string): XmlElement {
  const root = parseXml(text);
  expect(root.name).toBe('testsuites');
  return root;
}

async function wellFormedForChromium(xml: string) {
  if (chromiumXml) expect(await chromiumXml(xml)).toBeNull();
}

describe('check -o <format> on a queue worker with a CPU HPA (exit 1)', () => {
  const args = ['k8s/worker.yaml', 'k8s/web.yaml'];

  it.each(FORMATS)('-o %s exits 1 and writes only the result to stdout', async (format) => {
    const r = await check([...args, '-o', format]);
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.stderr).toBe('');
  });

  it('sarif: valid per the official schema, relative URI, real region, rule metadata', async () => {
    const r = await check([...args, '-o', 'sarif']);
    const log = JSON.parse(r.stdout);
    expect(schemaErrors(sarifValidator(), log)).toEqual([]);
    const run = log.runs[0];
    const result = run.results.find((x: any) => x.ruleId === 'QD101');
    expect(result.level).toBe('error');
    expect(result.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'k8s/worker.yaml', uriBaseId: '%SRCROOT%', index: 0 },
      region: { startLine: QD101_LINE, startColumn: QD101_COL },
    });
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe(pathToFileURL(dir).href + '/');
    expect(run.tool.driver.rules[result.ruleIndex]).toMatchObject({ id: 'QD101', name: 'cpu-hpa-on-queue-worker', defaultConfiguration: { level: 'error' } });
    expect(run.tool.driver.rules[result.ruleIndex].helpUri).toMatch(/^https:\/\//);
    expect(run.invocations[0].executionSuccessful).toBe(true);
  });

  it('sarif: absolute paths given on the command line still come out relative to the working directory', async () => {
    const r = await check([join(dir, 'k8s', 'worker.yaml'), '-o', 'sarif']);
    const loc = JSON.parse(r.stdout).runs[0].results[0].locations[0].physicalLocation;
    expect(loc.artifactLocation.uri).toBe('k8s/worker.yaml');
    expect(loc.region.startLine).toBe(QD101_LINE);
  });

  it('junit: well-formed XML with the finding as a failed test case', async () => {
    const r = await check([...args, '-o', 'junit']);
    await wellFormedForChromium(r.stdout);
    const root = junitXml(r.stdout);
    expect(root.attributes.failures).toBe('1');
    const failed = findAll(root, 'testcase').filter((c) => c.children.some((x) => x.name === 'failure'));
    expect(failed.map((c) => c.attributes.name)).toEqual([
      `QD101 cpu-hpa-on-queue-worker: rag/HorizontalPodAutoscaler/rag-worker (k8s/worker.yaml:${QD101_LINE}:${QD101_COL})`,
    ]);
    expect(failed[0].attributes.classname).toBe('k8s/worker.yaml');
    expect(failed[0].children[0].attributes.type).toBe('error');
  });

  it('github: the exact ::error line and a plain summary', async () => {
    const r = await check([...args, '-o', 'github']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `::error file=k8s/worker.yaml,line=${QD101_LINE},col=${QD101_COL},title=QD101 cpu-hpa-on-queue-worker::` +
        'Deployment rag-worker is a queue worker but HorizontalPodAutoscaler rag-worker scales it only on cpu 70%25: queued jobs will not add replicas',
    );
    expect(lines[lines.length - 1]).toMatch(/^queue-doctor: 1 finding \(1 error, 0 warnings, 0 info\) in 3 objects in 2 files/);
    expect(lines).toHaveLength(2);
  });

  it('markdown: the summary and the findings table rows', async () => {
    const r = await check([...args, '-o', 'markdown']);
    expect(r.stdout).toContain('| 🔴 error | 1 |');
    const row = r.stdout.split('\n').find((l) => l.startsWith('| 🔴 error | [QD101]'));
    expect(row).toBe(
      `| 🔴 error | [QD101](https://github.com/queue-doctor/queue-doctor#qd101-cpu-hpa-on-queue-worker "cpu-hpa-on-queue-worker") | ` +
        `\`k8s/worker.yaml:${QD101_LINE}:${QD101_COL}\`<br>HorizontalPodAutoscaler rag/rag-worker | ` +
        'Deployment rag-worker is a queue worker but HorizontalPodAutoscaler rag-worker scales it only on cpu 70%: queued jobs will not add replicas |',
    );
    expect(r.stdout).toContain('<summary><b>QD101</b> cpu-hpa-on-queue-worker');
  });

  it('json: valid per the shipped report schema', async () => {
    const r = await check([...args, '-o', 'json']);
    const json = JSON.parse(r.stdout);
    expect(schemaErrors(reportValidator(), json)).toEqual([]);
    expect(json.findings[0]).toMatchObject({ ruleId: 'QD101', location: { type: 'file', file: 'k8s/worker.yaml', line: QD101_LINE, column: QD101_COL } });
  });

  it('--output-file writes the same result to a file', async () => {
    const r = await check([...args, '-o', 'github', '--output-file', 'out.txt']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toMatch(/^::error file=k8s\/worker\.yaml,/);
  });
});

describe('check -o <format> on clean manifests (exit 0)', () => {
  it.each(FORMATS)('-o %s exits 0', async (format) => {
    const r = await check(['k8s/web.yaml', '-o', format]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('sarif has no results and a successful invocation; junit shows passing tests', async () => {
    const sarif = JSON.parse((await check(['k8s/web.yaml', '-o', 'sarif'])).stdout);
    expect(schemaErrors(sarifValidator(), sarif)).toEqual([]);
    expect(sarif.runs[0].results).toEqual([]);
    expect(sarif.runs[0].invocations[0].executionSuccessful).toBe(true);
    const xml = (await check(['k8s/web.yaml', '-o', 'junit'])).stdout;
    await wellFormedForChromium(xml);
    const root = junitXml(xml);
    expect(Number(root.attributes.tests)).toBeGreaterThan(0);
    expect(root.attributes).toMatchObject({ failures: '0', errors: '0' });
    expect(findAll(root, 'testcase').map((c) => c.attributes.name)).toContain('QD101 cpu-hpa-on-queue-worker');
  });
});

describe('--fail-on and configured severities', () => {
  it('QD101 configured as warning: exit 0, JUnit passes it with system-out', async () => {
    const r = await check(['../k8s/worker.yaml', '-o', 'junit'], join(dir, 'warn'));
    expect(r.code).toBe(0);
    const root = junitXml(r.stdout);
    expect(root.attributes.failures).toBe('0');
    const c = findAll(root, 'testcase').find((x) => x.attributes.name.startsWith('QD101'))!;
    expect(c.children.map((x) => x.name)).toEqual(['system-out']);
    const gh = await check(['../k8s/worker.yaml', '-o', 'github'], join(dir, 'warn'));
    // outside the working directory: GitHub gets the absolute path
    expect(gh.stdout).toMatch(new RegExp(`^::warning file=${join(dir, 'k8s', 'worker.yaml').replace(/[.]/g, '\\.')},line=${QD101_LINE},`));
  });

  it('... and with --fail-on warning: exit 1, a failure of type warning', async () => {
    const r = await check(['../k8s/worker.yaml', '-o', 'junit', '--fail-on', 'warning'], join(dir, 'warn'));
    expect(r.code).toBe(1);
    const failure = findAll(junitXml(r.stdout), 'failure');
    expect(failure.map((f) => f.attributes.type)).toEqual(['warning']);
    const sarif = JSON.parse((await check(['../k8s/worker.yaml', '-o', 'sarif', '--fail-on', 'warning'], join(dir, 'warn'))).stdout);
    expect(sarif.runs[0].results[0].level).toBe('warning');
  });

  it('--fail-on none: exit 0 with the error still reported', async () => {
    const r = await check(['k8s/worker.yaml', '-o', 'github', '--fail-on', 'none']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^::error file=k8s\/worker\.yaml,/);
  });
});

describe('baseline', () => {
  it('accepted findings do not fail; SARIF says unchanged, GitHub stays quiet', async () => {
    const w = await check(['k8s/worker.yaml', '--write-baseline', 'baseline.json']);
    expect(w.code).toBe(0);
    const sarif = await check(['k8s/worker.yaml', '-o', 'sarif', '--baseline', 'baseline.json']);
    expect(sarif.code).toBe(0);
    const log = JSON.parse(sarif.stdout);
    expect(schemaErrors(sarifValidator(), log)).toEqual([]);
    expect(log.runs[0].results.map((r: any) => r.baselineState)).toEqual(['unchanged']);
    const gh = await check(['k8s/worker.yaml', '-o', 'github', '--baseline', 'baseline.json']);
    expect(gh.code).toBe(0);
    expect(gh.stdout).toMatch(/^queue-doctor: no findings in .*; 1 in baseline\n$/);
    const junit = junitXml((await check(['k8s/worker.yaml', '-o', 'junit', '--baseline', 'baseline.json'])).stdout);
    expect(junit.attributes).toMatchObject({ failures: '0', skipped: '1' });
  });
});

describe('input problems: an invalid YAML file beside a valid one (exit 2)', () => {
  const args = ['broken/'];

  it.each(FORMATS)('-o %s exits 2, still reports the valid file, and tells stderr', async (format) => {
    const r = await check([...args, '-o', format]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/QD101/);
    if (format !== 'text') expect(r.stderr).toMatch(/^queue-doctor: error: broken\/bad\.yaml:\d+:\d+: invalid YAML/);
  });

  it('sarif: a notification at the bad file, execution unsuccessful, the finding still there', async () => {
    const log = JSON.parse((await check([...args, '-o', 'sarif'])).stdout);
    expect(schemaErrors(sarifValidator(), log)).toEqual([]);
    const inv = log.runs[0].invocations[0];
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications).toHaveLength(1);
    const n = inv.toolExecutionNotifications[0];
    expect(n).toMatchObject({ level: 'error', descriptor: { id: 'invalid-yaml' } });
    expect(n.message.text).toMatch(/^invalid YAML: /);
    expect(n.locations[0].physicalLocation.artifactLocation).toMatchObject({ uri: 'broken/bad.yaml', uriBaseId: '%SRCROOT%' });
    expect(n.locations[0].physicalLocation.region.startLine).toBeGreaterThanOrEqual(3);
    expect(log.runs[0].results.map((r: any) => r.locations[0].physicalLocation.artifactLocation.uri)).toEqual(['broken/worker.yaml']);
  });

  it('junit: an errored test case for the bad file and a failure for the finding', async () => {
    const xml = (await check([...args, '-o', 'junit'])).stdout;
    await wellFormedForChromium(xml);
    const root = junitXml(xml);
    expect(root.attributes).toMatchObject({ errors: '1', failures: '1' });
    const errored = findAll(root, 'testcase').find((c) => c.children.some((x) => x.name === 'error'))!;
    expect(errored.attributes.name).toMatch(/^input: invalid-yaml \(broken\/bad\.yaml:\d+:\d+\)$/);
    expect(errored.attributes.classname).toBe('broken/bad.yaml');
  });

  it('github: an ::error at the bad file, and the summary counts it', async () => {
    const lines = (await check([...args, '-o', 'github'])).stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^::error file=broken\/bad\.yaml,line=\d+,col=\d+,title=queue-doctor input%3A invalid-yaml::invalid YAML: /);
    expect(lines[1]).toMatch(/^::error file=broken\/worker\.yaml,line=/);
    expect(lines[2]).toMatch(/; 1 input error$/);
  });

  it('markdown: an input problems section', async () => {
    const md = (await check([...args, '-o', 'markdown'])).stdout;
    expect(md).toContain('### Input problems');
    expect(md).toMatch(/\n\| 🔴 error \| `invalid-yaml` \| `broken\/bad\.yaml:\d+:\d+` \| invalid YAML: /);
  });

  it('json: the problem is in the schema-valid report', async () => {
    const json = JSON.parse((await check([...args, '-o', 'json'])).stdout);
    expect(schemaErrors(reportValidator(), json)).toEqual([]);
    expect(json.problems).toEqual([expect.objectContaining({ level: 'error', code: 'invalid-yaml', location: expect.objectContaining({ file: 'broken/bad.yaml' }) })]);
  });
});

describe('stdin', () => {
  it('github: no file to annotate, so the title names the object', async () => {
    const r = await check(['-', '-o', 'github'], dir, WORKER);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(
      `::error title=QD101 cpu-hpa-on-queue-worker%3A rag/HorizontalPodAutoscaler/rag-worker (<stdin>%3A${QD101_LINE})::` +
        'Deployment rag-worker is a queue worker but HorizontalPodAutoscaler rag-worker scales it only on cpu 70%25: queued jobs will not add replicas',
    );
  });

  it('sarif: valid, with a logical location instead of a file', async () => {
    const r = await check(['-', '-o', 'sarif'], dir, WORKER);
    const log = JSON.parse(r.stdout);
    expect(schemaErrors(sarifValidator(), log)).toEqual([]);
    const loc = log.runs[0].results[0].locations[0];
    expect(loc.physicalLocation).toBeUndefined();
    expect(loc.logicalLocations.map((l: any) => l.fullyQualifiedName)).toEqual([
      'rag/HorizontalPodAutoscaler/rag-worker/spec/metrics/0',
      'rag/HorizontalPodAutoscaler/rag-worker',
    ]);
  });
});
