// Shared bits for tests that read the stand-in cluster with readClusterInventory.
import type { ClusterReadOptions } from '../../src/inventory/read-cluster.js';
import { mulberry32 } from './series-gen.js';

/** A seeded [0,1) generator (mulberry32): retries jitter the same way on every run. */
export function seededRandom(seed = 42): () => number {
  return mulberry32(seed);
}

/** Read options for tests: short backoff, seeded jitter, no ambient environment. */
export function readOptions(kubeconfig: string, extra: Partial<ClusterReadOptions> = {}): ClusterReadOptions {
  return {
    kubeconfig,
    timeoutSeconds: 30,
    requestTimeoutSeconds: 10,
    env: {},
    backoffBaseMs: 10,
    random: seededRandom(),
    ...extra,
  };
}
