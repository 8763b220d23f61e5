// The evaluation grid and the decoding of Prometheus answers onto it. Every range query of a
// scan shares one grid (start, end, step), so all series of all workloads align point by
// point and share one timestamp array.
import type { Series } from './signals-model.js';
import type { CompactMatrix, RawResult } from './transport.js';

/** Prometheus refuses range queries with more points than this per series. */
export const PROMETHEUS_MAX_POINTS = 11_000;

/** Steps a human reads easily and query-frontend caches align on. */
const NICE_STEPS = [15, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

export interface Grid {
  start: number;
  end: number;
  step: number;
  /** The shared timestamps: start, start+step, …, end. */
  t: number[];
}

/**
 * The grid for a window ending at `at`: the smallest "nice" step ≥ `minStep` that keeps each
 * series at or under `maxPoints` points (default 721: 6 h at 30 s, 24 h at 2 min), never above
 * Prometheus's 11,000. The end is aligned down to a multiple of the step.
 */
export function makeGrid(at: number, windowSeconds: number, options: { maxPoints?: number; minStep?: number } = {}): Grid {
  const maxPoints = Math.min(options.maxPoints ?? 721, PROMETHEUS_MAX_POINTS);
  if (!(windowSeconds > 0)) throw new Error(`window must be positive (got ${windowSeconds}s)`);
  if (maxPoints < 2) throw new Error('maxPoints must be at least 2');
  const minStep = options.minStep ?? 15;
  const needed = Math.max(minStep, windowSeconds / (maxPoints - 1));
  const step = NICE_STEPS.find((s) => s >= needed) ?? Math.ceil(needed / 86400) * 86400;
  const end = Math.floor(at / step) * step;
  const intervals = Math.max(1, Math.floor(windowSeconds / step));
  const start = end - intervals * step;
  const t = new Array<number>(intervals + 1);
  for (let i = 0; i <= intervals; i++) t[i] = start + i * step;
  return { start, end, step, t };
}

/** Prometheus sample values are strings: "1.5", "NaN", "+Inf", "-Inf". */
export function parseSampleValue(s: unknown): number {
  if (typeof s === 'number') return s;
  if (typeof s !== 'string') return NaN;
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

export interface LabeledSeries {
  labels: Record<string, string>;
  series: Series;
}

export interface LabeledValue {
  labels: Record<string, string>;
  value: number;
  time: number;
}

/** Decode a matrix answer onto the grid (missing points are NaN). */
export function decodeMatrix(raw: RawResult, grid: Grid): LabeledSeries[] {
  if (raw.resultType !== 'matrix' || !Array.isArray(raw.result)) return [];
  if (isCompact(raw)) {
    if (raw.compact.start !== grid.start || raw.compact.step !== grid.step || raw.compact.n !== grid.t.length) return [];
    return raw.result.map((r) => ({
      labels: r.metric,
      // recordings carry NaN and ±Inf as strings (JSON has no such numbers)
      series: { t: grid.t, v: r.v.every((x) => typeof x === 'number') ? (r.v as number[]) : r.v.map(parseSampleValue) },
    }));
  }
  const n = grid.t.length;
  const out: LabeledSeries[] = [];
  for (const item of raw.result as Array<{ metric?: Record<string, string>; values?: Array<[number, string]> }>) {
    const v = new Array<number>(n).fill(NaN);
    for (const pair of item.values ?? []) {
      const i = Math.round((pair[0] - grid.start) / grid.step);
      if (i >= 0 && i < n) v[i] = parseSampleValue(pair[1]);
    }
    out.push({ labels: item.metric ?? {}, series: { t: grid.t, v } });
  }
  return out;
}

/** Decode an instant-vector answer (a scalar answer becomes one unlabelled value). */
export function decodeVector(raw: RawResult): LabeledValue[] {
  if (raw.resultType === 'scalar' && Array.isArray(raw.result)) {
    const [time, value] = raw.result as [number, string];
    return [{ labels: {}, value: parseSampleValue(value), time }];
  }
  if (raw.resultType !== 'vector' || !Array.isArray(raw.result)) return [];
  return (raw.result as Array<{ metric?: Record<string, string>; value?: [number, string] }>).map((item) => ({
    labels: item.metric ?? {},
    value: parseSampleValue(item.value?.[1]),
    time: item.value?.[0] ?? NaN,
  }));
}

export function isCompact(raw: RawResult): raw is CompactMatrix {
  return (raw as CompactMatrix).compact !== undefined;
}

/** A compact matrix as plain JSON: NaN and ±Inf become the strings Prometheus uses. */
export function compactToJson(raw: CompactMatrix): CompactMatrix {
  return {
    ...raw,
    result: raw.result.map((r) => ({ metric: r.metric, v: r.v.map((x) => (typeof x === 'number' && !Number.isFinite(x) ? (Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf') : x)) })),
  };
}

// ---------------------------------------------------------------------------------------------
// Fast decoding of range-query bodies.
//
// A range answer for thousands of series is tens of MB of JSON. JSON.parse turns every sample
// into a two-element array, a number and a string (~100 bytes each): 2,000 workloads × 24 h
// cost gigabytes. This reader walks the bytes once and writes each sample straight into its
// series' slot on the grid; only the small `metric` objects go through JSON.parse. Anything it
// does not expect makes it give up (undefined), and the caller falls back to JSON.parse.

const Q = 0x22; // "
const BS = 0x5c; // \
const enc = new TextEncoder();
const RESULT_KEY = enc.encode('"result":');

/** Decode a Prometheus `query_range` response body onto the grid of its own request. */
export function parseMatrixBody(buf: Uint8Array, grid: { start: number; step: number; n: number }): CompactMatrix | undefined {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const at = b.indexOf(RESULT_KEY);
  if (at < 0) return undefined;
  const head = b.toString('latin1', 0, at);
  if (!/"status"\s*:\s*"success"/.test(head) || !/"resultType"\s*:\s*"matrix"/.test(head)) return undefined;
  let i = skipWs(b, at + RESULT_KEY.length);
  if (b[i] !== 0x5b) return undefined; // [
  i = skipWs(b, i + 1);
  const result: CompactMatrix['result'] = [];
  if (b[i] === 0x5d) return { resultType: 'matrix', compact: { start: grid.start, step: grid.step, n: grid.n }, result };
  for (;;) {
    if (b[i] !== 0x7b) return undefined; // {
    i = skipWs(b, i + 1);
    let metric: Record<string, string> | undefined;
    let v: number[] | undefined;
    for (;;) {
      const key = readKey(b, i);
      if (!key) return undefined;
      i = skipWs(b, key.end);
      if (key.name === 'metric') {
        const end = skipValue(b, i);
        if (end < 0) return undefined;
        metric = JSON.parse(b.toString('utf8', i, end));
        i = end;
      } else if (key.name === 'values') {
        v = new Array<number>(grid.n).fill(NaN);
        i = readValues(b, i, v, grid);
        if (i < 0) return undefined;
      } else {
        // e.g. native histograms: not read
        const end = skipValue(b, i);
        if (end < 0) return undefined;
        i = end;
      }
      i = skipWs(b, i);
      if (b[i] === 0x2c) {
        i = skipWs(b, i + 1);
        continue;
      }
      if (b[i] === 0x7d) break; // }
      return undefined;
    }
    result.push({ metric: metric ?? {}, v: v ?? new Array<number>(grid.n).fill(NaN) });
    i = skipWs(b, i + 1);
    if (b[i] === 0x2c) {
      i = skipWs(b, i + 1);
      continue;
    }
    if (b[i] === 0x5d) break; // ]
    return undefined;
  }
  return { resultType: 'matrix', compact: { start: grid.start, step: grid.step, n: grid.n }, result };
}

function skipWs(b: Buffer, i: number): number {
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  return i;
}

/** `"name":` → the name and the index after the colon. */
function readKey(b: Buffer, i: number): { name: string; end: number } | undefined {
  if (b[i] !== Q) return undefined;
  const close = b.indexOf(Q, i + 1);
  if (close < 0) return undefined;
  const name = b.toString('latin1', i + 1, close);
  const colon = skipWs(b, close + 1);
  if (b[colon] !== 0x3a) return undefined;
  return { name, end: colon + 1 };
}

/** The end of the JSON value starting at i (strings and nesting aware), or -1. */
function skipValue(b: Buffer, i: number): number {
  let depth = 0;
  for (; i < b.length; i++) {
    const c = b[i];
    if (c === Q) {
      for (i++; i < b.length && b[i] !== Q; i++) if (b[i] === BS) i++;
      if (depth === 0) return i + 1;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
      if (depth < 0) return -1;
    } else if (depth === 0 && (c === 0x2c || c === 0x20)) return i;
  }
  return depth === 0 ? i : -1;
}

/** `[[ts,"v"],…]` into v at the grid slots; returns the index after `]`, or -1. */
function readValues(b: Buffer, i: number, v: number[], grid: { start: number; step: number; n: number }): number {
  if (b[i] !== 0x5b) return -1;
  i = skipWs(b, i + 1);
  if (b[i] === 0x5d) return i + 1;
  for (;;) {
    if (b[i] !== 0x5b) return -1;
    i = skipWs(b, i + 1);
    // timestamp: seconds, maybe with a fraction
    const tsStart = i;
    while (i < b.length && b[i] !== 0x2c && b[i] !== 0x20) i++;
    const ts = parseDecimal(b, tsStart, i);
    i = skipWs(b, i);
    if (b[i] !== 0x2c || !Number.isFinite(ts)) return -1;
    i = skipWs(b, i + 1);
    if (b[i] !== Q) return -1;
    let close = i + 1;
    while (close < b.length && b[close] !== Q) close++;
    if (close >= b.length) return -1;
    const first = b[i + 1];
    const value =
      first === 0x4e // N
        ? NaN
        : first === 0x2b // +
          ? b[i + 2] === 0x49 ? Infinity : parseDecimal(b, i + 2, close)
          : first === 0x2d && b[i + 2] === 0x49 // -I
            ? -Infinity
            : first === 0x49 // Inf
              ? Infinity
              : parseDecimal(b, i + 1, close);
    const slot = Math.round((ts - grid.start) / grid.step);
    if (slot >= 0 && slot < grid.n) v[slot] = value;
    i = skipWs(b, close + 1);
    if (b[i] !== 0x5d) return -1;
    i = skipWs(b, i + 1);
    if (b[i] === 0x2c) {
      i = skipWs(b, i + 1);
      continue;
    }
    if (b[i] === 0x5d) return i + 1;
    return -1;
  }
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * A decimal number from bytes without making a string: [-]digits[.digits]. With at most 15
 * significant digits, mantissa ÷ 10^k is one IEEE division of two exact doubles, so the result
 * is the correctly rounded value, the same as Number() gives. Anything else (exponents, longer
 * numbers) goes through Number().
 */
function parseDecimal(b: Buffer, start: number, end: number): number {
  let i = start;
  let neg = false;
  if (b[i] === 0x2d) {
    neg = true;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let seenDot = false;
  for (; i < end; i++) {
    const c = b[i];
    if (c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      if (mantissa !== 0 || seenDot) digits++;
      if (seenDot) scale++;
    } else if (c === 0x2e && !seenDot) seenDot = true;
    else return Number(b.toString('latin1', start, end));
  }
  if (digits > 15 || scale > 22 || i === start || (neg && i === start + 1)) return Number(b.toString('latin1', start, end));
  const v = scale === 0 ? mantissa : mantissa / POW10[scale];
  return neg ? -v : v;
}
