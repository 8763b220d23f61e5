// The package as users get it: `npm pack`, then install the tarball into an empty folder (from
// the npm cache where possible, the registry otherwise) and run it the ways the README says —
// `npx queue-doctor --version`, `scan --demo`, `check`, and `kubectl queue-doctor` through the
// kubectl-queue_doctor bin. One test: it is slow (an npm install).
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { CPU_HPA_WORKER } from '../helpers/manifests.js';

/** What `files` in package.json may ship; everything else must stay out of the tarball. */
const ALLOWED = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^bin\/queue-doctor\.js$/, /^dist\/cli\//, /^dist\/src\//, /^dist\/rules\//, /^src\/schemas\/.+\.(json|md|mjs)$/, /^fixtures\/demo\//, /^fixtures\/examples\//];
const REQUIRED = ['bin/queue-doctor.js', 'dist/cli/main.js', 'dist/cli/search-worker.js', 'dist/src/cli/main.js', 'dist/src/index.js', 'dist/rules/index.js', 'src/schemas/report.schema.json', 'fixtures/demo/snapshot.json', 'README.md'];

const work = mkdtempSync(join(tmpdir(), 'qd-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The environment of a user's shell: no npm lifecycle variables leaking from `npm test`, no CI colours. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD') env[k] = v;
  return { ...env, NO_COLOR: '1', CI: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

function run(cmd: string, args: string[], cwd: string, env = userEnv()) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describe('npm pack → install → run', () => {
  it('ships only what is needed, installs into a clean folder, and runs --version, scan --demo, check and kubectl queue-doctor', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

    // 1. pack
    const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json', '--loglevel=error'], { cwd: ROOT, env: userEnv(), encoding: 'utf8' }))[0];
    const files: string[] = packed.files.map((f: { path: string }) => f.path);
    expect(files.filter((f) => !ALLOWED.some((re) => re.test(f)))).toEqual([]);
    for (const f of REQUIRED) expect(files, f).toContain(f);
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('node_modules/') || /^src\/(?!schemas\/)/.test(f))).toBe(false);
    const tarball = join(work, packed.filename);

    // 2. install into an empty project: the npm cache first, the registry for what it lacks
    const app = join(work, 'app');
    run('mkdir', ['-p', app], work);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'qd-install-check', version: '1.0.0', private: true }));
    const install = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], app);
    expect(install.stderr).not.toMatch(/npm (ERR|error)/);
    expect(install.code).toBe(0);

    // 3. npx queue-doctor --version
    const version = run('npx', ['--no-install', 'queue-doctor', '--version'], app);
    expect(version.stdout.trim()).toBe(pkg.version);
    expect(version.code).toBe(0);

    // 4. scan --demo from the installed package (its bundled snapshot, no cluster, no Prometheus)
    const demo = run('npx', ['--no-install', 'queue-doctor', 'scan', '--demo', '-o', 'json'], app);
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(1);
    const report = JSON.parse(demo.stdout);
    expect(report.incomplete).toBe(false);
    expect(report.findings.some((f: { ruleId: string; object: { name: string } }) => f.ruleId === 'QD201' && f.object.name === 'rag-worker')).toBe(true);
    expect(report.scan.recommendations.length).toBeGreaterThan(0);
    const text = run('npx', ['--no-install', 'queue-doctor', 'scan', '--demo'], app);
    expect(text.stdout).toMatch(/^queue-doctor scan: the bundled demo platform/);

    // 5. check on a manifest
    writeFileSync(join(app, 'worker.yaml'), CPU_HPA_WORKER);
    const check = run('npx', ['--no-install', 'queue-doctor', 'check', 'worker.yaml'], app);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/worker\.yaml\n.*error.*QD101/);

    // 6. kubectl finds the plugin on PATH (plugin discovery is local: no cluster needed)
    const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
    if (kubectl.status === 0) {
      const bin = join(app, 'node_modules', '.bin');
      const env = userEnv({ PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, KUBECONFIG: join(work, 'no-kubeconfig') });
      const plugin = run('kubectl', ['queue-doctor', '--version'], app, env);
      expect(plugin.stdout.trim()).toBe(pkg.version);
      const help = run('kubectl', ['queue-doctor', '--help'], app, env);
      expect(help.stdout).toContain('Usage: kubectl queue-doctor');
    }
  }, 300_000);
});
