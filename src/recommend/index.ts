// recommend(): one workload's measured behaviour in, a validated KEDA ScaledObject out, with a
// derivation for every number, a backtest on its own history, an alert, migration and advice.
import type { Finding } from '../inventory/model.js';
import type { Recommendation, RecommendInput } from './model.js';
import { buildProfile } from './profile.js';
import { size } from './sizing.js';
import { planTrigger } from './trigger.js';
import { buildScaledObject } from './scaled-object.js';
import { InvalidRecommendationError, validateScaledObject } from './validate.js';
import { buildAlert } from './alert.js';
import { graceAdvice, scaledJobAdvice } from './advice.js';
import { runBacktest, runBacktestAsync, type BacktestInput, type BacktestRun } from './backtest.js';

export type { Recommendation, RecommendInput, Backtest, BacktestMetrics, BacktestOptions, Derivation } from './model.js';
export { validateScaledObject, assertValidScaledObject, InvalidRecommendationError, type ValidationIssue, type ValidationResult } from './validate.js';
export { thresholdFor, impliedWaitSeconds, size, WAIT_BUDGET_FRACTION } from './sizing.js';
export { buildProfile, type Profile } from './profile.js';
export { planTrigger, aggregate, PROMETHEUS_PLACEHOLDER } from './trigger.js';
export { signalsFromTrace, type TraceSignalsOptions } from './trace-signals.js';

/** Rule ids a queue-scaled ScaledObject addresses when they fire on the workload. */
const ADDRESSED = new Set(['QD101', 'QD201', 'QD202', 'QD203', 'QD204', 'QD205', 'QD206', 'QD208', 'QD113']);

/** Recommend with the backtest run synchronously (tests, small windows). */
export function recommend(input: RecommendInput): Recommendation {
  const prep = prepare(input);
  return finish(input, prep, input.backtest === false ? { notes: ['Not backtested: disabled by the caller.'] } : runBacktest(prep.backtestInput));
}

/** Recommend with the backtest's candidate search spread over worker threads when it is large. */
export async function recommendAsync(input: RecommendInput): Promise<Recommendation> {
  const prep = prepare(input);
  return finish(input, prep, input.backtest === false ? { notes: ['Not backtested: disabled by the caller.'] } : await runBacktestAsync(prep.backtestInput));
}

function prepare(input: RecommendInput) {
  const w = input.workload;
  const binding = input.binding ?? input.signals?.binding;
  const profile = buildProfile(w, input.signals, input.targetWaitSeconds);
  const plan = planTrigger(binding, input.prometheus);
  const sizing = size(profile, plan.countsInflight);
  const backtestInput: BacktestInput = { workload: w, signals: input.signals, profile, plan, formula: sizing, options: input.backtest || {} };
  return { binding, profile, plan, sizing, backtestInput };
}

function finish(input: RecommendInput, prep: ReturnType<typeof prepare>, bt: BacktestRun | undefined): Recommendation {
  const w = input.workload;
  const { binding, profile, plan } = prep;
  let sizing = prep.sizing;
  if (bt?.overrides) sizing = size(profile, plan.countsInflight, bt.overrides);
  const notes: string[] = [...plan.notes, ...sizing.notes, ...(bt?.notes ?? [])];

  const built = buildScaledObject(w, plan, sizing);
  const validation = validateScaledObject(built.object);
  // a recommendation KEDA would reject is our bug: never hand it out as valid
  if (!validation.valid) throw new InvalidRecommendationError(String(built.object.metadata.name), validation.issues);

  const derivations = [...built.derivations];
  const alert = buildAlert({ workload: w, binding, targetWaitSeconds: profile.targetWait.value, perReplicaThroughput: profile.perReplicaThroughput?.value });
  if (alert) derivations.push(...alert.derivations.map((d) => ({ ...d, object: 'PrometheusRule' as const, field: `PrometheusRule ${alert.object.metadata.name}: ${d.field}` })));
  else notes.push('No alert: the queue wait cannot be expressed without a bound backlog query and a throughput (measured or per replica).');

  const grace = graceAdvice(w, profile);
  if (grace?.patch) notes.push(`terminationGracePeriodSeconds ${grace.currentSeconds}${grace.currentIsDefault ? ' (default)' : ''} is shorter than a long job: raise it to ${grace.recommendedSeconds} (${grace.derivation}).`);
  const scaledJob = scaledJobAdvice(profile);
  if (scaledJob) notes.push(scaledJob.reason);
  if (!profile.startup.measured) notes.push(`Pod start-up ${profile.startup.source}.`);

  const placeholders = plan.placeholder ? [{ field: `spec.triggers[0].metadata.${plan.placeholder.key}`, message: plan.placeholder.message }] : [];
  return {
    workloadId: w.id,
    scaledObject: built.object,
    derivations,
    trigger: { type: plan.type, native: plan.native, measures: plan.measures, countsInflight: plan.countsInflight, query: plan.metadata.query },
    backtest: bt?.backtest,
    alert: alert?.object,
    migration: built.migration,
    grace,
    scaledJob,
    confidence: confidence(input, profile, plan.placeholder !== undefined, bt?.backtest),
    notes,
    placeholders,
    addresses: addressed(input.findings),
    validation,
    targetWaitSeconds: profile.targetWait.value,
  };
}

function addressed(findings: Finding[]): string[] {
  return [...new Set(findings.map((f) => f.ruleId).filter((id) => ADDRESSED.has(id)))].sort();
}

function confidence(input: RecommendInput, profile: ReturnType<typeof buildProfile>, placeholder: boolean, backtest: Recommendation['backtest']): Recommendation['confidence'] {
  const reasons: string[] = [];
  let score = 1;
  const binding = input.binding ?? input.signals?.binding;
  if (!binding) {
    score = Math.min(score, 0.2);
    reasons.push('no queue metric bound');
  } else if (binding.confidence < 0.8) {
    score = Math.min(score, binding.confidence);
    reasons.push(`queue binding confidence ${binding.confidence.toFixed(2)} (${binding.source}${binding.evidence.length ? `: ${binding.evidence.join('; ')}` : ''})`);
  }
  if (!profile.perReplicaThroughput) {
    score -= 0.3;
    reasons.push('per-replica throughput unknown');
  } else if (!profile.perReplicaThroughput.measured) {
    score -= 0.15;
    reasons.push(`per-replica throughput from ${profile.perReplicaThroughput.source}, not measured`);
  }
  if (!profile.arrival) {
    score -= 0.2;
    reasons.push('no arrival or throughput series');
  }
  if (placeholder) {
    score -= 0.2;
    reasons.push('a placeholder must be edited before applying');
  }
  if (!backtest) {
    score -= 0.1;
    reasons.push('not backtested');
  } else if (!backtest.after.targetMet) {
    score -= 0.3;
    reasons.push('the backtest did not meet the target wait');
  }
  if (!profile.startup.measured) score -= 0.05;
  score = Math.max(0, Math.min(1, score));
  // something must be edited by hand: never "high", whatever the rest says
  const level = score >= 0.75 && !placeholder ? 'high' : score >= 0.5 ? 'medium' : 'low';
  return { score: Number(score.toFixed(2)), level, reasons };
}

/** Rule ids a queue-scaled ScaledObject addresses (scan recommends for workloads with these findings). */
export const ADDRESSED_RULES: ReadonlySet<string> = ADDRESSED;
