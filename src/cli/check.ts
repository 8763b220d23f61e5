// `queue-doctor check`: files -> inventory -> rules -> report.
import type { CliIo } from './io.js';
import { writeResult } from './io.js';
import { EXIT, UserError } from './exit-codes.js';
import { loadConfig } from '../config/load-config.js';
import { DEFAULT_READ_OPTIONS, readManifests } from '../inventory/read-manifests.js';
import { buildInventory } from '../inventory/build-inventory.js';
import { RULES } from '../../rules/index.js';
import { runRules } from '../diagnose/run-rules.js';
import { buildReport, decideExit, resolveCommon } from './common.js';
import { formatReport } from '../report/format.js';
import { readBaseline, writeBaseline } from '../diagnose/baseline.js';
import { parseSize } from '../units/size.js';
import { sanitize } from '../report/terminal.js';

export interface CheckOptions {
  output: string;
  outputFile?: string;
  failOn?: string;
  maxWarnings?: number;
  config?: string;
  namespace?: string;
  targetWait?: string;
  allowEmpty?: boolean;
  baseline?: string;
  writeBaseline?: string;
  maxFileSize?: string;
  debug?: boolean;
  quiet?: boolean;
  color?: boolean;
}

export async function runCheck(paths: string[] | string | undefined, opts: CheckOptions, io: CliIo): Promise<number> {
  const started = performance.now();
  const { config, path: configPath } = await loadConfig(opts.config, io.cwd);
  const common = resolveCommon(opts, config);
  let list = Array.isArray(paths) ? paths : paths ? [paths] : [];
  if (list.length === 0) list = io.stdinIsTTY ? ['.'] : ['-'];
  const maxFileBytes = opts.maxFileSize ?? config.maxFileSize;
  const read = await readManifests(list, {
    ...DEFAULT_READ_OPTIONS,
    defaultNamespace: opts.namespace ?? config.namespace ?? 'default',
    maxFileBytes: maxFileBytes === undefined ? DEFAULT_READ_OPTIONS.maxFileBytes : parseSize(maxFileBytes, '--max-file-size'),
    ignorePaths: config.ignore ?? [],
    readStdin: io.readStdin,
    cwd: io.cwd,
  });
  const inventory = buildInventory(read.objects, {
    workloadSettings: config.workloads,
    sources: read.sources,
    partialView: read.partialView,
    problems: read.problems,
    nonObjects: read.nonObjects,
  });
  if (read.objects.length === 0 && !opts.allowEmpty && !inventory.problems.some((p) => p.level === 'error')) {
    inventory.problems.push({
      level: 'error',
      code: 'no-objects',
      message: `no Kubernetes objects found in ${list.map((p) => (p === '-' ? '<stdin>' : p)).join(', ')} (${read.sources.length} file${read.sources.length === 1 ? '' : 's'} read); pass --allow-empty if that is expected`,
    });
  }
  const baseline = opts.baseline ? await readBaseline(opts.baseline) : undefined;
  const rules = RULES.filter((r) => !r.meta.needsSignals);
  const engine = runRules(rules, { inventory, options: { targetWaitSeconds: common.targetWaitSeconds } }, { severities: config.rules, baseline });
  if (opts.debug) for (const c of engine.crashes) io.stderr.write(`${(c.error as Error)?.stack ?? String(c.error)}\n`);
  const report = buildReport({
    command: 'check',
    inventory,
    engine,
    rules,
    failOn: common.failOn,
    maxWarnings: common.maxWarnings,
    incomplete: false,
    started,
    metadata: { ...(configPath ? { config: configPath } : {}), ...(opts.baseline ? { baseline: opts.baseline } : {}) },
  });
  if (opts.writeBaseline) {
    await writeBaseline(opts.writeBaseline, report.findings);
    if (!opts.quiet) io.stderr.write(`queue-doctor: wrote ${report.findings.length} finding(s) to baseline ${opts.writeBaseline}\n`);
    return report.problems.some((p) => p.level === 'error') ? EXIT.USAGE : EXIT.OK;
  }
  const text = await formatReport(report, opts.output, { io, color: opts.color !== false });
  await writeResult(io, text, opts.outputFile);
  if (!opts.quiet && opts.output !== 'text') {
    // machine-readable output on stdout: input problems still reach a human on stderr
    for (const p of report.problems) io.stderr.write(`queue-doctor: ${p.level}: ${sanitize(p.message)}\n`);
  }
  return decideExit(report, common.maxWarnings);
}

export { UserError };
