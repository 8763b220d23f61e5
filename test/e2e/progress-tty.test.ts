// Progress as a user sees it: the built CLI under a real pseudo-terminal (util-linux script(1)),
// CI unset. Spinners with per-phase timings appear on the terminal (stderr) only when a human
// is watching: not with CI set, not for machine-readable output, not with --quiet, and never on
// stdout. A terminal that reports 0 columns gets no spinner (ora would never return).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.js';

interface TtyRun {
  /** Everything the terminal showed (stderr, and stdout when not redirected), escape sequences removed. */
  screen: string;
  raw: string;
  /** stdout when redirected to a file. */
  stdout?: string;
  code: number | null;
}

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Run the CLI in a pseudo-terminal of `cols` columns; `toFile` redirects stdout away from it. */
function underTty(args: string[], opts: { env?: Record<string, string>; toFile?: boolean; cols?: number } = {}): Promise<TtyRun> {
  const dir = mkdtempSync(join(tmpdir(), 'qd-tty-'));
  const out = join(dir, 'stdout.txt');
  const cmd = `stty cols ${opts.cols ?? 100} rows 40; exec '${process.execPath}' '${BIN}' ${args.join(' ')}${opts.toFile ? ` > '${out}'` : ''}`;
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8', NO_COLOR: '', FORCE_COLOR: '', ...opts.env };
  delete env.CI;
  delete env.GITHUB_ACTIONS;
  if (opts.env?.CI !== undefined) env.CI = opts.env.CI;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let raw = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (raw += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (raw += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const stdout = opts.toFile ? readFileSync(out, 'utf8') : undefined;
      rmSync(dir, { recursive: true, force: true });
      resolve({ raw, screen: raw.replace(ANSI, '').replace(/\r/g, '\n'), stdout, code });
    });
  });
}

const PHASE_DONE = [
  /✔ Loaded 40 objects from the demo snapshot \(\d+ ms\)/,
  /✔ Read signals from http:\/\/kube-prometheus-stack-prometheus\.monitoring\.svc:9090 \(snapshot\): 7 workloads bound to a queue, \d+ queries \(\d+ ms\)/,
  /✔ Backtested 6 recommendations \((\d+ ms|\d+\.\d s)\)/,
];
const SPINNER_FRAME = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

describe('progress under a pseudo-terminal', () => {
  it('shows a spinner per phase and each finished phase with its timing, as a user sees it', async () => {
    const r = await underTty(['scan', '--demo']);
    expect(r.code).toBe(1);
    for (const done of PHASE_DONE) expect(r.screen).toMatch(done);
    expect(r.screen).toMatch(SPINNER_FRAME);
    expect(r.screen).toContain('Backtesting recommendation 4/6 (rag/rag-worker)');
    // the report follows on the same terminal
    expect(r.screen).toMatch(/✖ rag\/rag-worker +default/);
    // spinners hide the cursor and give it back
    expect(r.raw).toContain('\u001b[?25l');
    expect(r.raw).toContain('\u001b[?25h');
  }, 120_000);

  it('keeps stdout clean: spinners go to the terminal (stderr), the redirected report has none', async () => {
    const r = await underTty(['scan', '--demo'], { toFile: true });
    for (const done of PHASE_DONE) expect(r.screen).toMatch(done);
    expect(r.screen).not.toContain('rag/rag-worker  ');
    expect(r.stdout).toMatch(/^queue-doctor scan: the bundled demo platform/);
    expect(r.stdout).not.toMatch(/\u001b|[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|Loaded 40 objects|Backtesting/);
  }, 120_000);

  it('stays silent with CI set, for -o json, and with --quiet', async () => {
    const [ci, json, quiet] = await Promise.all([
      underTty(['scan', '--demo'], { env: { CI: 'true' }, toFile: true }),
      underTty(['scan', '--demo', '-o', 'json'], { toFile: true }),
      underTty(['scan', '--demo', '--quiet'], { toFile: true }),
    ]);
    for (const r of [ci, json, quiet]) {
      expect(r.code).toBe(1);
      expect(r.screen.trim()).toBe('');
      expect(r.raw).not.toMatch(SPINNER_FRAME);
    }
    expect(JSON.parse(json.stdout!).scan.workloads.length).toBe(10);
    expect(quiet.stdout).toContain('rag/rag-worker');
  }, 120_000);

  it('does not hang on a terminal that reports 0 columns', async () => {
    const r = await underTty(['scan', '--demo'], { cols: 0, toFile: true });
    expect(r.code).toBe(1);
    expect(r.raw).not.toMatch(SPINNER_FRAME);
    expect(r.stdout).toContain('rag/rag-worker');
  }, 120_000);
});
