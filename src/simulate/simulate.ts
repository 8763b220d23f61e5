// simulate(trace, policy, config): draw the trace's jobs for the seed and run the policy.
import type { Trace } from './trace.js';
import type { Policy } from './policy.js';
import { generateJobs, type Jobs } from './jobs.js';
import { simulateJobs, type SimulationConfig, type SimulationResult } from './engine.js';

/** Simulate `policy` on `trace`. Deterministic for a given config.seed. */
export function simulate(trace: Trace, policy: Policy, config: SimulationConfig): SimulationResult {
  return simulateJobs(generateJobs(trace, config.seed), { start: trace.start, end: trace.end }, policy, config);
}

/**
 * Simulate several policies on the same jobs (drawn once): the comparison is then between
 * policies, not between random draws.
 */
export function simulateMany(trace: Trace, policies: Policy[], config: SimulationConfig, jobs?: Jobs): SimulationResult[] {
  const j = jobs ?? generateJobs(trace, config.seed);
  return policies.map((p) => simulateJobs(j, { start: trace.start, end: trace.end }, p, config));
}
