// `-o markdown`: GitHub-flavoured Markdown for PR comments and tickets: a summary table, the
// findings table, one collapsible <details> per rule that found something, input problems.
// Everything taken from manifests is escaped: a `|` would split a table cell and raw HTML
// would render in the comment.
import type { Finding, InputProblem, Severity } from '../inventory/model.js';
import type { RuleMeta } from '../diagnose/rule.js';
import type { Report } from './report-model.js';
import { ruleHelpUri } from './report-model.js';
import type { FormatContext } from './format.js';
import { sanitize } from './terminal.js';
import { locationLabel, plural, problemText, scopeText, severityCounts } from './format-helpers.js';
import { formatScanMarkdown } from './scan-markdown.js';

const SEVERITY_LABEL: Record<Severity, string> = { error: '🔴 error', warning: '🟡 warning', info: '🔵 info' };

/** Marks where `scan`'s part goes, so tools editing a posted comment can find it. */
export const SCAN_SECTION_MARKER = '<!-- queue-doctor:scan -->';

export function formatMarkdown(report: Report, _ctx?: FormatContext): string {
  const head = [`## ${report.tool.name} ${report.command}`, headline(report), summaryTable(report)];
  const tail = [findingsSection(report), rulesSection(report), problemsSection(report.problems), `<sub>${inline(report.tool.name)} ${inline(report.tool.version)} · fails on: ${report.failOn}</sub>`];
  // the scan section gets what the rest leaves of a GitHub comment
  const used = [...head, ...tail].reduce((n, b) => n + b.length + 2, 0);
  const blocks = [...head, scanSection(report, COMMENT_LIMIT - used), ...tail];
  return blocks.filter((b) => b !== '').join('\n\n') + '\n';
}

function headline(report: Report): string {
  const s = report.summary;
  const total = s.errors + s.warnings + s.infos;
  const inputErrors = report.problems.filter((p) => p.level === 'error').length;
  const ok = total === 0 && inputErrors === 0;
  const lead = ok ? '✅ **No findings**' : total === 0 ? '❌ **No findings, but the input has errors**' : `❌ **${plural(total, 'finding')}** (${severityCounts(s)})`;
  const extra = [
    inputErrors ? plural(inputErrors, 'input error') : '',
    report.incomplete ? '⚠️ **incomplete**: some data could not be read, results are partial' : '',
  ].filter(Boolean);
  return `${lead} in ${scopeText(report)}${extra.length ? `. ${extra.join('; ')}` : ''}`;
}

function summaryTable(report: Report): string {
  const s = report.summary;
  const rows: Array<[string, number]> = [
    [SEVERITY_LABEL.error, s.errors],
    [SEVERITY_LABEL.warning, s.warnings],
    [SEVERITY_LABEL.info, s.infos],
    ['in baseline (not failing)', s.baselined],
    ['suppressed by annotation', s.suppressed],
    ['input errors', report.problems.filter((p) => p.level === 'error').length],
    ['input warnings', report.problems.filter((p) => p.level === 'warning').length],
  ];
  return ['| | count |', '| --- | ---: |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

/** What a GitHub comment may hold (65,536), less room for what surrounds the report. */
export const COMMENT_LIMIT = 64_000;

/** The `scan` part (scan-markdown.ts): the workload table and the recommendations, between markers. */
function scanSection(report: Report, budget: number): string {
  const md = formatScanMarkdown(report, { inline, code }, budget);
  if (md.trim() === '') return '';
  return `${SCAN_SECTION_MARKER}\n${md.trim()}\n<!-- /queue-doctor:scan -->`;
}

/**
 * GitHub refuses comments over 65,536 characters: the findings table stops at a budget that
 * leaves room for the rest, and says how many rows it left out.
 */
export const FINDINGS_TABLE_BUDGET = 45_000;

function findingsSection(report: Report): string {
  if (report.findings.length === 0) return '';
  const rows: string[] = [];
  let size = 0;
  for (const f of report.findings) {
    const row = findingRow(f, report.rules);
    if (size + row.length > FINDINGS_TABLE_BUDGET && rows.length > 0) break;
    rows.push(row);
    size += row.length + 1;
  }
  const left = report.findings.length - rows.length;
  const more = left > 0 ? [`\n_${plural(left, 'more finding')} not shown here (comments have a size limit): see the full report with \`-o sarif\` or \`-o json\`._`] : [];
  return ['### Findings', '', '| severity | rule | location | message |', '| --- | --- | --- | --- |', ...rows, ...more].join('\n');
}

function findingRow(f: Finding, rules: RuleMeta[]): string {
  const rule = rules.find((m) => m.id === f.ruleId);
  const ruleCell = rule ? `[${f.ruleId}](${ruleHelpUri(rule)} "${inline(rule.slug)}")` : inline(f.ruleId);
  const sev = SEVERITY_LABEL[f.severity] + (f.baselined ? ' (baseline)' : '');
  const where = locationLabel(f.location);
  const object = f.location.type === 'file' ? `<br>${inline(`${f.object.kind} ${f.object.namespace}/${f.object.name}`)}` : '';
  const message = inline(f.message) + (f.fix ? `<br>**Fix:** ${inline(f.fix)}` : '');
  return `| ${sev} | ${ruleCell} | ${code(where)}${object} | ${message} |`;
}

function rulesSection(report: Report): string {
  const byRule = new Map<string, number>();
  for (const f of report.findings) byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
  const found = report.rules.filter((m) => byRule.has(m.id));
  const passed = report.rules.filter((m) => !byRule.has(m.id));
  const blocks: string[] = [];
  if (found.length) {
    blocks.push('### Rules', '');
    for (const m of found) blocks.push(ruleDetails(m, byRule.get(m.id)!), '');
  }
  if (passed.length) blocks.push(`Passed: ${passed.map((m) => `${m.id} ${inline(m.slug)}`).join(', ')}`);
  return blocks.join('\n').trim();
}

function ruleDetails(m: RuleMeta, count: number): string {
  return [
    '<details>',
    `<summary><b>${escapeHtml(m.id)}</b> ${escapeHtml(m.slug)}: ${escapeHtml(m.title)} (${plural(count, 'finding')})</summary>`,
    '',
    // rule meta is written by us, in Markdown (`code` spans): shown as authored
    `**Why:** ${m.rationale}`,
    '',
    `**Fix:** ${m.fix}`,
    '',
    'Bad:',
    '',
    fence(m.examples.bad),
    '',
    'Good:',
    '',
    fence(m.examples.good),
    '',
    `[More about ${m.id}](${ruleHelpUri(m)})`,
    '',
    '</details>',
  ].join('\n');
}

function problemsSection(problems: InputProblem[]): string {
  if (problems.length === 0) return '';
  const rows = problems.map((p) => {
    const where = p.location ? code(locationLabel(p.location)) : p.where ? code(p.where) : '';
    return `| ${p.level === 'error' ? '🔴 error' : '🟡 warning'} | ${code(p.code)} | ${where} | ${inline(problemText(p))} |`;
  });
  return ['### Input problems', '', '| level | problem | location | message |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function escapeHtml(s: string): string {
  return sanitize(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Text for a table cell or a paragraph: HTML escaped, Markdown punctuation backslash-escaped
 * (so `*`, `_`, `[` from a manifest do not format), `|` escaped, newlines as <br>.
 */
export function inline(s: string): string {
  return escapeHtml(s)
    .replace(/([\\`*_[\]#~|])/g, '\\$1')
    .replace(/\r?\n/g, '<br>');
}

/**
 * An inline code span that survives backticks and `|` in a table. Code spans show their text
 * literally (no HTML, no entities), so only the cell delimiter needs escaping.
 */
export function code(s: string): string {
  const body = sanitize(s).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

function fence(body: string): string {
  const longest = Math.max(2, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}yaml\n${body}\n${ticks}`;
}
