// From fetched series to one workload's signals: arrival rate, job duration, per-replica
// throughput, the backlog trend, and notes for everything that could not be measured. Pure.
import type { Workload } from '../inventory/model.js';
import type { Grid } from './decode.js';
import type { JobDuration, QueueBinding, Series, WorkloadSignals } from './signals-model.js';
import { combine, countNonFinite, derivative, gapFraction, isStale, lastSampleTime, lastValue, littlesLaw, median, trend } from './stats.js';
import { formatDuration } from '../units/duration.js';

export interface FetchedSignals {
  backlog?: Series;
  inflight?: Series;
  throughput?: Series;
  enqueueRate?: Series;
  histogram?: { p50?: number; p95?: number; p99?: number; mean?: number };
  /** Value of an explicit job-duration query. */
  jobDurationQueryValue?: number;
  cpuUtilization?: Series;
  replicas?: Series;
  hpa?: WorkloadSignals['hpa'];
  gpuUtilization?: Series;
  startup?: { p50?: number; p90?: number; pods?: number };
  /** Notes collected while fetching (empty answers, failures). */
  notes: string[];
}

export interface DeriveContext {
  workload: Workload;
  binding?: QueueBinding;
  grid: Grid;
  /** Counter rate window in seconds (for the derivative's smoothing). */
  rateWindowSeconds: number;
}

/** Assemble a workload's signals. */
export function deriveSignals(ctx: DeriveContext, f: FetchedSignals): WorkloadSignals {
  const { workload: w, grid } = ctx;
  const notes = [...f.notes];
  const out: WorkloadSignals = {
    workloadId: w.id,
    ...(ctx.binding ? { binding: ctx.binding } : {}),
    window: { start: grid.start, end: grid.end, step: grid.step },
    notes,
  };

  const keep = (name: string, s: Series | undefined): Series | undefined => {
    if (!s) return undefined;
    const bad = countNonFinite(s.v);
    const nonFinite = bad.posInf + bad.negInf;
    if (gapFraction(s) === 1) {
      notes.push(`${name}: no samples in the window`);
      return undefined;
    }
    if (nonFinite > 0) notes.push(`${name}: ${nonFinite} ±Inf point(s) ignored`);
    const gaps = gapFraction(s);
    if (gaps > 0.2) notes.push(`${name}: ${Math.round(gaps * 100)}% of the window has no data`);
    // a series that stopped reporting is not a current measurement
    const staleAfter = Math.max(600, 3 * grid.step);
    if (isStale(s, grid.end, staleAfter)) {
      const last = lastSampleTime(s);
      notes.push(`${name}: stale, last sample ${last === undefined ? 'never' : formatDuration(grid.end - last) + ' before the end of the window'}`);
    }
    return nonFinite > 0 ? { t: s.t, v: s.v.map((x) => (Number.isFinite(x) ? x : NaN)) } : s;
  };

  const backlog = keep('backlog', f.backlog);
  const inflight = keep('in-flight', f.inflight);
  const throughput = keep('throughput', f.throughput);
  const enqueueRate = keep('arrival rate', f.enqueueRate);
  if (backlog) out.backlog = backlog;
  if (inflight) out.inflight = inflight;
  if (throughput) out.throughput = throughput;

  // arrival rate: an enqueue counter when the system has one; otherwise what was completed
  // plus what piled up (λ = X + dB/dt), never negative
  if (enqueueRate) {
    out.arrivalRate = enqueueRate;
    out.arrivalSource = 'counter';
  } else if (throughput && backlog) {
    const halfWidth = Math.max(1, Math.round(ctx.rateWindowSeconds / grid.step / 2));
    const slope = derivative(backlog, halfWidth);
    out.arrivalRate = combine(throughput, slope, (x, d) => Math.max(0, x + d));
    out.arrivalSource = 'derived';
  } else if (backlog) {
    notes.push('arrival rate: needs a completion (throughput) series or an enqueue counter');
  }

  const jd = jobDuration(w, f, inflight, throughput, notes);
  if (jd) out.jobDuration = jd;

  const perReplica = perReplicaThroughput(w, backlog, throughput, f.replicas, jd);
  if (perReplica) {
    out.perReplicaThroughput = perReplica.value;
    notes.push(`per-replica throughput: ${perReplica.how}`);
  }

  if (backlog) {
    const tr = trend(backlog);
    if (tr) out.backlogTrend = { slope: tr.slope, change: tr.change, level: tr.level, pValue: tr.pValue, rising: tr.rising, falling: tr.falling, n: tr.n };
  }

  const cpu = keep('CPU utilisation', f.cpuUtilization);
  if (cpu) out.cpuUtilization = cpu;
  const replicas = keep('replicas', f.replicas);
  if (replicas) out.replicas = replicas;
  if (f.hpa) out.hpa = f.hpa;
  const gpu = keep('GPU utilisation', f.gpuUtilization);
  if (gpu) out.gpuUtilization = gpu;
  if (f.startup?.p50 !== undefined && Number.isFinite(f.startup.p50)) {
    out.startupSeconds = f.startup.p50;
    notes.push(`start-up: median ${formatDuration(f.startup.p50)}${f.startup.p90 !== undefined ? `, p90 ${formatDuration(f.startup.p90)}` : ''} over ${f.startup.pods ?? '?'} pod(s) (created → Ready)`);
  }
  return out;
}

function jobDuration(w: Workload, f: FetchedSignals, inflight: Series | undefined, throughput: Series | undefined, notes: string[]): JobDuration | undefined {
  if (f.jobDurationQueryValue !== undefined && Number.isFinite(f.jobDurationQueryValue) && f.jobDurationQueryValue > 0) {
    return { mean: f.jobDurationQueryValue, source: 'query' };
  }
  const h = f.histogram;
  if (h && [h.p50, h.p95, h.p99, h.mean].some((x) => x !== undefined && Number.isFinite(x))) {
    const d: JobDuration = { source: 'histogram' };
    for (const k of ['p50', 'p95', 'p99', 'mean'] as const) if (h[k] !== undefined && Number.isFinite(h[k]!)) d[k] = h[k];
    return d;
  }
  if (inflight && throughput) {
    const l = littlesLaw(inflight, throughput);
    if (l) {
      notes.push(`job duration: Little's law, mean in-flight ÷ mean throughput over ${l.points} point(s)`);
      return { mean: l.meanSeconds, source: 'littles-law' };
    }
  }
  if (w.settings.jobDurationSeconds !== undefined) return { mean: w.settings.jobDurationSeconds, source: 'annotation' };
  if (w.worker.isQueueWorker) notes.push('job duration: no histogram, no in-flight + throughput pair, no queue-doctor.io/job-duration annotation');
  return undefined;
}

/**
 * Jobs per second one replica completes while busy: the median of throughput ÷ replicas over
 * the points where work was waiting (backlog ≥ 1), when any; else concurrency ÷ mean duration.
 */
function perReplicaThroughput(
  w: Workload,
  backlog: Series | undefined,
  throughput: Series | undefined,
  replicas: Series | undefined,
  jd: JobDuration | undefined,
): { value: number; how: string } | undefined {
  if (backlog && throughput) {
    const ratios: number[] = [];
    const current = lastValue(replicas) ?? w.status?.replicas ?? w.replicas;
    for (let i = 0; i < backlog.v.length; i++) {
      const r = replicas ? replicas.v[i] : current;
      if (backlog.v[i] >= 1 && Number.isFinite(throughput.v[i]) && throughput.v[i] > 0 && r !== undefined && r >= 1) ratios.push(throughput.v[i] / r);
    }
    const m = median(ratios);
    if (m !== undefined) return { value: m, how: `median throughput ÷ replicas over ${ratios.length} busy point(s)` };
  }
  const mean = jd?.mean ?? jd?.p50;
  if (mean !== undefined && mean > 0) {
    const c = w.settings.concurrency ?? 1;
    return { value: c / mean, how: `concurrency ${c} ÷ mean job duration ${formatDuration(mean)}` };
  }
  return undefined;
}
