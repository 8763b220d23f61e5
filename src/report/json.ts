// `-o json`: the stable machine-readable report, described by src/schemas/report.schema.json.
// Every nested value is copied field by field, so the output has exactly the documented shape
// even when the in-memory objects carry more.
import type { Finding, InputProblem, SourceLocation } from '../inventory/model.js';
import type { Report } from './report-model.js';
import { ruleHelpUri } from './report-model.js';

export const JSON_REPORT_VERSION = 1;

export function toJsonReport(report: Report): Record<string, unknown> {
  return {
    version: JSON_REPORT_VERSION,
    tool: { name: report.tool.name, version: report.tool.version, informationUri: report.tool.informationUri },
    command: report.command,
    summary: { ...report.summary },
    incomplete: report.incomplete,
    failOn: report.failOn,
    ...(report.maxWarnings !== undefined ? { maxWarnings: report.maxWarnings } : {}),
    findings: report.findings.map(jsonFinding),
    problems: report.problems.map(jsonProblem),
    rules: report.rules.map((r) => ({ id: r.id, slug: r.slug, severity: r.severity, title: r.title, needsSignals: r.needsSignals, helpUri: ruleHelpUri(r) })),
    metadata: report.metadata,
    ...(report.scan ? { scan: report.scan } : {}),
  };
}

function jsonFinding(f: Finding): Record<string, unknown> {
  const o = f.object;
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    object: { apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace, name: o.name, context: o.context, id: o.id },
    location: jsonLocation(f.location),
    evidence: f.evidence,
    ...(f.fix ? { fix: f.fix } : {}),
    baselined: f.baselined === true,
    ...(f.fingerprint ? { fingerprint: f.fingerprint } : {}),
  };
}

function jsonProblem(p: InputProblem): Record<string, unknown> {
  return {
    level: p.level,
    code: p.code,
    message: p.message,
    ...(p.location ? { location: jsonLocation(p.location) } : {}),
    ...(p.where ? { where: p.where } : {}),
  };
}

function jsonLocation(l: SourceLocation): Record<string, unknown> {
  const path = l.path !== undefined ? { path: l.path } : {};
  if (l.type === 'file') return { type: 'file', file: l.file, line: l.line, column: l.column, ...path };
  return { type: 'cluster', context: l.context, ...(l.namespace !== undefined ? { namespace: l.namespace } : {}), kind: l.kind, name: l.name, ...path };
}

export function formatJson(report: Report): string {
  return JSON.stringify(toJsonReport(report), null, 2) + '\n';
}
