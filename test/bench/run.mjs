#!/usr/bin/env node
// `npm run bench`: runs every test/bench/*.bench.mjs (or those named on the command line) and
// prints their tables. Each benchmark measures its own baseline in the same run and reports
// ratios; nothing here asserts wall-clock limits.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();
const summary = [];
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const mod = await import(pathToFileURL(join(here, f)).href);
  const t0 = performance.now();
  try {
    const rows = (await mod.run()) ?? [];
    for (const r of rows) summary.push({ bench: f.replace('.bench.mjs', ''), ...r });
  } catch (e) {
    console.error(`${f} failed: ${e?.stack ?? e}`);
    process.exitCode = 1;
  }
  console.log(`(${f} took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
if (summary.length) {
  console.log('\n=== summary: measured / target (ratio to a baseline measured in the same run) ===');
  console.table(summary.map((r) => ({ bench: r.bench, measure: r.name, value: r.value, target: r.target ?? '', met: r.met === undefined ? '' : r.met ? 'yes' : 'NO' })));
}
