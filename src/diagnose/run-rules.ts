// The one rule engine for `check` and `scan`: runs the registry's rules, applies configured
// severities, per-object ignore annotations and the baseline, and orders the findings.
import { createHash } from 'node:crypto';
import type { Finding, Severity } from '../inventory/model.js';
import type { Rule, RuleContext } from './rule.js';

export type SeverityOverride = Severity | 'off';

export interface EngineOptions {
  /** Per-rule severity overrides from config (`rules: {QD107: off}`). */
  severities?: Record<string, SeverityOverride>;
  /** Fingerprints of accepted findings (`--baseline`). */
  baseline?: Set<string>;
}

export interface EngineResult {
  findings: Finding[];
  /** Findings dropped by `queue-doctor.io/ignore` annotations. */
  suppressed: Array<{ ruleId: string; objectId: string; reason?: string }>;
  rulesRun: string[];
  /** Rules skipped because they need signals that were not available. */
  rulesSkipped: string[];
}

export const IGNORE_ANNOTATION = 'queue-doctor.io/ignore';
export const IGNORE_REASON_ANNOTATION = 'queue-doctor.io/ignore-reason';

export function runRules(rules: Rule[], context: RuleContext, options: EngineOptions = {}): EngineResult {
  const result: EngineResult = { findings: [], suppressed: [], rulesRun: [], rulesSkipped: [] };
  const ignores = ignoreIndex(context);
  for (const rule of rules) {
    const override = options.severities?.[rule.meta.id];
    if (override === 'off') continue;
    if (rule.meta.needsSignals && !context.signals) {
      result.rulesSkipped.push(rule.meta.id);
      continue;
    }
    result.rulesRun.push(rule.meta.id);
    for (const f of rule.check(context)) {
      const ignored = ignores.get(f.object.id);
      if (ignored && (ignored.rules.has(f.ruleId) || ignored.rules.has('ALL') || ignored.rules.has('*'))) {
        result.suppressed.push({ ruleId: f.ruleId, objectId: f.object.id, reason: ignored.reason });
        continue;
      }
      if (override) f.severity = override;
      f.fingerprint = fingerprint(f);
      if (options.baseline?.has(f.fingerprint)) f.baselined = true;
      result.findings.push(f);
    }
  }
  result.findings.sort(compareFindings);
  return result;
}

/** Ignore annotations apply to the object they are on; a workload's also covers its autoscalers. */
function ignoreIndex(context: RuleContext): Map<string, { rules: Set<string>; reason?: string }> {
  const out = new Map<string, { rules: Set<string>; reason?: string }>();
  const read = (annotations: Record<string, unknown> | undefined) => {
    const v = annotations?.[IGNORE_ANNOTATION];
    if (typeof v !== 'string') return undefined;
    const reason = annotations?.[IGNORE_REASON_ANNOTATION];
    return { rules: new Set(v.split(/[,\s]+/).map((s) => s.trim().toUpperCase()).filter(Boolean)), reason: typeof reason === 'string' ? reason : undefined };
  };
  for (const w of context.inventory.workloads) {
    const own = read(w.object.raw.metadata?.annotations);
    if (own) out.set(w.id, own);
  }
  for (const a of context.inventory.autoscalers) {
    const own = read(a.object.raw.metadata?.annotations);
    const inherited = a.workload ? out.get(a.workload.id) : undefined;
    if (own || inherited) {
      out.set(a.id, {
        rules: new Set([...(own?.rules ?? []), ...(inherited?.rules ?? [])]),
        reason: own?.reason ?? inherited?.reason,
      });
    }
  }
  return out;
}

/** Stable across line moves: rule, object and field path, not line numbers. */
export function fingerprint(f: Finding): string {
  const where = f.location.path ?? '';
  return createHash('sha256').update(`${f.ruleId}\u0000${f.object.id}\u0000${f.object.kind}\u0000${where}`).digest('hex').slice(0, 16);
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function severityRank(s: Severity): number {
  return SEVERITY_ORDER[s];
}

function compareFindings(a: Finding, b: Finding): number {
  const la = a.location;
  const lb = b.location;
  const fa = la.type === 'file' ? la.file : `${la.context}/${la.namespace ?? ''}/${la.kind}/${la.name}`;
  const fb = lb.type === 'file' ? lb.file : `${lb.context}/${lb.namespace ?? ''}/${lb.kind}/${lb.name}`;
  if (fa !== fb) return fa < fb ? -1 : 1;
  const linea = la.type === 'file' ? la.line : 0;
  const lineb = lb.type === 'file' ? lb.line : 0;
  if (linea !== lineb) return linea - lineb;
  const ca = la.type === 'file' ? la.column : 0;
  const cb = lb.type === 'file' ? lb.column : 0;
  if (ca !== cb) return ca - cb;
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}
