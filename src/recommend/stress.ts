// The wake-up stress test: a history says how often the load went quiet and came back, not how
// often it will. A configuration chosen on a busy history can keep too small a warm pool (its
// cost there hardly shows it), and then every return from quiet leaves the first jobs waiting for
// a pod start-up. So every candidate must also serve a step from the history's quiet level (p5 of
// the arrival rate) to its typical level (the median, or the median of the active samples when
// the workload is idle more than half the time) within the target, as often as the objective can
// absorb it: the busy spell lasts WAKE_BUSY_REACTIONS reaction times (pod start-up + an HPA sync
// + a scrape), so the jobs arriving while new pods start are about a tenth of the spell's — twice
// what a p95 tolerates. A pool passes if it serves at least about half of them within the target.
import type { JobDuration } from '../metrics/signals-model.js';
import type { ArrivalProfile } from './profile.js';
import { generateJobs, simulateJobs, traceFromSeries, type Jobs, type Policy, type SimulationConfig, type Trace } from '../simulate/index.js';

/** Quiet spell before the step: longer than any scale-down window (≤ 300 s) plus cooldown (≤ 300 s) we recommend, twice over. */
export const WAKE_QUIET_SECONDS = 1200;
/** Busy spell after the step, in reaction times. */
export const WAKE_BUSY_REACTIONS = 10;
/** HPA sync and Prometheus scrape: what a reaction takes besides the pod start-up. */
const SYNC_AND_SCRAPE_SECONDS = 30;
/** After the busy spell the load goes quiet again so that queued jobs are served (and scored with their real wait). */
const DRAIN_SECONDS = 300;
const BUCKET_SECONDS = 10;

export interface WakeUpStress {
  trace: Trace;
  /** The scored busy spell, on the trace clock. */
  scoreFrom: number;
  scoreTo: number;
  quietRate: number;
  busyRate: number;
  busySeconds: number;
  /** One line for the backtest's explanation. */
  description: string;
}

const fmt = (x: number) => String(Number(x.toPrecision(3)));

/** The wake-up scenario for this arrival profile, or undefined when there is no busy level to step to. */
export function wakeUpStress(a: ArrivalProfile | undefined, duration: JobDuration, startupSeconds: number): WakeUpStress | undefined {
  if (!a) return undefined;
  const busyRate = a.idleFraction > 0.5 ? a.activeP50 : a.p50;
  const quietRate = Math.min(a.p05, busyRate);
  if (!(busyRate > 0)) return undefined;
  const reaction = startupSeconds + SYNC_AND_SCRAPE_SECONDS;
  const busySeconds = Math.ceil((WAKE_BUSY_REACTIONS * reaction) / BUCKET_SECONDS) * BUCKET_SECONDS;
  const t: number[] = [];
  const v: number[] = [];
  const end = WAKE_QUIET_SECONDS + busySeconds + DRAIN_SECONDS;
  for (let x = 0; x < end; x += BUCKET_SECONDS) {
    t.push(x);
    v.push(x >= WAKE_QUIET_SECONDS && x < WAKE_QUIET_SECONDS + busySeconds ? busyRate : quietRate);
  }
  const trace = traceFromSeries({ t, v }, duration, 'wake-up stress');
  const level = a.idleFraction > 0.5 ? 'median of the active samples' : 'median';
  return {
    trace,
    scoreFrom: WAKE_QUIET_SECONDS,
    scoreTo: WAKE_QUIET_SECONDS + busySeconds,
    quietRate,
    busyRate,
    busySeconds,
    description:
      `a step from the quiet level (p5 arrivals ${fmt(quietRate)}/s, held ${WAKE_QUIET_SECONDS / 60} min) to the typical level (${level} ${fmt(busyRate)}/s) ` +
      `for ${WAKE_BUSY_REACTIONS} reaction times (${WAKE_BUSY_REACTIONS} × (start-up ${fmt(startupSeconds)}s + ${SYNC_AND_SCRAPE_SECONDS}s sync and scrape) = ${busySeconds}s)`,
  };
}

export interface StressOutcome {
  /** p95 wait of the busy spell's jobs, per seed. */
  p95: number[];
  /** Worst of the seeds. */
  worst: number;
  pass: boolean;
}

/**
 * Run each policy through the stress on every seed (jobs drawn once per seed: every policy sees
 * the same arrivals) and judge the busy spell's p95 against `bound`.
 */
export function runStress(stress: WakeUpStress, policies: Policy[], config: SimulationConfig, seeds: number[], bound: number): StressOutcome[] {
  const jobs: Jobs[] = seeds.map((seed) => generateJobs(stress.trace, seed));
  const span = { start: stress.trace.start, end: stress.trace.end };
  return policies.map((policy) => {
    const p95 = jobs.map((j, i) => simulateJobs(j, span, policy, { ...config, seed: seeds[i], scoreFrom: stress.scoreFrom, scoreTo: stress.scoreTo, timelinePoints: 0, initialReplicas: undefined }).wait.p95);
    const worst = Math.max(...p95);
    return { p95, worst, pass: worst <= bound };
  });
}
