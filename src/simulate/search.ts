// Candidate search: run many policies on the recorded history, keep those that meet the wait
// objective with a safety margin, and pick the cheapest one that still meets it on a second
// random seed. Used by `scan` to choose thresholds and behaviour, and by benchmarks.
import type { Trace } from './trace.js';
import { traceStats } from './trace.js';
import type { Policy } from './policy.js';
import { generateJobs, type Jobs } from './jobs.js';
import { simulateJobs, type SimulationConfig, type SimulationResult } from './engine.js';
import { formatDuration } from '../units/duration.js';

export interface SearchObjective {
  /** The p95 queue-wait objective (s). */
  targetWaitSeconds: number;
  /** Safety margin: a candidate must reach p95 ≤ target × (1 − margin). 0.2 = 20 %. */
  margin: number;
  /** Largest fraction of scored jobs a candidate may lose at scale-in (default 0.001). */
  maxLostFraction?: number;
  /** The seed of the robustness check (default config.seed + 1). */
  secondSeed?: number;
}

export interface SearchOptions {
  /** Worker threads: false = synchronous; a number = at most that many threads; default 'auto'
   *  (threads when the search is large enough and cores are idle; results never depend on it). */
  parallel?: boolean | number | 'auto';
  /** Keep each result's timeline (default false: timelines are dropped to save time and memory). */
  keepTimelines?: boolean;
}

export interface CandidateOutcome {
  /** Index in the candidates array. */
  index: number;
  policy: Policy;
  /** Result on the first seed. */
  result: SimulationResult;
  /** Result on the second seed (only computed for candidates that reached the robustness check). */
  second?: SimulationResult;
  /** Met the objective on the first seed. */
  feasible: boolean;
  /** Also met it on the second seed; undefined when not checked. */
  robust?: boolean;
  /** Why it does not meet the objective (empty when it does). */
  misses: string[];
}

export interface SearchResult {
  /** Robust-feasible first (cheapest first), then feasible but not robust or not checked, then the rest (lowest p95 first). */
  ranked: CandidateOutcome[];
  winner?: CandidateOutcome;
  /** target × (1 − margin). */
  bound: number;
  seeds: [number, number];
  /** Threads used for the first pass (1 = synchronous). */
  threads: number;
  /** Human-readable: what was searched and why the winner won. */
  why: string;
}

/** What a worker thread is given. */
export interface SearchWorkerInput {
  trace: Trace;
  policies: Array<{ index: number; policy: Policy }>;
  config: SimulationConfig;
}

/** Run policies on one seed's jobs (the unit of work of a worker thread). */
export function runChunk(input: SearchWorkerInput, jobs?: Jobs): Array<{ index: number; result: SimulationResult }> {
  const j = jobs ?? generateJobs(input.trace, input.config.seed);
  const span = { start: input.trace.start, end: input.trace.end };
  return input.policies.map(({ index, policy }) => ({ index, result: simulateJobs(j, span, policy, input.config) }));
}

/** Search synchronously (no worker threads). */
export function searchCandidatesSync(trace: Trace, candidates: Policy[], config: SimulationConfig, objective: SearchObjective, options: SearchOptions = {}): SearchResult {
  const cfg = searchConfig(config, options);
  const first = runChunk({ trace, policies: candidates.map((policy, index) => ({ index, policy })), config: cfg });
  return finish(trace, candidates, cfg, objective, first, 1);
}

/**
 * Search `candidates` on `trace`: simulate each on config.seed, keep those with p95 wait ≤
 * target × (1 − margin) and few lost jobs, then re-run the cheapest of them on a second seed
 * until one holds there too — the winner. Uses worker threads for the first pass when it is
 * large enough to pay for them and the compiled worker is available; falls back to
 * synchronous otherwise. Results do not depend on the number of threads.
 */
export async function searchCandidates(trace: Trace, candidates: Policy[], config: SimulationConfig, objective: SearchObjective, options: SearchOptions = {}): Promise<SearchResult> {
  const cfg = searchConfig(config, options);
  const threads = await chooseThreads(trace, candidates.length, options.parallel ?? 'auto');
  if (threads <= 1) return searchCandidatesSync(trace, candidates, config, objective, options);
  const { Worker } = await import('node:worker_threads');
  const chunks: Array<Array<{ index: number; policy: Policy }>> = Array.from({ length: threads }, () => []);
  // interleave, so that neighbouring (similar-cost) candidates spread over the threads
  candidates.forEach((policy, index) => chunks[index % threads].push({ index, policy }));
  const workerRuns = chunks.slice(1).map(
    (policies) =>
      new Promise<Array<{ index: number; result: SimulationResult }>>((resolve, reject) => {
        const w = new Worker(WORKER_URL, { workerData: { trace, policies, config: cfg } satisfies SearchWorkerInput });
        w.once('message', (m) => resolve(m as Array<{ index: number; result: SimulationResult }>));
        w.once('error', reject);
        w.once('exit', (code) => {
          if (code !== 0) reject(new Error(`search worker exited with code ${code}`));
        });
      }),
  );
  // the main thread takes the first chunk while the workers run
  const mine = runChunk({ trace, policies: chunks[0], config: cfg });
  const theirs = await Promise.all(workerRuns);
  const first = [...mine, ...theirs.flat()].sort((a, b) => a.index - b.index);
  return finish(trace, candidates, cfg, objective, first, threads);
}

const WORKER_URL = new URL('./search-worker.js', import.meta.url);

async function chooseThreads(trace: Trace, n: number, parallel: SearchOptions['parallel']): Promise<number> {
  if (parallel === false || n < 2) return 1;
  const { availableParallelism, loadavg } = await import('node:os');
  const cores = availableParallelism();
  let max = typeof parallel === 'number' ? Math.max(1, Math.floor(parallel)) : cores;
  max = Math.min(max, cores, n);
  if (max <= 1) return 1;
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  // running from TypeScript sources (tests): no compiled worker, stay synchronous
  if (!existsSync(fileURLToPath(WORKER_URL))) return 1;
  if (parallel === 'auto') {
    // a thread costs ~50 ms to start and must warm up its JIT: only worth it for enough simulated jobs
    if (traceStats(trace).jobs * n < 1_000_000) return 1;
    // on a busy machine a second thread only competes for the same cores (results never depend on it)
    const idle = cores - loadavg()[0];
    if (idle < 1) return 1;
    max = Math.min(max, 1 + Math.floor(idle));
  }
  return max;
}

function searchConfig(config: SimulationConfig, options: SearchOptions): SimulationConfig {
  return options.keepTimelines ? config : { ...config, timelinePoints: 0 };
}

function finish(
  trace: Trace,
  candidates: Policy[],
  cfg: SimulationConfig,
  objective: SearchObjective,
  first: Array<{ index: number; result: SimulationResult }>,
  threads: number,
): SearchResult {
  if (!(objective.margin >= 0 && objective.margin < 1)) throw new Error(`margin must be in [0, 1), got ${objective.margin}`);
  const bound = objective.targetWaitSeconds * (1 - objective.margin);
  const maxLost = objective.maxLostFraction ?? 0.001;
  const seedB = objective.secondSeed ?? cfg.seed + 1;
  const misses = (r: SimulationResult): string[] => {
    const out: string[] = [];
    if (r.wait.p95 > bound) out.push(`p95 wait ${fmtS(r.wait.p95)} > ${fmtS(bound)}`);
    if (r.jobsArrived > 0 && r.jobsLost / r.jobsArrived > maxLost) out.push(`lost ${r.jobsLost} jobs (${pct(r.jobsLost / r.jobsArrived)})`);
    return out;
  };
  const outcomes: CandidateOutcome[] = first.map(({ index, result }) => {
    const m = misses(result);
    return { index, policy: candidates[index], result, feasible: m.length === 0, misses: m };
  });
  const byCost = (a: CandidateOutcome, b: CandidateOutcome) => a.result.podSeconds - b.result.podSeconds || a.result.wait.p95 - b.result.wait.p95 || a.index - b.index;
  const feasible = outcomes.filter((o) => o.feasible).sort(byCost);
  // robustness: the cheapest feasible candidate that also meets the objective on a second seed
  let winner: CandidateOutcome | undefined;
  let jobsB: Jobs | undefined;
  for (const o of feasible) {
    jobsB ??= generateJobs(trace, seedB);
    o.second = simulateJobs(jobsB, { start: trace.start, end: trace.end }, o.policy, { ...cfg, seed: seedB });
    const m = misses(o.second);
    o.robust = m.length === 0;
    if (o.robust) {
      winner = o;
      break;
    }
    o.misses = m.map((s) => `${s} on seed ${seedB}`);
  }
  const rank = (o: CandidateOutcome) => (o.robust ? 0 : o.feasible && o.robust === undefined ? 1 : o.feasible ? 2 : 3);
  const ranked = [...outcomes].sort((a, b) => rank(a) - rank(b) || (rank(a) < 3 ? byCost(a, b) : a.result.wait.p95 - b.result.wait.p95 || byCost(a, b)));
  const why = explain(trace, cfg, objective, bound, maxLost, seedB, ranked, winner, feasible);
  return { ranked, winner, bound, seeds: [cfg.seed, seedB], threads, why };
}

function explain(
  trace: Trace,
  cfg: SimulationConfig,
  objective: SearchObjective,
  bound: number,
  maxLost: number,
  seedB: number,
  ranked: CandidateOutcome[],
  winner: CandidateOutcome | undefined,
  feasible: CandidateOutcome[],
): string {
  const n = ranked.length;
  const win = ranked[0]?.result.window ?? { from: trace.start, to: trace.end };
  const scored = win.to - win.from;
  const whole = trace.end - trace.start;
  const span = scored < whole - 1e-6 ? `${formatDuration(whole)} of history, scored on the ${formatDuration(scored)} from ${formatDuration(win.from - trace.start)}` : `${formatDuration(whole)} of history`;
  const head = `Searched ${n} candidate${n === 1 ? '' : 's'} on ${span} (seed ${cfg.seed}). Objective: p95 wait ≤ ${fmtS(bound)} (target ${fmtS(objective.targetWaitSeconds)} less a ${Math.round(objective.margin * 100)} % margin) and at most ${pct(maxLost)} of jobs lost at scale-in; ${feasible.length} met it.`;
  if (!winner) {
    const closest = [...ranked].sort((a, b) => a.result.wait.p95 - b.result.wait.p95)[0];
    const failedB = feasible.length ? ` ${feasible.length} met it on seed ${cfg.seed} but none on seed ${seedB}.` : '';
    return `${head}${failedB} No candidate met the objective; the closest was ${closest ? `${closest.policy.name} (p95 wait ${fmtS(closest.result.wait.p95)}, ${hours(closest.result.podSeconds)} pod-hours)` : 'none'}.`;
  }
  const r = winner.result;
  const parts = [
    head,
    `Winner: ${winner.policy.name} — the cheapest that met it (${hours(r.podSeconds)} pod-hours, cost ratio ${r.costRatio === null ? '–' : r.costRatio.toFixed(2)}, p95 wait ${fmtS(r.wait.p95)}) and still met it on seed ${seedB} (p95 wait ${fmtS(winner.second!.wait.p95)}).`,
  ];
  const cheaperButFragile = feasible.filter((o) => o.robust === false);
  if (cheaperButFragile.length) {
    const o = cheaperButFragile[0];
    parts.push(`Cheaper ${cheaperButFragile.length === 1 ? 'candidate' : `candidates (${cheaperButFragile.length})`} missed on seed ${seedB}, e.g. ${o.policy.name}: ${o.misses.join(', ')}.`);
  }
  const cheaperInfeasible = ranked.filter((o) => !o.feasible && o.result.podSeconds < r.podSeconds).sort((a, b) => b.result.podSeconds - a.result.podSeconds);
  if (cheaperInfeasible.length) {
    const o = cheaperInfeasible[0];
    parts.push(`${cheaperInfeasible.length} cheaper candidate${cheaperInfeasible.length === 1 ? '' : 's'} missed the objective; the nearest in cost, ${o.policy.name}, had ${o.misses.join(', ')}.`);
  }
  const next = feasible.find((o) => o !== winner && o.robust !== false);
  if (next) {
    const extra = (next.result.podSeconds - r.podSeconds) / Math.max(r.podSeconds, 1e-9);
    parts.push(`Next cheapest that met it on seed ${cfg.seed}: ${next.policy.name} (+${Math.round(extra * 100)} % pod-hours).`);
  }
  return parts.join(' ');
}

function fmtS(s: number): string {
  return formatDuration(Math.round(s * 10) / 10);
}
function hours(podSeconds: number): string {
  const h = podSeconds / 3600;
  return h >= 100 ? h.toFixed(0) : h.toFixed(1);
}
function pct(x: number): string {
  const p = x * 100;
  return `${p < 1 ? Number(p.toFixed(2)) : Number(p.toFixed(1))} %`;
}
