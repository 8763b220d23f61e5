// The measured facts a recommendation is sized from, each with where it came from: concurrency,
// job durations, per-replica throughput, the arrival pattern and pod start-up.
import type { Workload } from '../inventory/model.js';
import type { WorkloadSignals } from '../metrics/signals-model.js';
import { points, quantile, mean, stepOf, runs } from '../diagnose/signal-stats.js';

/** Start-up assumed when it could not be measured (said so in the notes). */
export const DEFAULT_STARTUP_SECONDS = 30;

export interface Sourced<T> {
  value: T;
  /** Where the number came from, for derivations ("measured", "annotation", "assumed …"). */
  source: string;
  measured: boolean;
}

export interface ArrivalProfile {
  /** jobs/s */
  mean: number;
  p05: number;
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
  p95: number;
  max: number;
  /** Fraction of the window with (almost) no arrivals. */
  idleFraction: number;
  /** Median over the samples with arrivals (the typical level of a mostly idle workload). */
  activeP50: number;
  /** Series spacing, seconds. */
  step: number;
  source: string;
  samples: number;
}

export interface Profile {
  concurrency: Sourced<number>;
  /** Mean job duration, seconds. */
  meanDuration?: Sourced<number>;
  p95Duration?: Sourced<number>;
  p99Duration?: Sourced<number>;
  /** Jobs per second one busy replica completes. */
  perReplicaThroughput?: Sourced<number>;
  arrival?: ArrivalProfile;
  startup: Sourced<number>;
  targetWait: Sourced<number>;
  /** Largest backlog seen in the window (jobs), when the backlog was measured. */
  backlogMax?: number;
}

const sig = (x: number, digits = 3) => Number(x.toPrecision(digits));

export function buildProfile(w: Workload, s: WorkloadSignals | undefined, targetWaitSeconds: number): Profile {
  const c = w.settings.concurrency;
  const profile: Profile = {
    concurrency: c !== undefined ? { value: c, source: 'queue-doctor.io/concurrency', measured: false } : { value: 1, source: 'default 1 (set queue-doctor.io/concurrency)', measured: false },
    startup:
      s?.startupSeconds !== undefined
        ? { value: s.startupSeconds, source: 'measured pod start-up', measured: true }
        : { value: DEFAULT_STARTUP_SECONDS, source: `assumed ${DEFAULT_STARTUP_SECONDS}s (pod start-up not measured)`, measured: false },
    targetWait:
      w.settings.targetWaitSeconds !== undefined
        ? { value: w.settings.targetWaitSeconds, source: 'queue-doctor.io/target-wait', measured: false }
        : { value: targetWaitSeconds, source: 'target wait', measured: false },
  };
  const d = s?.jobDuration;
  const durSource = d ? `${d.source === 'littles-law' ? "Little's law" : d.source}` : '';
  if (d?.mean !== undefined && d.mean > 0) profile.meanDuration = { value: d.mean, source: `mean job duration (${durSource})`, measured: d.source !== 'annotation' };
  else if (d?.p50 !== undefined && d.p50 > 0) profile.meanDuration = { value: d.p50, source: `median job duration (${durSource}) as the mean`, measured: d.source !== 'annotation' };
  else if (w.settings.jobDurationSeconds) profile.meanDuration = { value: w.settings.jobDurationSeconds, source: 'queue-doctor.io/job-duration', measured: false };
  if (d?.p95 !== undefined) profile.p95Duration = { value: d.p95, source: `p95 job duration (${durSource})`, measured: true };
  if (d?.p99 !== undefined) profile.p99Duration = { value: d.p99, source: `p99 job duration (${durSource})`, measured: true };
  else if (d?.p95 !== undefined) profile.p99Duration = { value: d.p95 * 1.5, source: `p95 job duration × 1.5 (p99 not measured)`, measured: false };
  else if (profile.meanDuration) profile.p99Duration = { value: profile.meanDuration.value * 3, source: `mean job duration × 3 (no percentiles measured)`, measured: false };

  const cv = profile.concurrency.value;
  if (s?.perReplicaThroughput !== undefined && s.perReplicaThroughput > 0) {
    profile.perReplicaThroughput = { value: s.perReplicaThroughput, source: 'measured per-replica throughput', measured: true };
  } else if (profile.meanDuration) {
    profile.perReplicaThroughput = {
      value: cv / profile.meanDuration.value,
      source: `concurrency ${cv} ÷ ${sig(profile.meanDuration.value)}s ${profile.meanDuration.source}`,
      measured: profile.meanDuration.measured,
    };
  }
  profile.arrival = arrivalProfile(s);
  const backlog = points(s?.backlog).map((p) => p.v);
  if (backlog.length > 0) profile.backlogMax = Math.max(...backlog);
  return profile;
}

function arrivalProfile(s: WorkloadSignals | undefined): ArrivalProfile | undefined {
  let pts = points(s?.arrivalRate);
  let source = s?.arrivalSource === 'counter' ? 'enqueue counter' : 'arrival rate';
  if (pts.length === 0) {
    pts = points(s?.throughput);
    source = 'completions (no arrival series: peaks are underestimated when the queue built up)';
  }
  if (pts.length === 0) return undefined;
  const vs = pts.map((p) => Math.max(0, p.v));
  const m = mean(vs)!;
  const eps = Math.max(1e-9, m * 0.01);
  return {
    mean: m,
    p05: quantile(vs, 0.05)!,
    p10: quantile(vs, 0.1)!,
    p25: quantile(vs, 0.25)!,
    p50: quantile(vs, 0.5)!,
    p75: quantile(vs, 0.75)!,
    p90: quantile(vs, 0.9)!,
    p95: quantile(vs, 0.95)!,
    max: Math.max(...vs),
    idleFraction: runs(pts, (p) => p.v <= eps).fraction,
    activeP50: quantile(vs.filter((v) => v > eps), 0.5) ?? 0,
    step: stepOf(pts),
    source,
    samples: vs.length,
  };
}
