// What the scan views (text, Markdown, HTML) say the same way: numbers, waits, the backtest's
// before/after, which findings belong to which workload, and a recommendation's YAML with its
// derivations keyed to the fields. Pure; no escaping here (each view escapes for its medium).
import YAML from 'yaml';
import type { Finding, Severity } from '../inventory/model.js';
import type { Recommendation, Derivation } from '../recommend/model.js';
import type { Report, ScanSection, ScanWorkloadView, WorkloadStatus } from './report-model.js';
import { formatDuration } from '../units/duration.js';

/** A queue length or count in at most 5 characters: 129, 24.6k, 1.2M. */
export function fmtCount(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n * 10) / 10).replace(/\.0$/, '');
  if (a < 1e5) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  if (a < 1e6) return `${Math.round(n / 1000)}k`;
  return `${(n / 1e6).toFixed(1).replace(/\.0$/, '')}M`;
}

/** A signed rate with up to 3 significant digits: +0.42, −17.2, 0. */
export function fmtTrend(perMinute: number | undefined): string {
  if (perMinute === undefined || !Number.isFinite(perMinute)) return '—';
  if (Math.abs(perMinute) < 0.005) return '0';
  const abs = Math.abs(perMinute);
  const s = abs >= 100 ? String(Math.round(abs)) : abs >= 1 ? String(Number(abs.toPrecision(3))) : abs.toFixed(2);
  return `${perMinute > 0 ? '+' : '-'}${s}`;
}

/** A wait: 50s, 9m17s, 4h26m, ∞; the unicode-free form uses "inf". */
export function fmtWait(seconds: number | undefined, unicode = true): string {
  if (seconds === undefined || Number.isNaN(seconds)) return '—';
  if (!Number.isFinite(seconds)) return unicode ? '∞' : 'inf';
  if (seconds > 0 && seconds < 1) return '<1s';
  return formatDuration(seconds < 10 ? Math.round(seconds) : seconds);
}

export function fmtPercent(p: number | undefined): string {
  return p === undefined || !Number.isFinite(p) ? '—' : `${Math.round(p)}`;
}

export function fmtHours(h: number): string {
  return h >= 100 ? String(Math.round(h)) : String(Number(h.toFixed(1)));
}

/** "rag/rag-worker", or "ctx/rag/rag-worker" when the scan covered several contexts. */
export function workloadLabel(w: Pick<ScanWorkloadView, 'context' | 'namespace' | 'name'>, withContext: boolean): string {
  return [withContext ? w.context : '', w.namespace, w.name].filter(Boolean).join('/');
}

export function multiContext(scan: ScanSection): boolean {
  return new Set(scan.workloads.map((w) => w.context)).size > 1;
}

export function queueLabel(w: ScanWorkloadView): string {
  if (!w.queue) return w.isQueueWorker ? '?' : '—';
  return w.queue.name ?? w.queue.system;
}

export const STATUS_TITLE: Record<WorkloadStatus, string> = { error: 'error', warning: 'warning', info: 'info', ok: 'ok', unknown: 'no data' };

/** The findings about each workload (its own and its autoscalers'), and those about nothing in the table. */
export function findingsByWorkload(report: Report): { byWorkload: Map<string, Finding[]>; other: Finding[] } {
  const byWorkload = new Map<string, Finding[]>();
  const owner = new Map<string, string>();
  for (const w of report.scan?.workloads ?? []) {
    for (const id of w.objects ?? [w.id]) if (!owner.has(id)) owner.set(id, w.id);
  }
  const other: Finding[] = [];
  for (const f of report.findings) {
    const w = owner.get(f.object.id);
    if (!w) {
      other.push(f);
      continue;
    }
    let list = byWorkload.get(w);
    if (!list) byWorkload.set(w, (list = []));
    list.push(f);
  }
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  for (const list of byWorkload.values()) list.sort((a, b) => rank[a.severity] - rank[b.severity] || a.ruleId.localeCompare(b.ruleId));
  return { byWorkload, other };
}

/** Evidence values as short text: numbers rounded to what a reader compares, nulls left out. */
export function evidenceEntries(f: Finding): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(f.evidence ?? {})) {
    if (v === null || v === undefined || v === '') continue;
    out.push([k, typeof v === 'number' ? String(Number.isInteger(v) ? v : Number(v.toPrecision(4))) : String(v)]);
  }
  return out;
}

export interface BacktestSummary {
  jobs?: number;
  hours: number;
  waitBefore?: number;
  waitAfter: number;
  podHoursBefore?: number;
  podHoursAfter: number;
  targetSeconds: number;
  targetMet: boolean;
  beforePolicy?: string;
  afterPolicy: string;
}

export function backtestSummary(r: Recommendation): BacktestSummary | undefined {
  const b = r.backtest;
  if (!b) return undefined;
  return {
    jobs: b.window.jobs,
    hours: Math.max(0, b.window.end - b.window.start) / 3600,
    waitBefore: b.before?.waitP95,
    waitAfter: b.after.waitP95,
    podHoursBefore: b.before ? b.before.podSeconds / 3600 : undefined,
    podHoursAfter: b.after.podSeconds / 3600,
    targetSeconds: r.targetWaitSeconds,
    targetMet: b.after.targetMet,
    beforePolicy: b.before?.policy,
    afterPolicy: b.after.policy,
  };
}

/** "p95 wait 11m39s → 50s, pod-hours 6 → 7.3" (the before side only when the status quo was simulated). */
export function backtestLine(s: BacktestSummary, unicode = true): string {
  const arrow = unicode ? '→' : '->';
  const wait = s.waitBefore !== undefined ? `p95 wait ${fmtWait(s.waitBefore, unicode)} ${arrow} ${fmtWait(s.waitAfter, unicode)}` : `p95 wait ${fmtWait(s.waitAfter, unicode)}`;
  const pods = s.podHoursBefore !== undefined ? `pod-hours ${fmtHours(s.podHoursBefore)} ${arrow} ${fmtHours(s.podHoursAfter)}` : `pod-hours ${fmtHours(s.podHoursAfter)}`;
  return `${wait}, ${pods}`;
}

/** One line about what the recommended ScaledObject scales on. */
export function recommendationHeadline(r: Recommendation): string {
  const so = r.scaledObject;
  const t = r.trigger;
  return `ScaledObject ${so?.metadata?.name ?? '?'}: ${t.type}${t.native ? ' scaler' : ' trigger'} on ${t.measures}`;
}

/** What the recommendation replaces or takes over, in one line (or ''). */
export function migrationLine(r: Recommendation): string {
  const m = r.migration;
  const parts = [m.transferHpa ? `takes over HPA ${m.transferHpa}` : '', m.replacesScaledObject ? `replaces ScaledObject ${m.replacesScaledObject}` : ''].filter(Boolean);
  return parts.join(', ');
}

export interface MarkedYaml {
  /** The YAML, with `# [n]` after each number that has a derivation. */
  yaml: string;
  /** Numbered derivations, in marker order; then those not tied to a field of this object. */
  notes: Array<{ marker?: number; field: string; value: string | number; derivation: string }>;
}

/**
 * The ScaledObject as YAML (the `yaml` package, block style) with a `# [n]` marker on every
 * field that has a derivation, and the derivations listed by marker.
 */
export function markedYaml(object: Record<string, unknown>, derivations: Derivation[], opts: { lineWidth?: number; markers?: boolean } = {}): MarkedYaml {
  const doc = new YAML.Document(object);
  const notes: MarkedYaml['notes'] = [];
  let n = 0;
  for (const d of derivations) {
    const path = parseFieldPath(d.field);
    const node = path && opts.markers !== false ? doc.getIn(path, true) : undefined;
    if (node && YAML.isScalar(node)) {
      n++;
      node.comment = ` [${n}]`;
      notes.push({ marker: n, ...d });
    } else notes.push({ ...d });
  }
  const yaml = doc.toString({ lineWidth: opts.lineWidth ?? 0, minContentWidth: 24 });
  return { yaml, notes: [...notes.filter((x) => x.marker !== undefined), ...notes.filter((x) => x.marker === undefined)] };
}

/** `spec.triggers[0].metadata.threshold` → ['spec','triggers',0,'metadata','threshold']; undefined for other shapes. */
export function parseFieldPath(field: string): Array<string | number> | undefined {
  if (!/^[\w./[\]-]+$/.test(field)) return undefined;
  const out: Array<string | number> = [];
  for (const part of field.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** Wrap `text` to `width` columns; continuation lines get `indent`. Words longer than a line are cut. */
export function wrap(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  const max = Math.max(10, width);
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const prefix = lines.length === 0 ? '' : indent;
    const candidate = line === '' ? prefix + word : `${line} ${word}`;
    if (candidate.length <= max || line === '') {
      line = candidate;
      while (line.length > max) {
        lines.push(line.slice(0, max));
        line = indent + line.slice(max);
      }
    } else {
      lines.push(line);
      line = indent + word;
    }
  }
  if (line.trim() !== '') lines.push(line);
  return lines;
}

/** Window as "2026-03-10 09:00 → 15:00 UTC (6h)". */
export function windowText(w: ScanSection['window'], unicode = true): string {
  if (!w) return '';
  const d = (t: number) => new Date(t * 1000).toISOString();
  const start = d(w.start);
  const end = d(w.end);
  const sameDay = start.slice(0, 10) === end.slice(0, 10);
  const arrow = unicode ? '→' : '->';
  return `${start.slice(0, 10)} ${start.slice(11, 16)} ${arrow} ${sameDay ? '' : end.slice(0, 10) + ' '}${end.slice(11, 16)} UTC (${formatDuration(w.end - w.start)}${w.step ? `, ${formatDuration(w.step)} steps` : ''})`;
}

export function sourceText(scan: ScanSection): string {
  return scan.source.detail;
}

/** Recommendations in table order (worst workload first). */
export function orderedRecommendations(scan: ScanSection): Array<{ view: ScanWorkloadView; rec: Recommendation }> {
  const out: Array<{ view: ScanWorkloadView; rec: Recommendation }> = [];
  for (const view of scan.workloads) {
    if (view.recommendation === undefined) continue;
    const rec = scan.recommendations[view.recommendation];
    if (rec) out.push({ view, rec });
  }
  return out;
}

/** Findings counted by severity. */
export function severityTotals(findings: Finding[]): Record<Severity, number> {
  const out: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) out[f.severity]++;
  return out;
}
