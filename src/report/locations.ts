// One way to print a location everywhere.
import type { SourceLocation } from '../inventory/model.js';

/** The group a location belongs to in text output: a file, or context/namespace. */
export function locationGroup(loc: SourceLocation): string {
  return loc.type === 'file' ? loc.file : [loc.context, loc.namespace].filter(Boolean).join('/') || '(cluster)';
}

/** `file:line:col` or `context/namespace/Kind/name`. */
export function formatLocation(loc: SourceLocation): string {
  if (loc.type === 'file') return `${loc.file}:${loc.line}:${loc.column}`;
  return [loc.context, loc.namespace, loc.kind, loc.name].filter((p) => p !== undefined && p !== '').join('/');
}
