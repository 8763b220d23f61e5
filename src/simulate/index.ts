/**
 * The autoscaling simulator: a queue-fed worker pool under a fixed replica count, a Kubernetes
 * HPA (autoscaling/v2) or a KEDA ScaledObject, replayed on an arrival trace.
 *
 * Typical use (the recommendation engine's backtest):
 * ```ts
 * const trace = traceFromSeries(signals.arrivalRate, signals.jobDuration);
 * const config = { startupSeconds: 30, concurrency: 1, graceSeconds: 30, targetWaitSeconds: 30, seed: 1 };
 * const before = simulate(trace, policyFromManifest(hpaObject), config);
 * const after = simulate(trace, policyFromManifest(recommendedScaledObject), config);
 * const search = await searchCandidates(trace, candidates, { ...config, scoreFrom: traceTimeAt(trace, 0.6) }, { targetWaitSeconds: 30, margin: 0.15 });
 * ```
 * Everything here is pure and deterministic for a seed (no clock, no Math.random).
 * @module
 */

// Traces
export type { Trace, TraceStats } from './trace.js';
export { parseTrace, traceFromSeries, traceStats, sliceTrace, traceTimeAt, TraceError } from './trace.js';
export type { LognormalFit } from './service-fit.js';
export { fitMeanP95, fitJobDuration, fitMoments } from './service-fit.js';

// Jobs and randomness
export type { Jobs } from './jobs.js';
export { generateJobs, jobsFrom } from './jobs.js';
export type { Rng } from './rng.js';
export { createRng, poisson } from './rng.js';

// Policies
export type { Policy, PolicyMetric, QueueMetric, CpuMetric, HpaSpec, KedaSpec, Measure, PolicyOptions, KedaPolicyParams } from './policy.js';
export { policyFromManifest, fixedPolicy, kedaPolicy, hpaCpuPolicy, describePolicy, inferMeasure, PolicyError } from './policy.js';

// Simulation
export type { SimulationConfig, SimulationResult, WaitStats, Timeline, CpuModel } from './engine.js';
export { simulateJobs, defaultCpuModel } from './engine.js';
export { simulate, simulateMany } from './simulate.js';

// Search
export type { SearchObjective, SearchOptions, SearchResult, CandidateOutcome } from './search.js';
export { searchCandidates, searchCandidatesSync } from './search.js';

// HPA arithmetic
export * from './hpa.js';
