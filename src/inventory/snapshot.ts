// Snapshots: what a scan read, saved as plain JSON (DIR/snapshot.json) for offline replay.
//
//   { "version": 1, "tool": "queue-doctor", "toolVersion": "0.1.0", "createdAt": "…",
//     "contexts": ["prod"], "objects": [{ "context": "prod", "object": { …Kubernetes object… } }],
//     "prometheus": …opaque, owned by the metrics stage…, "meta": { … } }
//
// Objects are stored sanitised (no managedFields, no last-applied annotation, credentials
// redacted: see redact.ts) and loaded back through the same function as a live read, so a
// replay sees exactly the objects the live scan saw.
import { mkdir, readFile, rename, stat, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { InputProblem, ManifestObject } from './model.js';
import { UserError } from '../cli/exit-codes.js';
import { clusterObject } from './read-cluster.js';
import { sanitizeClusterObject, sanitizeClusterObjectInPlace } from './redact.js';
import { packageVersion } from '../package-files.js';

export const SNAPSHOT_FILE = 'snapshot.json';
export const SNAPSHOT_VERSION = 1;

/** The file format (version 1). */
export interface SnapshotFile {
  version: number;
  tool: 'queue-doctor';
  toolVersion?: string;
  /** RFC 3339. */
  createdAt: string;
  contexts: string[];
  objects: Array<{ context: string; object: Record<string, any> }>;
  /** Recorded Prometheus responses (opaque here; the metrics stage reads and writes it). */
  prometheus?: unknown;
  meta?: Record<string, unknown>;
}

export interface SnapshotInput {
  contexts: string[];
  /** Objects as read (live cluster, or any ManifestObject: its `context` is kept). */
  objects: ManifestObject[];
  prometheus?: unknown;
  meta?: Record<string, unknown>;
  /** Injected clock (default: now). */
  createdAt?: Date | string;
}

export interface LoadedSnapshot {
  /** Objects with cluster locations, as a live read returns them. */
  objects: ManifestObject[];
  contexts: string[];
  createdAt: string;
  toolVersion?: string;
  prometheus?: unknown;
  meta?: Record<string, unknown>;
  /** Entries that were skipped (not Kubernetes objects). */
  problems: InputProblem[];
  /** The file read. */
  path: string;
}

/**
 * Write DIR/snapshot.json (creating DIR). The write is atomic: a reader never sees half a
 * file. Returns the path written. Throws UserError when DIR cannot be written.
 */
export async function saveSnapshot(dir: string, data: SnapshotInput): Promise<string> {
  const file: SnapshotFile = {
    version: SNAPSHOT_VERSION,
    tool: 'queue-doctor',
    toolVersion: packageVersion(),
    createdAt: data.createdAt === undefined ? new Date().toISOString() : typeof data.createdAt === 'string' ? data.createdAt : data.createdAt.toISOString(),
    contexts: [...data.contexts],
    objects: data.objects.map((o) => ({ context: o.context, object: sanitizeClusterObject(o.raw) })),
    ...(data.prometheus !== undefined ? { prometheus: data.prometheus } : {}),
    ...(data.meta !== undefined ? { meta: data.meta } : {}),
  };
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new UserError(`--save-snapshot ${dir}: cannot create the directory (${errno(e)}); pass a writable directory`);
  }
  const path = join(dir, SNAPSHOT_FILE);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, JSON.stringify(file, null, 1) + '\n');
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw new UserError(`--save-snapshot ${dir}: cannot write ${SNAPSHOT_FILE} (${errno(e)}); pass a writable directory`);
  }
  return path;
}

/** Read a snapshot directory (or a snapshot.json path). Throws UserError (exit 2) when it is missing, damaged or too new. */
export async function loadSnapshot(dir: string): Promise<LoadedSnapshot> {
  let path = join(dir, SNAPSHOT_FILE);
  try {
    const st = await stat(dir);
    if (st.isFile()) path = dir;
  } catch {
    throw new UserError(`--snapshot ${dir}: no such directory; pass a directory written by scan --save-snapshot`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `--snapshot ${dir}: no ${SNAPSHOT_FILE} in it; pass a directory written by scan --save-snapshot`
        : `--snapshot ${path}: cannot read it (${errno(e)})`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`--snapshot ${path}: not valid JSON (${(e as Error).message.split('\n')[0]}); the file is damaged — save it again with scan --save-snapshot`);
  }
  const notSnapshot = (why: string) => new UserError(`--snapshot ${path}: not a queue-doctor snapshot (${why}); pass a directory written by scan --save-snapshot`);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw notSnapshot('not a JSON object');
  const d = doc as Partial<SnapshotFile>;
  if (d.tool !== 'queue-doctor') throw notSnapshot('"tool" is not "queue-doctor"');
  if (typeof d.version !== 'number' || !Number.isInteger(d.version) || d.version < 1) throw notSnapshot('no valid "version"');
  if (d.version > SNAPSHOT_VERSION) {
    throw new UserError(
      `--snapshot ${path}: written by a newer queue-doctor${d.toolVersion ? ` (${d.toolVersion})` : ''} in snapshot format ${d.version}; this version (${packageVersion()}) reads format ${SNAPSHOT_VERSION} — upgrade queue-doctor`,
    );
  }
  if (!Array.isArray(d.objects)) throw notSnapshot('"objects" is not a list');
  const contexts = Array.isArray(d.contexts) ? d.contexts.filter((c): c is string => typeof c === 'string') : [];
  const problems: InputProblem[] = [];
  const objects: ManifestObject[] = [];
  d.objects.forEach((entry, i) => {
    const o = entry?.object;
    const ok = o && typeof o === 'object' && !Array.isArray(o) && typeof o.apiVersion === 'string' && typeof o.kind === 'string' && typeof o.metadata?.name === 'string';
    if (!ok) {
      problems.push({ level: 'warning', code: 'snapshot-entry', message: `--snapshot ${path}: objects[${i}] is not a Kubernetes object (apiVersion, kind, metadata.name); skipped`, where: path });
      return;
    }
    const context = typeof entry.context === 'string' ? entry.context : '';
    objects.push(clusterObject(sanitizeClusterObjectInPlace(o), context));
  });
  return {
    objects,
    contexts,
    createdAt: typeof d.createdAt === 'string' ? d.createdAt : '',
    toolVersion: typeof d.toolVersion === 'string' ? d.toolVersion : undefined,
    prometheus: d.prometheus,
    meta: d.meta && typeof d.meta === 'object' && !Array.isArray(d.meta) ? d.meta : undefined,
    problems,
    path,
  };
}

function errno(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a file is in the way';
  if (code === 'ENOSPC') return 'no space left on the device';
  return code ?? (e as Error).message ?? String(e);
}
