// `-o github`: GitHub Actions workflow commands, one annotation per finding and input problem:
//   ::error file=k8s/a.yaml,line=27,col=7,title=QD101 cpu-hpa-on-queue-worker::message
// Paths are relative to the working directory (run from the repository root, as Actions does).
// Cluster findings have no file: the title carries the object instead. Baselined findings are
// accepted debt and get no annotation (they are counted in the summary). The last line is a
// plain summary, not a command.
import type { Finding, InputProblem, Severity } from '../inventory/model.js';
import type { Report } from './report-model.js';
import type { FormatContext } from './format.js';
import { sanitize } from './terminal.js';
import { objectName, pathFromCwd, plural, problemText, scopeText, severityCounts } from './format-helpers.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

export function formatGithub(report: Report, ctx: FormatContext): string {
  const cwd = ctx.io.cwd;
  const lines: string[] = [];
  for (const p of report.problems) lines.push(problemLine(p, cwd));
  if (report.incomplete) lines.push(command('warning', { title: 'queue-doctor: incomplete' }, 'some data could not be read: the results are partial'));
  for (const f of report.findings) if (!f.baselined) lines.push(findingLine(f, report, cwd));
  lines.push(summaryLine(report));
  return lines.join('\n') + '\n';
}

function findingLine(f: Finding, report: Report, cwd: string): string {
  const slug = report.rules.find((m) => m.id === f.ruleId)?.slug;
  const title = `${f.ruleId}${slug ? ` ${slug}` : ''}`;
  const message = f.fix ? `${f.message}\nFix: ${f.fix}` : f.message;
  if (f.location.type === 'cluster') {
    return command(COMMAND[f.severity], { title: `${title}: ${objectName(f.location)}` }, message);
  }
  const file = pathFromCwd(f.location.file, cwd);
  if (!file) return command(COMMAND[f.severity], { title: `${title}: ${f.object.id} (${f.location.file}:${f.location.line})` }, message);
  return command(COMMAND[f.severity], { file: file.path, line: f.location.line, col: f.location.column, title }, message);
}

function problemLine(p: InputProblem, cwd: string): string {
  const level = p.level === 'error' ? 'error' : 'warning';
  const title = `queue-doctor input: ${p.code}`;
  const loc = p.location;
  if (loc?.type === 'file') {
    const file = pathFromCwd(loc.file, cwd);
    if (file) return command(level, { file: file.path, line: loc.line, col: loc.column, title }, problemText(p));
  }
  if (loc?.type === 'cluster') return command(level, { title: `${title}: ${objectName(loc)}` }, p.message);
  return command(level, { title }, p.message);
}

function summaryLine(report: Report): string {
  const s = report.summary;
  const total = s.errors + s.warnings + s.infos;
  const inputErrors = report.problems.filter((p) => p.level === 'error').length;
  const parts = [
    `queue-doctor: ${total === 0 ? 'no findings' : `${plural(total, 'finding')} (${severityCounts(s)})`} in ${scopeText(report)}`,
    s.baselined ? `${s.baselined} in baseline` : '',
    s.suppressed ? `${s.suppressed} suppressed by annotation` : '',
    inputErrors ? plural(inputErrors, 'input error') : '',
    report.incomplete ? 'INCOMPLETE: some data could not be read' : '',
  ];
  return parts.filter(Boolean).join('; ');
}

/** `::name key=value,…::message` with GitHub's escaping (the rules of @actions/core). */
export function command(name: string, properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

/** Message text: %, CR and LF are encoded (a raw newline would end the command). */
export function escapeData(s: string): string {
  return clean(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values: as message text, plus `:` and `,`, which delimit properties. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Terminal escape sequences from manifests must not reach the job log; keep line breaks. */
function clean(s: string): string {
  return s
    .split(/(\r\n|\r|\n)/)
    .map((part) => (part === '\n' || part === '\r' || part === '\r\n' ? part : sanitize(part)))
    .join('');
}
