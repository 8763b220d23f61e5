// Per-workload settings from `queue-doctor.io/*` annotations (the documented contract),
// overridable per workload from `.queue-doctor.yaml`.
import type { InputProblem, SourceLocation, WorkloadSettings } from './model.js';
import { parseDuration } from '../units/duration.js';

export const ANNOTATION = {
  backlogQuery: 'queue-doctor.io/backlog-query',
  inflightQuery: 'queue-doctor.io/inflight-query',
  throughputQuery: 'queue-doctor.io/throughput-query',
  jobDuration: 'queue-doctor.io/job-duration',
  jobDurationQuery: 'queue-doctor.io/job-duration-query',
  concurrency: 'queue-doctor.io/concurrency',
  targetWait: 'queue-doctor.io/target-wait',
  ignore: 'queue-doctor.io/ignore',
  ignoreReason: 'queue-doctor.io/ignore-reason',
  queueWorker: 'queue-doctor.io/queue-worker',
} as const;

/** Settings as plain key/values (annotation values or config entries). */
export interface RawSettings {
  'backlog-query'?: string;
  'inflight-query'?: string;
  'throughput-query'?: string;
  'job-duration'?: string | number;
  'job-duration-query'?: string;
  concurrency?: string | number;
  'target-wait'?: string | number;
  ignore?: string | string[];
  'ignore-reason'?: string;
}

/** Settings from annotation maps; later maps win (pod template first, then the workload's own). */
export function rawSettingsFromAnnotations(...maps: Array<Record<string, string>>): RawSettings {
  const out: Record<string, string> = {};
  for (const annotations of maps) {
    for (const k in annotations) {
      if (k.startsWith('queue-doctor.io/')) out[k.slice('queue-doctor.io/'.length)] = annotations[k];
    }
  }
  return out as RawSettings;
}

/** Parse settings; invalid values become input problems naming the key and where it is. */
export function parseSettings(
  raw: RawSettings,
  where: (key: string) => SourceLocation | undefined,
  problems: InputProblem[],
  label: string,
): WorkloadSettings {
  const settings: WorkloadSettings = { ignore: [] };
  const bad = (key: string, value: unknown, expected: string) => {
    const location = where(key);
    const at = location && location.type === 'file' ? `${location.file}:${location.line}:${location.column}: ` : '';
    problems.push({
      level: 'error',
      code: 'bad-setting',
      message: `${at}${label}: queue-doctor.io/${key} "${String(value)}" is not ${expected}`,
      location,
    });
  };
  const str = (key: keyof RawSettings) => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') return void bad(key, v, 'a non-empty string');
    return v.trim();
  };
  settings.backlogQuery = str('backlog-query');
  settings.inflightQuery = str('inflight-query');
  settings.throughputQuery = str('throughput-query');
  settings.jobDurationQuery = str('job-duration-query');
  if (raw['job-duration'] !== undefined) {
    const s = parseDuration(raw['job-duration']);
    if (s === undefined || s <= 0) bad('job-duration', raw['job-duration'], 'a duration like 20s or 5m');
    else settings.jobDurationSeconds = s;
  }
  if (raw['target-wait'] !== undefined) {
    const s = parseDuration(raw['target-wait']);
    if (s === undefined || s <= 0) bad('target-wait', raw['target-wait'], 'a duration like 30s or 2m');
    else settings.targetWaitSeconds = s;
  }
  if (raw.concurrency !== undefined) {
    const n = Number(raw.concurrency);
    if (!Number.isInteger(n) || n < 1) bad('concurrency', raw.concurrency, 'a whole number >= 1');
    else settings.concurrency = n;
  }
  if (raw.ignore !== undefined) {
    const list = Array.isArray(raw.ignore) ? raw.ignore : String(raw.ignore).split(/[,\s]+/);
    settings.ignore = list.map((s) => String(s).trim().toUpperCase()).filter(Boolean);
  }
  if (typeof raw['ignore-reason'] === 'string') settings.ignoreReason = raw['ignore-reason'];
  return settings;
}

/** Later settings win, key by key. */
export function mergeSettings(base: WorkloadSettings, over: Partial<WorkloadSettings>): WorkloadSettings {
  const out: WorkloadSettings = { ...base };
  for (const [k, v] of Object.entries(over) as Array<[keyof WorkloadSettings, any]>) {
    if (v === undefined) continue;
    if (k === 'ignore') out.ignore = [...new Set([...base.ignore, ...(v as string[])])];
    else (out as any)[k] = v;
  }
  return out;
}
