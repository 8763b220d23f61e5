// Evidence fields shared by the live rules, so every rule reports the same numbers the same way.
import type { Finding } from '../inventory/model.js';
import type { LiveView } from './live-view.js';
import { fmtWait } from './live-view.js';

/** Round for display and evidence (2 decimals, no trailing noise). */
export function r2(x: number): number {
  return Number.isFinite(x) ? Number(x.toFixed(2)) : x;
}

export function pct(x: number): string {
  return `${r2(x)} %`;
}

/** Seconds for evidence: a number, or null when unbounded (JSON has no Infinity). */
export function secondsOrNull(x: number | undefined): number | null {
  return x === undefined || !Number.isFinite(x) ? null : r2(x);
}

export function backlogEvidence(v: LiveView): Finding['evidence'] {
  const b = v.backlog;
  if (!b) return {};
  return {
    backlogNow: r2(b.now),
    backlogMax: r2(b.max),
    backlogTrendJobsPerMinute: r2(b.trendPerMinute),
    backlogTrendPValue: b.trend ? Number(b.trend.pValue.toPrecision(3)) : null,
    backlogRising: b.rising,
    backlogAboveReplicasLongestSeconds: r2(b.aboveReplicas.longestSeconds),
    estimatedWaitSeconds: secondsOrNull(v.waitNow?.seconds),
    estimatedWait: v.waitNow ? fmtWait(v.waitNow.seconds) : null,
    estimatedWaitFormula: v.waitNow?.formula ?? null,
    windowSeconds: v.windowSeconds,
  };
}
