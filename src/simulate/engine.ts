// The discrete-event simulation of a queue-fed worker pool under an autoscaling policy.
//
// Model (README.md in this folder gives the reasoning):
// - One FIFO queue. Jobs start in arrival order on any free slot; free slots are handed out
//   longest-idle first (what a broker does with blocked consumers: Redis BLPOP serves the
//   longest-waiting client, RabbitMQ round-robins).
// - A pod has `concurrency` slots. It is created when the replica count rises and serves only
//   after `startupSeconds`. Cost (pod-seconds) runs from creation to removal.
// - Scale-in removes the newest pods first (starting pods, then the most recently ready — the
//   ReplicaSet's deletion order). A removed pod takes no new jobs and finishes its current ones;
//   whatever is still running `graceSeconds` later is killed. Killed jobs are counted as lost
//   and NOT re-queued: whether a broker redelivers them (ack-late, visibility timeout) and when
//   is outside what the trace tells us, so the loss is shown rather than hidden.
// - Controllers run on their own clocks with seeded phases: Prometheus scrapes (staleness),
//   KEDA polls (activation, scale to/from zero, cooldown), HPA syncs every 15 s (hpa.ts).
// - CPU of a pod = idlePercent + busy slots × perBusySlotPercent (an I/O-bound worker stays low
//   however long its queue is); the HPA sees each pod's average since its previous sync.
import type { Jobs } from './jobs.js';
import type { Policy, QueueMetric } from './policy.js';
import { createRng } from './rng.js';
import {
  DEFAULT_TOLERANCE,
  DOWNSCALE_STABILIZATION_SECONDS,
  HPA_SYNC_SECONDS,
  externalAverageValueReplicas,
  externalValueReplicas,
  newHpaState,
  reconcileHpa,
  resourceUtilizationReplicas,
  tolerancesOf,
  type PodSample,
} from './hpa.js';

/** CPU use of one pod, in percent of its CPU request. */
export interface CpuModel {
  /** CPU with no job running (runtime, health checks, polling). */
  idlePercent: number;
  /** Added per busy job slot (an I/O-bound job waiting on an LLM or a database uses little). */
  perBusySlotPercent: number;
}

/** Worker and environment parameters of a simulation. */
export interface SimulationConfig {
  /** Seconds from pod creation until it serves (scheduling, image pull, start, readiness). */
  startupSeconds: number;
  /** Jobs one pod runs at once. */
  concurrency: number;
  /** terminationGracePeriodSeconds: time a removed pod gets to finish its jobs. */
  graceSeconds: number;
  /** The queue-wait objective: targetMet = p95 wait ≤ this. */
  targetWaitSeconds: number;
  /** Seed of the one random generator (jobs, controller phases). */
  seed: number;
  /** Prometheus scrape interval: Prometheus-sourced metrics are this stale at most. Default 15. 0 = live. */
  scrapeIntervalSeconds?: number;
  /** Default: idle 5 %, and 10 % ÷ concurrency per busy slot (5–15 % for an I/O-bound worker). */
  cpuModel?: CpuModel;
  /** Replicas at the start (already warm). Default: fixed N, the HPA's min, KEDA's minReplicaCount. */
  initialReplicas?: number;
  /** Score only jobs arriving in [scoreFrom, scoreTo) and pod-seconds inside it (trace clock). */
  scoreFrom?: number;
  scoreTo?: number;
  /** Points in the downsampled timeline (default 1000; 0 = none). */
  timelinePoints?: number;
  /** HPA sync period (default 15 s). */
  hpaSyncSeconds?: number;
  /** Seconds after the start of the first HPA sync, KEDA poll and Prometheus scrape.
   *  Default: drawn from the seed within one period (a real controller's phase is arbitrary). */
  controllerOffsets?: { hpa?: number; keda?: number; scrape?: number };
  /** Global HPA tolerance (default 0.1). */
  tolerance?: number;
  /** HPA downscale stabilisation flag (default 300 s). */
  downscaleStabilizationSeconds?: number;
}

/** Wait statistics in seconds (nearest-rank percentiles). */
export interface WaitStats {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Downsampled series for charts; t on the trace clock. cpuPercent is NaN (null in JSON) with no serving pod. */
export interface Timeline {
  t: number[];
  /** Jobs waiting (instant). */
  backlog: number[];
  /** Jobs being processed (instant). */
  inflight: number[];
  /** Replica count set by the autoscaler (instant). */
  replicas: number[];
  /** Pods serving (ready, not draining). */
  readyReplicas: number[];
  /** Mean CPU of serving pods since the previous point, % of request. */
  cpuPercent: number[];
  /** Jobs that arrived since the previous point. */
  arrivals: number[];
  /** Jobs that completed since the previous point. */
  completed: number[];
}

export interface SimulationResult {
  policy: string;
  /** Scored window on the trace clock. */
  window: { from: number; to: number };
  /** Waits of jobs arriving in the window; a job still queued at the end counts with its wait so far. */
  wait: WaitStats;
  /** Jobs that arrived in the window = served + lost + unfinished. */
  jobsArrived: number;
  jobsServed: number;
  /** Killed at the end of a scale-in grace period (not re-queued). */
  jobsLost: number;
  /** Still queued or running when the trace ended. */
  jobsUnfinished: number;
  /** Fraction of scored jobs that waited longer than the target. */
  fractionOverTarget: number;
  /** Pod-seconds inside the window, start-up and drain included. */
  podSeconds: number;
  /** Service-seconds of the jobs that arrived in the window (the work that was asked for). */
  workSeconds: number;
  /** podSeconds × concurrency ÷ workSeconds (1 = every slot busy all the time); null without work. */
  costRatio: number | null;
  /** Changes of the replica count (by the HPA or KEDA) inside the window. */
  scaleEvents: number;
  scaleUps: number;
  scaleDowns: number;
  replicas: { min: number; max: number; mean: number };
  targetWaitSeconds: number;
  /** p95 wait ≤ targetWaitSeconds. */
  targetMet: boolean;
  timeline: Timeline;
}

const STARTING = 0;
const READY = 1;
const DRAINING = 2;
const GONE = 3;

const S_WAITING = 0;
const S_RUNNING = 2;
const S_DONE = 3;
const S_LOST = 4;

/** Default CPU model for `concurrency` slots. */
export function defaultCpuModel(concurrency: number): CpuModel {
  return { idlePercent: 5, perBusySlotPercent: 10 / Math.max(1, concurrency) };
}

/** Simulate `jobs` (arriving in [start, end)) under `policy`. Pure: same input, same result. */
export function simulateJobs(jobs: Jobs, span: { start: number; end: number }, policy: Policy, config: SimulationConfig): SimulationResult {
  validateConfig(config);
  const { start, end } = span;
  if (!(end > start)) throw new Error(`simulation span is empty (${start}..${end})`);
  const N = jobs.count;
  const arrival = jobs.arrival;
  const service = jobs.service;
  if (N > 0 && arrival[0] < start) throw new Error(`first job arrives at ${arrival[0]}, before the start ${start}`);
  const conc = config.concurrency;
  const startup = config.startupSeconds;
  const grace = config.graceSeconds;
  const cpu = config.cpuModel ?? defaultCpuModel(conc);
  const scoreFrom = Math.max(start, config.scoreFrom ?? start);
  const scoreTo = Math.min(end, config.scoreTo ?? end);
  if (!(scoreTo > scoreFrom)) throw new Error(`score window ${config.scoreFrom}..${config.scoreTo} does not overlap the trace (${start}..${end})`);
  const control = createRng((config.seed ^ 0x5bd1e995) >>> 0);

  // ---- jobs
  const startAt = new Float64Array(N);
  const status = new Uint8Array(N);
  let nextArr = 0;
  let qHead = 0;

  // ---- completion heap (finish time, pod, job)
  let hCap = 64;
  let hT = new Float64Array(hCap);
  let hP = new Int32Array(hCap);
  let hJ = new Int32Array(hCap);
  let hN = 0;
  const heapPush = (t: number, p: number, j: number) => {
    if (hN === hCap) {
      hCap *= 2;
      hT = growF(hT, hCap);
      hP = growI(hP, hCap);
      hJ = growI(hJ, hCap);
    }
    let i = hN++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (hT[parent] <= t) break;
      hT[i] = hT[parent];
      hP[i] = hP[parent];
      hJ[i] = hJ[parent];
      i = parent;
    }
    hT[i] = t;
    hP[i] = p;
    hJ[i] = j;
  };
  let popP = 0;
  let popJ = 0;
  const heapPop = () => {
    popP = hP[0];
    popJ = hJ[0];
    const n = --hN;
    if (n === 0) return;
    const t = hT[n];
    const p = hP[n];
    const j = hJ[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && hT[c + 1] < hT[c]) c++;
      if (hT[c] >= t) break;
      hT[i] = hT[c];
      hP[i] = hP[c];
      hJ[i] = hJ[c];
      i = c;
    }
    hT[i] = t;
    hP[i] = p;
    hJ[i] = j;
  };

  // ---- pods (struct of arrays)
  let pCap = 64;
  let pState = new Uint8Array(pCap);
  let pCreated = new Float64Array(pCap);
  let pReadyAt = new Float64Array(pCap);
  let pDeadline = new Float64Array(pCap);
  let pBusy = new Int32Array(pCap);
  let pBusyInt = new Float64Array(pCap);
  let pLastT = new Float64Array(pCap);
  let pSnapInt = new Float64Array(pCap);
  let pSnapT = new Float64Array(pCap);
  let pCpuFrom = new Float64Array(pCap);
  let podCount = 0;
  const live: number[] = []; // non-draining pods, creation order (scale-in pops the newest)
  const startQ = new IntFifo(); // pods starting, in ready-time order (start-up is constant)
  const drainQ = new IntFifo(); // pods draining, in deadline order (grace is constant)
  // idle slots, longest-idle first (ring buffer; entries of pods no longer READY are skipped)
  let fCap = 256;
  let fQ = new Int32Array(fCap);
  let fHead = 0;
  let fLen = 0;
  let validFree = 0;
  const freePush = (p: number) => {
    if (fLen === fCap) {
      const nq = new Int32Array(fCap * 2);
      for (let i = 0; i < fLen; i++) nq[i] = fQ[(fHead + i) % fCap];
      fQ = nq;
      fHead = 0;
      fCap *= 2;
    }
    fQ[(fHead + fLen) % fCap] = p;
    fLen++;
  };

  let spec = 0;
  let readyCount = 0;
  let drainingCount = 0;
  let busyTotal = 0;
  // window accounting
  let podSeconds = 0;
  let scaleEvents = 0;
  let scaleUps = 0;
  let scaleDowns = 0;
  let specInt = 0;
  let specLastT = start;
  let specMin = Infinity;
  let specMax = -Infinity;
  // integrals for the timeline's cpu
  let gLastT = start;
  let gBusyInt = 0;
  let gServingInt = 0;
  const integrateGlobal = (t: number) => {
    const dt = t - gLastT;
    if (dt > 0) {
      gBusyInt += busyTotal * dt;
      gServingInt += (readyCount + drainingCount) * dt;
      gLastT = t;
    }
  };
  const overlap = (a: number, b: number) => Math.max(0, Math.min(b, scoreTo) - Math.max(a, scoreFrom));
  const touchPod = (p: number, t: number) => {
    pBusyInt[p] += pBusy[p] * (t - pLastT[p]);
    pLastT[p] = t;
  };

  const growPods = () => {
    pCap *= 2;
    pState = growU8(pState, pCap);
    pCreated = growF(pCreated, pCap);
    pReadyAt = growF(pReadyAt, pCap);
    pDeadline = growF(pDeadline, pCap);
    pBusy = growI(pBusy, pCap);
    pBusyInt = growF(pBusyInt, pCap);
    pLastT = growF(pLastT, pCap);
    pSnapInt = growF(pSnapInt, pCap);
    pSnapT = growF(pSnapT, pCap);
    pCpuFrom = growF(pCpuFrom, pCap);
  };
  const makeReady = (p: number, t: number) => {
    integrateGlobal(t);
    pState[p] = READY;
    readyCount++;
    pLastT[p] = t;
    pSnapT[p] = t;
    pSnapInt[p] = pBusyInt[p];
    for (let k = 0; k < conc; k++) freePush(p);
    validFree += conc;
  };
  const createPod = (t: number, warm: boolean) => {
    if (podCount === pCap) growPods();
    const p = podCount++;
    pState[p] = STARTING;
    pCreated[p] = t;
    pBusy[p] = 0;
    pBusyInt[p] = 0;
    pLastT[p] = t;
    live.push(p);
    if (warm) {
      pReadyAt[p] = t;
      pCpuFrom[p] = t;
      makeReady(p, t);
    } else {
      pReadyAt[p] = t + startup;
      pCpuFrom[p] = t + startup + CPU_METRIC_WINDOW;
      startQ.push(p);
    }
  };
  const podGone = (p: number, t: number) => {
    integrateGlobal(t);
    if (pState[p] === DRAINING) drainingCount--;
    pState[p] = GONE;
    podSeconds += overlap(pCreated[p], t);
  };
  const removeNewest = (t: number) => {
    const p = live.pop()!;
    if (pState[p] === STARTING) return podGone(p, t);
    integrateGlobal(t);
    readyCount--;
    drainingCount++;
    pState[p] = DRAINING;
    validFree -= conc - pBusy[p];
    if (pBusy[p] === 0) return podGone(p, t);
    pDeadline[p] = t + grace;
    drainQ.push(p);
  };
  // replica-count statistics over the window: account the interval the old count held
  const accountSpec = (t: number) => {
    const o = overlap(specLastT, t);
    if (o > 0) {
      specInt += spec * o;
      if (spec < specMin) specMin = spec;
      if (spec > specMax) specMax = spec;
    }
    specLastT = t;
  };
  const setReplicas = (n: number, t: number) => {
    if (n === spec) return;
    if (t >= scoreFrom && t < scoreTo) {
      scaleEvents++;
      if (n > spec) scaleUps++;
      else scaleDowns++;
    }
    accountSpec(t);
    spec = n;
    while (live.length < n) createPod(t, false);
    while (live.length > n) removeNewest(t);
  };

  const startJob = (p: number, t: number) => {
    const j = qHead++;
    touchPod(p, t);
    integrateGlobal(t);
    pBusy[p]++;
    busyTotal++;
    validFree--;
    startAt[j] = t;
    status[j] = S_RUNNING;
    heapPush(t + service[j], p, j);
  };
  const dispatch = (t: number) => {
    while (qHead < nextArr && validFree > 0) {
      const p = fQ[fHead];
      fHead = fHead + 1 === fCap ? 0 : fHead + 1;
      fLen--;
      if (pState[p] !== READY) continue;
      startJob(p, t);
    }
  };

  // ---- metrics as the autoscalers read them
  const scrape = config.scrapeIntervalSeconds ?? 15;
  let scrBacklog = 0;
  let scrInflight = 0;
  const metricValue = (m: QueueMetric) => {
    const prom = m.source === 'prometheus' && scrape > 0;
    const backlog = prom ? scrBacklog : nextArr - qHead;
    return m.measure === 'backlog+inflight' ? backlog + (prom ? scrInflight : busyTotal) : backlog;
  };

  // ---- controllers
  const sync = config.hpaSyncSeconds ?? HPA_SYNC_SECONDS;
  const hpa = policy.kind === 'fixed' ? undefined : policy.hpa;
  const keda = policy.kind === 'keda' ? policy.keda : undefined;
  const hpaState = newHpaState();
  const tolerances = tolerancesOf(hpa?.behavior ?? null, config.tolerance ?? DEFAULT_TOLERANCE);
  const hpaCtl = hpa && {
    minReplicas: hpa.minReplicas,
    maxReplicas: hpa.maxReplicas,
    behavior: hpa.behavior,
    downscaleStabilizationSeconds: config.downscaleStabilizationSeconds ?? DOWNSCALE_STABILIZATION_SECONDS,
  };
  const cached = new Float64Array(hpa?.metrics.length ?? 0);
  let lastActive = -Infinity;
  let everActive = false;
  const usesProm = !!hpa?.metrics.some((m) => m.kind === 'queue' && m.source === 'prometheus');

  const cpuPods = (t: number): PodSample[] => {
    const pods: PodSample[] = [];
    for (const p of live) {
      if (pState[p] !== READY) {
        pods.push({ ready: false, requestMilli: 1000, value: Math.trunc(cpu.idlePercent * 10) });
        continue;
      }
      touchPod(p, t);
      const dt = t - pSnapT[p];
      const avgBusy = dt > 0 ? (pBusyInt[p] - pSnapInt[p]) / dt : pBusy[p];
      pSnapT[p] = t;
      pSnapInt[p] = pBusyInt[p];
      const pct = cpu.idlePercent + avgBusy * cpu.perBusySlotPercent;
      // within the cpu-initialization period a sample is ignored until one metric window has passed since readiness
      const eligible = t >= pCpuFrom[p] || t >= pCreated[p] + CPU_INITIALIZATION_SECONDS;
      pods.push({ ready: eligible, requestMilli: 1000, value: Math.trunc(pct * 10) });
    }
    return pods;
  };
  const proposals = (t: number): Array<number | Error> => {
    const out: Array<number | Error> = [];
    let pods: PodSample[] | undefined;
    hpa!.metrics.forEach((m, i) => {
      try {
        if (m.kind === 'cpu') {
          pods ??= cpuPods(t);
          out.push(resourceUtilizationReplicas({ currentReplicas: spec, targetUtilization: m.targetUtilization, pods, tolerances }).replicas);
        } else {
          const value = keda && m.useCachedMetrics ? cached[i] : metricValue(m);
          out.push(
            m.targetType === 'AverageValue'
              ? externalAverageValueReplicas({ statusReplicas: spec, value, target: m.target, tolerances }).replicas
              : externalValueReplicas({ currentReplicas: spec, readyPods: readyCount + drainingCount, value, target: m.target, tolerances }).replicas,
          );
        }
      } catch (e) {
        out.push(e as Error);
      }
    });
    return out;
  };
  const hpaSync = (t: number) => {
    const r = reconcileHpa(hpaCtl!, hpaState, t, spec, () => proposals(t));
    if (r.rescale) setReplicas(r.desiredReplicas, t);
  };
  const kedaPoll = (t: number) => {
    const k = keda!;
    let active = false;
    hpa!.metrics.forEach((m, i) => {
      if (m.kind !== 'queue') return;
      const v = metricValue(m);
      cached[i] = v;
      if (v > m.activation) active = true;
    });
    const cur = spec;
    if (active) {
      lastActive = t;
      everActive = true;
      if (cur === 0 || (k.idleReplicaCount !== undefined && cur < k.minReplicaCount)) setReplicas(Math.max(k.minReplicaCount, 1), t);
    } else if ((k.idleReplicaCount !== undefined && cur > k.idleReplicaCount) || (cur > 0 && k.minReplicaCount === 0)) {
      const cool = everActive ? lastActive + k.cooldownPeriod < t : start + k.initialCooldownPeriod < t;
      if (cool) setReplicas(k.idleReplicaCount ?? 0, t);
    } else if (k.idleReplicaCount === undefined && cur < k.minReplicaCount) setReplicas(k.minReplicaCount, t);
  };

  // ---- timeline
  const points = config.timelinePoints ?? 1000;
  const timeline: Timeline = { t: [], backlog: [], inflight: [], replicas: [], readyReplicas: [], cpuPercent: [], arrivals: [], completed: [] };
  const step = points > 0 ? Math.max((end - start) / points, 1e-9) : Infinity;
  let sBusy = 0;
  let sServing = 0;
  let arrivedCount = 0;
  let completedCount = 0;
  let sArrived = 0;
  let sCompleted = 0;
  const sample = (t: number) => {
    integrateGlobal(t);
    const ds = gServingInt - sServing;
    timeline.t.push(t);
    timeline.backlog.push(nextArr - qHead);
    timeline.inflight.push(busyTotal);
    timeline.replicas.push(spec);
    timeline.readyReplicas.push(readyCount);
    timeline.cpuPercent.push(
      ds > 0 ? round2(cpu.idlePercent + ((gBusyInt - sBusy) / ds) * cpu.perBusySlotPercent) : readyCount > 0 ? round2(cpu.idlePercent + (busyTotal / readyCount) * cpu.perBusySlotPercent) : NaN,
    );
    timeline.arrivals.push(arrivedCount - sArrived);
    timeline.completed.push(completedCount - sCompleted);
    sBusy = gBusyInt;
    sServing = gServingInt;
    sArrived = arrivedCount;
    sCompleted = completedCount;
  };

  // ---- initial state: warm pods
  const initial =
    config.initialReplicas ?? (policy.kind === 'fixed' ? policy.replicas : policy.kind === 'keda' ? policy.keda.minReplicaCount : policy.hpa.minReplicas);
  if (!Number.isInteger(initial) || initial < 0) throw new Error(`initialReplicas must be a whole number ≥ 0, got ${initial}`);
  spec = policy.kind === 'fixed' ? policy.replicas : initial;
  for (let i = 0; i < spec; i++) createPod(start, true);
  // the HPA has been running before the trace starts: its history holds the current count,
  // so the first sync does not scale a warm pool down before any stabilisation window
  if (hpa && spec > 0) hpaState.recommendations.push({ replicas: spec, time: start });

  // controller clocks, with seeded phases (a real controller's phase relative to the trace is arbitrary)
  const INF = Infinity;
  const off = config.controllerOffsets ?? {};
  const u1 = control.next();
  const u2 = control.next();
  const u3 = control.next();
  const hpaPhase = start + (off.hpa ?? u1 * sync);
  const kedaPhase = keda ? start + (off.keda ?? u2 * keda.pollingInterval) : 0;
  const scrapePhase = start + (off.scrape ?? u3 * (scrape > 0 ? scrape : 1));
  let hpaK = 0;
  let kedaK = 0;
  let scrapeK = 0;
  let sampleK = 0;
  let nextHpa = hpa ? hpaPhase : INF;
  let nextKeda = keda ? kedaPhase : INF;
  let nextScrape = usesProm && scrape > 0 ? scrapePhase : INF;
  let nextSample = points > 0 ? start : INF;

  // ---- main loop
  for (;;) {
    while (startQ.size > 0 && pState[startQ.peek()] !== STARTING) startQ.shift();
    while (drainQ.size > 0 && pState[drainQ.peek()] !== DRAINING) drainQ.shift();
    const tC = hN > 0 ? hT[0] : INF;
    const tD = drainQ.size > 0 ? pDeadline[drainQ.peek()] : INF;
    const tR = startQ.size > 0 ? pReadyAt[startQ.peek()] : INF;
    const tA = nextArr < N ? arrival[nextArr] : INF;
    let tK = nextHpa;
    if (nextKeda < tK) tK = nextKeda;
    if (nextScrape < tK) tK = nextScrape;
    if (nextSample < tK) tK = nextSample;
    let te = tC;
    if (tD < te) te = tD;
    if (tR < te) te = tR;
    if (tA < te) te = tA;
    if (te <= tK) {
      if (!(te < end)) break;
      if (tC === te) {
        // completion
        heapPop();
        const p = popP;
        if (pState[p] === GONE) {
          status[popJ] = S_LOST;
          continue;
        }
        touchPod(p, te);
        integrateGlobal(te);
        pBusy[p]--;
        busyTotal--;
        status[popJ] = S_DONE;
        completedCount++;
        if (pState[p] === DRAINING) {
          if (pBusy[p] === 0) podGone(p, te);
        } else {
          freePush(p);
          validFree++;
          dispatch(te);
        }
      } else if (tD === te) {
        // grace period over: kill what is still running
        const p = drainQ.shift();
        touchPod(p, te);
        integrateGlobal(te);
        busyTotal -= pBusy[p];
        pBusy[p] = 0;
        podGone(p, te);
      } else if (tR === te) {
        const p = startQ.shift();
        makeReady(p, te);
        dispatch(te);
      } else {
        nextArr++;
        arrivedCount++;
        if (validFree > 0) dispatch(te);
      }
      continue;
    }
    if (!(tK < end)) break;
    if (nextScrape === tK) {
      scrBacklog = nextArr - qHead;
      scrInflight = busyTotal;
      nextScrape = scrapePhase + ++scrapeK * scrape;
    }
    if (nextKeda === tK) {
      kedaPoll(tK);
      nextKeda = kedaPhase + ++kedaK * keda!.pollingInterval;
    }
    if (nextHpa === tK) {
      hpaSync(tK);
      nextHpa = hpaPhase + ++hpaK * sync;
    }
    if (nextSample === tK) {
      sample(tK);
      // the last point is taken at the end, after the loop
      nextSample = ++sampleK < points ? start + sampleK * step : INF;
    }
  }
  if (points > 0) sample(end);

  // ---- close the books
  for (let i = 0; i < hN; i++) if (pState[hP[i]] === GONE) status[hJ[i]] = S_LOST;
  for (let p = 0; p < podCount; p++) if (pState[p] !== GONE) podSeconds += overlap(pCreated[p], end);
  accountSpec(end);

  let m = 0;
  let first = 0;
  while (first < nextArr && arrival[first] < scoreFrom) first++;
  let last = first;
  while (last < nextArr && arrival[last] < scoreTo) last++;
  const waits = new Float64Array(last - first);
  let served = 0;
  let lost = 0;
  let unfinished = 0;
  let work = 0;
  let sum = 0;
  let over = 0;
  const target = config.targetWaitSeconds;
  const preloaded = jobs.preloaded ?? 0;
  for (let j = first; j < last; j++) {
    const s = status[j];
    work += service[j];
    if (s === S_DONE) served++;
    else if (s === S_LOST) lost++;
    else unfinished++;
    if (j < preloaded) continue; // a backlog from before the history: its wait is not the policy's
    const w = s === S_WAITING ? end - arrival[j] : startAt[j] - arrival[j];
    waits[m++] = w;
    sum += w;
    if (w > target) over++;
  }
  const scored = waits.subarray(0, m).sort();
  const q = (p: number) => (m === 0 ? 0 : scored[Math.max(0, Math.ceil(p * m) - 1)]);
  const wait: WaitStats = { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: m ? scored[m - 1] : 0, mean: m ? sum / m : 0 };
  const windowLen = scoreTo - scoreFrom;
  return {
    policy: policy.name,
    window: { from: scoreFrom, to: scoreTo },
    wait,
    jobsArrived: last - first,
    jobsServed: served,
    jobsLost: lost,
    jobsUnfinished: unfinished,
    fractionOverTarget: m ? over / m : 0,
    podSeconds,
    workSeconds: work,
    costRatio: work > 0 ? (podSeconds * conc) / work : null,
    scaleEvents,
    scaleUps,
    scaleDowns,
    replicas: { min: specMin === Infinity ? spec : specMin, max: specMax === -Infinity ? spec : specMax, mean: windowLen > 0 ? specInt / windowLen : spec },
    targetWaitSeconds: target,
    targetMet: wait.p95 <= target,
    timeline,
  };
}

/** --horizontal-pod-autoscaler-cpu-initialization-period default. */
const CPU_INITIALIZATION_SECONDS = 300;
/** metrics-server resolution: one metric window after readiness before a new pod's cpu counts. */
const CPU_METRIC_WINDOW = 15;

function validateConfig(c: SimulationConfig): void {
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new Error(what);
  };
  need(Number.isInteger(c.concurrency) && c.concurrency >= 1, `concurrency must be a whole number ≥ 1, got ${c.concurrency}`);
  need(Number.isFinite(c.startupSeconds) && c.startupSeconds >= 0, `startupSeconds must be ≥ 0, got ${c.startupSeconds}`);
  need(Number.isFinite(c.graceSeconds) && c.graceSeconds >= 0, `graceSeconds must be ≥ 0, got ${c.graceSeconds}`);
  need(Number.isFinite(c.targetWaitSeconds) && c.targetWaitSeconds >= 0, `targetWaitSeconds must be ≥ 0, got ${c.targetWaitSeconds}`);
  need(Number.isFinite(c.seed), `seed must be a number, got ${c.seed}`);
  if (c.scrapeIntervalSeconds !== undefined) need(Number.isFinite(c.scrapeIntervalSeconds) && c.scrapeIntervalSeconds >= 0, `scrapeIntervalSeconds must be ≥ 0`);
  if (c.hpaSyncSeconds !== undefined) need(c.hpaSyncSeconds > 0, 'hpaSyncSeconds must be > 0');
  if (c.cpuModel) need(c.cpuModel.idlePercent >= 0 && c.cpuModel.perBusySlotPercent >= 0, 'cpuModel percentages must be ≥ 0');
}

/** A growable FIFO of small integers (pod ids). */
class IntFifo {
  private q = new Int32Array(64);
  private head = 0;
  private tail = 0;
  get size(): number {
    return this.tail - this.head;
  }
  push(v: number): void {
    if (this.tail === this.q.length) {
      const n = this.tail - this.head;
      const target = n * 2 > this.q.length ? new Int32Array(this.q.length * 2) : this.q;
      target.set(this.q.subarray(this.head, this.tail), 0);
      this.q = target;
      this.head = 0;
      this.tail = n;
    }
    this.q[this.tail++] = v;
  }
  peek(): number {
    return this.q[this.head];
  }
  shift(): number {
    return this.q[this.head++];
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
function growF(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
function growI(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}
function growU8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}
