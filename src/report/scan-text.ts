// The terminal view of `scan` (-o text): one row per workload (status, workload, queue, backlog
// with a sparkline, trend, CPU vs target with a sparkline, replicas, estimated p95 wait vs
// target, and the verdict under it), then the findings about each workload with their
// evidence, then the recommendations: the ScaledObject as YAML with a derivation for each
// number, and the backtest's before/after. Fits 100 columns; ASCII only where unicode is
// unsafe; every string that came from the cluster goes through clean(, unicode).
import type { ChalkInstance } from 'chalk';
import type { Finding, Severity } from '../inventory/model.js';
import type { Report, ScanWorkloadView, WorkloadStatus } from './report-model.js';
import type { Recommendation } from '../recommend/model.js';
import { sanitize } from './terminal.js';
import { asciiFold } from './ascii-fold.js';
import { sparkline } from './sparkline.js';
import {
  backtestLine,
  backtestSummary,
  evidenceEntries,
  findingsByWorkload,
  fmtCount,
  fmtHours,
  fmtPercent,
  fmtTrend,
  fmtWait,
  markedYaml,
  migrationLine,
  multiContext,
  orderedRecommendations,
  queueLabel,
  recommendationHeadline,
  windowText,
  workloadLabel,
  wrap,
} from './scan-format.js';

/** The widest line the scan view prints. */
export const TEXT_WIDTH = 100;

const COLS = { name: 26, queue: 10, backlogNum: 5, spark: 8, trend: 7, cpuNum: 6, cpuSpark: 6, replicas: 8, wait: 12 };

const MARKS: Record<WorkloadStatus, [string, string]> = {
  error: ['✖', 'X'],
  warning: ['⚠', '!'],
  info: ['ℹ', 'i'],
  ok: ['✔', '+'],
  unknown: ['?', '?'],
};

export function formatScanText(report: Report, c: ChalkInstance, unicode: boolean): string {
  const scan = report.scan;
  if (!scan) return '';
  const out: string[] = [];
  const withContext = multiContext(scan);
  const { byWorkload } = findingsByWorkload(report);

  out.push(c.bold(`queue-doctor scan: ${clean(scan.source.detail, unicode)}`));
  const facts = [
    scan.window ? `window ${windowText(scan.window, unicode)}` : '',
    scan.prometheus ? `Prometheus ${clean(scan.prometheus.url, unicode)}${scan.prometheus.discoveredFrom === 'snapshot' ? ' (recorded)' : ''}` : 'no Prometheus',
    typeof report.metadata.queryCount === 'number' ? `${report.metadata.queryCount} queries` : '',
  ].filter(Boolean);
  for (const line of wrap(facts.join(unicode ? ' · ' : ' - '), TEXT_WIDTH, '  ')) out.push(c.dim(line));
  out.push('');

  if (scan.workloads.length === 0) {
    out.push('No workloads to show.', '');
  } else {
    out.push(...table(scan.workloads, c, unicode, withContext));
    for (const l of wrap(legend(unicode), TEXT_WIDTH, '  ')) out.push(c.dim(l));
    out.push('');
  }

  const findingBlocks = scan.workloads.filter((w) => byWorkload.has(w.id));
  if (findingBlocks.length > 0) {
    out.push(c.bold('Findings'));
    for (const w of findingBlocks) out.push(...findingsOf(w, byWorkload.get(w.id)!, c, unicode, withContext));
  }

  const recs = orderedRecommendations(scan);
  if (recs.length > 0) {
    out.push(c.bold('Recommendations'));
    if (scan.totals) out.push(...totalsLines(scan.totals, unicode).map((l) => c.dim(l)));
    out.push('');
    for (const { view, rec } of recs) out.push(...recommendationBlock(view, rec, c, unicode, withContext), '');
  }
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

// ---------------------------------------------------------------------------------------------
// The table

function table(rows: ScanWorkloadView[], c: ChalkInstance, unicode: boolean, withContext: boolean): string[] {
  const head = [
    ' ',
    pad('WORKLOAD', COLS.name),
    pad('QUEUE', COLS.queue),
    pad('BACKLOG', COLS.backlogNum + 1 + COLS.spark),
    padLeft('TREND/m', COLS.trend),
    pad('CPU/TARGET %', COLS.cpuNum + 1 + COLS.cpuSpark),
    padLeft('REPLICAS', COLS.replicas),
    padLeft('P95 WAIT', COLS.wait),
  ].join(' ');
  const out = [c.dim(head)];
  for (const w of rows) {
    const [uni, ascii] = MARKS[w.status];
    const mark = statusColor(w.status, c)(unicode ? uni : ascii);
    const name = pad(truncate(clean(workloadLabel(w, withContext), unicode), COLS.name, unicode), COLS.name);
    const queue = pad(truncate(clean(queueLabel(w), unicode), COLS.queue, unicode), COLS.queue);
    const backlogNum = padLeft(w.backlog ? fmtCount(w.backlog.now) : '—', COLS.backlogNum);
    const spark = pad(w.backlog ? sparkline(w.backlog.series, COLS.spark, { unicode }) : '', COLS.spark);
    const trendText = padLeft(w.backlog ? fmtTrend(w.backlog.trendPerMinute) : '', COLS.trend);
    const trend = w.backlog?.rising ? c.yellow(trendText) : trendText;
    const cpuNum = padLeft(w.cpu ? `${fmtPercent(w.cpu.nowPercent)}/${w.cpu.targetPercent !== undefined ? fmtPercent(w.cpu.targetPercent) : '—'}` : '—', COLS.cpuNum);
    const cpuSpark = pad(w.cpu?.series ? sparkline(w.cpu.series, COLS.cpuSpark, { unicode, merge: 'mean', min: 0, max: Math.max(100, w.cpu.targetPercent ?? 0) }) : '', COLS.cpuSpark);
    const r = w.replicas;
    const replicas = padLeft(r ? `${num(r.min)}/${num(r.now)}/${num(r.max)}` : '—', COLS.replicas);
    const waitText = w.wait ? `${fmtWait(w.wait.p95Seconds, unicode)}/${fmtWait(w.wait.targetSeconds, unicode)}` : '';
    const over = w.wait?.p95Seconds !== undefined && w.wait.p95Seconds > w.wait.targetSeconds;
    const wait = padLeft(waitText, COLS.wait);
    out.push([mark, name, queue, `${backlogNum} ${w.backlog?.rising ? c.yellow(spark) : spark}`, trend, `${cpuNum} ${cpuSpark}`, replicas, over ? c.red(wait) : w.wait?.p95Seconds !== undefined ? c.green(wait) : wait].join(' '));
    const verdict = clean(w.verdict, unicode) + (w.autoscaler ? ` (${clean(w.autoscaler, unicode)})` : '');
    out.push(c.dim(truncate(`  ${verdict}`, TEXT_WIDTH, unicode)));
  }
  return out;
}

function legend(unicode: boolean): string {
  const dot = unicode ? '·' : '-';
  return `  BACKLOG jobs waiting now, and over the window ${dot} TREND/m change in jobs per minute ${dot} CPU % of requests now / the autoscaler's target, and over the window ${dot} REPLICAS min/now/max ${dot} P95 WAIT estimated / target`;
}

function num(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '-' : String(Math.round(n));
}

// ---------------------------------------------------------------------------------------------
// Findings

function findingsOf(w: ScanWorkloadView, findings: Finding[], c: ChalkInstance, unicode: boolean, withContext: boolean): string[] {
  const [uni, ascii] = MARKS[w.status];
  const out = [`${statusColor(w.status, c)(unicode ? uni : ascii)} ${c.underline(clean(workloadLabel(w, withContext), unicode))}`];
  const indent = ' '.repeat(18);
  for (const f of findings) {
    const head = `  ${severityColor(f.severity, c)(f.severity.padEnd(7))}  ${f.ruleId.padEnd(5)}  `;
    const where = f.location.type === 'cluster' ? `${f.location.kind} ${f.location.name}${f.location.path ? ` ${f.location.path}` : ''}` : `${f.location.file}:${f.location.line}:${f.location.column}`;
    const body = wrap(`${clean(f.message, unicode)}${f.baselined ? ' (baseline)' : ''}`, TEXT_WIDTH - 18, '');
    out.push(head + body[0]);
    for (const l of body.slice(1)) out.push(indent + l);
    for (const l of wrap(`at ${clean(where, unicode)}`, TEXT_WIDTH - 18, '   ')) out.push(indent + c.dim(l));
    const ev = evidenceEntries(f).map(([k, v]) => `${k}=${/\s/.test(v) ? JSON.stringify(clean(v, unicode)) : clean(v, unicode)}`);
    if (ev.length > 0) for (const l of wrap(`evidence: ${ev.join(', ')}`, TEXT_WIDTH - 18, '   ')) out.push(indent + c.dim(l));
    if (f.fix) for (const l of wrap(`fix: ${clean(f.fix, unicode)}`, TEXT_WIDTH - 18, '   ')) out.push(indent + c.dim(l));
  }
  out.push('');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Recommendations

function totalsLines(t: NonNullable<NonNullable<Report['scan']>['totals']>, unicode: boolean): string[] {
  const arrow = unicode ? '→' : '->';
  const wait = t.before.p95WaitMax !== undefined && t.after.p95WaitMax !== undefined ? `worst p95 wait ${fmtWait(t.before.p95WaitMax, unicode)} ${arrow} ${fmtWait(t.after.p95WaitMax, unicode)}, ` : '';
  return wrap(`Backtested on ${t.workloads} workload${t.workloads === 1 ? '' : 's'}' own history: ${wait}pod-hours ${fmtHours(t.before.podHours)} ${arrow} ${fmtHours(t.after.podHours)} in total.`, TEXT_WIDTH, '  ');
}

function recommendationBlock(view: ScanWorkloadView, rec: Recommendation, c: ChalkInstance, unicode: boolean, withContext: boolean): string[] {
  const out: string[] = [];
  const rule = unicode ? '━━' : '==';
  for (const l of wrap(`${rule} ${clean(workloadLabel(view, withContext), unicode)}: ${clean(recommendationHeadline(rec), unicode)}`, TEXT_WIDTH, '   ')) out.push(c.bold(l));
  const facts = [
    `confidence ${rec.confidence.level}`,
    rec.addresses.length ? `addresses ${rec.addresses.join(', ')}` : '',
    migrationLine(rec),
  ].filter(Boolean);
  for (const l of wrap(clean(facts.join(unicode ? ' · ' : ' - '), unicode), TEXT_WIDTH - 3, '   ')) out.push(`   ${l}`);
  const bt = backtestSummary(rec);
  if (bt) {
    const met = bt.targetMet ? (unicode ? '✔' : 'met') : unicode ? '✖' : 'missed';
    const line = `backtest on its own ${fmtWait(Math.floor(bt.hours * 60) * 60, unicode)}${bt.jobs !== undefined ? ` (${bt.jobs.toLocaleString('en-US')} jobs)` : ''}: ${backtestLine(bt, unicode)} (target ${fmtWait(bt.targetSeconds, unicode)} ${met})`;
    for (const l of wrap(line, TEXT_WIDTH - 3, '   ')) out.push(`   ${bt.targetMet ? c.green(l) : c.yellow(l)}`);
  } else {
    const why = rec.notes.find((n) => /^Not backtested/.test(n));
    if (why) for (const l of wrap(clean(why, unicode), TEXT_WIDTH - 3, '   ')) out.push(`   ${c.yellow(l)}`);
  }
  for (const p of rec.placeholders) for (const l of wrap(`EDIT BEFORE APPLYING ${clean(p.field, unicode)}: ${clean(p.message, unicode)}`, TEXT_WIDTH - 3, '   ')) out.push(`   ${c.red(l)}`);
  out.push('');
  const { yaml, notes } = markedYaml(rec.scaledObject, rec.derivations, { lineWidth: TEXT_WIDTH - 20 });
  for (const l of clean(yaml, unicode).replace(/\n$/, '').split('\n')) out.push(`    ${l.replace(/( # \[\d+\])$/, c.dim('$1'))}`);
  out.push('');
  out.push(`   ${c.dim('why these numbers:')}`);
  for (const n of notes) {
    const label = n.marker !== undefined ? `[${n.marker}] ${leafOf(n.field)}` : `${unicode ? '•' : '*'} ${n.field}`;
    const text = `${label}: ${n.derivation}`;
    for (const l of wrap(clean(text, unicode), TEXT_WIDTH - 4, '      ')) out.push(`    ${c.dim(l)}`);
  }
  const notesToShow = rec.notes.filter((n) => !/^Not backtested/.test(n));
  if (notesToShow.length > 0) {
    out.push(`   ${c.dim('notes:')}`);
    for (const n of notesToShow) for (const l of wrap(`${unicode ? '•' : '*'} ${clean(n, unicode)}`, TEXT_WIDTH - 4, '  ')) out.push(`    ${c.dim(l)}`);
  }
  if (rec.grace?.patch) {
    out.push(`   ${c.dim('grace period:')}`);
    for (const l of wrap(clean(rec.grace.patch.kubectl, unicode), TEXT_WIDTH - 4, '  ')) out.push(`    ${l}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** `spec.triggers[0].metadata.threshold` → `threshold`; `…policies[1].value` → `policies[1].value`. */
function leafOf(field: string): string {
  const parts = field.split('.');
  const last = parts[parts.length - 1];
  return /^(value|type|periodSeconds)$/.test(last) && parts.length > 1 ? `${parts[parts.length - 2]}.${last}` : last;
}

/** Cluster text made safe for the terminal, and plain ASCII where unicode is unsafe (before wrapping, so widths hold). */
function clean(s: string, unicode: boolean): string {
  return unicode ? sanitize(s) : asciiFold(sanitize(s));
}

function statusColor(s: WorkloadStatus, c: ChalkInstance): (t: string) => string {
  return s === 'error' ? c.red : s === 'warning' ? c.yellow : s === 'info' ? c.blue : s === 'ok' ? c.green : c.dim;
}

function severityColor(s: Severity, c: ChalkInstance): (t: string) => string {
  return s === 'error' ? c.red : s === 'warning' ? c.yellow : c.blue;
}

function pad(s: string, width: number): string {
  const len = [...s].length;
  return len >= width ? s : s + ' '.repeat(width - len);
}

function padLeft(s: string, width: number): string {
  const len = [...s].length;
  return len >= width ? s : ' '.repeat(width - len) + s;
}

function truncate(s: string, width: number, unicode: boolean): string {
  const chars = [...s];
  if (chars.length <= width) return s;
  return chars.slice(0, width - 1).join('') + (unicode ? '…' : '~');
}
