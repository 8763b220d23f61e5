// vitest globalSetup: the one place where the whole suite's read-only guarantee is asserted,
// and where the robustness figures are printed (`npm test` and `npm run test:robustness`).
//
// setup: a fresh test-artifacts/robustness/runs/<pid>-<time>/ and two environment variables that the workers
// inherit: QD_ROBUSTNESS_DIR (figures, see robustness-figures.ts) and QD_STANDIN_REQUEST_LOG
// (the Kubernetes stand-in appends "METHOD path" for every request it receives).
// teardown: sums, prints, writes test-artifacts/robustness/summary.json, and fails the run (exit code 1) when any
// request other than GET reached a stand-in or a canary secret leaked.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIR = join(ROOT, 'test-artifacts', 'robustness');

export interface RobustnessSummary {
  hostileInputs: number;
  faultScenarios: number;
  propertyCases: number;
  canaryOutputs: number;
  canaryLeaks: number;
  standinRequests: number;
  nonGetRequests: number;
  nonGetExamples: string[];
}

export function summarise(dir: string): RobustnessSummary {
  const s: RobustnessSummary = { hostileInputs: 0, faultScenarios: 0, propertyCases: 0, canaryOutputs: 0, canaryLeaks: 0, standinRequests: 0, nonGetRequests: 0, nonGetExamples: [] };
  const figures = join(dir, 'figures.jsonl');
  if (existsSync(figures)) {
    for (const line of readFileSync(figures, 'utf8').split('\n')) {
      if (!line) continue;
      const { name, n } = JSON.parse(line) as { name: keyof RobustnessSummary; n: number };
      if (typeof s[name] === 'number') (s[name] as number) += n;
    }
  }
  const requests = join(dir, 'standin-requests.log');
  if (existsSync(requests)) {
    for (const line of readFileSync(requests, 'utf8').split('\n')) {
      if (!line) continue;
      s.standinRequests++;
      if (!line.startsWith('GET ')) {
        s.nonGetRequests++;
        if (s.nonGetExamples.length < 5) s.nonGetExamples.push(line);
      }
    }
  }
  return s;
}

export function formatSummary(s: RobustnessSummary): string {
  return [
    'Robustness figures (issue 8)',
    `  hostile inputs tried           ${s.hostileInputs}`,
    `  fault scenarios survived       ${s.faultScenarios}`,
    `  property cases run             ${s.propertyCases}`,
    `  canary leaks found             ${s.canaryLeaks}  (outputs searched: ${s.canaryOutputs})`,
    `  non-GET requests seen          ${s.nonGetRequests}  (Kubernetes stand-in requests: ${s.standinRequests})`,
    ...s.nonGetExamples.map((e) => `    non-GET: ${e}`),
  ].join('\n');
}

export default function setup(): () => void {
  // one directory per run: several vitest runs may share a working tree at once
  const run = join(DIR, 'runs', `${process.pid}-${Date.now()}`);
  mkdirSync(run, { recursive: true });
  process.env.QD_ROBUSTNESS_DIR = run;
  process.env.QD_STANDIN_REQUEST_LOG = join(run, 'standin-requests.log');
  return () => {
    const s = summarise(run);
    writeFileSync(join(DIR, 'summary.json'), JSON.stringify(s, null, 2) + '\n');
    rmSync(run, { recursive: true, force: true });
    const failures = [
      s.nonGetRequests > 0 ? `the Kubernetes stand-in received ${s.nonGetRequests} request(s) other than GET: queue-doctor must be read-only` : '',
      s.canaryLeaks > 0 ? `${s.canaryLeaks} canary secret leak(s) in outputs (see test/e2e/leaks.test.ts)` : '',
    ].filter(Boolean);
    process.stdout.write(`\n${formatSummary(s)}\n`);
    if (failures.length) {
      for (const f of failures) process.stderr.write(`\nROBUSTNESS FAILURE: ${f}\n`);
      process.exitCode = 1;
    }
  };
}
