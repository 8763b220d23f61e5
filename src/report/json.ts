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

// Built key by key in the documented order (no spread of optional parts): one object per
// finding and location, for reports with thousands of findings.
function jsonFinding(f: Finding): Record<string, unknown> {
  const o = f.object;
  const out: Record<string, unknown> = {
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    object: { apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace, name: o.name, context: o.context, id: o.id },
    location: jsonLocation(f.location),
    evidence: f.evidence,
  };
  if (f.fix) out.fix = f.fix;
  out.baselined = f.baselined === true;
  if (f.fingerprint) out.fingerprint = f.fingerprint;
  return out;
}

function jsonProblem(p: InputProblem): Record<string, unknown> {
  const out: Record<string, unknown> = { level: p.level, code: p.code, message: p.message };
  if (p.location) out.location = jsonLocation(p.location);
  if (p.where) out.where = p.where;
  return out;
}

function jsonLocation(l: SourceLocation): Record<string, unknown> {
  let out: Record<string, unknown>;
  if (l.type === 'file') out = { type: 'file', file: l.file, line: l.line, column: l.column };
  else {
    out = { type: 'cluster', context: l.context };
    if (l.namespace !== undefined) out.namespace = l.namespace;
    out.kind = l.kind;
    out.name = l.name;
  }
  if (l.path !== undefined) out.path = l.path;
  return out;
}

export function formatJson(report: Report): string {
  return JSON.stringify(toJsonReport(report), null, 2) + '\n';
}
