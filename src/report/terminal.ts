// Terminal capabilities and safety: colour decisions, unicode fallback, and stripping
// control/escape characters from data that came from files or clusters.
import type { ChalkInstance } from 'chalk';
import type { CliIo } from '../cli/io.js';

// chalk costs ~15 ms to import: load it only when some output can be coloured, so that
// `check` in CI (pipes, no TTY) stays as fast as node itself allows.
let ChalkClass: (new (options: { level: 0 | 1 | 2 | 3 }) => ChalkInstance) | undefined;

/** Load chalk if colour is possible on either stream; call once before formatting. */
export async function preloadChalk(io: CliIo): Promise<void> {
  if (ChalkClass) return;
  if (colorLevel(io, true, 'stdout') > 0 || colorLevel(io, true, 'stderr') > 0) ChalkClass = (await import('chalk')).Chalk;
}

/** Identity styling: every style is a no-op, chains included (`c.red.bold(x)`). */
const plain: ChalkInstance = new Proxy(((...args: unknown[]) => args.join(' ')) as unknown as ChalkInstance, {
  get: (_target, prop) => (prop === 'level' ? 0 : plain),
});

/** Colour when asked and supported: NO_COLOR disables, FORCE_COLOR forces (https://no-color.org). */
export function makeChalk(io: CliIo, wanted: boolean, stream: 'stdout' | 'stderr' = 'stdout'): ChalkInstance {
  const level = colorLevel(io, wanted, stream);
  return level > 0 && ChalkClass ? new ChalkClass({ level }) : plain;
}

function colorLevel(io: CliIo, wanted: boolean, stream: 'stdout' | 'stderr'): 0 | 1 | 2 | 3 {
  const env = io.env;
  let level: 0 | 1 | 2 | 3 = 0;
  if (wanted && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '')) {
    const force = env.FORCE_COLOR;
    if (force !== undefined && force !== '' && force !== '0' && force !== 'false') level = force === '2' ? 2 : force === '3' ? 3 : 1;
    else if (force === '0' || force === 'false') level = 0;
    else if ((stream === 'stdout' ? io.stdoutIsTTY : io.stderrIsTTY) && env.TERM !== 'dumb') level = 1;
  }
  return level;
}

/** True when the terminal can show unicode (sparklines, box characters). */
export function unicodeSafe(io: CliIo): boolean {
  const env = io.env;
  if (env.QUEUE_DOCTOR_ASCII === '1') return false;
  if (env.TERM === 'dumb' || env.TERM === 'linux') return false;
  const lang = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  if (lang === '' || lang === 'C' || lang === 'POSIX') return !!env.WT_SESSION || !!env.CI || process.platform !== 'win32';
  return /utf-?8/i.test(lang);
}

// C0/C1 controls except tab/newline, DEL, and the ESC sequences built from them
// (CSI, OSC like \x1b]52; clipboard writes, DCS…).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[PX^_][^\u001b]*(?:\u001b\\)?|.)?/g;

/** Make text from outside (file content, cluster data) safe to print on a terminal. */
export function sanitize(text: string): string {
  if (!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(text)) return text;
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}
