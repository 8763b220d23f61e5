// The scan section of the report: one view per workload (the table's row, the charts' series),
// built from the inventory, the signals, the findings and the recommendations. Pure.
import type { Autoscaler, Finding, Inventory, Workload } from '../inventory/model.js';
import type { QueueBinding, Series, SignalsResult } from '../metrics/signals-model.js';
import type { Recommendation } from '../recommend/model.js';
import type { ScanSection, ScanWorkloadView, WorkloadStatus } from './report-model.js';
import { liveView, cpuTargetOf, targetWaitFor } from '../diagnose/live-view.js';
import { downsample } from '../metrics/stats.js';
import { severityRank } from '../diagnose/run-rules.js';
import { findRuleMeta } from './rule-lookup.js';

/** Points kept per series in the report: enough for a chart, small enough for JSON/HTML. */
const MAX_POINTS = 240;

export function buildScanSection(input: {
  inventory: Inventory;
  signals?: SignalsResult;
  findings: Finding[];
  recommendations: Recommendation[];
  targetWaitSeconds: number;
  source: ScanSection['source'];
  window?: ScanSection['window'];
}): ScanSection {
  const { inventory, signals, findings, recommendations } = input;
  const byObject = new Map<string, Finding[]>();
  for (const f of findings) {
    let list = byObject.get(f.object.id);
    if (!list) byObject.set(f.object.id, (list = []));
    list.push(f);
  }
  const recIndex = new Map(recommendations.map((r, i) => [r.workloadId, i]));
  const bindings = new Map<string, QueueBinding>((signals?.bindings ?? []).map((b) => [b.workloadId, b]));
  const workloads = inventory.workloads.map((w) => {
    const own = [...(byObject.get(w.id) ?? []), ...w.autoscalers.flatMap((a) => byObject.get(a.id) ?? [])];
    return workloadView(w, own, signals, bindings.get(w.id), recIndex.get(w.id), input.targetWaitSeconds);
  });
  workloads.sort((a, b) => statusRank(a.status) - statusRank(b.status) || a.id.localeCompare(b.id));
  return {
    window: input.window,
    source: input.source,
    prometheus: signals?.prometheus,
    workloads,
    bindings: signals?.bindings ?? [],
    recommendations,
    totals: totals(recommendations),
  };
}

const STATUS_ORDER: Record<WorkloadStatus, number> = { error: 0, warning: 1, info: 2, unknown: 3, ok: 4 };
function statusRank(s: WorkloadStatus): number {
  return STATUS_ORDER[s];
}

function workloadView(
  w: Workload,
  findings: Finding[],
  signals: SignalsResult | undefined,
  binding: QueueBinding | undefined,
  recommendation: number | undefined,
  defaultTargetWait: number,
): ScanWorkloadView {
  const s = signals?.byWorkload.get(w.id);
  const worst = headline(findings);
  const view: ScanWorkloadView = {
    id: w.id,
    context: w.context,
    namespace: w.namespace,
    kind: w.kind,
    name: w.name,
    isQueueWorker: w.worker.isQueueWorker,
    isGpu: w.gpu.isGpu,
    status: worst ? worst.severity : w.worker.isQueueWorker && !s?.backlog ? 'unknown' : 'ok',
    verdict: verdictOf(w, worst, s !== undefined),
    autoscaler: w.autoscalers.map(describeAutoscaler).join(' + ') || undefined,
    findings: [...new Set(findings.map((f) => f.ruleId))].sort(),
    objects: [w.id, ...w.autoscalers.map((a) => a.id)],
    recommendation,
  };
  if (binding) view.queue = { system: binding.system, name: binding.queueName, confidence: binding.confidence, source: binding.source, query: binding.backlogQuery };
  const live = s ? liveView(w, s, defaultTargetWait) : undefined;
  if (s?.backlog && live?.backlog) {
    view.backlog = { now: live.backlog.now, trendPerMinute: live.backlog.trendPerMinute, rising: live.backlog.rising, series: small(s.backlog) };
  }
  const cpuTarget = cpuTargetOf(w)?.value ?? s?.hpa?.targetCpuUtilization;
  if (s?.cpuUtilization) view.cpu = { nowPercent: lastFinite(s.cpuUtilization), targetPercent: cpuTarget, series: small(s.cpuUtilization) };
  else if (cpuTarget !== undefined) view.cpu = { targetPercent: cpuTarget };
  const scaler = w.autoscalers.find((a) => a.kind !== 'ScaledJob');
  const replicasNow = (s?.replicas && lastFinite(s.replicas)) ?? w.status?.replicas ?? w.replicas;
  view.replicas = {
    min: scaler?.minReplicas,
    now: replicasNow,
    max: scaler?.maxReplicas,
    ...(s?.replicas ? { series: small(s.replicas) } : {}),
  };
  if (w.worker.isQueueWorker) view.wait = { p95Seconds: live?.waitP95?.seconds, targetSeconds: targetWaitFor(w, defaultTargetWait) };
  return view;
}

// Among equally severe findings, the verdict names the diagnosis that explains the others: the
// backlog growing under a blind or capped autoscaler first, then the static causes, then the
// symptoms (wait over target), then the rest by rule id.
const VERDICT_PRIORITY = ['QD201', 'QD202', 'QD203', 'QD102', 'QD101', 'QD104', 'QD206', 'QD113', 'QD204', 'QD205'];

function headline(findings: Finding[]): Finding | undefined {
  const rank = (id: string) => {
    const i = VERDICT_PRIORITY.indexOf(id);
    return i === -1 ? VERDICT_PRIORITY.length : i;
  };
  let best: Finding | undefined;
  for (const f of findings) {
    if (!best) best = f;
    else {
      const bySeverity = severityRank(f.severity) - severityRank(best.severity);
      if (bySeverity < 0 || (bySeverity === 0 && (rank(f.ruleId) - rank(best.ruleId) || f.ruleId.localeCompare(best.ruleId)) < 0)) best = f;
    }
  }
  return best;
}

function verdictOf(w: Workload, worst: Finding | undefined, hasSignals: boolean): string {
  if (worst) return findRuleMeta(worst.ruleId)?.title ?? worst.message;
  if (!w.worker.isQueueWorker) return 'not a queue worker: CPU scaling suits it';
  if (!hasSignals) return 'queue worker: no signals to judge it';
  return 'scales with its queue: no problem found';
}

/** "HPA cpu 70%", "KEDA rabbitmq ≥20" */
export function describeAutoscaler(a: Autoscaler): string {
  const kind = a.kind === 'HorizontalPodAutoscaler' ? 'HPA' : a.kind === 'ScaledJob' ? 'KEDA job' : 'KEDA';
  const metrics = a.metrics.map((m) => {
    if (m.source === 'resource') return `${m.resourceName ?? '?'}${m.targetType === 'Utilization' && m.target !== undefined ? ` ${m.target}%` : ''}`;
    if (m.triggerType) return `${m.triggerType}${m.target !== undefined ? ` ≥${m.target}` : ''}`;
    return `${m.source}${m.metricName ? ` ${m.metricName}` : ''}`;
  });
  return `${kind} ${metrics.join(', ') || '(no metrics)'}`;
}

function small(s: Series): Series {
  return s.t.length <= MAX_POINTS ? s : downsample(s, MAX_POINTS);
}

function lastFinite(s: Series): number | undefined {
  for (let i = s.v.length - 1; i >= 0; i--) if (Number.isFinite(s.v[i])) return s.v[i];
  return undefined;
}

function totals(recommendations: Recommendation[]): ScanSection['totals'] {
  const withBacktest = recommendations.filter((r) => r.backtest?.before && r.backtest.after);
  if (withBacktest.length === 0) return undefined;
  const maxOf = (xs: number[]) => (xs.length ? Math.max(...xs) : undefined);
  return {
    workloads: withBacktest.length,
    before: { p95WaitMax: maxOf(withBacktest.map((r) => r.backtest!.before!.waitP95)), podHours: sum(withBacktest.map((r) => r.backtest!.before!.podSeconds)) / 3600 },
    after: { p95WaitMax: maxOf(withBacktest.map((r) => r.backtest!.after.waitP95)), podHours: sum(withBacktest.map((r) => r.backtest!.after.podSeconds)) / 3600 },
  };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
