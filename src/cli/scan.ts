// `queue-doctor scan`: cluster (or -f manifests, or a snapshot) -> inventory -> Prometheus
// signals -> rules -> recommendations (backtested) -> report.
import type { CliIo } from './io.js';
import { writeResult } from './io.js';
import { EXIT, UserError } from './exit-codes.js';
import { loadConfig } from '../config/load-config.js';
import { buildReport, decideExit, resolveCommon } from './common.js';
import { createProgress, type Progress } from './progress.js';
import type { InputProblem, ManifestObject } from '../inventory/model.js';
import type { KubeServiceAccess, SignalsResult } from '../metrics/signals-model.js';
import type { Recommendation } from '../recommend/model.js';
import type { ScanSection } from '../report/report-model.js';
import { buildInventory } from '../inventory/build-inventory.js';
import { DEFAULT_READ_OPTIONS, readManifests } from '../inventory/read-manifests.js';
import { RULES } from '../../rules/index.js';
import { runRules } from '../diagnose/run-rules.js';
import { formatReport } from '../report/format.js';
import { buildScanSection } from '../report/scan-views.js';
import { packagePath } from '../package-files.js';
import { parseDuration } from '../units/duration.js';
import { parseTime, formatTime } from '../units/time.js';

export interface ScanOptions {
  demo?: boolean;
  filename?: string[];
  kubeconfig?: string;
  context?: string[];
  allContexts?: boolean;
  namespace?: string[];
  allNamespaces?: boolean;
  selector?: string;
  timeout: string;
  requestTimeout: string;
  prometheusUrl?: string;
  prometheusHeader?: string[];
  prometheusBearerTokenFile?: string;
  prometheusCaFile?: string;
  insecureSkipTlsVerify?: boolean;
  at?: string;
  window?: string;
  maxQueries?: number;
  targetWait?: string;
  snapshot?: string;
  saveSnapshot?: string;
  output: string;
  outputFile?: string;
  failOn?: string;
  maxWarnings?: number;
  config?: string;
  verbose?: boolean;
  quiet?: boolean;
  debug?: boolean;
  color?: boolean;
}

interface SourceRead {
  objects: ManifestObject[];
  problems: InputProblem[];
  incomplete: boolean;
  contexts: string[];
  serviceAccess: KubeServiceAccess[];
  sources: string[];
  partialView: boolean;
  nonObjects: number;
  /** Recorded Prometheus answers (snapshot replay). */
  replay?: unknown;
  /** at/window the snapshot was taken with. */
  snapshotMeta?: Record<string, unknown>;
  source: ScanSection['source'];
  kubeRequestCount?: () => number;
  close?: () => void;
}

function seconds(value: string, flag: string): number {
  const s = parseDuration(value);
  if (s === undefined || s <= 0) throw new UserError(`${flag}: "${value}" is not a duration (use e.g. 30s, 5m, 6h)`);
  return s;
}

export async function runScan(_args: unknown, opts: ScanOptions, io: CliIo): Promise<number> {
  const started = performance.now();
  const { config, path: configPath } = await loadConfig(opts.config, io.cwd);
  const common = resolveCommon(opts, config);
  const exclusive = [opts.demo && '--demo', opts.snapshot && '--snapshot', opts.filename && '-f'].filter(Boolean);
  if (exclusive.length > 1) throw new UserError(`${exclusive.join(' and ')} exclude each other; pass one source`);
  const timeoutSeconds = seconds(opts.timeout, '--timeout');
  const requestTimeoutSeconds = seconds(opts.requestTimeout, '--request-timeout');
  const progress = createProgress(io, opts);
  const deadline = Date.now() + timeoutSeconds * 1000;

  const read = await readSource(opts, io, progress, { timeoutSeconds, requestTimeoutSeconds, defaultNamespace: config.namespace });
  try {
    const inventory = buildInventory(read.objects, {
      workloadSettings: config.workloads,
      sources: read.sources,
      partialView: read.partialView,
      problems: read.problems,
      nonObjects: read.nonObjects,
    });
    if (read.objects.length === 0 && !inventory.problems.some((p) => p.level === 'error')) {
      inventory.problems.push({ level: 'warning', code: 'no-objects', message: `no Deployments, StatefulSets or autoscalers found in ${read.source.detail}` });
    }

    // Signals
    const windowRaw = opts.window;
    const snapAt = typeof read.snapshotMeta?.at === 'number' ? read.snapshotMeta.at : undefined;
    const snapWindow = typeof read.snapshotMeta?.windowSeconds === 'number' ? read.snapshotMeta.windowSeconds : undefined;
    let at: number;
    if (opts.at !== undefined) {
      const t = parseTime(opts.at);
      if (t === undefined) throw new UserError(`--at: "${opts.at}" is not a time (use RFC 3339 like 2026-11-20T14:00:00Z, or unix seconds)`);
      at = t;
    } else at = snapAt ?? Math.floor(Date.now() / 1000);
    // a snapshot replays the window it recorded unless --window is given explicitly
    const windowSeconds = windowRaw === undefined ? (read.replay !== undefined && snapWindow !== undefined ? snapWindow : DEFAULT_WINDOW_SECONDS) : seconds(windowRaw, '--window');
    const { signals, recording } = await readSignals(opts, io, config, progress, { inventory, read, at, windowSeconds, targetWaitSeconds: common.targetWaitSeconds, deadline });
    let incomplete = read.incomplete || (signals?.incomplete ?? false);

    // Rules (the same engine as check; live rules only with signals)
    const withSignals = signals && signals.byWorkload.size > 0 ? signals : undefined;
    const engine = runRules(
      RULES,
      {
        inventory,
        options: { targetWaitSeconds: common.targetWaitSeconds },
        signals: withSignals?.byWorkload,
        bindings: withSignals ? new Map(withSignals.bindings.map((b) => [b.workloadId, b])) : undefined,
      },
      { severities: config.rules },
    );
    if (opts.debug) for (const c of engine.crashes) io.stderr.write(`${(c.error as Error)?.stack ?? String(c.error)}\n`);

    // Recommendations, backtested on each workload's own history
    const recommendations = await recommendAll({ inventory, signals, findings: engine.findings, targetWaitSeconds: common.targetWaitSeconds, progress, io, opts });
    if (recommendations.failed > 0) incomplete = true;

    const scan = buildScanSection({
      inventory,
      signals,
      findings: engine.findings,
      recommendations: recommendations.list,
      targetWaitSeconds: common.targetWaitSeconds,
      source: read.source,
      window: { start: at - windowSeconds, end: at, step: signals?.queryStats?.step ?? 0 },
    });
    const report = buildReport({
      command: 'scan',
      inventory,
      engine,
      rules: RULES,
      failOn: common.failOn,
      maxWarnings: common.maxWarnings,
      incomplete,
      started,
      metadata: {
        contexts: read.contexts,
        at: formatTime(at),
        windowSeconds,
        queryCount: signals?.queryCount ?? 0,
        ...(signals?.queryStats ? { queryStats: signals.queryStats } : {}),
        ...(read.kubeRequestCount ? { kubeRequestCount: read.kubeRequestCount() } : {}),
        targetWaitSeconds: common.targetWaitSeconds,
        ...(configPath ? { config: configPath } : {}),
      },
      scan,
    });

    if (opts.saveSnapshot) {
      const { saveSnapshot } = await import('../inventory/snapshot.js');
      const path = await saveSnapshot(opts.saveSnapshot, {
        contexts: read.contexts,
        objects: read.objects,
        prometheus: recording,
        // the Prometheus that was used (its in-cluster address goes into recommended triggers)
        meta: { at, windowSeconds, source: read.source, ...(signals?.prometheus ? { prometheus: signals.prometheus } : {}) },
      });
      progress.log(`queue-doctor: snapshot saved to ${path}`);
    }

    const text = await formatReport(report, opts.output, { io, color: opts.color !== false });
    await writeResult(io, text, opts.outputFile);
    if (!opts.quiet && opts.output !== 'text') {
      for (const p of report.problems) io.stderr.write(`queue-doctor: ${p.level}: ${p.message}\n`);
    }
    if (opts.verbose && !opts.quiet) {
      io.stderr.write(`queue-doctor: ${signals?.queryCount ?? 0} PromQL requests${read.kubeRequestCount ? `, ${read.kubeRequestCount()} Kubernetes API requests` : ''}, ${Math.round(performance.now() - started)} ms\n`);
    }
    return decideExit(report);
  } finally {
    read.close?.();
  }
}

/** --window default: six hours of history. */
const DEFAULT_WINDOW_SECONDS = 6 * 3600;

async function readSource(
  opts: ScanOptions,
  io: CliIo,
  progress: Progress,
  limits: { timeoutSeconds: number; requestTimeoutSeconds: number; defaultNamespace?: string },
): Promise<SourceRead> {
  const empty = { problems: [] as InputProblem[], incomplete: false, serviceAccess: [] as KubeServiceAccess[], nonObjects: 0, partialView: false };
  if (opts.demo || opts.snapshot) {
    const dir = opts.demo ? packagePath('fixtures', 'demo') : opts.snapshot!;
    const phase = await progress.phase(opts.demo ? 'Loading the demo platform…' : `Loading snapshot ${dir}…`);
    const { loadSnapshot } = await import('../inventory/snapshot.js');
    const snap = await loadSnapshot(dir);
    phase.succeed(`Loaded ${snap.objects.length} objects from ${opts.demo ? 'the demo snapshot' : snap.path}`);
    return {
      ...empty,
      objects: snap.objects,
      problems: snap.problems,
      contexts: snap.contexts,
      sources: [snap.path],
      replay: snap.prometheus,
      snapshotMeta: snap.meta,
      source: opts.demo ? { kind: 'demo', detail: 'the bundled demo platform (fixtures/demo)' } : { kind: 'snapshot', detail: snap.path },
    };
  }
  if (opts.filename) {
    const phase = await progress.phase(`Reading manifests from ${opts.filename.join(', ')}…`);
    const read = await readManifests(opts.filename, {
      ...DEFAULT_READ_OPTIONS,
      defaultNamespace: opts.namespace?.[0] ?? limits.defaultNamespace ?? 'default',
      readStdin: io.readStdin,
      cwd: io.cwd,
    });
    phase.succeed(`Read ${read.objects.length} objects from ${read.sources.length} file(s)`);
    return {
      ...empty,
      objects: read.objects,
      problems: read.problems,
      contexts: [],
      sources: read.sources,
      partialView: read.partialView,
      nonObjects: read.nonObjects,
      source: { kind: 'files', detail: opts.filename.join(', ') },
    };
  }
  const { readClusterInventory } = await import('../inventory/read-cluster.js');
  const phase = await progress.phase('Reading workloads from the cluster…');
  const cluster = await readClusterInventory({
    kubeconfig: opts.kubeconfig,
    contexts: opts.context,
    allContexts: opts.allContexts,
    namespaces: opts.namespace,
    allNamespaces: opts.allNamespaces,
    selector: opts.selector,
    timeoutSeconds: limits.timeoutSeconds,
    requestTimeoutSeconds: limits.requestTimeoutSeconds,
    insecureSkipTlsVerify: opts.insecureSkipTlsVerify,
    env: io.env,
    onProgress: (m) => phase.update(m),
  });
  const n = cluster.contexts.length;
  (cluster.incomplete ? phase.warn.bind(phase) : phase.succeed.bind(phase))(
    `Read ${cluster.objects.length} objects from ${n} context${n === 1 ? '' : 's'} (${cluster.contexts.join(', ')})${cluster.incomplete ? ' — some could not be read' : ''}`,
  );
  for (const note of cluster.notes) progress.log(`queue-doctor: note: ${note}`);
  if (opts.verbose && !opts.quiet) {
    for (const s of cluster.summaries) if (s.proxy) io.stderr.write(`queue-doctor: context "${s.context}": API server ${s.server} reached through the proxy ${s.proxy}\n`);
  }
  return {
    objects: cluster.objects,
    problems: cluster.problems,
    incomplete: cluster.incomplete,
    contexts: cluster.contexts,
    serviceAccess: cluster.serviceAccess,
    sources: cluster.contexts,
    partialView: false,
    nonObjects: 0,
    source: { kind: 'cluster', detail: `context${n === 1 ? '' : 's'} ${cluster.contexts.join(', ')}` },
    kubeRequestCount: () => cluster.requestCount,
    close: () => cluster.close(),
  };
}

async function readSignals(
  opts: ScanOptions,
  io: CliIo,
  config: Awaited<ReturnType<typeof loadConfig>>['config'],
  progress: Progress,
  input: { inventory: ReturnType<typeof buildInventory>; read: SourceRead; at: number; windowSeconds: number; targetWaitSeconds: number; deadline: number },
): Promise<{ signals?: SignalsResult; recording?: unknown }> {
  const { inventory, read } = input;
  if (inventory.workloads.length === 0) return {};
  const metrics = await import('../metrics/index.js');
  const replaying = read.replay !== undefined;
  const connection = replaying ? { url: (read.replay as { url?: string }).url ?? 'http://snapshot' } : metrics.resolvePrometheusConnection(opts, io.env, config.prometheus);
  if (!replaying && !connection.url && read.serviceAccess.length === 0) {
    // -f without a URL: nothing to discover through
    inventory.problems.push({
      level: 'warning',
      code: 'no-prometheus',
      message: 'no Prometheus: pass --prometheus-url (or QUEUE_DOCTOR_PROMETHEUS_URL) to diagnose with metrics; inventory-only rules ran',
    });
    read.incomplete = true;
    return {};
  }
  const recorder = opts.saveSnapshot ? metrics.createRecorder() : undefined;
  const phase = await progress.phase(replaying ? 'Replaying recorded Prometheus series…' : 'Querying Prometheus…');
  const remaining = Math.max(1, (input.deadline - Date.now()) / 1000);
  const signals = await metrics.collectSignals(inventory, {
    prometheus: connection,
    at: input.at,
    windowSeconds: input.windowSeconds,
    maxQueries: opts.maxQueries ?? config.prometheus?.maxQueries,
    queryTimeoutSeconds: Math.min(30, remaining),
    deadline: input.deadline,
    targetWaitSeconds: input.targetWaitSeconds,
    serviceAccess: read.serviceAccess,
    recorder,
    replay: read.replay,
    env: io.env,
    onProgress: (done, total) => phase.update(`${replaying ? 'Replaying recorded answers' : 'Querying Prometheus'} (${done}/${total})…`),
  });
  const recorded = read.snapshotMeta?.prometheus as SignalsResult['prometheus'] | undefined;
  if (replaying && recorded?.url) {
    // a replay answers from the recording; the server it was recorded from is the one KEDA should query
    signals.prometheus = { ...recorded, discoveredFrom: `recorded in the snapshot${recorded.discoveredFrom ? ` (${recorded.discoveredFrom})` : ''}` };
  }
  for (const w of signals.warnings) progress.log(`queue-doctor: warning: ${w}`);
  const bound = signals.bindings.length;
  const where = signals.prometheus ? ` from ${signals.prometheus.url}${signals.prometheus.discoveredFrom ? ` (${signals.prometheus.discoveredFrom})` : ''}` : '';
  (signals.incomplete ? phase.warn.bind(phase) : phase.succeed.bind(phase))(
    `Read signals${where}: ${bound} workload${bound === 1 ? '' : 's'} bound to a queue, ${signals.queryCount} queries${signals.incomplete ? ' — some series could not be read' : ''}`,
  );
  if (opts.verbose && !opts.quiet && !replaying && connection.url) {
    const { proxyFromEnvironment, proxyAddress } = await import('../net/proxy-env.js');
    const route = proxyFromEnvironment(metrics.parsePrometheusUrl(connection.url).origin, io.env);
    if (route) io.stderr.write(`queue-doctor: Prometheus ${signals.prometheus?.url ?? ''} reached through the proxy ${proxyAddress(route)} (${route.source})\n`);
  }
  if (opts.verbose && !opts.quiet) {
    for (const b of signals.bindings) io.stderr.write(`queue-doctor: bound ${b.workloadId} -> ${b.system}${b.queueName ? ` queue ${b.queueName}` : ''} (${b.source}, confidence ${b.confidence.toFixed(2)}): ${b.evidence.join('; ')}\n`);
  }
  return { signals, recording: recorder?.toJSON() };
}

async function recommendAll(input: {
  inventory: ReturnType<typeof buildInventory>;
  signals?: SignalsResult;
  findings: import('../inventory/model.js').Finding[];
  targetWaitSeconds: number;
  progress: Progress;
  io: CliIo;
  opts: ScanOptions;
}): Promise<{ list: Recommendation[]; failed: number }> {
  const { inventory, signals, findings } = input;
  const { LOW_CONFIDENCE } = await import('../metrics/binding.js');
  const rec = await import('../recommend/index.js');
  const bindings = new Map((signals?.bindings ?? []).map((b) => [b.workloadId, b]));
  const findingsOf = (id: string, autoscalerIds: string[]) => findings.filter((f) => f.object.id === id || autoscalerIds.includes(f.object.id));
  const candidates = inventory.workloads.filter((w) => {
    if (!w.worker.isQueueWorker) return false;
    const b = bindings.get(w.id) ?? signals?.byWorkload.get(w.id)?.binding;
    // low-confidence bindings are shown, but never drive a recommendation silently
    if (!b || b.confidence < LOW_CONFIDENCE) return false;
    const own = findingsOf(w.id, w.autoscalers.map((a) => a.id));
    const onQueueScaler = w.autoscalers.some((a) => a.kind === 'ScaledObject' && a.metrics.some((m) => m.source === 'trigger'));
    return !onQueueScaler || own.some((f) => rec.ADDRESSED_RULES.has(f.ruleId));
  });
  if (candidates.length === 0) return { list: [], failed: 0 };
  const phase = await input.progress.phase(`Backtesting ${candidates.length} recommendation${candidates.length === 1 ? '' : 's'}…`);
  const list: Recommendation[] = [];
  let failed = 0;
  for (const [i, w] of candidates.entries()) {
    phase.update(`Backtesting recommendation ${i + 1}/${candidates.length} (${w.namespace}/${w.name})…`);
    try {
      list.push(
        await rec.recommendAsync({
          workload: w,
          signals: signals?.byWorkload.get(w.id),
          binding: bindings.get(w.id),
          prometheus: signals?.prometheus,
          targetWaitSeconds: input.targetWaitSeconds,
          findings: findingsOf(w.id, w.autoscalers.map((a) => a.id)),
        }),
      );
    } catch (e) {
      failed++;
      input.progress.log(`queue-doctor: error: no recommendation for ${w.namespace}/${w.name}: ${(e as Error).message.split('\n')[0]}`);
      if (input.opts.debug && (e as Error).stack) input.io.stderr.write((e as Error).stack + '\n');
    }
  }
  (failed ? phase.warn.bind(phase) : phase.succeed.bind(phase))(`Backtested ${list.length} recommendation${list.length === 1 ? '' : 's'}${failed ? `, ${failed} failed` : ''}`);
  return { list, failed };
}

export { EXIT };
