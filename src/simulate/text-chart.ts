// Terminal charts of a simulation timeline: column charts drawn with eighth-block characters
// (▁▂▃▄▅▆▇█), or with '#', ':' and '.' where the terminal cannot show unicode.
import { formatDuration } from '../units/duration.js';

const BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

export interface ChartSeries {
  label: string;
  values: number[];
  /** Rows of the chart (default 5). */
  height?: number;
}

export interface ChartOptions {
  /** Columns of plot area (default 72). */
  width?: number;
  unicode: boolean;
  /** x values (seconds) aligned with the series, for the time axis. */
  t: number[];
}

/**
 * Resample to `width` columns taking the maximum in each column (peaks are what matter for a
 * backlog), and draw each series as a column chart over a shared time axis.
 */
export function renderTimelineChart(series: ChartSeries[], opts: ChartOptions): string[] {
  const width = Math.max(10, opts.width ?? 72);
  const n = opts.t.length;
  if (n === 0) return [];
  const labelWidth = Math.max(...series.map((s) => s.label.length), 8);
  const out: string[] = [];
  const cols = Math.min(width, n);
  const prepared = series.map((s) => {
    const col = resampleMax(s.values, cols);
    let max = 0;
    for (const v of col) if (v > max) max = v;
    return { s, col, top: niceCeil(max), h: Math.max(1, s.height ?? 5) };
  });
  const yw = Math.max(1, ...prepared.map((p) => String(p.top).length));
  for (const { s, col, top, h } of prepared) {
    for (let r = h - 1; r >= 0; r--) {
      let line = '';
      for (const v of col) {
        const eighths = top > 0 ? Math.round((Math.max(0, v) / top) * h * 8) : 0;
        const fill = Math.max(0, Math.min(8, eighths - r * 8));
        // a non-zero value always shows at least a sliver in the bottom row
        const f = r === 0 && fill === 0 && v > 0 ? 1 : fill;
        line += opts.unicode ? BLOCKS[f] : f >= 8 ? '#' : f >= 4 ? ':' : f > 0 ? '.' : ' ';
      }
      const name = r === h - 1 ? s.label : '';
      const y = r === h - 1 ? String(top) : r === 0 ? '0' : '';
      out.push(`${name.padEnd(labelWidth)} ${y.padStart(yw)} ${opts.unicode ? '┤' : '|'}${line.replace(/\s+$/, '')}`);
    }
  }
  // time axis: start, middle, end (relative to the first point)
  const pad = ' '.repeat(labelWidth + 1 + yw + 1);
  out.push(pad + (opts.unicode ? '└' + '─'.repeat(cols) : '+' + '-'.repeat(cols)));
  const t0 = opts.t[0];
  const span = opts.t[n - 1] - t0;
  const l = formatDuration(0);
  const m = formatDuration(Math.round(span / 2));
  const e = formatDuration(Math.round(span));
  const axis = [...' '.repeat(cols + 1)];
  const put = (at: number, text: string) => {
    const s = Math.max(0, Math.min(cols + 1 - text.length, at));
    for (let i = 0; i < text.length; i++) axis[s + i] = text[i];
  };
  put(0, l);
  put(Math.round(cols / 2) - Math.floor(m.length / 2), m);
  put(cols + 1 - e.length, e);
  out.push(pad + axis.join('').replace(/\s+$/, ''));
  return out;
}

function resampleMax(values: number[], cols: number): number[] {
  const n = values.length;
  if (n <= cols) return values.map((v) => (Number.isFinite(v) ? v : 0));
  const out: number[] = [];
  for (let c = 0; c < cols; c++) {
    const a = Math.floor((c * n) / cols);
    const b = Math.max(a + 1, Math.floor(((c + 1) * n) / cols));
    let m = 0;
    for (let i = a; i < b; i++) if (values[i] > m) m = values[i];
    out.push(m);
  }
  return out;
}

/** 1, 2, 5 × 10^k at or above x (so the axis reads well). */
function niceCeil(x: number): number {
  if (!(x > 0)) return 0;
  if (x <= 10) return Math.ceil(x);
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= x) return Math.round(m * p);
  return Math.ceil(x);
}
