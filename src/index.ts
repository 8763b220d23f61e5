// queue-doctor's library API: what other programs may import. Everything here is pure or
// does its own I/O only where named (readManifests, readClusterInventory, collectSignals).

// The model
export type * from './inventory/model.js';
export type { Report, ScanSection, ScanWorkloadView } from './report/report-model.js';

// Sources -> inventory
export { readManifests, DEFAULT_READ_OPTIONS, type ReadOptions, type ReadResult } from './inventory/read-manifests.js';
export { parseYamlStream } from './inventory/yaml-stream.js';
export { buildInventory, type BuildOptions } from './inventory/build-inventory.js';
export { classifyWorker, classifyGpu, WORKER_THRESHOLD } from './inventory/classify-worker.js';
export { readClusterInventory, type ClusterReadOptions, type ClusterReadResult } from './inventory/read-cluster.js';
export { saveSnapshot, loadSnapshot } from './inventory/snapshot.js';
export { redactObject, redactText } from './inventory/redact.js';

// Rules
export { RULES, findRule } from '../rules/index.js';
export { runRules, type EngineOptions, type EngineResult } from './diagnose/run-rules.js';
export type { Rule, RuleMeta, RuleContext } from './diagnose/rule.js';

// Metrics (Prometheus is loaded lazily, on first use)
export { collectSignals, resolvePrometheusConnection, createRecorder, replayFrom, PrometheusQueryError } from './metrics/index.js';
export type * from './metrics/signals-model.js';

// Recommendations
export { recommend, recommendAsync, validateScaledObject } from './recommend/index.js';
export type { Recommendation, RecommendInput, Backtest } from './recommend/index.js';

// The autoscaling simulator (HPA/KEDA arithmetic, traces, policies, simulation, candidate search)
export * from './simulate/index.js';

// Units
export { parseDuration, formatDuration } from './units/duration.js';
export { parseQuantity } from './units/quantity.js';
