// The metrics stage's public API (re-exported by src/index.ts as the lead sees fit).
// Importing this module does not load prometheus-query: it is imported lazily when a live
// transport is created.
export { collectSignals, type CollectSignalsOptions } from './collect-signals.js';
export {
  resolvePrometheusConnection,
  parsePrometheusUrl,
  parseHeader,
  redactUrl,
  PROMETHEUS_ENV,
  type PrometheusConnectionOptions,
  type PrometheusFlags,
  type PrometheusConfigSection,
} from './connection.js';
export { createRecorder, replayFrom, type Recorder, type RecordedPrometheus, type RecordedEntry } from './record-replay.js';
export { PrometheusQueryError, type QueryErrorKind } from './errors.js';
export { LOW_CONFIDENCE, MIN_CONFIDENCE } from './binding.js';
export { makeGrid, type Grid } from './decode.js';
export { recognisePrometheusServices, pickPrometheus, type PrometheusCandidate } from './discover-prometheus.js';
export * as stats from './stats.js';
export type * from './signals-model.js';
