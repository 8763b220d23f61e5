// What every formatter renders: one Report for `check` and `scan`.
import type { Finding, InputProblem, Severity } from '../inventory/model.js';
import type { RuleMeta } from '../diagnose/rule.js';

export interface ReportSummary {
  errors: number;
  warnings: number;
  infos: number;
  /** Findings matched by the baseline (reported, do not fail the run). */
  baselined: number;
  /** Findings dropped by ignore annotations. */
  suppressed: number;
  files: number;
  objects: number;
  workloads: number;
  queueWorkers: number;
  autoscalers: number;
  /** Objects of kinds queue-doctor does not read, and non-Kubernetes documents. */
  ignoredObjects: number;
}

export interface Report {
  command: 'check' | 'scan';
  tool: { name: string; version: string; informationUri: string };
  findings: Finding[];
  problems: InputProblem[];
  /** Meta of every rule that ran (SARIF rule metadata, JUnit test cases). */
  rules: RuleMeta[];
  summary: ReportSummary;
  /** A data source could not be read fully: results are partial. */
  incomplete: boolean;
  /** The failing threshold in effect. */
  failOn: Severity | 'none';
  /** --max-warnings in effect: more warnings than this fail the run. */
  maxWarnings?: number;
  metadata: {
    generatedAt: string;
    durationMs: number;
    /** PromQL requests made (scan). */
    queryCount?: number;
    /** HTTP requests made to Kubernetes API servers (scan). */
    kubeRequestCount?: number;
    contexts?: string[];
    [key: string]: unknown;
  };
  /** scan only: per-workload diagnosis, recommendations and backtests (see src/cli/scan.ts). */
  scan?: Record<string, unknown>;
}

export const TOOL_INFO = {
  name: 'queue-doctor',
  informationUri: 'https://github.com/queue-doctor/queue-doctor',
};

/** Documentation URL of a rule (README anchor). */
export function ruleHelpUri(meta: Pick<RuleMeta, 'id' | 'slug'>): string {
  return `${TOOL_INFO.informationUri}#${meta.id.toLowerCase()}-${meta.slug}`;
}
