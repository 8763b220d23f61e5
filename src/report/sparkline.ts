// Sparklines for the scan table: a series squeezed into a few characters, with the eighth-block
// characters (▁▂▃▄▅▆▇█) or, where the terminal cannot show unicode, an ASCII ramp. Pure.
import type { Series } from '../metrics/signals-model.js';

const BLOCKS = '▁▂▃▄▅▆▇█';
const ASCII = '_.-:=+*#';

export interface SparklineOptions {
  unicode: boolean;
  /** How points are merged into a column: the peak (backlogs) or the mean (utilisation). Default max. */
  merge?: 'max' | 'mean';
  /** Fixed scale (e.g. 0–100 for percentages); default: 0 to the series' maximum. */
  min?: number;
  max?: number;
}

/**
 * `width` characters for the finite values of `series`, oldest left. A column without data is a
 * space; an all-zero series is a flat baseline. Returns '' for an empty series.
 */
export function sparkline(series: Series | number[] | undefined, width: number, opts: SparklineOptions): string {
  const values = Array.isArray(series) ? series : series?.v ?? [];
  const cols = columns(values, Math.max(1, Math.floor(width)), opts.merge ?? 'max');
  if (cols.every((c) => c === undefined)) return '';
  const finite = cols.filter((c): c is number => c !== undefined);
  const lo = opts.min ?? Math.min(0, ...finite);
  const hi = Math.max(opts.max ?? Math.max(...finite), lo);
  const ramp = opts.unicode ? BLOCKS : ASCII;
  return cols
    .map((c) => {
      if (c === undefined) return ' ';
      if (hi === lo) return ramp[0];
      const level = Math.round(((Math.min(hi, Math.max(lo, c)) - lo) / (hi - lo)) * (ramp.length - 1));
      return ramp[level];
    })
    .join('');
}

/** Split values into `width` equal runs and merge each; fewer values than columns keeps them as they are. */
export function columns(values: number[], width: number, merge: 'max' | 'mean'): Array<number | undefined> {
  const n = values.length;
  if (n === 0) return [];
  const cols = Math.min(width, n);
  const out: Array<number | undefined> = [];
  for (let c = 0; c < cols; c++) {
    const from = Math.floor((c * n) / cols);
    const to = Math.max(from + 1, Math.floor(((c + 1) * n) / cols));
    let acc: number | undefined;
    let count = 0;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      count++;
      acc = acc === undefined ? v : merge === 'max' ? Math.max(acc, v) : acc + v;
    }
    out.push(acc === undefined ? undefined : merge === 'mean' ? acc / count : acc);
  }
  return out;
}
