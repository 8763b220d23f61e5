// `-o html`: one self-contained file to hand to a team — inline CSS and SVG, no external
// requests, and one tiny inline script (the copy buttons). A Content-Security-Policy with the
// hashes of that script and of the stylesheet means nothing else can run or load, even if some
// cluster string slipped through escaping. Every string from the cluster or the manifests goes
// through html(), which strips control characters and escapes & < > " '.
//
// Sections: a summary (workloads scanned, findings by severity, worst estimated wait and
// pod-hours before/after the recommendations), an overview table, one section per workload
// (chart of backlog, CPU % with the HPA target, and replicas; findings with evidence; the
// recommended YAML with a copy button and the derivation of each number; the backtest), then
// findings about other objects and input problems. @media print lays it out for PDF.
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import type { Finding, InputProblem } from '../inventory/model.js';
import type { Recommendation } from '../recommend/model.js';
import type { Report, ScanWorkloadView, WorkloadStatus } from './report-model.js';
import type { FormatContext } from './format.js';
import { sanitize } from './terminal.js';
import { workloadChart, type ChartPanel } from './svg-chart.js';
import { formatLocation } from './locations.js';
import {
  STATUS_TITLE,
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
  queueLabel,
  recommendationHeadline,
  severityTotals,
  windowText,
  workloadLabel,
} from './scan-format.js';
import { sparkline } from './sparkline.js';

/** Escape text for HTML element content and attribute values (after removing control characters). */
export function html(s: unknown): string {
  return sanitize(String(s ?? ''))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const COPY_SCRIPT = `document.addEventListener('click', function (e) {
  var b = e.target instanceof Element ? e.target.closest('button[data-copy]') : null;
  if (!b) return;
  var el = document.getElementById(b.getAttribute('data-copy'));
  if (!el) return;
  var label = b.textContent;
  function done(ok) { b.textContent = ok ? 'Copied' : 'Select and copy'; setTimeout(function () { b.textContent = label; }, 1600); }
  function fallback() {
    var range = document.createRange(); range.selectNodeContents(el);
    var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
    var ok = false; try { ok = document.execCommand('copy'); } catch (x) { ok = false; }
    done(ok);
  }
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(el.textContent).then(function () { done(true); }, fallback);
  else fallback();
});`;

const CSS = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --soft: #f6f8fa; --err: #cf222e; --warn: #9a6700; --info: #0969da; --ok: #1a7f37; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.sub { color: var(--muted); margin: 0 0 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; margin: 16px 0 24px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--soft); }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .v { font-size: 22px; font-weight: 600; margin-top: 2px; }
.card .v small { font-size: 13px; font-weight: 400; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
table.overview td { font-size: 13px; }
table.overview td code { white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.spark { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--muted); letter-spacing: -1px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; color: #fff; white-space: nowrap; }
.s-error { background: var(--err); } .s-warning { background: var(--warn); } .s-info { background: var(--info); } .s-ok { background: var(--ok); } .s-unknown { background: #8c959f; }
.over { color: var(--err); font-weight: 600; }
.meet { color: var(--ok); }
section.workload { border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; margin: 18px 0; }
.head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.verdict { color: var(--muted); margin: 4px 0 10px; }
.facts { color: var(--muted); font-size: 13px; margin: 0 0 10px; }
.chart { max-width: 100%; height: auto; display: block; margin: 8px 0; }
.finding { border-left: 3px solid var(--line); padding: 4px 10px; margin: 8px 0; }
.finding.error { border-color: var(--err); } .finding.warning { border-color: var(--warn); } .finding.info { border-color: var(--info); }
.finding .msg { margin: 2px 0; }
.finding .fix, .finding .at { color: var(--muted); font-size: 13px; }
dl.evidence { display: grid; grid-template-columns: max-content 1fr; gap: 0 12px; margin: 4px 0; font-size: 13px; }
dl.evidence dt { color: var(--muted); } dl.evidence dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.backtest td.n { min-width: 90px; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow-x: auto; font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.yaml-head { display: flex; justify-content: space-between; align-items: center; margin-top: 12px; }
button.copy { font: inherit; font-size: 12px; padding: 3px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); cursor: pointer; }
button.copy:hover { background: var(--soft); }
ol.derivations { font-size: 13px; padding-left: 28px; } ol.derivations code { font-size: 12px; }
ul.notes { font-size: 13px; color: var(--muted); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
.banner { border: 1px solid var(--warn); background: #fff8c5; padding: 8px 12px; border-radius: 6px; margin: 12px 0; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; border-top: 1px solid var(--line); padding-top: 8px; }
a { color: var(--info); }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  button.copy { display: none; }
  .cards { grid-template-columns: repeat(4, 1fr); }
  section.workload { break-inside: auto; border: none; border-top: 2px solid var(--line); border-radius: 0; padding: 10px 0; }
  .head, .chart, .finding, table, dl.evidence { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 8.5pt; }
  a { color: inherit; text-decoration: none; }
  details > summary { list-style: none; }
}
`;

export function formatHtml(report: Report, _ctx?: FormatContext): string {
  const scan = report.scan;
  const cspHash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
  const title = report.command === 'scan' ? 'queue-doctor scan' : 'queue-doctor check';
  const body: string[] = [];
  body.push(`<header><h1>${html(title)}</h1>`);
  body.push(`<p class="sub">${subtitle(report)}</p></header>`);
  if (report.incomplete) body.push(`<p class="banner"><strong>Incomplete:</strong> some data could not be read; results are partial.</p>`);
  body.push(summaryCards(report));
  const { byWorkload, other } = findingsByWorkload(report);
  if (scan && scan.workloads.length > 0) {
    const withContext = multiContext(scan);
    body.push(overview(scan.workloads, withContext));
    scan.workloads.forEach((w, i) => {
      const rec = w.recommendation !== undefined ? scan.recommendations[w.recommendation] : undefined;
      body.push(workloadSection(w, i, byWorkload.get(w.id) ?? [], rec, scan.window, withContext));
    });
  }
  const rest = scan ? other : report.findings;
  if (rest.length > 0) body.push(`<section><h2>${scan ? 'Findings about other objects' : 'Findings'}</h2>${rest.map(findingBlock).join('')}</section>`);
  if (report.problems.length > 0) body.push(problemsSection(report.problems));
  body.push(
    `<footer>Generated by ${html(report.tool.name)} ${html(report.tool.version)} at ${html(report.metadata.generatedAt)} · ${report.rules.length} rules · fails on: ${html(report.failOn)} · <a href="${html(report.tool.informationUri)}">${html(report.tool.informationUri)}</a></footer>`,
  );
  const csp = `default-src 'none'; style-src ${cspHash(CSS)}; script-src ${cspHash(COPY_SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${html(title)}${scan ? ` — ${html(scan.source.detail)}` : ''}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    ...body,
    `<script>${COPY_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function subtitle(report: Report): string {
  const scan = report.scan;
  const parts: string[] = [];
  if (scan) {
    parts.push(html(scan.source.detail));
    if (scan.window) parts.push(html(windowText(scan.window)));
    parts.push(scan.prometheus ? `Prometheus <code>${html(scan.prometheus.url)}</code>` : 'no Prometheus');
  }
  const contexts = Array.isArray(report.metadata.contexts) ? (report.metadata.contexts as string[]) : [];
  if (contexts.length) parts.push(`context${contexts.length === 1 ? '' : 's'} ${contexts.map((c) => `<code>${html(c)}</code>`).join(', ')}`);
  if (typeof report.metadata.queryCount === 'number') parts.push(`${report.metadata.queryCount} PromQL queries`);
  return parts.join(' · ');
}

function summaryCards(report: Report): string {
  const s = report.summary;
  const scan = report.scan;
  const sev = severityTotals(report.findings);
  const cards: string[] = [];
  const card = (k: string, v: string) => `<div class="card"><div class="k">${k}</div><div class="v">${v}</div></div>`;
  cards.push(card('Workloads scanned', `${s.workloads} <small>${s.queueWorkers} queue worker${s.queueWorkers === 1 ? '' : 's'}</small>`));
  cards.push(
    card(
      'Findings',
      `<span class="over">${sev.error}</span> <small>errors</small> · <span>${sev.warning}</span> <small>warnings</small> · <span>${sev.info}</span> <small>info</small>`,
    ),
  );
  const t = scan?.totals;
  if (t) {
    cards.push(card('Worst p95 wait (backtest)', `${t.before.p95WaitMax !== undefined ? `${html(fmtWait(t.before.p95WaitMax))} → ` : ''}<span class="meet">${html(fmtWait(t.after.p95WaitMax))}</span>`));
    cards.push(card('Cost (pod-hours)', `${html(fmtHours(t.before.podHours))} → ${html(fmtHours(t.after.podHours))} <small>${t.workloads} workload${t.workloads === 1 ? '' : 's'}</small>`));
  } else if (scan) {
    cards.push(card('Recommendations', String(scan.recommendations.length)));
  }
  return `<section class="cards" aria-label="Summary">${cards.join('')}</section>`;
}

function badge(s: WorkloadStatus): string {
  return `<span class="badge s-${s}">${html(STATUS_TITLE[s])}</span>`;
}

function overview(rows: ScanWorkloadView[], withContext: boolean): string {
  const head =
    '<tr><th>status</th><th>workload</th><th>queue</th><th class="n">backlog</th><th class="n">trend/min</th><th class="n">CPU % / target</th><th class="n">replicas min/now/max</th><th class="n">p95 wait / target</th><th>verdict</th></tr>';
  const body = rows
    .map((w, i) => {
      const over = w.wait?.p95Seconds !== undefined && w.wait.p95Seconds > w.wait.targetSeconds;
      const r = w.replicas;
      return (
        `<tr><td>${badge(w.status)}</td><td><a href="#w${i + 1}"><code>${html(workloadLabel(w, withContext))}</code></a></td><td><code>${html(queueLabel(w))}</code></td>` +
        `<td class="n">${w.backlog ? `${html(fmtCount(w.backlog.now))} <span class="spark" aria-hidden="true">${html(sparkline(w.backlog.series, 10, { unicode: true }))}</span>` : '—'}</td>` +
        `<td class="n">${w.backlog ? html(fmtTrend(w.backlog.trendPerMinute)) : ''}</td>` +
        `<td class="n">${w.cpu ? `${html(fmtPercent(w.cpu.nowPercent))} / ${w.cpu.targetPercent !== undefined ? html(fmtPercent(w.cpu.targetPercent)) : '—'}` : '—'}</td>` +
        `<td class="n">${r ? [r.min, r.now, r.max].map((n) => (n === undefined ? '–' : String(Math.round(n)))).join(' / ') : '—'}</td>` +
        `<td class="n">${w.wait ? `<span class="${over ? 'over' : w.wait.p95Seconds !== undefined ? 'meet' : ''}">${html(fmtWait(w.wait.p95Seconds))}</span> / ${html(fmtWait(w.wait.targetSeconds))}` : ''}</td>` +
        `<td>${html(w.verdict)}</td></tr>`
      );
    })
    .join('');
  return `<section><h2>Workloads</h2><table class="overview">${head}${body}</table></section>`;
}

function workloadSection(w: ScanWorkloadView, index: number, findings: Finding[], rec: Recommendation | undefined, window: NonNullable<Report['scan']>['window'], withContext: boolean): string {
  const id = `w${index + 1}`;
  const out: string[] = [];
  out.push(`<section class="workload" id="${id}">`);
  out.push(`<div class="head">${badge(w.status)}<h2><code>${html(workloadLabel(w, withContext))}</code></h2><span class="facts">${html(w.kind)}${w.isGpu ? ' · GPU' : ''}</span></div>`);
  out.push(`<p class="verdict">${html(w.verdict)}</p>`);
  const facts: string[] = [];
  if (w.autoscaler) facts.push(`autoscaler: ${html(w.autoscaler)}`);
  if (w.queue) facts.push(`queue: <code>${html(w.queue.name ?? w.queue.system)}</code> (${html(w.queue.system)}, bound by ${html(w.queue.source)}, confidence ${w.queue.confidence.toFixed(2)})`);
  else if (w.isQueueWorker) facts.push('queue: not bound');
  if (facts.length) out.push(`<p class="facts">${facts.join(' · ')}</p>`);
  if (window && (w.backlog || w.cpu?.series || w.replicas?.series)) out.push(chartOf(w, id, window));
  if (findings.length > 0) out.push(`<h3>Findings</h3>${findings.map(findingBlock).join('')}`);
  if (rec) out.push(recommendationBlock(rec, id));
  out.push('</section>');
  return out.join('\n');
}

function chartOf(w: ScanWorkloadView, id: string, window: { start: number; end: number }): string {
  const panels: ChartPanel[] = [];
  if (w.isQueueWorker || w.backlog) panels.push({ key: 'backlog', label: 'backlog (jobs)', series: w.backlog?.series, kind: 'area', color: '#8250df' });
  panels.push({
    key: 'cpu',
    label: 'CPU %',
    series: w.cpu?.series,
    kind: 'line',
    color: '#0969da',
    yMax: 100,
    format: (v) => `${Math.round(v)}%`,
    ...(w.cpu?.targetPercent !== undefined ? { reference: { value: w.cpu.targetPercent, label: `target ${Math.round(w.cpu.targetPercent)}%`, dash: 'dashed' as const } } : {}),
  });
  panels.push({
    key: 'replicas',
    label: 'replicas',
    series: w.replicas?.series,
    kind: 'step',
    color: '#1a7f37',
    format: (v) => String(Math.round(v)),
    ...(w.replicas?.max !== undefined ? { reference: { value: w.replicas.max, label: `max ${w.replicas.max}`, dash: 'dotted' as const } } : {}),
  });
  const desc = [
    w.backlog ? `backlog now ${fmtCount(w.backlog.now)} jobs, trend ${fmtTrend(w.backlog.trendPerMinute)} per minute` : '',
    w.cpu?.nowPercent !== undefined ? `CPU ${fmtPercent(w.cpu.nowPercent)} % of requests${w.cpu.targetPercent !== undefined ? ` against a ${fmtPercent(w.cpu.targetPercent)} % target` : ''}` : '',
    w.replicas?.now !== undefined ? `${Math.round(w.replicas.now)} replicas` : '',
  ].filter(Boolean);
  return workloadChart(panels, {
    start: window.start,
    end: window.end,
    id: `${id}-chart`,
    title: `${workloadLabel(w, false)}: backlog, CPU and replicas over the window`,
    description: desc.join('; ') || 'no series',
    escape: html,
  });
}

function findingBlock(f: Finding): string {
  const where = f.location.type === 'cluster' ? `${f.location.kind} ${f.location.name}${f.location.path ? ` ${f.location.path}` : ''}` : formatLocation(f.location);
  const ev = evidenceEntries(f);
  return (
    `<div class="finding ${f.severity}"><div><span class="badge s-${f.severity}">${html(f.severity)}</span> <strong>${html(f.ruleId)}</strong>${f.baselined ? ' (baseline)' : ''}</div>` +
    `<p class="msg">${html(f.message)}</p>` +
    `<div class="at">at <code>${html(where)}</code></div>` +
    (ev.length ? `<dl class="evidence">${ev.map(([k, v]) => `<dt>${html(k)}</dt><dd>${html(v)}</dd>`).join('')}</dl>` : '') +
    (f.fix ? `<div class="fix">fix: ${html(f.fix)}</div>` : '') +
    `</div>`
  );
}

function recommendationBlock(rec: Recommendation, id: string): string {
  const out: string[] = [];
  out.push(`<h3>Recommendation: ${html(recommendationHeadline(rec))}</h3>`);
  const facts = [`confidence ${html(rec.confidence.level)}`, rec.addresses.length ? `addresses ${html(rec.addresses.join(', '))}` : '', html(migrationLine(rec))].filter(Boolean);
  out.push(`<p class="facts">${facts.join(' · ')}</p>`);
  const bt = backtestSummary(rec);
  const b = rec.backtest;
  if (bt && b) {
    const row = (label: string, before: string | undefined, after: string) => `<tr><td>${label}</td><td class="n">${before ?? '—'}</td><td class="n">${after}</td></tr>`;
    out.push(
      `<table class="backtest"><caption>Backtest on ${html(fmtWait(Math.floor(bt.hours * 60) * 60))} of its own history${bt.jobs !== undefined ? ` (${bt.jobs.toLocaleString('en-US')} jobs)` : ''}, target ${html(fmtWait(bt.targetSeconds))}: <span class="${bt.targetMet ? 'meet' : 'over'}">${bt.targetMet ? 'met' : 'missed'}</span></caption>` +
        `<tr><th></th><th class="n">now</th><th class="n">recommended</th></tr>` +
        row('p95 wait', b.before ? html(fmtWait(b.before.waitP95)) : undefined, html(fmtWait(b.after.waitP95))) +
        row('p99 wait', b.before ? html(fmtWait(b.before.waitP99)) : undefined, html(fmtWait(b.after.waitP99))) +
        row('pod-hours', bt.podHoursBefore !== undefined ? html(fmtHours(bt.podHoursBefore)) : undefined, html(fmtHours(bt.podHoursAfter))) +
        row('cost ratio (pod-s ÷ work-s)', b.before?.costRatio != null ? html(b.before.costRatio.toFixed(2)) : undefined, b.after.costRatio != null ? html(b.after.costRatio.toFixed(2)) : '—') +
        row('scale events', b.before ? String(b.before.scaleEvents) : undefined, String(b.after.scaleEvents)) +
        row('jobs lost at scale-in', b.before ? String(b.before.jobsLost) : undefined, String(b.after.jobsLost)) +
        row('policy', b.before ? html(b.before.policy) : undefined, html(b.after.policy)) +
        `</table>`,
    );
  } else {
    const why = rec.notes.find((n) => /^Not backtested/.test(n));
    if (why) out.push(`<p class="facts">${html(why)}</p>`);
  }
  for (const p of rec.placeholders) out.push(`<p class="banner"><strong>Edit before applying</strong> <code>${html(p.field)}</code>: ${html(p.message)}</p>`);
  const { yaml, notes } = markedYaml(rec.scaledObject, rec.derivations);
  const yamlId = `${id}-yaml`;
  out.push(`<div class="yaml-head"><strong>ScaledObject</strong><button type="button" class="copy" data-copy="${yamlId}">Copy YAML</button></div>`);
  out.push(`<pre><code id="${yamlId}">${html(yaml)}</code></pre>`);
  const marked = notes.filter((n) => n.marker !== undefined);
  if (marked.length) out.push(`<ol class="derivations">${marked.map((n) => `<li value="${n.marker}"><code>${html(n.field)}</code> = ${html(n.value)}: ${html(n.derivation)}</li>`).join('')}</ol>`);
  const unmarked = notes.filter((n) => n.marker === undefined);
  if (rec.alert) {
    const alertId = `${id}-alert`;
    out.push(
      `<details><summary>Alert on the queue wait (PrometheusRule)</summary><div class="yaml-head"><span></span><button type="button" class="copy" data-copy="${alertId}">Copy YAML</button></div>` +
        `<pre><code id="${alertId}">${html(YAML.stringify(rec.alert, { lineWidth: 0 }))}</code></pre>` +
        (unmarked.length ? `<ul class="notes">${unmarked.map((n) => `<li><code>${html(n.field)}</code> = ${html(n.value)}: ${html(n.derivation)}</li>`).join('')}</ul>` : '') +
        `</details>`,
    );
  }
  if (rec.grace?.patch) out.push(`<p class="facts">Grace period: <code>${html(rec.grace.patch.kubectl)}</code></p>`);
  const other = rec.notes.filter((n) => !/^Not backtested/.test(n));
  if (other.length) out.push(`<ul class="notes">${other.map((n) => `<li>${html(n)}</li>`).join('')}</ul>`);
  return out.join('\n');
}

function problemsSection(problems: InputProblem[]): string {
  const rows = problems.map((p) => `<tr><td>${html(p.level)}</td><td><code>${html(p.code)}</code></td><td>${html(p.message)}</td></tr>`).join('');
  return `<section><h2>Input problems</h2><table><tr><th>level</th><th>problem</th><th>message</th></tr>${rows}</table></section>`;
}
