// What `recommend()` takes and returns: plain data that the scan report, `-o yaml` and `-o json`
// render as they like.
import type { Finding, Workload } from '../inventory/model.js';
import type { QueueBinding, WorkloadSignals } from '../metrics/signals-model.js';
import type { Derivation } from './scaled-object.js';
import type { ValidationIssue } from './validate.js';
import type { GraceAdvice, ScaledJobAdvice } from './advice.js';

export type { Derivation } from './scaled-object.js';

export interface RecommendInput {
  workload: Workload;
  signals?: WorkloadSignals;
  binding?: QueueBinding;
  prometheus?: { inClusterAddress?: string; url?: string };
  /** Default objective; the workload's queue-doctor.io/target-wait wins. */
  targetWaitSeconds: number;
  /** Findings about this workload (live and static): what the recommendation addresses. */
  findings: Finding[];
  /** Backtest options; `false` skips the simulator (formula only). */
  backtest?: BacktestOptions | false;
}

export interface BacktestOptions {
  /** Seeds for the two runs a candidate must pass (robustness). Default [1, 2]. */
  seeds?: [number, number];
  /** p95 wait must stay under target × (1 − margin). Default 0.15 (DEFAULT_MARGIN). */
  margin?: number;
  /** Concurrency of each pod's job slots (default: the workload's). */
  concurrency?: number;
  /** Score only jobs arriving at or after this time (trace clock); default: the whole window. */
  scoreFrom?: number;
  /** Expected jobs above which the search runs on a sample of the history (default SEARCH_JOB_BUDGET). */
  searchJobBudget?: number;
}

/** The simulator's summary of one policy over the window. */
export interface BacktestMetrics {
  policy: string;
  waitP50: number;
  waitP95: number;
  waitP99: number;
  waitMax: number;
  jobsLost: number;
  podSeconds: number;
  /** pod-seconds × concurrency ÷ work-seconds; null when no work arrived. */
  costRatio: number | null;
  scaleEvents: number;
  targetMet: boolean;
}

export interface Backtest {
  window: { start: number; end: number; jobs?: number };
  before?: BacktestMetrics;
  after: BacktestMetrics;
  /** What was searched and why the winner won, one or a few lines. */
  searched: string;
  candidates: number;
  /** The formula's configuration as simulated, for comparison with the winner. */
  formula?: BacktestMetrics;
}

export interface Recommendation {
  workloadId: string;
  /** A complete keda.sh/v1alpha1 ScaledObject, validated. */
  scaledObject: Record<string, any>;
  /** One per number in scaledObject (and alert), with its formula and the numbers. */
  derivations: Derivation[];
  trigger: { type: string; native: boolean; measures: string; countsInflight: boolean; query?: string };
  backtest?: Backtest;
  /** A PrometheusRule alerting on the estimated queue wait. */
  alert?: Record<string, any>;
  migration: { transferHpa?: string; replacesScaledObject?: string; notes: string[] };
  grace?: GraceAdvice;
  scaledJob?: ScaledJobAdvice;
  /** 0..1 and its label, with the reasons that lowered it. */
  confidence: { score: number; level: 'high' | 'medium' | 'low'; reasons: string[] };
  notes: string[];
  /** Values the user must edit before applying (placeholders), by field path. */
  placeholders: Array<{ field: string; message: string }>;
  /** Findings this recommendation addresses (rule ids). */
  addresses: string[];
  validation: { valid: boolean; issues: ValidationIssue[] };
  targetWaitSeconds: number;
}
