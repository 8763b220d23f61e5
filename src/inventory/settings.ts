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
  /** Names the workload in messages (a function: built only when a value is bad). */
  label: string | (() => string),
): WorkloadSettings {
  // called for every workload: helpers are module functions, not closures made per call
  const ctx: BadContext = { where, problems, label };
  const settings: WorkloadSettings = { ignore: [] };
  settings.backlogQuery = str(raw, 'backlog-query', ctx);
  settings.inflightQuery = str(raw, 'inflight-query', ctx);
  settings.throughputQuery = str(raw, 'throughput-query', ctx);
  settings.jobDurationQuery = str(raw, 'job-duration-query', ctx);
  if (raw['job-duration'] !== undefined) {
    const s = parseDuration(raw['job-duration']);
    if (s === undefined || s <= 0) bad(ctx, 'job-duration', raw['job-duration'], 'a duration like 20s or 5m');
    else settings.jobDurationSeconds = s;
  }
  if (raw['target-wait'] !== undefined) {
    const s = parseDuration(raw['target-wait']);
    if (s === undefined || s <= 0) bad(ctx, 'target-wait', raw['target-wait'], 'a duration like 30s or 2m');
    else settings.targetWaitSeconds = s;
  }
  if (raw.concurrency !== undefined) {
    const n = Number(raw.concurrency);
    if (!Number.isInteger(n) || n < 1) bad(ctx, 'concurrency', raw.concurrency, 'a whole number >= 1');
    else settings.concurrency = n;
  }
  if (raw.ignore !== undefined) {
    const list = Array.isArray(raw.ignore) ? raw.ignore : String(raw.ignore).split(/[,\s]+/);
    settings.ignore = list.map((s) => String(s).trim().toUpperCase()).filter(Boolean);
  }
  if (typeof raw['ignore-reason'] === 'string') settings.ignoreReason = raw['ignore-reason'];
  return settings;
}

interface BadContext {
  where: (key: string) => SourceLocation | undefined;
  problems: InputProblem[];
  label: string | (() => string);
}

function bad(ctx: BadContext, key: string, value: unknown, expected: string): void {
  const location = ctx.where(key);
  const at = location && location.type === 'file' ? `${location.file}:${location.line}:${location.column}: ` : '';
  const label = ctx.label;
  ctx.problems.push({
    level: 'error',
    code: 'bad-setting',
    message: `${at}${typeof label === 'function' ? label() : label}: queue-doctor.io/${key} "${String(value)}" is not ${expected}`,
    location,
  });
}

function str(raw: RawSettings, key: keyof RawSettings, ctx: BadContext): string | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') return void bad(ctx, key, v, 'a non-empty string');
  return v.trim();
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
