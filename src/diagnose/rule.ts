// The rule shape, like ESLint's: data (`meta`) plus a pure function (`check`).
import type { Autoscaler, FieldPath, Finding, Inventory, Severity, Workload } from '../inventory/model.js';
import type { QueueBinding, WorkloadSignals } from '../metrics/signals-model.js';

export interface RuleMeta {
  /** Stable id, e.g. QD101. Never reused once released. */
  id: string;
  /** kebab-case name, the file name after the id. */
  slug: string;
  severity: Severity;
  title: string;
  /** Why it matters, in a few sentences. */
  rationale: string;
  /** What to do about it. */
  fix: string;
  /** True when the rule needs Prometheus signals (runs in `scan` only). */
  needsSignals: boolean;
  /** Short YAML examples for `queue-doctor explain`. */
  examples: { bad: string; good: string };
  /** Sources for the facts the rule relies on. */
  references?: string[];
}

export interface RuleOptions {
  /** Default queue-wait objective in seconds (`--target-wait`). */
  targetWaitSeconds: number;
}

export interface RuleContext {
  inventory: Inventory;
  options: RuleOptions;
  /** Present in `scan` with Prometheus: signals per workload id. */
  signals?: Map<string, WorkloadSignals>;
  bindings?: Map<string, QueueBinding>;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): Finding[];
}

type Subject = Workload | Autoscaler;

/** Build a finding about `subject`, located at `path` inside it. */
export function finding(
  meta: RuleMeta,
  subject: Subject,
  path: FieldPath,
  message: string,
  evidence: Finding['evidence'] = {},
  extra: { fix?: string; severity?: Severity } = {},
): Finding {
  const o = subject.object;
  const r = o.ref;
  return {
    ruleId: meta.id,
    severity: extra.severity ?? meta.severity,
    message,
    // fields named, not spread: one object shape for every finding (findings can be thousands)
    object: { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name, context: o.context, id: subject.id },
    location: o.locate(path),
    evidence,
    fix: extra.fix,
  };
}
