// Baselines: accept today's findings, fail only on new ones (`--write-baseline`, `--baseline`).
import { readFile, writeFile } from 'node:fs/promises';
import type { Finding } from '../inventory/model.js';
import { UserError } from '../cli/exit-codes.js';

interface BaselineFile {
  version: 1;
  tool: 'queue-doctor';
  findings: Array<{ fingerprint: string; ruleId: string; object: string; message: string }>;
}

export async function writeBaseline(path: string, findings: Finding[]): Promise<void> {
  const body: BaselineFile = {
    version: 1,
    tool: 'queue-doctor',
    findings: findings.map((f) => ({ fingerprint: f.fingerprint ?? '', ruleId: f.ruleId, object: f.object.id, message: f.message })),
  };
  await writeFile(path, JSON.stringify(body, null, 2) + '\n');
}

export async function readBaseline(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UserError(`baseline ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (create it with --write-baseline)' : (e as Error).message}`);
  }
  let data: BaselineFile;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UserError(`baseline ${path}: not JSON (${(e as Error).message})`);
  }
  if (!data || data.version !== 1 || !Array.isArray(data.findings)) throw new UserError(`baseline ${path}: not a queue-doctor baseline (version 1)`);
  return new Set(data.findings.map((f) => f.fingerprint).filter((f) => typeof f === 'string'));
}
