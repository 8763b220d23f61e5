// The `scan` part of `-o markdown` (tickets, PR comments): a GitHub-flavoured table with one row
// per workload, then one section per recommendation with its backtest and the ScaledObject in a
// collapsible <details> block, each number keyed to its derivation. Everything from the cluster
// is escaped (inline/code from markdown.ts). The section stops adding recommendation bodies at a
// size budget so a comment stays under GitHub's 65,536-character limit.
import type { Report, ScanWorkloadView, WorkloadStatus } from './report-model.js';
import type { Recommendation } from '../recommend/model.js';
import { sparkline } from './sparkline.js';
import {
  backtestLine,
  backtestSummary,
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
} from './scan-format.js';
import { sanitize } from './terminal.js';

const STATUS: Record<WorkloadStatus, string> = { error: '🔴', warning: '🟡', info: '🔵', ok: '🟢', unknown: '⚪' };

/** Characters the section may take when the caller gives no budget. */
export const SCAN_MARKDOWN_BUDGET = 30_000;

export interface MarkdownEscapes {
  inline(s: string): string;
  code(s: string): string;
}

export function formatScanMarkdown(report: Report, esc: MarkdownEscapes, budget = SCAN_MARKDOWN_BUDGET): string {
  const scan = report.scan;
  if (!scan || !Array.isArray(scan.workloads) || scan.workloads.length === 0) return '';
  const withContext = multiContext(scan);
  const blocks: string[] = [];
  const where = [scan.source ? esc.inline(sanitize(scan.source.detail)) : '', scan.window ? esc.inline(windowText(scan.window)) : '', scan.prometheus ? `Prometheus ${esc.code(scan.prometheus.url)}` : 'no Prometheus'].filter(Boolean);
  blocks.push(`### Workloads\n\n${where.join(' · ')}`);
  blocks.push(workloadTable(scan.workloads, esc, withContext));

  const recs = orderedRecommendations(scan);
  if (recs.length > 0) {
    const lines = ['### Recommendations'];
    const t = scan.totals;
    if (t) {
      const wait = t.before.p95WaitMax !== undefined && t.after.p95WaitMax !== undefined ? `worst p95 wait **${fmtWait(t.before.p95WaitMax)} → ${fmtWait(t.after.p95WaitMax)}**, ` : '';
      lines.push('', `Backtested on ${t.workloads} workload${t.workloads === 1 ? '' : 's'}' own history: ${wait}pod-hours **${fmtHours(t.before.podHours)} → ${fmtHours(t.after.podHours)}** in total.`);
    }
    blocks.push(lines.join('\n'));
    // room for the table and headings first; recommendation bodies fill what is left, in table order
    let used = blocks.reduce((n, b) => n + b.length + 2, 0) + 400;
    const skipped: string[] = [];
    for (const { view, rec } of recs) {
      const body = recommendationSection(view, rec, esc, withContext);
      if (used + body.length > budget) {
        skipped.push(esc.code(workloadLabel(view, withContext)));
        continue;
      }
      used += body.length;
      blocks.push(body);
    }
    if (skipped.length > 0) blocks.push(`_Not shown here (comments have a size limit): ${skipped.join(', ')} — run \`queue-doctor scan -o yaml\` for every recommended object._`);
  }
  return blocks.join('\n\n');
}

function workloadTable(rows: ScanWorkloadView[], esc: MarkdownEscapes, withContext: boolean): string {
  const head = '| | workload | queue | backlog | trend/min | CPU % / target | replicas min/now/max | p95 wait / target | verdict |\n| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |';
  const body = rows.map((w) => {
    const backlog = w.backlog ? `${fmtCount(w.backlog.now)} ${sparkline(w.backlog.series, 10, { unicode: true })}` : '—';
    const cpu = w.cpu ? `${fmtPercent(w.cpu.nowPercent)} / ${w.cpu.targetPercent !== undefined ? fmtPercent(w.cpu.targetPercent) : '—'}` : '—';
    const r = w.replicas;
    const replicas = r ? [r.min, r.now, r.max].map((n) => (n === undefined ? '–' : String(Math.round(n)))).join(' / ') : '—';
    const over = w.wait?.p95Seconds !== undefined && w.wait.p95Seconds > w.wait.targetSeconds;
    const wait = w.wait ? `${over ? '**' : ''}${fmtWait(w.wait.p95Seconds)}${over ? '**' : ''} / ${fmtWait(w.wait.targetSeconds)}` : '';
    const verdict = esc.inline(w.verdict) + (w.findings.length ? ` (${w.findings.join(', ')})` : '');
    return `| ${STATUS[w.status]} | ${esc.code(workloadLabel(w, withContext))} | ${w.queue || w.isQueueWorker ? esc.code(queueLabel(w)) : '—'} | ${backlog} | ${w.backlog ? fmtTrend(w.backlog.trendPerMinute) : ''} | ${cpu} | ${replicas} | ${wait} | ${verdict} |`;
  });
  return [head, ...body].join('\n');
}

function recommendationSection(view: ScanWorkloadView, rec: Recommendation, esc: MarkdownEscapes, withContext: boolean): string {
  const lines = [`#### ${esc.code(workloadLabel(view, withContext))}: ${esc.inline(recommendationHeadline(rec))}`, ''];
  const facts = [`confidence **${rec.confidence.level}**`, rec.addresses.length ? `addresses ${rec.addresses.join(', ')}` : '', esc.inline(migrationLine(rec))].filter(Boolean);
  lines.push(facts.join(' · '));
  const bt = backtestSummary(rec);
  if (bt) {
    lines.push('', `**Backtest** over ${fmtWait(Math.floor(bt.hours * 60) * 60)} of its own history${bt.jobs !== undefined ? ` (${bt.jobs.toLocaleString('en-US')} jobs)` : ''}: ${backtestLine(bt)} (target ${fmtWait(bt.targetSeconds)} ${bt.targetMet ? '✅' : '❌'})`);
  } else {
    const why = rec.notes.find((n) => /^Not backtested/.test(n));
    if (why) lines.push('', `_${esc.inline(why)}_`);
  }
  for (const p of rec.placeholders) lines.push('', `⚠️ **Edit before applying** ${esc.code(p.field)}: ${esc.inline(p.message)}`);
  const { yaml, notes } = markedYaml(rec.scaledObject, rec.derivations);
  lines.push('', '<details>', `<summary>ScaledObject ${esc.inline(String(rec.scaledObject?.metadata?.name ?? ''))} (YAML, with the derivation of every number)</summary>`, '', fence(sanitize(yaml).replace(/\n$/, ''), 'yaml'), '');
  for (const n of notes) lines.push(`${n.marker !== undefined ? `${n.marker}.` : '-'} ${esc.code(n.field)}: ${esc.inline(n.derivation)}`);
  const other = rec.notes.filter((n) => !/^Not backtested/.test(n));
  if (other.length > 0) lines.push('', ...other.map((n) => `- ${esc.inline(n)}`));
  lines.push('', '</details>');
  return lines.join('\n');
}

function fence(body: string, lang: string): string {
  const longest = Math.max(2, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${lang}\n${body}\n${ticks}`;
}
