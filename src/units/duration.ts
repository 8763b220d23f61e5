// The one duration helper: "30s", "5m", "1h30m", "1.5h", "250ms", "2d" <-> seconds.

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;

/** Parse a duration; a bare number means seconds. Returns undefined when it is not a duration. */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const text = input.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return finiteOrUndefined(Number(text));
  let total = 0;
  PART.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_SECONDS[m[2]];
    pos = PART.lastIndex;
  }
  return finiteOrUndefined(total);
}

/** "9999…9s" overflows to Infinity: not a duration (it would make every deadline infinite). */
function finiteOrUndefined(n: number): number | undefined {
  return Number.isFinite(n) ? n : undefined;
}

/** Parse or throw a one-line error naming what was being parsed. */
export function requireDuration(input: string | number, what: string): number {
  const s = parseDuration(input);
  if (s === undefined) throw new Error(`${what}: "${String(input)}" is not a duration (use e.g. 30s, 5m, 1h30m)`);
  return s;
}

/** Print seconds the way a human writes them: 45s, 5m, 1h30m, 2d3h, 750ms. */
export function formatDuration(seconds: number): string {
  if (Number.isNaN(seconds)) return 'n/a';
  if (!Number.isFinite(seconds)) return seconds > 0 ? '∞' : '-∞';
  if (seconds < 0) return '-' + formatDuration(-seconds);
  if (seconds === 0) return '0s';
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 10 && !Number.isInteger(seconds)) return `${Number(seconds.toFixed(1))}s`;
  let rest = Math.round(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      rest -= n * size;
      parts.push(`${n}${unit}`);
    }
  }
  // two most significant parts are enough for reading ("1h30m", not "1h30m12s") when large
  return seconds >= 3600 ? parts.slice(0, 2).join('') : parts.join('');
}
