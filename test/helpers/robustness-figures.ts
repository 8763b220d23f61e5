// The robustness figures (issue 8): tests append counts here; the vitest globalSetup
// (test/helpers/robustness-setup.ts) sums them at the end of the run, prints them, and fails
// the run when a canary leaked or the Kubernetes stand-in saw a request other than GET.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type FigureName =
  /** Hostile input files fed to `check` (fixtures/bad plus generated ones). */
  | 'hostileInputs'
  /** Failing-dependency scenarios that ended as specified (bounded, one line, right exit code). */
  | 'faultScenarios'
  /** fast-check cases executed by test/unit/property-*.test.ts. */
  | 'propertyCases'
  /** Outputs (stdout, stderr, files) searched for the canary secrets. */
  | 'canaryOutputs'
  /** Canary secrets found in an output: must stay 0. */
  | 'canaryLeaks';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the figures go: set by the globalSetup; a default so a lone test file still works. */
export function figuresDir(): string {
  return process.env.QD_ROBUSTNESS_DIR ?? join(ROOT, 'test-artifacts', 'robustness', 'runs', 'no-global-setup');
}

/** Add `n` to a figure (one JSON line; appends from parallel workers do not interleave). */
export function recordFigure(name: FigureName, n: number, note?: string): void {
  const dir = figuresDir();
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, 'figures.jsonl'), JSON.stringify({ name, n, ...(note ? { note } : {}) }) + '\n');
}
