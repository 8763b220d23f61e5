// `queue-doctor simulate`: replay an arrival trace through one or more autoscaling policies
// (ScaledObject / HPA manifests or fixed:N) and compare queue wait and cost side by side.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CliIo } from './io.js';
import { writeResult } from './io.js';
import { EXIT, UserError } from './exit-codes.js';
import { parseDuration } from '../units/duration.js';
import { formatDuration } from '../units/duration.js';
import { makeChalk, sanitize, unicodeSafe } from '../report/terminal.js';
import { parseYamlStream } from '../inventory/yaml-stream.js';
import {
  describePolicy,
  fixedPolicy,
  parseTrace,
  policyFromManifest,
  PolicyError,
  simulateMany,
  traceStats,
  TraceError,
  defaultCpuModel,
  type Measure,
  type Policy,
  type SimulationConfig,
  type SimulationResult,
  type Trace,
} from '../simulate/index.js';
import { renderTimelineChart } from '../simulate/text-chart.js';

export interface SimulateOptions {
  trace: string;
  policy: string[];
  startup: string;
  concurrency: number;
  targetWait: string;
  grace: string;
  seed: number;
  measure?: Measure;
  scrapeInterval?: string;
  cpuIdle?: string;
  cpuBusy?: string;
  output: 'text' | 'json';
  outputFile?: string;
  color?: boolean;
}

interface LoadedPolicy {
  policy: Policy;
  /** Short label for the table. */
  label: string;
  source: string;
}

export async function runSimulate(_args: unknown, opts: SimulateOptions, io: CliIo): Promise<number> {
  const config = resolveConfig(opts);
  const trace = await loadTrace(opts.trace);
  const policies = await loadPolicies(opts.policy, opts.measure);
  const results = simulateMany(
    trace,
    policies.map((p) => p.policy),
    config,
  );
  const text = opts.output === 'json' ? renderJson(opts, trace, config, policies, results) : renderText(io, opts, trace, config, policies, results);
  await writeResult(io, text, opts.outputFile);
  return EXIT.OK;
}

function resolveConfig(opts: SimulateOptions): SimulationConfig {
  const dur = (raw: string, flag: string, positive: boolean) => {
    const s = parseDuration(raw);
    if (s === undefined || (positive ? s <= 0 : s < 0)) throw new UserError(`${flag}: "${raw}" is not a ${positive ? 'positive ' : ''}duration (use e.g. 30s, 2m)`);
    return s;
  };
  if (!(opts.concurrency >= 1)) throw new UserError(`--concurrency: must be at least 1, got ${opts.concurrency}`);
  const pct = (raw: string | undefined, flag: string) => {
    if (raw === undefined) return undefined;
    const n = Number(raw.replace(/%$/, ''));
    if (!Number.isFinite(n) || n < 0) throw new UserError(`${flag}: "${raw}" is not a percentage (e.g. 5 or 5%)`);
    return n;
  };
  const dflt = defaultCpuModel(opts.concurrency);
  return {
    startupSeconds: dur(opts.startup, '--startup', false),
    concurrency: opts.concurrency,
    graceSeconds: dur(opts.grace, '--grace', false),
    targetWaitSeconds: dur(opts.targetWait, '--target-wait', true),
    seed: opts.seed,
    scrapeIntervalSeconds: opts.scrapeInterval === undefined ? undefined : dur(opts.scrapeInterval, '--scrape-interval', false),
    cpuModel: { idlePercent: pct(opts.cpuIdle, '--cpu-idle') ?? dflt.idlePercent, perBusySlotPercent: pct(opts.cpuBusy, '--cpu-busy') ?? dflt.perBusySlotPercent },
    timelinePoints: opts.output === 'json' ? 500 : 1000,
  };
}

async function loadTrace(file: string): Promise<Trace> {
  const text = await readText(file, '--trace');
  try {
    return parseTrace(text, file);
  } catch (e) {
    if (e instanceof TraceError) throw new UserError(sanitize(`${e.message} — fix the row or regenerate the trace (format: t_s,arrivals,mean_service_s,p95_service_s)`));
    throw e;
  }
}

async function readText(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory, expected a file' : (e as Error).message;
    throw new UserError(`${flag} ${file}: ${why}`);
  }
}

const FIXED = /^fixed:(\d+)$/;

async function loadPolicies(specs: string[], measure: Measure | undefined): Promise<LoadedPolicy[]> {
  const out: LoadedPolicy[] = [];
  for (const spec of specs) {
    const m = FIXED.exec(spec.trim());
    if (m) {
      out.push({ policy: fixedPolicy(Number(m[1])), label: `fixed:${Number(m[1])}`, source: spec });
      continue;
    }
    if (/^fixed:/i.test(spec.trim())) throw new UserError(`--policy ${spec}: expected fixed:N with N a whole number of replicas (e.g. fixed:10)`);
    const text = await readText(spec, '--policy');
    const stream = parseYamlStream(text);
    if (stream.error) {
      throw new UserError(sanitize(`${spec}:${stream.error.line}:${stream.error.column}: not valid YAML: ${stream.error.message.split('\n')[0]}`));
    }
    const found: LoadedPolicy[] = [];
    for (const doc of stream.documents) {
      const v = doc.value as Record<string, unknown> | null;
      if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
      const kind = v.kind;
      if (kind !== 'ScaledObject' && kind !== 'HorizontalPodAutoscaler' && kind !== 'ScaledJob') continue;
      const name = typeof (v.metadata as Record<string, unknown> | undefined)?.name === 'string' ? String((v.metadata as Record<string, unknown>).name) : '?';
      try {
        const policy = policyFromManifest(v, { measure, name: `${kind}/${name}` });
        found.push({ policy, label: basename(spec), source: spec });
      } catch (e) {
        if (e instanceof PolicyError) {
          const at = stream.locate(v, e.path);
          throw new UserError(sanitize(`${spec}:${at.line}:${at.column}: ${kind}/${name}: ${e.message}`));
        }
        throw e;
      }
    }
    if (found.length === 0) throw new UserError(`--policy ${spec}: no ScaledObject or HorizontalPodAutoscaler in the file (or use fixed:N)`);
    if (found.length > 1) for (const f of found) f.label = `${basename(spec)}#${f.policy.name.split('/')[1]}`;
    out.push(...found);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function renderJson(opts: SimulateOptions, trace: Trace, config: SimulationConfig, policies: LoadedPolicy[], results: SimulationResult[]): string {
  const stats = traceStats(trace);
  return (
    JSON.stringify(
      {
        trace: { file: opts.trace, ...stats, notes: trace.notes },
        config,
        results: policies.map((p, i) => ({ label: p.label, source: p.source, description: describePolicy(p.policy), spec: p.policy, ...results[i] })),
      },
      null,
      2,
    ) + '\n'
  );
}

function renderText(io: CliIo, opts: SimulateOptions, trace: Trace, config: SimulationConfig, policies: LoadedPolicy[], results: SimulationResult[]): string {
  const c = makeChalk(io, opts.color !== false);
  const uni = unicodeSafe(io);
  const st = traceStats(trace);
  const lines: string[] = [];
  const n = (x: number, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d });
  lines.push(c.bold(`Simulated ${sanitize(opts.trace)}`));
  lines.push(
    `  trace   ${formatDuration(st.durationSeconds)} in ${n(st.buckets, 0)} buckets of ${formatDuration(st.bucketSeconds)}, ${n(st.jobs, 0)} jobs (${n(st.meanRate, 2)}/s), mean job ${formatDuration(round1(st.meanServiceSeconds))}, offered load ${n(st.offeredLoad)} busy slots (peak ${n(st.peakOfferedLoad)})`,
  );
  lines.push(
    `  workers start-up ${formatDuration(config.startupSeconds)}, concurrency ${config.concurrency}, grace ${formatDuration(config.graceSeconds)}, cpu ${n(config.cpuModel!.idlePercent)}% idle + ${n(config.cpuModel!.perBusySlotPercent)}%/busy slot; target p95 wait ${formatDuration(config.targetWaitSeconds)}; seed ${config.seed}`,
  );
  lines.push('');
  const header = ['#', 'policy', 'p50', 'p95', 'p99', 'max', 'lost', 'pod-h', 'cost', 'scales', 'target'];
  const rows = results.map((r, i) => [
    String(i + 1),
    clip(sanitize(policies[i].label), 22),
    fmtWait(r.wait.p50),
    fmtWait(r.wait.p95),
    fmtWait(r.wait.p99),
    fmtWait(r.wait.max),
    n(r.jobsLost, 0),
    n(r.podSeconds / 3600, 1),
    r.costRatio === null ? '–' : `${r.costRatio.toFixed(2)}x`,
    n(r.scaleEvents, 0),
    r.targetMet ? 'met' : 'MISSED',
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const left = new Set([1, 10]);
  const fmtRow = (cells: string[]) => cells.map((s, k) => (left.has(k) ? s.padEnd(widths[k]) : s.padStart(widths[k]))).join('  ');
  lines.push(c.bold(fmtRow(header)));
  rows.forEach((r, i) => {
    const line = fmtRow(r);
    lines.push(results[i].targetMet ? line.replace(/met\s*$/, c.green('met')) : line.replace(/MISSED\s*$/, c.red('MISSED')));
  });
  lines.push('');
  lines.push(c.dim('  p50…max: queue wait of jobs arriving in the trace (still queued at the end: wait so far); lost: jobs killed after the grace period'));
  lines.push(c.dim('  pod-h: pod-hours incl. start-up and drain; cost: pod-seconds × concurrency ÷ work-seconds (1.00x = every slot always busy)'));
  lines.push('');
  policies.forEach((p, i) => {
    const r = results[i];
    lines.push(`${c.bold(`${i + 1}  ${sanitize(p.label)}`)}  ${sanitize(describePolicy(p.policy))}`);
    lines.push(
      `   served ${n(r.jobsServed, 0)}, lost ${n(r.jobsLost, 0)}, unfinished ${n(r.jobsUnfinished, 0)} of ${n(r.jobsArrived, 0)}; replicas ${r.replicas.min}–${r.replicas.max} (mean ${n(r.replicas.mean)}); ${pctText(r.fractionOverTarget)} of jobs waited over ${formatDuration(config.targetWaitSeconds)}`,
    );
    const chart = renderTimelineChart(
      [
        { label: 'backlog', values: r.timeline.backlog, height: 5 },
        { label: 'replicas', values: r.timeline.replicas, height: 3 },
      ],
      { t: r.timeline.t, unicode: uni, width: 72 },
    );
    for (const l of chart) lines.push('   ' + l);
    lines.push('');
  });
  if (trace.notes.length) for (const note of trace.notes) lines.push(c.yellow(`note: ${sanitize(note)}`));
  const text = lines.join('\n').replace(/\n+$/, '') + '\n';
  return uni ? text : toAscii(text);
}

const ASCII: Record<string, string> = { '–': '-', '—': '-', '…': '...', '×': 'x', '÷': '/', '≤': '<=', '≥': '>=' };

/** Plain ASCII for terminals that cannot show unicode (the charts already are). */
function toAscii(text: string): string {
  return text.replace(/[–—…×÷≤≥]/g, (ch) => ASCII[ch]);
}

function fmtWait(s: number): string {
  if (s === 0) return '0s';
  if (s < 1) return `${Math.round(s * 1000)}ms`;
  return formatDuration(s < 10 ? round1(s) : Math.round(s));
}

function pctText(x: number): string {
  const p = x * 100;
  return `${p > 0 && p < 0.1 ? '<0.1' : p.toFixed(p < 10 ? 1 : 0)} %`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function clip(s: string, w: number): string {
  return s.length > w ? s.slice(0, w - 1) + '…' : s;
}
