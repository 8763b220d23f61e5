// Loader for the live-rule scenario fixtures (fixtures/rules/QD2xx/*.scenario.yaml): manifests
// plus compact series specs, turned into the Inventory and WorkloadSignals the live rules and
// recommend() consume. Format (all keys optional except manifests):
//
//   description: what the scenario shows
//   targetWait: 30s
//   expect: [{rule: QD201, object: HorizontalPodAutoscaler/rag-worker, messageIncludes: [..], evidence: {..}}]
//   manifests: |            # Kubernetes YAML, multi-document
//   signals:
//     Deployment/rag-worker:   # Kind/name (namespace of the workload)
//       start: 0, step: 60, points: 60
//       binding: {system, backlogQuery, inflightQuery, throughputQuery, confidence, keda: {type, metadata}}
//       backlog|inflight|throughput|arrivalRate|cpuUtilization|replicas:
//         {constant: x} | {linear: [from, to]} | {values: [..]} | {pattern: [..]} (cycled) | {steps: [[count, value], ..]}
//       jobDuration: {mean, p50, p95, p99, source}
//       perReplicaThroughput, startupSeconds, hpaTargetCpu
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { DEFAULT_READ_OPTIONS, parseFileInto, type ReadResult } from '../../src/inventory/read-manifests.js';
import type { Inventory } from '../../src/inventory/model.js';
import type { QueueBinding, Series, WorkloadSignals } from '../../src/metrics/signals-model.js';
import { parseDuration } from '../../src/units/duration.js';

export interface Expectation {
  rule: string;
  object?: string;
  /** 1-based line in the scenario file. */
  line?: number;
  messageIncludes?: string[];
  evidence?: Record<string, unknown>;
}

export interface Scenario {
  file: string;
  description: string;
  targetWaitSeconds: number;
  expect: Expectation[];
  inventory: Inventory;
  signals: Map<string, WorkloadSignals>;
  bindings: Map<string, QueueBinding>;
}

type SeriesSpec = { constant?: number; linear?: [number, number]; values?: number[]; pattern?: number[]; steps?: Array<[number, number]> };

function series(spec: SeriesSpec, start: number, step: number, n: number): Series {
  const t = Array.from({ length: n }, (_, i) => start + i * step);
  let v: number[];
  if (spec.constant !== undefined) v = t.map(() => spec.constant!);
  else if (spec.linear) v = t.map((_, i) => spec.linear![0] + ((spec.linear![1] - spec.linear![0]) * i) / Math.max(1, n - 1));
  else if (spec.values) v = spec.values.slice(0, n).concat(Array(Math.max(0, n - spec.values.length)).fill(spec.values[spec.values.length - 1]));
  else if (spec.pattern) v = t.map((_, i) => spec.pattern![i % spec.pattern!.length]);
  else if (spec.steps) {
    v = [];
    for (const [count, value] of spec.steps) for (let k = 0; k < count; k++) v.push(value);
    v = v.slice(0, n).concat(Array(Math.max(0, n - v.length)).fill(v[v.length - 1]));
  } else throw new Error(`bad series spec ${JSON.stringify(spec)}`);
  return { t, v };
}

const SERIES_KEYS = ['backlog', 'inflight', 'throughput', 'arrivalRate', 'cpuUtilization', 'replicas'] as const;

export function loadScenario(file: string): Scenario {
  const text = readFileSync(file, 'utf8');
  const doc = parse(text);
  const result: ReadResult = { objects: [], problems: [], sources: [file], nonObjects: 0, partialView: false };
  // pad with the lines before the block so finding lines point into the scenario file
  const blockLine = text.split('\n').findIndex((l) => /^manifests:\s*\|/.test(l));
  parseFileInto(file, Buffer.from('\n'.repeat(blockLine + 1) + String(doc.manifests ?? '')), DEFAULT_READ_OPTIONS, result);
  if (result.problems.some((p) => p.level === 'error')) throw new Error(`${file}: ${result.problems.map((p) => p.message).join('; ')}`);
  const inventory = buildInventory(result.objects, { sources: [file] });
  const signals = new Map<string, WorkloadSignals>();
  const bindings = new Map<string, QueueBinding>();
  for (const [key, raw] of Object.entries<any>(doc.signals ?? {})) {
    const [kind, name] = key.split('/');
    const w = inventory.workloads.find((x) => x.kind === kind && x.name === name);
    if (!w) throw new Error(`${file}: signals for ${key}, which is not among the manifests`);
    const start = raw.start ?? 1_700_000_000;
    const step = raw.step ?? 60;
    const n = raw.points ?? 60;
    const s: WorkloadSignals = { workloadId: w.id, window: { start, end: start + (n - 1) * step, step }, notes: [] };
    for (const k of SERIES_KEYS) if (raw[k]) s[k] = series(raw[k], start, step, n);
    if (raw.jobDuration) s.jobDuration = { source: 'histogram', ...raw.jobDuration };
    if (raw.perReplicaThroughput !== undefined) s.perReplicaThroughput = raw.perReplicaThroughput;
    if (raw.startupSeconds !== undefined) s.startupSeconds = raw.startupSeconds;
    if (raw.hpaTargetCpu !== undefined) s.hpa = { targetCpuUtilization: raw.hpaTargetCpu };
    if (raw.binding) {
      const b: QueueBinding = { workloadId: w.id, system: 'custom', confidence: 1, evidence: ['scenario'], source: 'annotation', ...raw.binding };
      s.binding = b;
      bindings.set(w.id, b);
    }
    signals.set(w.id, s);
  }
  return {
    file,
    description: String(doc.description ?? ''),
    targetWaitSeconds: parseDuration(doc.targetWait ?? '30s') ?? 30,
    expect: (doc.expect ?? []) as Expectation[],
    inventory,
    signals,
    bindings,
  };
}

/** An inventory from inline manifests (tests). */
/** A Celery worker Deployment in namespace jobs (`extra` is appended to its pod spec). */
export function celeryWorker(name: string, replicas: number, extra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: jobs}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: worker
          image: example/worker:1
          command: [celery, -A, app, worker, -Q, default]
${extra}`;
}

export function inventoryFrom(yaml: string, file = 'inline.yaml'): Inventory {
  const result: ReadResult = { objects: [], problems: [], sources: [file], nonObjects: 0, partialView: false };
  parseFileInto(file, Buffer.from(yaml), DEFAULT_READ_OPTIONS, result);
  if (result.problems.some((p) => p.level === 'error')) throw new Error(result.problems.map((p) => p.message).join('; '));
  return buildInventory(result.objects, { sources: [file] });
}

/** A regular series from values (step seconds apart). */
export function seriesOf(values: number[], step = 60, start = 1_700_000_000): Series {
  return { t: values.map((_, i) => start + i * step), v: values };
}
