// Snapshots of Prometheus: every PromQL request of a scan and Prometheus's raw answer (or the
// error), as a plain JSON value. `scan --save-snapshot` stores it in the snapshot's
// `prometheus` field; `scan --snapshot` replays it offline. The query plan is a pure function
// of the inventory, --at and --window, so a replay asks exactly the recorded questions and
// decodes the same bytes into the same signals.
import { PrometheusQueryError, type QueryErrorKind } from './errors.js';
import { requestKey, type QueryRequest, type QueryTransport, type RawResult } from './transport.js';
import { compactToJson, isCompact } from './decode.js';

export interface RecordedEntry {
  request: QueryRequest;
  /** Prometheus's `data` member: as received, or for range answers the samples on the request's grid. */
  data?: RawResult;
  /** The failure, when the request failed (replayed as the same failure). */
  error?: { kind: QueryErrorKind; detail: string; errorType?: string; httpStatus?: number; origin?: string };
}

/** The JSON value stored in a snapshot's `prometheus` field. */
export interface RecordedPrometheus {
  format: 'queue-doctor/prometheus-recording';
  version: 1;
  /** The credential-free API URL the answers came from. */
  url: string;
  entries: RecordedEntry[];
}

export interface Recorder {
  /** Wrap a live transport so that every answer is recorded. */
  wrap(transport: QueryTransport): QueryTransport;
  /** The recording so far, as a plain JSON-serialisable value. */
  toJSON(): RecordedPrometheus;
}

/**
 * Record every request and answer of a scan.
 * @example
 *   const recorder = createRecorder();
 *   const signals = await collectSignals(inventory, { ...options, recorder });
 *   snapshot.prometheus = recorder.toJSON();
 */
export function createRecorder(): Recorder {
  const entries = new Map<string, RecordedEntry>();
  let url = '';
  return {
    wrap(transport) {
      url = transport.url;
      return {
        url: transport.url,
        ...(transport.tooLong ? { tooLong: transport.tooLong.bind(transport) } : {}),
        async query(request, timeoutSeconds, origin, deadline) {
          const key = requestKey(request);
          try {
            const data = await transport.query(request, timeoutSeconds, origin, deadline);
            entries.set(key, { request, data });
            return data;
          } catch (e) {
            const err = e as PrometheusQueryError;
            entries.set(key, {
              request,
              error: {
                kind: err.kind ?? 'protocol',
                detail: err.detail ?? String(e),
                ...(err.errorType !== undefined ? { errorType: err.errorType } : {}),
                ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
                ...(origin !== undefined ? { origin } : {}),
              },
            });
            throw e;
          }
        },
        close: () => transport.close(),
      };
    },
    toJSON() {
      const plain = [...entries.values()].map((e) => (e.data && isCompact(e.data) ? { ...e, data: compactToJson(e.data) } : e));
      return { format: 'queue-doctor/prometheus-recording', version: 1, url, entries: plain };
    },
  };
}

/**
 * A transport that answers from a recording, offline. A request that was not recorded fails
 * with kind 'replay' (the scan becomes incomplete, as it would have been without Prometheus).
 */
export function replayFrom(recorded: unknown): QueryTransport {
  const rec = validateRecording(recorded);
  const byKey = new Map<string, RecordedEntry>();
  for (const e of rec.entries) byKey.set(requestKey(e.request), e);
  return {
    url: rec.url,
    offline: true,
    async query(request, _timeout, origin) {
      const entry = byKey.get(requestKey(request));
      const context = { url: rec.url, query: request.query, ...(origin !== undefined ? { origin } : {}) };
      if (!entry) throw new PrometheusQueryError({ kind: 'replay', context, detail: 'request not in the recording' });
      if (entry.error) {
        throw new PrometheusQueryError({
          kind: entry.error.kind,
          context,
          detail: entry.error.detail,
          ...(entry.error.errorType !== undefined ? { errorType: entry.error.errorType } : {}),
          ...(entry.error.httpStatus !== undefined ? { httpStatus: entry.error.httpStatus } : {}),
        });
      }
      return entry.data!;
    },
    close() {},
  };
}

function validateRecording(value: unknown): RecordedPrometheus {
  const v = value as Partial<RecordedPrometheus> | null;
  if (!v || typeof v !== 'object' || v.format !== 'queue-doctor/prometheus-recording' || !Array.isArray(v.entries)) {
    throw new Error('snapshot: the prometheus field is not a queue-doctor Prometheus recording');
  }
  if (v.version !== 1) throw new Error(`snapshot: Prometheus recording version ${String(v.version)} is not supported (expected 1)`);
  return v as RecordedPrometheus;
}
