// Service-time distributions: a lognormal fitted to what a trace or Prometheus gives us
// (a mean and a 95th percentile per bucket, or p50/p95/p99 of a histogram).
//
// Lognormal(μ, σ): mean = exp(μ + σ²/2), p95 = exp(μ + z95·σ), z95 = 1.6449.
// From mean and p95: ln(p95/mean) = z95·σ − σ²/2, so σ = z95 − sqrt(z95² − 2·ln(p95/mean))
// (the smaller root: the one that tends to 0 as p95 → mean). Two edge cases:
//   - p95 ≤ mean (one or two jobs in a bucket, or a tail so heavy the mean passes p95):
//     σ = 0, every job takes the mean — the mean (the offered work) is what must be kept;
//   - p95/mean > exp(z95²/2) ≈ 3.87 (no real root): σ = z95, which keeps the mean exactly
//     and gives the widest tail the two numbers can describe (p95 ≈ 3.87 × mean).
// The mean is always preserved, so the offered load of the trace is preserved.
import type { JobDuration } from '../metrics/signals-model.js';

export const Z95 = 1.6448536269514722;
export const Z99 = 2.3263478740408408;
/** σ of a lognormal with coefficient of variation 1 (used when only one number is known). */
export const SIGMA_CV1 = Math.sqrt(Math.log(2));

export interface LognormalFit {
  mu: number;
  sigma: number;
}

/** Fit a lognormal to a mean and a p95 (both in seconds). mean ≤ 0 gives zero-length jobs. */
export function fitMeanP95(mean: number, p95: number): LognormalFit {
  if (!(mean > 0)) return { mu: -Infinity, sigma: 0 };
  let sigma = 0;
  if (p95 > mean) {
    const d = Math.log(p95 / mean);
    const disc = Z95 * Z95 - 2 * d;
    sigma = disc <= 0 ? Z95 : Z95 - Math.sqrt(disc);
  }
  return { mu: Math.log(mean) - (sigma * sigma) / 2, sigma };
}

/** Mean and p95 implied by a fit. */
export function fitMoments(fit: LognormalFit): { mean: number; p50: number; p95: number; p99: number } {
  if (fit.mu === -Infinity) return { mean: 0, p50: 0, p95: 0, p99: 0 };
  return {
    mean: Math.exp(fit.mu + (fit.sigma * fit.sigma) / 2),
    p50: Math.exp(fit.mu),
    p95: Math.exp(fit.mu + Z95 * fit.sigma),
    p99: Math.exp(fit.mu + Z99 * fit.sigma),
  };
}

/**
 * Fit a lognormal to a measured job-duration summary. Preference, so that the offered load is
 * kept whenever it is known: mean+p95, mean+p99, mean+p50, p50+p95, p50+p99, then a single
 * number with a coefficient of variation of 1 (σ = √ln2). Throws when nothing usable is given.
 */
export function fitJobDuration(d: JobDuration): LognormalFit {
  const ok = (x: number | undefined): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;
  if (ok(d.mean)) {
    if (ok(d.p95)) return fitMeanP95(d.mean, d.p95);
    if (ok(d.p99)) return fitMeanQuantile(d.mean, d.p99, Z99);
    if (ok(d.p50)) {
      // mean = p50 · exp(σ²/2)
      const sigma = d.mean > d.p50 ? Math.sqrt(2 * Math.log(d.mean / d.p50)) : 0;
      return { mu: Math.log(d.mean) - (sigma * sigma) / 2, sigma };
    }
    return { mu: Math.log(d.mean) - (SIGMA_CV1 * SIGMA_CV1) / 2, sigma: SIGMA_CV1 };
  }
  if (ok(d.p50)) {
    if (ok(d.p95)) return { mu: Math.log(d.p50), sigma: Math.max(0, Math.log(d.p95 / d.p50) / Z95) };
    if (ok(d.p99)) return { mu: Math.log(d.p50), sigma: Math.max(0, Math.log(d.p99 / d.p50) / Z99) };
    return { mu: Math.log(d.p50), sigma: SIGMA_CV1 };
  }
  if (ok(d.p95)) return { mu: Math.log(d.p95) - Z95 * SIGMA_CV1, sigma: SIGMA_CV1 };
  if (ok(d.p99)) return { mu: Math.log(d.p99) - Z99 * SIGMA_CV1, sigma: SIGMA_CV1 };
  throw new Error('job duration has no positive mean, p50, p95 or p99 to fit a service-time distribution to');
}

function fitMeanQuantile(mean: number, q: number, z: number): LognormalFit {
  let sigma = 0;
  if (q > mean) {
    const disc = z * z - 2 * Math.log(q / mean);
    sigma = disc <= 0 ? z : z - Math.sqrt(disc);
  }
  return { mu: Math.log(mean) - (sigma * sigma) / 2, sigma };
}
