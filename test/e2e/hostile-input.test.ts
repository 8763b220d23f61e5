// Every hostile input under fixtures/bad/ (see its README), fed to the built CLI as a user would:
// `check <file>` must print each expected problem as one line naming file:line:col, exit with
// the documented code, never crash or print a stack trace, and still check the other files of
// the same run. One generic test walks the folder: adding a case is adding two files.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli, type CliResult } from '../helpers/cli.js';
import { recordFigure } from '../helpers/robustness-figures.js';

const BAD = join(ROOT, 'fixtures', 'bad');
/** A directory with a queue worker on a CPU HPA: QD101 must still be reported next to any bad file. */
const COMPANION = join(ROOT, 'fixtures', 'examples', 'rag');

interface ExpectedProblem {
  level: 'error' | 'warning';
  code: string;
  /** Regex for the whole one-line message; `{file}` stands for the file as displayed. */
  message: string;
  line?: number | null;
  column?: number | null;
}

interface Case {
  about: string;
  /** The input file (default: the file named like the .expect.json). */
  input?: string;
  /** A path given as is (for paths that do not exist). */
  path?: string;
  /** Build the input at test time from these parts (each `text` repeated `times`), named `name`. */
  generate?: Array<{ text: string; times: number }>;
  name?: string;
  /** Pipe the file to `check -` instead. */
  stdin?: boolean;
  args?: string[];
  exit: number;
  /** Exactly these problems, in this order. */
  problems: ExpectedProblem[];
  /** `RULE@line:col` findings that must be reported (the rest of the file is still checked). */
  findings?: string[];
  /** Wrong types where rules read: asserts no rule crashed (true for every case anyway). */
  noCrash?: boolean;
}

const stems = readdirSync(BAD)
  .filter((f) => f.endsWith('.expect.json'))
  .map((f) => f.slice(0, -'.expect.json'.length))
  .sort();

function load(stem: string): Case {
  return JSON.parse(readFileSync(join(BAD, `${stem}.expect.json`), 'utf8')) as Case;
}

function inputFile(stem: string, c: Case): string | undefined {
  if (c.generate || c.path) return undefined;
  if (c.input) return c.input;
  const own = readdirSync(BAD).find((f) => f !== `${stem}.expect.json` && f.startsWith(`${stem}.`) && !f.endsWith('.expect.json'));
  return own;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const messageRe = (p: ExpectedProblem, display: string) => new RegExp(`^${p.message.replace(/\\\{file\\\}|\{file\}/g, escape(display))}$`);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'qd-hostile-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Write a generated case into its own directory; returns the directory. */
function generate(stem: string, c: Case): string {
  const dir = join(tmp, stem);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, c.name ?? 'input.yaml'), 'w');
  try {
    for (const part of c.generate!) {
      // write in ~1 MiB chunks: a 100 MB input never sits in memory at once
      const per = Math.max(1, Math.floor((1 << 20) / Math.max(1, part.text.length)));
      const chunk = part.text.repeat(Math.min(per, part.times));
      let left = part.times;
      while (left > 0) {
        const n = Math.min(per, left);
        writeSync(fd, n === Math.min(per, part.times) ? chunk : part.text.repeat(n));
        left -= n;
      }
    }
  } finally {
    closeSync(fd);
  }
  return dir;
}

interface Prepared {
  /** Arguments naming the input (`-` for stdin). */
  args: string[];
  display: string;
  cwd: string;
  stdin?: Buffer;
  /** The bytes, when small enough to check positions against. */
  bytes?: Buffer;
}

function prepare(stem: string, c: Case): Prepared {
  if (c.path) return { args: [c.path], display: c.path, cwd: ROOT };
  if (c.generate) {
    const dir = generate(stem, c);
    const name = c.name ?? 'input.yaml';
    const size = statSync(join(dir, name)).size;
    return { args: [name], display: name, cwd: dir, bytes: size < 32 * 1024 * 1024 ? readFileSync(join(dir, name)) : undefined };
  }
  const file = inputFile(stem, c);
  if (!file) throw new Error(`fixtures/bad/${stem}.expect.json: no input file (add ${stem}.yaml or set "input", "path" or "generate")`);
  const rel = `fixtures/bad/${file}`;
  const bytes = readFileSync(join(ROOT, rel));
  if (c.stdin) return { args: ['-'], display: '<stdin>', cwd: ROOT, stdin: bytes, bytes };
  return { args: [rel], display: rel, cwd: ROOT, bytes };
}

/** True when line:column is a position inside the text (or just past its last character). */
function inside(bytes: Buffer, line: number, column: number): boolean {
  const lines = bytes.toString('latin1').replace(/\r\n?/g, '\n').split('\n');
  if (line < 1 || line > lines.length) return false;
  // columns count characters: UTF-8 continuation bytes do not add columns
  const chars = Buffer.from(lines[line - 1], 'latin1').toString('utf8').length;
  return column >= 1 && column <= chars + 1;
}

function noCrash(r: CliResult): void {
  const all = r.stdout + r.stderr;
  expect(all).not.toMatch(/internal error/);
  expect(all).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
  expect(r.code).not.toBeNull(); // not killed by the watchdog
}

describe.each(stems)('fixtures/bad/%s', (stem) => {
  const c = load(stem);

  test(`alone: ${c.about}; exit ${c.exit}`, async () => {
    const p = prepare(stem, c);
    const r = await runCli(['check', ...p.args, ...(c.args ?? []), '-o', 'json'], { cwd: p.cwd, input: p.stdin, timeoutMs: 60_000 });
    noCrash(r);
    expect({ exit: r.code, stderr: r.stderr }).toMatchObject({ exit: c.exit });
    const report = JSON.parse(r.stdout);
    // every problem: exactly one stderr line, with the expected message, code and position
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(c.problems.length);
    expect(report.problems).toHaveLength(c.problems.length);
    c.problems.forEach((want, i) => {
      const got = report.problems[i];
      expect(got.level).toBe(want.level);
      expect(got.code).toBe(want.code);
      expect(got.message).toMatch(messageRe(want, p.display));
      expect(lines[i]).toBe(`queue-doctor: ${want.level}: ${got.message}`);
      if (want.line != null) {
        expect(got.location).toMatchObject({ type: 'file', file: p.display, line: want.line, column: want.column });
        if (p.bytes) expect(inside(p.bytes, got.location.line, got.location.column)).toBe(true);
      }
    });
    expect(report.problems.some((x: { code: string }) => x.code === 'rule-crashed')).toBe(false);
    for (const f of c.findings ?? []) {
      const [rule, at] = f.split('@');
      const [line, column] = at.split(':').map(Number);
      expect(report.findings.map((x: any) => `${x.ruleId}@${x.location.line}:${x.location.column}`)).toContain(`${rule}@${line}:${column}`);
    }
    // every finding's position is inside the file
    if (p.bytes) for (const f of report.findings) if (f.location.type === 'file') expect(inside(p.bytes, f.location.line, f.location.column)).toBe(true);
    recordFigure('hostileInputs', 1, stem);
  });

  test('next to a good folder: the good files are still checked', async () => {
    const p = prepare(stem, c);
    const r = await runCli(['check', ...p.args, COMPANION, ...(c.args ?? []), '-o', 'json'], { cwd: p.cwd, input: p.stdin, timeoutMs: 60_000 });
    noCrash(r);
    const report = JSON.parse(r.stdout);
    expect(report.findings.some((f: any) => f.ruleId === 'QD101' && f.object.name === 'rag-worker' && f.object.namespace === 'llm')).toBe(true);
    const inputError = c.problems.some((x) => x.level === 'error' && x.code !== 'no-objects');
    expect(r.code).toBe(inputError ? 2 : 1);
  });

  test.skipIf(Boolean(c.generate))('text output: the same one-line problems, nothing on stderr', async () => {
    const p = prepare(stem, c);
    const r = await runCli(['check', ...p.args, ...(c.args ?? [])], { cwd: p.cwd, input: p.stdin });
    noCrash(r);
    expect(r.code).toBe(c.exit);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    for (const want of c.problems) {
      const re = new RegExp(messageRe(want, p.display).source.slice(1, -1));
      expect(lines.some((l) => re.test(l))).toBe(true);
    }
  });
});
