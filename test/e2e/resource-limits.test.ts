// Input beyond the documented limits is refused without exhausting memory. Each case runs the
// built CLI in a child process whose peak resident set size (process.resourceUsage().maxRSS,
// written at exit by a preloaded module) is compared with a trivial run's in the same test run —
// memory, not wall-clock time, is asserted. The limits (README, "Reliability"):
//   a file or stdin over --max-file-size (default 32 MiB) is refused (a regular file by its
//   size, before reading; a pipe, FIFO or device after reading at most the limit);
//   YAML aliases may expand to at most 1,000,000 nodes; nesting at most 100 levels;
//   Kubernetes names at most 253 characters (namespaces 63).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.js';
import { recordFigure } from '../helpers/robustness-figures.js';

const MiB = 1024 * 1024;
let tmp: string;
let preload: string;
let baselineKiB = 0;
const figures: string[] = [];

interface Measured {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak RSS in KiB. */
  maxRssKiB: number;
  cpuMs: number;
}

/** Run the CLI with a preload that records its peak RSS and CPU time at exit. */
function measure(args: string[], options: { stdin?: (w: NodeJS.WritableStream) => void } = {}): Promise<Measured> {
  const out = join(tmp, `rss-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', preload, BIN, ...args], {
      cwd: tmp,
      env: { ...process.env, NO_COLOR: '1', CI: '1', QD_RSS_OUT: out },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.stdin.on('error', () => {}); // the CLI may stop reading an endless pipe: EPIPE is expected
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const usage = JSON.parse(readFileSync(out, 'utf8')) as { maxRSS: number; userCPUTime: number; systemCPUTime: number };
      resolve({ code, stdout, stderr, maxRssKiB: usage.maxRSS, cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000) });
    });
    if (options.stdin) options.stdin(child.stdin);
    else child.stdin.end();
  });
}

/** A file made of `parts` (each `text` repeated `times`), written in chunks. */
function generate(name: string, parts: Array<{ text: string; times: number }>): string {
  const path = join(tmp, name);
  const fd = openSync(path, 'w');
  try {
    for (const p of parts) {
      const per = Math.max(1, Math.floor(MiB / Math.max(1, p.text.length)));
      for (let left = p.times; left > 0; left -= per) writeSync(fd, p.text.repeat(Math.min(per, left)));
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'qd-limits-'));
  preload = join(tmp, 'rss.mjs');
  writeFileSync(preload, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.QD_RSS_OUT, JSON.stringify(process.resourceUsage())));\n`);
  writeFileSync(join(tmp, 'small.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: small}\n');
  const base = await measure(['check', 'small.yaml', '-o', 'json']);
  expect(base.code).toBe(0);
  baselineKiB = base.maxRssKiB;
  figures.push(`baseline (a 60-byte file): peak RSS ${Math.round(baselineKiB / 1024)} MiB, CPU ${base.cpuMs} ms`);
}, 60_000);

afterAll(() => {
  // the measured figures, for the README's reliability section
  process.stdout.write(`\nResource limits, measured:\n${figures.map((f) => `  ${f}`).join('\n')}\n`);
  rmSync(tmp, { recursive: true, force: true });
});

/** Refused input costs at most this much memory above a trivial run. */
const REFUSAL_HEADROOM_KiB = 48 * 1024;

async function refused(label: string, run: () => Promise<Measured>, message: RegExp, headroomKiB = REFUSAL_HEADROOM_KiB): Promise<void> {
  const m = await run();
  expect(m.code, m.stderr).toBe(2);
  expect(m.stderr).toMatch(message);
  expect(m.stderr.split('\n').filter(Boolean).every((l) => l.startsWith('queue-doctor: '))).toBe(true);
  figures.push(`${label}: exit 2, peak RSS ${Math.round(m.maxRssKiB / 1024)} MiB (+${Math.round((m.maxRssKiB - baselineKiB) / 1024)} MiB), CPU ${m.cpuMs} ms`);
  expect(m.maxRssKiB - baselineKiB, `${label} used ${m.maxRssKiB} KiB at peak (baseline ${baselineKiB} KiB)`).toBeLessThan(headroomKiB);
  recordFigure('hostileInputs', 1);
}

describe('input beyond the limits is refused without exhausting memory', () => {
  test('a 100 MB file: refused by its size, never read', async () => {
    generate('big.yaml', [{ text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: "' }, { text: 'x'.repeat(1024), times: 100 * 1024 }, { text: '"}\n', times: 1 }].map((p) => ({ times: 1, ...p })));
    await refused('100 MB file', () => measure(['check', 'big.yaml', '-o', 'json']), /big\.yaml: 100 MiB is over the 32 MiB limit; refusing it/);
  });

  test('an endless pipe on stdin: read up to the limit, then refused', async () => {
    const chunk = Buffer.from('a: b\n'.repeat(200_000));
    await refused(
      'endless stdin',
      () =>
        measure(['check', '-', '-o', 'json'], {
          stdin: (w) => {
            let stop = false;
            w.on('error', () => (stop = true));
            w.on('close', () => (stop = true));
            const pump = () => {
              while (!stop && w.write(chunk));
              if (!stop) w.once('drain', pump);
            };
            pump();
          },
        }),
      /<stdin>: more than 32 MiB; refusing it/,
      // the limit itself is buffered
      REFUSAL_HEADROOM_KiB + 32 * 1024 * 2,
    );
  });

  test('a device (/dev/zero) named on the command line: read up to the limit, then refused', async () => {
    await refused('/dev/zero', () => measure(['check', '/dev/zero', '-o', 'json']), /\/dev\/zero: more than 32 MiB; refusing it/, REFUSAL_HEADROOM_KiB + 32 * 1024 * 2);
  });

  test('billion laughs (9 levels of 9 aliases, 3.4 billion nodes expanded)', async () => {
    const lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    writeFileSync(join(tmp, 'laughs.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: laughs}\ndata:\n${lines.map((l) => `  ${l}\n`).join('')}`);
    await refused('billion laughs', () => measure(['check', 'laughs.yaml', '-o', 'json']), /aliases expand to more than 1,000,000 nodes/);
  });

  test('5 MB of nested brackets: refused at the depth limit, no stack overflow', async () => {
    generate('deep.yaml', [{ text: 'a: ', times: 1 }, { text: '[', times: 5 * MiB }]);
    await refused('5 MB of [', () => measure(['check', 'deep.yaml', '-o', 'json']), /nested deeper than 100 levels/);
  });

  test('a 4 MB object name: refused, not repeated in every message', async () => {
    generate('name.yaml', [{ text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ', times: 1 }, { text: 'n', times: 4 * MiB }, { text: '\n', times: 1 }]);
    await refused('4 MB name', () => measure(['check', 'name.yaml', '-o', 'json']), /metadata\.name is 4,194,304 characters long; Kubernetes allows at most 253/);
  });

  test('just under the limit: a 30 MB scalar is read, in memory proportional to it', async () => {
    generate('blob.yaml', [{ text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: blob}\ndata:\n  blob: "', times: 1 }, { text: '0123456789abcdef', times: (30 * MiB) / 16 }, { text: '"\n', times: 1 }]);
    const m = await measure(['check', 'blob.yaml', '-o', 'json']);
    expect(m.code, m.stderr).toBe(0);
    figures.push(`30 MB scalar (accepted): peak RSS ${Math.round(m.maxRssKiB / 1024)} MiB (+${Math.round((m.maxRssKiB - baselineKiB) / 1024)} MiB), CPU ${m.cpuMs} ms`);
    // the bytes, the decoded string and the parsed value: a small multiple of the input
    expect(m.maxRssKiB - baselineKiB).toBeLessThan(8 * 30 * 1024);
    recordFigure('hostileInputs', 1);
  });
});
