// What check and scan share: option resolution, the report, and the exit decision.
import type { Inventory, Severity } from '../inventory/model.js';
import type { RuleMeta, Rule } from '../diagnose/rule.js';
import type { EngineResult } from '../diagnose/run-rules.js';
import { severityRank } from '../diagnose/run-rules.js';
import type { QueueDoctorConfig } from '../config/load-config.js';
import type { Report } from '../report/report-model.js';
import { TOOL_INFO } from '../report/report-model.js';
import { combineExit, UserError } from './exit-codes.js';
import { parseDuration } from '../units/duration.js';
import { packageVersion } from '../package-files.js';

export interface CommonSettings {
  failOn: Severity | 'none';
  maxWarnings?: number;
  targetWaitSeconds: number;
}

export const DEFAULT_TARGET_WAIT_SECONDS = 30;

export function resolveCommon(opts: { failOn?: string; maxWarnings?: number; targetWait?: string }, config: QueueDoctorConfig): CommonSettings {
  const waitRaw = opts.targetWait ?? config.targetWait;
  let targetWaitSeconds = DEFAULT_TARGET_WAIT_SECONDS;
  if (waitRaw !== undefined) {
    const s = parseDuration(waitRaw);
    if (s === undefined || s <= 0) throw new UserError(`--target-wait: "${waitRaw}" is not a duration (use e.g. 30s, 2m)`);
    targetWaitSeconds = s;
  }
  return {
    failOn: (opts.failOn ?? config.failOn ?? 'error') as Severity | 'none',
    maxWarnings: opts.maxWarnings ?? config.maxWarnings,
    targetWaitSeconds,
  };
}

export function buildReport(input: {
  command: 'check' | 'scan';
  inventory: Inventory;
  engine: EngineResult;
  rules: Rule[];
  failOn: Severity | 'none';
  maxWarnings?: number;
  incomplete: boolean;
  started: number;
  metadata?: Record<string, unknown>;
  scan?: import('../report/report-model.js').ScanSection;
}): Report {
  const { inventory, engine } = input;
  const active = engine.findings.filter((f) => !f.baselined);
  const count = (s: Severity) => active.filter((f) => f.severity === s).length;
  const objects = Object.values(inventory.kinds).reduce((a, b) => a + b, 0);
  const ran = new Set(engine.rulesRun);
  return {
    command: input.command,
    tool: { ...TOOL_INFO, version: packageVersion() },
    findings: engine.findings,
    problems: inventory.problems,
    rules: input.rules.map((r) => r.meta).filter((m: RuleMeta) => ran.has(m.id)),
    summary: {
      errors: count('error'),
      warnings: count('warning'),
      infos: count('info'),
      baselined: engine.findings.length - active.length,
      suppressed: engine.suppressed.length,
      files: inventory.sources.length,
      objects,
      workloads: inventory.workloads.length,
      queueWorkers: inventory.workloads.filter((w) => w.worker.isQueueWorker).length,
      autoscalers: inventory.autoscalers.length,
      ignoredObjects: inventory.ignored,
    },
    incomplete: input.incomplete,
    failOn: input.failOn,
    ...(input.maxWarnings !== undefined ? { maxWarnings: input.maxWarnings } : {}),
    metadata: {
      generatedAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - input.started),
      rulesSkipped: engine.rulesSkipped,
      ...input.metadata,
    },
    scan: input.scan,
  };
}

/** Exit code for a finished report (see exit-codes.ts for how 1, 2 and 3 combine). */
export function decideExit(report: Report, maxWarnings = report.maxWarnings): number {
  const active = report.findings.filter((f) => !f.baselined);
  const threshold = report.failOn === 'none' ? -1 : severityRank(report.failOn);
  const failed =
    active.some((f) => severityRank(f.severity) <= threshold) || (maxWarnings !== undefined && report.summary.warnings > maxWarnings);
  return combineExit({ inputError: report.problems.some((p) => p.level === 'error'), failed, incomplete: report.incomplete });
}
