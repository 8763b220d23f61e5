// The GitHub Action (action.yml) and the pre-commit hook (.pre-commit-hooks.yaml): their shape
// as GitHub and pre-commit read it, and the action's check step run for real with bash against
// the built CLI (an `npx` stand-in on PATH maps `npx --yes queue-doctor@<version>` to bin/).
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import YAML from 'yaml';
import { BIN, ROOT } from '../helpers/cli.js';
import { CPU_HPA_WORKER } from '../helpers/manifests.js';
import { sarifValidator, schemaErrors } from '../helpers/schemas.js';

const action = YAML.parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
const hooks = YAML.parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'qd-action-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Run the action's `check` step as the runner would: bash, inputs as env, GITHUB_OUTPUT a file. */
function runCheckStep(inputs: Record<string, string>, cwd: string): { code: number | null; stdout: string; outputs: Record<string, string> } {
  const step = action.runs.steps.find((s: any) => s.id === 'check');
  const fakeBin = join(work, 'fake-bin');
  mkdirSync(fakeBin, { recursive: true });
  writeFileSync(join(fakeBin, 'npx'), `#!/usr/bin/env bash\nwhile [[ "$1" == --* ]]; do shift; done\n[[ "$1" == queue-doctor@* ]] || { echo "unexpected package $1" >&2; exit 99; }\nshift\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  chmodSync(join(fakeBin, 'npx'), 0o755);
  const outputFile = join(cwd, 'github-output');
  writeFileSync(outputFile, '');
  const env: NodeJS.ProcessEnv = { PATH: `${fakeBin}${delimiter}${process.env.PATH}`, HOME: process.env.HOME, GITHUB_OUTPUT: outputFile };
  const withDefaults = { ...Object.fromEntries(Object.entries(action.inputs).map(([k, v]: [string, any]) => [k, String(v.default ?? '')])), ...inputs };
  // the step's env maps inputs with ${{ inputs.x }}
  for (const [k, v] of Object.entries(step.env as Record<string, string>)) env[k] = v.replace(/\$\{\{ inputs\.([\w-]+) \}\}/g, (_, name: string) => withDefaults[name] ?? '');
  const r = spawnSync('bash', ['-c', step.run], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { code: r.status, stdout: r.stdout, outputs };
}

describe('action.yml', () => {
  it('is a composite action with the inputs, the packaged CLI and the SARIF upload', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['paths', 'fail-on', 'version']));
    expect(action.inputs['fail-on'].default).toBe('error');
    const uses = action.runs.steps.map((s: any) => s.uses).filter(Boolean);
    expect(uses).toEqual(expect.arrayContaining(['actions/setup-node@v4', 'github/codeql-action/upload-sarif@v3']));
    const check = action.runs.steps.find((s: any) => s.id === 'check');
    expect(check.shell).toBe('bash');
    expect(check.run).toContain('npx --yes "queue-doctor@${QD_VERSION}"');
    // inputs reach the script through env only (no ${{ }} inside run: no script injection)
    for (const s of action.runs.steps) if (s.run) expect(s.run).not.toContain('${{');
    const upload = action.runs.steps.find((s: any) => s.uses?.startsWith('github/codeql-action/upload-sarif'));
    expect(upload.with.sarif_file).toBe('${{ inputs.sarif-file }}');
    expect(upload.if).toContain('always()');
  });

  it('writes valid SARIF and reports the exit code that fails the job on findings', () => {
    const repo = join(work, 'repo');
    mkdirSync(join(repo, 'k8s'), { recursive: true });
    writeFileSync(join(repo, 'k8s', 'worker.yaml'), CPU_HPA_WORKER);
    const r = runCheckStep({ paths: 'k8s/' }, repo);
    expect(r.code).toBe(0); // the step records; the last step fails the job
    expect(r.outputs['exit-code']).toBe('1');
    expect(r.outputs['sarif-file']).toBe('queue-doctor.sarif');
    expect(r.stdout).toMatch(/^::error file=k8s\/worker\.yaml,line=\d+/m);
    const sarif = JSON.parse(readFileSync(join(repo, 'queue-doctor.sarif'), 'utf8'));
    expect(schemaErrors(sarifValidator(), sarif)).toEqual([]);
    expect(sarif.runs[0].results.map((x: any) => x.ruleId)).toContain('QD101');
    // fail-on none: annotations, exit code 0
    const lenient = runCheckStep({ paths: 'k8s/worker.yaml', 'fail-on': 'none' }, repo);
    expect(lenient.outputs['exit-code']).toBe('0');
  });
});

describe('.pre-commit-hooks.yaml', () => {
  it('defines queue-doctor-check as a node hook on YAML and JSON files', () => {
    const hook = hooks.find((h: any) => h.id === 'queue-doctor-check');
    expect(hook).toMatchObject({ language: 'node', files: '\\.(ya?ml|json)$' });
    expect(hook.entry.split(' ').slice(0, 2)).toEqual(['queue-doctor', 'check']);
    const files = new RegExp(hook.files);
    expect(['k8s/a.yaml', 'b.yml', 'c.json'].every((f) => files.test(f))).toBe(true);
    expect(files.test('README.md')).toBe(false);
    // the entry runs as pre-commit would: staged files appended, unrelated YAML does not fail the commit
    writeFileSync(join(work, 'worker.yaml'), CPU_HPA_WORKER);
    writeFileSync(join(work, 'ci.yml'), 'on: push\njobs: {}\n');
    const [, ...args] = hook.entry.split(' ');
    const r = spawnSync(process.execPath, [BIN, ...args, 'ci.yml'], { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    const bad = spawnSync(process.execPath, [BIN, ...args, 'ci.yml', 'worker.yaml'], { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('QD101');
  });
});
