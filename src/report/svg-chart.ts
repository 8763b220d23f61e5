// Inline SVG charts for the HTML report: one chart per workload with three stacked panels on a
// shared time axis — backlog (area), CPU % with the autoscaler's target (dashed), and replicas
// (steps) with maxReplicas (dotted). Plain SVG with presentation attributes only (no style
// attributes, no scripts, no external references), so the report stays self-contained and a
// strict Content-Security-Policy holds. Every text is escaped by the caller's `escape`.
import type { Series } from '../metrics/signals-model.js';

export interface ChartPanel {
  /** Short label, e.g. "backlog (jobs)". */
  label: string;
  series?: Series;
  kind: 'area' | 'line' | 'step';
  /** CSS colour of the series. */
  color: string;
  /** A horizontal reference line (HPA target, maxReplicas). */
  reference?: { value: number; label: string; dash: 'dashed' | 'dotted' };
  /** Fixed y-range top (e.g. 100 for percent); default: the data's maximum. */
  yMax?: number;
  /** Formats y-axis values. */
  format?: (v: number) => string;
  /** Name put in data-series for tests and tooling. */
  key: string;
}

export interface ChartOptions {
  /** Window [start, end], unix seconds: the x axis. */
  start: number;
  end: number;
  width?: number;
  panelHeight?: number;
  /** Accessible title and description (already plain text; escaped here). */
  title: string;
  description: string;
  escape: (s: string) => string;
  /** Unique id prefix for aria references. */
  id: string;
}

const PAD = { left: 52, right: 104, top: 8, gap: 22, bottom: 22 };

/** Points kept per panel: enough for a chart, small enough for a report with many workloads. */
const MAX_POINTS = 360;

export function workloadChart(panels: ChartPanel[], o: ChartOptions): string {
  const width = o.width ?? 760;
  const ph = o.panelHeight ?? 84;
  const plotW = width - PAD.left - PAD.right;
  const height = PAD.top + panels.length * ph + (panels.length - 1) * PAD.gap + PAD.bottom;
  const span = Math.max(1, o.end - o.start);
  const x = (t: number) => PAD.left + ((t - o.start) / span) * plotW;
  const esc = o.escape;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${o.id}-t ${o.id}-d" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="11">`,
    `<title id="${o.id}-t">${esc(o.title)}</title>`,
    `<desc id="${o.id}-d">${esc(o.description)}</desc>`,
  );
  panels.forEach((p, i) => {
    const top = PAD.top + i * (ph + PAD.gap);
    const pts = points(p.series, o.start, o.end);
    const dataMax = pts.reduce((m, q) => Math.max(m, q.v), 0);
    const yMax = niceMax(Math.max(p.yMax ?? 0, dataMax, p.reference?.value ?? 0, p.kind === 'step' ? 1 : 0));
    const y = (v: number) => top + ph - (Math.max(0, Math.min(v, yMax)) / yMax) * ph;
    const fmt = p.format ?? ((v: number) => fmtAxis(v));
    parts.push(`<g class="panel" data-series="${esc(p.key)}" data-points="${pts.length}">`);
    parts.push(`<rect x="${PAD.left}" y="${top}" width="${plotW}" height="${ph}" fill="none" stroke="#d0d7de" stroke-width="1"/>`);
    parts.push(`<line x1="${PAD.left}" y1="${r(top + ph / 2)}" x2="${PAD.left + plotW}" y2="${r(top + ph / 2)}" stroke="#eaeef2" stroke-width="1"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${top + 9}" text-anchor="end" fill="#57606a">${esc(fmt(yMax))}</text>`);
    parts.push(`<text x="${PAD.left - 6}" y="${top + ph}" text-anchor="end" fill="#57606a">0</text>`);
    parts.push(`<text x="${PAD.left + plotW + 8}" y="${top + 12}" fill="${p.color}" font-weight="600">${esc(p.label)}</text>`);
    if (pts.length === 0) {
      parts.push(`<text x="${PAD.left + plotW / 2}" y="${top + ph / 2 + 4}" text-anchor="middle" fill="#8c959f">no data</text>`);
    } else {
      const segs = segments(pts);
      for (const seg of segs) {
        const line = path(seg, x, y, p.kind === 'step');
        if (p.kind === 'area') {
          const base = y(0);
          const area = `${line} L${r(x(seg[seg.length - 1].t))},${r(base)} L${r(x(seg[0].t))},${r(base)} Z`;
          parts.push(`<path d="${area}" fill="${p.color}" fill-opacity="0.18" stroke="none"/>`);
        }
        parts.push(`<path d="${line}" fill="none" stroke="${p.color}" stroke-width="1.6" stroke-linejoin="round"/>`);
      }
      const last = pts[pts.length - 1];
      parts.push(`<circle cx="${r(x(last.t))}" cy="${r(y(last.v))}" r="2.5" fill="${p.color}"/>`);
      parts.push(`<text x="${PAD.left + plotW + 8}" y="${top + 26}" fill="#24292f">now ${esc(fmt(last.v))}</text>`);
    }
    if (p.reference) {
      const ry = y(p.reference.value);
      parts.push(`<line x1="${PAD.left}" y1="${r(ry)}" x2="${PAD.left + plotW}" y2="${r(ry)}" stroke="#cf222e" stroke-width="1.2" stroke-dasharray="${p.reference.dash === 'dashed' ? '6 4' : '2 3'}"/>`);
      parts.push(`<text x="${PAD.left + plotW + 8}" y="${r(Math.min(top + ph, Math.max(top + 40, ry + 4)))}" fill="#cf222e">${esc(p.reference.label)}</text>`);
    }
    parts.push('</g>');
  });
  // time axis: start, middle, end (UTC)
  const axisY = height - 6;
  for (const [t, anchor] of [[o.start, 'start'], [o.start + span / 2, 'middle'], [o.end, 'end']] as const) {
    parts.push(`<text x="${r(x(t))}" y="${axisY}" text-anchor="${anchor}" fill="#57606a">${esc(clock(t))}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

interface Pt {
  t: number;
  v: number;
}

function points(s: Series | undefined, start: number, end: number): Pt[] {
  if (!s) return [];
  const out: Pt[] = [];
  const n = Math.min(s.t.length, s.v.length);
  for (let i = 0; i < n; i++) {
    const t = s.t[i];
    const v = s.v[i];
    if (!Number.isFinite(t) || t < start || t > end) continue;
    out.push({ t, v: Number.isFinite(v) ? v : NaN });
  }
  return thin(out, MAX_POINTS);
}

/** Keep at most `max` points: the largest value of each run, so peaks survive. */
function thin(pts: Pt[], max: number): Pt[] {
  if (pts.length <= max) return pts;
  const out: Pt[] = [];
  for (let c = 0; c < max; c++) {
    const from = Math.floor((c * pts.length) / max);
    const to = Math.floor(((c + 1) * pts.length) / max);
    let best: Pt | undefined;
    for (let i = from; i < to; i++) if (!best || (Number.isFinite(pts[i].v) && !(pts[i].v <= best.v))) best = pts[i];
    if (best) out.push({ t: pts[from].t, v: best.v });
  }
  return out;
}

/** Runs of finite values (a gap in the data is a gap in the line). */
function segments(pts: Pt[]): Pt[][] {
  const out: Pt[][] = [];
  let cur: Pt[] = [];
  for (const p of pts) {
    if (Number.isFinite(p.v)) cur.push(p);
    else if (cur.length) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

function path(seg: Pt[], x: (t: number) => number, y: (v: number) => number, step: boolean): string {
  let d = `M${r(x(seg[0].t))},${r(y(seg[0].v))}`;
  for (let i = 1; i < seg.length; i++) {
    if (step) d += ` H${r(x(seg[i].t))} V${r(y(seg[i].v))}`;
    else d += ` L${r(x(seg[i].t))},${r(y(seg[i].v))}`;
  }
  if (seg.length === 1) d += ` h1`;
  return d;
}

function r(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const exp = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (v <= m * exp) return m * exp;
  return 10 * exp;
}

function fmtAxis(v: number): string {
  if (!Number.isFinite(v)) return '';
  if (Math.abs(v) >= 1e6) return `${Number((v / 1e6).toFixed(1))}M`;
  if (Math.abs(v) >= 1e4) return `${Number((v / 1e3).toFixed(0))}k`;
  if (Math.abs(v) >= 1000) return `${Number((v / 1e3).toFixed(1))}k`;
  return String(Number(v.toFixed(v < 10 ? 1 : 0)));
}

function clock(t: number): string {
  return `${new Date(t * 1000).toISOString().slice(11, 16)} UTC`;
}
