// Byte sizes: "32MiB", "10MB", "500k", 1048576.
import { UserError } from '../cli/exit-codes.js';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3 };

export function parseSize(input: string | number, what: string): number {
  if (typeof input === 'number' && Number.isFinite(input) && input > 0) return input;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(String(input));
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) throw new UserError(`${what}: "${input}" is not a size (use e.g. 32MiB, 500KB)`);
  return Math.floor(Number(m[1]) * unit);
}
