// What the CI formatters (sarif, junit, github, markdown) share: where a location points
// relative to the working directory, how an object is named, and which findings fail the run.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, InputProblem, Severity, SourceLocation } from '../inventory/model.js';
import type { Report } from './report-model.js';
import { severityRank } from '../diagnose/run-rules.js';
import { formatLocation } from './locations.js';

export const STDIN = '<stdin>';

/**
 * A file path as seen from `cwd`, with forward slashes: relative when the file is inside
 * `cwd`, absolute otherwise; undefined for stdin (there is no file to point at).
 */
export function pathFromCwd(file: string, cwd: string): { path: string; inside: boolean } | undefined {
  if (file === STDIN) return undefined;
  const abs = resolve(cwd, file);
  const rel = relative(cwd, abs);
  if (rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return { path: toPosix(rel), inside: true };
  return { path: toPosix(abs), inside: false };
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

/** A relative path as a URI reference: each segment percent-encoded, slashes kept. */
export function relativeUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** `file:///abs/dir/` for a directory: SARIF base URIs must end with a slash. */
export function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}

export function absoluteFileUri(path: string): string {
  return pathToFileURL(path).href;
}

/** `context/namespace/Kind/name` of the object a finding is about (context omitted when empty). */
export function objectName(o: { context?: string; namespace?: string; kind: string; name: string }): string {
  return [o.context, o.namespace, o.kind, o.name].filter((p) => p !== undefined && p !== '').join('/');
}

/** Short human label for a location: `a.yaml:27:7` or `ctx/ns/Kind/name`. */
export function locationLabel(loc: SourceLocation | undefined): string {
  return loc ? formatLocation(loc) : '';
}

/**
 * Input-problem messages start with `file:line:col: ` for the text output; formats that carry
 * the location in their own fields drop that prefix so it is not said twice.
 */
export function problemText(p: InputProblem): string {
  if (p.location?.type !== 'file') return p.message;
  const loc = p.location;
  for (const prefix of [`${loc.file}:${loc.line}:${loc.column}: `, `${loc.file}: `]) {
    if (p.message.startsWith(prefix)) return p.message.slice(prefix.length);
  }
  return p.message;
}

/** True when this finding makes the run exit 1 under `--fail-on` (baselined findings never do). */
export function failsRun(f: Finding, report: Pick<Report, 'failOn' | 'maxWarnings' | 'summary'>): boolean {
  if (f.baselined) return false;
  // --max-warnings: past the limit, every warning is part of the failure
  if (f.severity === 'warning' && report.maxWarnings !== undefined && report.summary.warnings > report.maxWarnings) return true;
  if (report.failOn === 'none') return false;
  return severityRank(f.severity) <= severityRank(report.failOn);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `2 errors, 1 warning, 0 info` */
export function severityCounts(s: { errors: number; warnings: number; infos: number }): string {
  return `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${s.infos} info`;
}

/** One line saying what was checked: `5 objects in 2 files (3 workloads, 1 queue worker, 2 autoscalers)`. */
export function scopeText(report: Report): string {
  const s = report.summary;
  // scan counts the contexts it read as its sources; a demo or snapshot says so
  const contexts = Array.isArray(report.metadata.contexts) ? report.metadata.contexts.length : 0;
  const source = report.scan?.source?.kind;
  const where =
    source === 'demo'
      ? ' in the demo platform'
      : contexts
        ? ` in ${plural(contexts, 'context')}${source === 'snapshot' ? ' (snapshot)' : ''}`
        : source === 'snapshot'
          ? ' in a snapshot'
          : s.files
            ? ` in ${plural(s.files, 'file')}`
            : '';
  return (
    plural(s.objects, 'object') +
    where +
    ` (${plural(s.workloads, 'workload')}, ${plural(s.queueWorkers, 'queue worker')}, ${plural(s.autoscalers, 'autoscaler')}` +
    (s.ignoredObjects ? `, ${s.ignoredObjects} ignored` : '') +
    ')'
  );
}

export const SEVERITIES: Severity[] = ['error', 'warning', 'info'];
