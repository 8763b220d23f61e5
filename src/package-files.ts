// Files shipped with the package (schemas, demo data), found from the package root so that
// the same code works from src/ (tests) and dist/src/ (the built CLI).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'schemas'))) return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('queue-doctor: cannot find the package root (src/schemas missing)');
    dir = up;
  }
}

export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}

export function readPackageJson(...parts: string[]): any {
  return JSON.parse(readFileSync(packagePath(...parts), 'utf8'));
}

export function packageVersion(): string {
  return readPackageJson('package.json').version as string;
}
