// `-o text`: findings grouped by file (or context/namespace), ESLint-style, then a summary.
// For `scan`, the scan view (scan-text.ts) comes first and already lists the findings about
// each workload in its table; only findings about other objects are listed here.
import type { ChalkInstance } from 'chalk';
import type { Finding, InputProblem, Severity } from '../inventory/model.js';
import type { Report } from './report-model.js';
import type { FormatContext } from './format.js';
import { makeChalk, sanitize, unicodeSafe } from './terminal.js';
import { formatLocation, locationGroup } from './locations.js';
import { plural, scopeText } from './format-helpers.js';
import { asciiFold } from './ascii-fold.js';

// scan-text.js (and the `yaml` package it uses) load only for scan reports: check stays fast.
export async function formatText(report: Report, ctx: FormatContext): Promise<string> {
  const c = makeChalk(ctx.io, ctx.color);
  const unicode = unicodeSafe(ctx.io);
  const out: string[] = [];
  let findings = report.findings;
  if (report.scan) {
    const [{ formatScanText }, { findingsByWorkload }] = await Promise.all([import('./scan-text.js'), import('./scan-format.js')]);
    out.push(formatScanText(report, c, unicode));
    findings = findingsByWorkload(report).other;
  }
  out.push(...problemLines(report.problems, c));
  out.push(...findingLines(findings, c));
  // the scan view keeps to 100 columns; check's summary stays one line for tools that grep it
  const summary = summaryLine(report, c, unicode);
  out.push(report.scan ? summary.split('\n').map((l) => wrapLine(l, 100)).join('\n') : summary);
  const text = out.filter((l) => l !== '').join('\n') + '\n';
  return unicode ? text : asciiFold(text);
}

export function severityLabel(s: Severity, c: ChalkInstance): string {
  const padded = s.padEnd(7);
  return s === 'error' ? c.red(padded) : s === 'warning' ? c.yellow(padded) : c.blue(padded);
}

function problemLines(problems: InputProblem[], c: ChalkInstance): string[] {
  if (problems.length === 0) return [];
  const lines = [c.bold('Input problems')];
  for (const p of problems) lines.push(`  ${p.level === 'error' ? c.red('error  ') : c.yellow('warning')}  ${sanitize(p.message)}  ${c.dim(p.code)}`);
  return [lines.join('\n'), ''];
}

export function findingLines(findings: Finding[], c: ChalkInstance): string[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const g = locationGroup(f.location);
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(f);
  }
  const blocks: string[] = [];
  for (const [group, list] of groups) {
    const lines = [c.underline(sanitize(group))];
    for (const f of list) {
      const where = f.location.type === 'file' ? `${f.location.line}:${f.location.column}` : `${f.location.kind}/${f.location.name}`;
      const tag = f.baselined ? c.dim(' (baseline)') : '';
      lines.push(`  ${c.dim(where.padEnd(7))}  ${severityLabel(f.severity, c)}  ${sanitize(f.message)}  ${c.dim(f.ruleId)}${tag}`);
      if (f.fix) lines.push(`  ${' '.repeat(7)}  ${' '.repeat(7)}  ${c.dim('fix: ' + sanitize(f.fix))}`);
    }
    blocks.push(lines.join('\n'), '');
  }
  return blocks;
}

function summaryLine(report: Report, c: ChalkInstance, unicode: boolean): string {
  const s = report.summary;
  const total = s.errors + s.warnings + s.infos;
  const scope = scopeText(report);
  const extras = [s.baselined ? `${s.baselined} in baseline` : '', s.suppressed ? `${s.suppressed} suppressed by annotation` : ''].filter(Boolean).join(', ');
  const inputErrors = report.problems.filter((p) => p.level === 'error').length;
  const mark = total === 0 && inputErrors === 0 ? c.green(unicode ? '✔' : 'OK') : c.red(unicode ? '✖' : 'X');
  const head =
    total === 0
      ? `${mark} no findings`
      : `${mark} ${plural(total, 'finding')} (${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${s.infos} info)`;
  const tail = [
    inputErrors ? c.red(`${plural(inputErrors, 'input error')}`) : '',
    report.incomplete ? c.yellow('INCOMPLETE: some data could not be read, results are partial') : '',
  ].filter(Boolean);
  return [`${head} in ${scope}${extras ? `; ${extras}` : ''}`, ...tail].join('\n');
}

/** Wrap at spaces to `width` visible columns (escape sequences do not count), continuation indented 2. */
function wrapLine(line: string, width: number): string {
  const visible = (s: string) => [...s.replace(/\u001b\[[0-9;]*m/g, '')].length;
  if (visible(line) <= width) return line;
  const out: string[] = [];
  let cur = '';
  for (const word of line.split(' ')) {
    const next = cur === '' ? word : `${cur} ${word}`;
    if (visible(next) > width && cur !== '') {
      out.push(cur);
      cur = `  ${word}`;
    } else cur = next;
  }
  if (cur) out.push(cur);
  return out.join('\n');
}

export { formatLocation };
