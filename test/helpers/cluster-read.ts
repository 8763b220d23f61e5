// Shared bits for tests that read the stand-in cluster with readClusterInventory.
import type { ClusterReadOptions } from '../../src/inventory/read-cluster.js';

/** A seeded [0,1) generator (mulberry32): retries jitter the same way on every run. */
export function seededRandom(seed = 42): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
