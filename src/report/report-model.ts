// What every formatter renders: one Report for `check` and `scan`.
import type { Finding, InputProblem, Severity } from '../inventory/model.js';
import type { RuleMeta } from '../diagnose/rule.js';
import type { QueueBinding, Series } from '../metrics/signals-model.js';
import type { Recommendation } from '../recommend/model.js';

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
  scan?: ScanSection;
}

/** Worst-first status of a workload in the scan table. */
export type WorkloadStatus = 'error' | 'warning' | 'info' | 'ok' | 'unknown';

/** One row of the scan table: what a human needs to see about one workload. */
export interface ScanWorkloadView {
  id: string;
  context: string;
  namespace: string;
  kind: string;
  name: string;
  isQueueWorker: boolean;
  isGpu: boolean;
  status: WorkloadStatus;
  /** One line: what is wrong, or why it is fine. */
  verdict: string;
  autoscaler?: string;
  queue?: { system: string; name?: string; confidence: number; source: string; query: string };
  /** Jobs waiting: now, trend (jobs/min) and the series for a sparkline/chart. */
  backlog?: { now: number; trendPerMinute?: number; rising?: boolean; series: Series };
  /** CPU % of requests vs the HPA's target. */
  cpu?: { nowPercent?: number; targetPercent?: number; series?: Series };
  replicas?: { min?: number; now?: number; max?: number; series?: Series };
  /** Estimated p95 queue wait vs the objective, seconds. */
  wait?: { p95Seconds?: number; targetSeconds: number };
  /** Rule ids of the findings about this workload (and its autoscalers). */
  findings: string[];
  /** Object ids (Finding.object.id) of the workload and its autoscalers: which findings are about it. */
  objects?: string[];
  /** Index into ScanSection.recommendations. */
  recommendation?: number;
}

export interface ScanSection {
  /** Evaluation window (unix seconds). */
  window?: { start: number; end: number; step: number };
  source: { kind: 'cluster' | 'files' | 'snapshot' | 'demo'; detail: string };
  prometheus?: { url: string; inClusterAddress?: string; discoveredFrom?: string };
  workloads: ScanWorkloadView[];
  bindings: QueueBinding[];
  recommendations: Recommendation[];
  /** Before/after over all recommendations with a backtest. */
  totals?: { workloads: number; before: { p95WaitMax?: number; podHours: number }; after: { p95WaitMax?: number; podHours: number } };
}

export const TOOL_INFO = {
  name: 'queue-doctor',
  informationUri: 'https://github.com/queue-doctor/queue-doctor',
};

/** Documentation URL of a rule (README anchor). */
export function ruleHelpUri(meta: Pick<RuleMeta, 'id' | 'slug'>): string {
  return `${TOOL_INFO.informationUri}#${meta.id.toLowerCase()}-${meta.slug}`;
}
