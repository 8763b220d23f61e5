// `.queue-doctor.yaml`: found from the working directory upward, or given with --config;
// validated against the shipped JSON Schema (src/schemas/config.schema.json).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import jsyaml from 'js-yaml';
import { UserError } from '../cli/exit-codes.js';
import { readPackageJson } from '../package-files.js';
import type { RawSettings } from '../inventory/settings.js';
import type { Severity } from '../inventory/model.js';

export interface QueueDoctorConfig {
  rules?: Record<string, Severity | 'off'>;
  ignore?: string[];
  failOn?: Severity | 'none';
  maxWarnings?: number;
  targetWait?: string | number;
  namespace?: string;
  maxFileSize?: string | number;
  prometheus?: { url?: string; headers?: Record<string, string>; bearerTokenFile?: string; caFile?: string; window?: string; maxQueries?: number };
  workloads?: Record<string, RawSettings>;
}

export const CONFIG_NAMES = ['.queue-doctor.yaml', '.queue-doctor.yml'];

export interface LoadedConfig {
  config: QueueDoctorConfig;
  /** The file it came from, if any. */
  path?: string;
}

export function findConfig(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_NAMES) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

export async function loadConfig(explicit: string | undefined, cwd: string): Promise<LoadedConfig> {
  const path = explicit ?? findConfig(cwd);
  if (!path) return { config: {} };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`config ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = jsyaml.load(text) ?? {};
  } catch (e) {
    const mark = (e as { mark?: { line: number; column: number } }).mark;
    const at = mark ? `:${mark.line + 1}:${mark.column + 1}` : '';
    throw new UserError(`config ${path}${at}: invalid YAML: ${(e as { reason?: string }).reason ?? (e as Error).message}`);
  }
  const validate = await validator();
  if (!validate(data)) {
    const err = validate.errors![0];
    const where = err.instancePath || '/';
    const extra = err.keyword === 'additionalProperties' ? ` "${(err.params as { additionalProperty: string }).additionalProperty}"` : '';
    throw new UserError(`config ${path}: ${where} ${err.message}${extra} (see the configuration section of the README)`);
  }
  return { config: data as QueueDoctorConfig, path };
}

// ajv is loaded only when there is a config file: `check` without one stays fast.
let compiled: any;
async function validator() {
  if (!compiled) {
    const { Ajv } = await import('ajv');
    const addFormats = (await import('ajv-formats')).default as unknown as (a: unknown) => void;
    const ajv = new Ajv({ allErrors: false, strict: false });
    addFormats(ajv);
    compiled = ajv.compile(readPackageJson('src', 'schemas', 'config.schema.json'));
  }
  return compiled;
}
