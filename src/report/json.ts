// `-o json`: the stable machine-readable report, described by src/schemas/report.schema.json.
import type { Report } from './report-model.js';

export const JSON_REPORT_VERSION = 1;

export function toJsonReport(report: Report): Record<string, unknown> {
  return {
    version: JSON_REPORT_VERSION,
    tool: report.tool,
    command: report.command,
    summary: report.summary,
    incomplete: report.incomplete,
    failOn: report.failOn,
    findings: report.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      object: f.object,
      location: f.location,
      evidence: f.evidence,
      ...(f.fix ? { fix: f.fix } : {}),
      baselined: f.baselined === true,
      fingerprint: f.fingerprint,
    })),
    problems: report.problems.map((p) => ({ level: p.level, code: p.code, message: p.message, ...(p.location ? { location: p.location } : {}), ...(p.where ? { where: p.where } : {}) })),
    rules: report.rules.map((r) => ({ id: r.id, slug: r.slug, severity: r.severity, title: r.title, needsSignals: r.needsSignals })),
    metadata: report.metadata,
    ...(report.scan ? { scan: report.scan } : {}),
  };
}

export function formatJson(report: Report): string {
  return JSON.stringify(toJsonReport(report), null, 2) + '\n';
}
