// Long histories: the candidate search runs on a representative sample of the history, and only
// the finalists are replayed on all of it (backtest.ts verifies them there). Simulating every
// candidate on 8 days of arrivals costs seconds each; the ranking between candidates is already
// clear on a few days that contain the history's hardest peak, its quietest stretch and its most
// recent behaviour. Segments are whole days when the history spans several (a daily cycle then
// joins up at the seams), else sixths of it.
import { sliceTrace, traceStats, type Trace } from '../simulate/index.js';
import { formatDuration } from '../units/duration.js';

/** Expected jobs above which the search runs on a sample (≈ 0.1 s per simulated candidate). */
export const SEARCH_JOB_BUDGET = 150_000;
const DAY = 86_400;

export interface HistorySample {
  trace: Trace;
  /** Whether `trace` is a sample (else the whole history). */
  subset: boolean;
  /** What was sampled and why, one line. */
  description: string;
}

interface Segment {
  index: number;
  from: number;
  to: number;
  jobs: number;
  peakRate: number;
  meanRate: number;
}

export function historySample(history: Trace, budgetJobs = SEARCH_JOB_BUDGET): HistorySample {
  const whole: HistorySample = { trace: history, subset: false, description: `the whole history (${formatDuration(history.end - history.start)})` };
  const jobs = traceStats(history).jobs;
  if (jobs <= budgetJobs) return whole;
  const span = history.end - history.start;
  const segLen = span >= 3 * DAY ? DAY : span / 6;
  const n = Math.floor(span / segLen + 1e-9);
  if (n < 3) return whole;
  const segs: Segment[] = [];
  for (let i = 0; i < n; i++) {
    const from = history.start + i * segLen;
    const to = i === n - 1 ? history.end : from + segLen;
    segs.push({ index: i, from, to, jobs: 0, peakRate: 0, meanRate: 0 });
  }
  for (let b = 0; b < history.t.length; b++) {
    const s = segs[Math.min(n - 1, Math.floor((history.t[b] - history.start) / segLen))];
    s.jobs += history.arrivals[b];
    s.peakRate = Math.max(s.peakRate, history.arrivals[b] / history.len[b]);
  }
  for (const s of segs) s.meanRate = s.jobs / (s.to - s.from);
  const perSeg = jobs / n;
  const k = Math.max(3, Math.floor(budgetJobs / perSeg));
  if (k >= n) return whole;
  const picked = new Map<number, string>();
  const pick = (s: Segment, why: string) => {
    if (!picked.has(s.index) && picked.size < k) picked.set(s.index, why);
  };
  pick([...segs].sort((a, b) => b.peakRate - a.peakRate)[0], 'the highest peak');
  pick(segs[n - 1], 'the most recent');
  pick([...segs].sort((a, b) => a.meanRate - b.meanRate)[0], 'the quietest');
  // the rest spread evenly over the history
  for (let i = 0; picked.size < k && i < n; i++) pick(segs[Math.round((i * (n - 1)) / Math.max(1, k - 1)) % n], 'evenly spaced');
  for (let i = 0; picked.size < k && i < n; i++) pick(segs[i], 'evenly spaced');
  const chosen = [...picked.keys()].sort((a, b) => a - b).map((i) => segs[i]);
  const trace = stitch(history, chosen);
  const unit = segLen === DAY ? 'days' : `${formatDuration(segLen)} segments`;
  const reasons = [...new Set(picked.values())].join(', ');
  return {
    trace,
    subset: true,
    description: `${chosen.length} of ${n} ${unit} (${reasons}), ${formatDuration(trace.end - trace.start)} of ${formatDuration(span)}`,
  };
}

/** The segments' buckets one after the other, on a continuous clock starting at the first. */
function stitch(history: Trace, segs: Segment[]): Trace {
  const parts = segs.map((s) => sliceTrace(history, s.from, s.to));
  const count = parts.reduce((a, p) => a + p.t.length, 0);
  const out = {
    label: `${history.label} (sample)`,
    kind: history.kind,
    t: new Float64Array(count),
    len: new Float64Array(count),
    arrivals: new Float64Array(count),
    meanService: new Float64Array(count),
    p95Service: new Float64Array(count),
    mu: new Float64Array(count),
    sigma: new Float64Array(count),
    start: parts[0].start,
    end: parts[0].start,
    notes: [...history.notes],
  } satisfies Trace;
  let k = 0;
  let clock = parts[0].start;
  for (const p of parts) {
    const shift = clock - p.start;
    for (let i = 0; i < p.t.length; i++, k++) {
      out.t[k] = p.t[i] + shift;
      out.len[k] = p.len[i];
      out.arrivals[k] = p.arrivals[i];
      out.meanService[k] = p.meanService[i];
      out.p95Service[k] = p.p95Service[i];
      out.mu[k] = p.mu[i];
      out.sigma[k] = p.sigma[i];
    }
    clock += p.end - p.start;
  }
  out.end = clock;
  return out;
}
