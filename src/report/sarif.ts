// `-o sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//
// File findings point at the offending field with a region, their URI relative to the working
// directory (uriBaseId %SRCROOT%, resolved in originalUriBaseIds) so that code scanning maps
// them onto the repository. Every finding also carries logical locations: the Kubernetes object
// (`context/namespace/Kind/name`) and the field inside it — the only location cluster findings
// have. Input problems are tool execution notifications.
import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from 'node-sarif-builder';
import type { Finding, InputProblem, Severity, SourceLocation } from '../inventory/model.js';
import type { RuleMeta } from '../diagnose/rule.js';
import type { Report } from './report-model.js';
import { ruleHelpUri } from './report-model.js';
import type { FormatContext } from './format.js';
import { absoluteFileUri, directoryUri, objectName, pathFromCwd, problemText, relativeUri } from './format-helpers.js';

type Run = SarifRunBuilder['run'];
type Result = SarifResultBuilder['result'];
type ReportingDescriptor = SarifRuleBuilder['rule'];
type Location = NonNullable<Result['locations']>[number];
type LogicalLocation = NonNullable<Run['logicalLocations']>[number];
type Artifact = NonNullable<Run['artifacts']>[number];
type Notification = NonNullable<NonNullable<Run['invocations']>[number]['toolExecutionNotifications']>[number];

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The base every relative artifact URI resolves against: the working directory of the run. */
export const SRCROOT = '%SRCROOT%';
/** Key of our fingerprint in partialFingerprints (versioned: change it if the hash changes). */
export const FINGERPRINT_KEY = 'queueDoctorFinding/v1';

const LEVEL: Record<Severity, Result['level']> = { error: 'error', warning: 'warning', info: 'note' };
/** GitHub code scanning reads `problem.severity` from rule properties. */
const PROBLEM_SEVERITY: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'recommendation' };

export function formatSarif(report: Report, ctx: FormatContext): string {
  return JSON.stringify(toSarif(report, ctx.io.cwd), null, 2) + '\n';
}

export function toSarif(report: Report, cwd: string): ReturnType<SarifBuilder['buildSarifOutput']> {
  const locations = new LocationBuilder(cwd);
  const rules = ruleDescriptors(report);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const baselineUsed = report.metadata.baseline !== undefined || report.findings.some((f) => f.baselined);

  const run = new SarifRunBuilder({
    tool: {
      driver: {
        name: report.tool.name,
        version: report.tool.version,
        semanticVersion: report.tool.version,
        informationUri: report.tool.informationUri,
        rules,
      },
    },
    // a category per command, so code scanning keeps `check` and `scan` uploads apart
    automationDetails: { id: `${report.tool.name}/${report.command}/` },
    originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(cwd) } },
    columnKind: 'utf16CodeUnits',
  });
  for (const f of report.findings) {
    if (!ruleIndex.has(f.ruleId)) {
      // a finding from a rule whose meta was not passed: still a valid, indexed rule entry
      ruleIndex.set(f.ruleId, rules.length);
      rules.push({ id: f.ruleId, defaultConfiguration: { level: LEVEL[f.severity] } });
    }
    run.addResult(new SarifResultBuilder(result(f, ruleIndex.get(f.ruleId)!, baselineUsed, locations)));
  }

  const inputErrors = report.problems.some((p) => p.level === 'error');
  const notifications = report.problems.map((p) => notification(p, locations));
  if (report.incomplete) {
    notifications.push({ level: 'warning', message: { text: 'some data could not be read: the results are partial' }, descriptor: { id: 'incomplete' } });
  }
  run.run.invocations = [
    {
      // an input error (or a source read only partly) means the analysis did not cover everything
      executionSuccessful: !inputErrors && !report.incomplete,
      ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
    },
  ];
  run.run.artifacts = locations.artifacts;
  if (locations.logical.length) run.run.logicalLocations = locations.logical;
  run.run.properties = {
    command: report.command,
    failOn: report.failOn,
    incomplete: report.incomplete,
    suppressed: report.summary.suppressed,
    baselined: report.summary.baselined,
    summary: { ...report.summary },
  };

  const log = new SarifBuilder({ $schema: SARIF_SCHEMA_URI, version: '2.1.0' });
  log.addRun(run);
  // buildSarifOutput, not buildSarifJsonString: the latter throws when any text (a manifest's
  // object name, say) contains the builder's placeholder marker
  return log.buildSarifOutput();
}

function ruleDescriptors(report: Report): ReportingDescriptor[] {
  return report.rules.map((m) => ruleDescriptor(m));
}

export function ruleDescriptor(m: RuleMeta): ReportingDescriptor {
  const helpUri = ruleHelpUri(m);
  return {
    id: m.id,
    name: m.slug,
    shortDescription: { text: m.title },
    fullDescription: { text: m.rationale },
    help: {
      text: [m.rationale, `Fix: ${m.fix}`, `Bad:\n${m.examples.bad}`, `Good:\n${m.examples.good}`, `More: ${helpUri}`].join('\n\n'),
      markdown: [
        m.rationale,
        `**Fix:** ${m.fix}`,
        `Bad:\n\n${fence(m.examples.bad)}`,
        `Good:\n\n${fence(m.examples.good)}`,
        `[${m.id} ${m.slug}](${helpUri})`,
      ].join('\n\n'),
    },
    helpUri,
    defaultConfiguration: { level: LEVEL[m.severity] },
    properties: {
      tags: ['kubernetes', 'autoscaling', m.needsSignals ? 'metrics' : 'manifests'],
      precision: 'high',
      'problem.severity': PROBLEM_SEVERITY[m.severity],
      needsSignals: m.needsSignals,
    },
  };
}

function fence(code: string): string {
  const longest = Math.max(2, ...Array.from(code.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}yaml\n${code}\n${ticks}`;
}

function result(f: Finding, ruleIndex: number, baselineUsed: boolean, locations: LocationBuilder): Result {
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: f.fix ? `${f.message}${/[.!?]$/.test(f.message) ? '' : '.'} Fix: ${f.fix}` : f.message },
    locations: [locations.forFinding(f)],
    ...(f.fingerprint ? { partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint } } : {}),
    ...(baselineUsed ? { baselineState: f.baselined ? 'unchanged' : 'new' } : {}),
    properties: {
      object: f.object.id,
      evidence: f.evidence,
      ...(f.fix ? { fix: f.fix } : {}),
    },
  };
}

function notification(p: InputProblem, locations: LocationBuilder): Notification {
  return {
    level: p.level,
    message: { text: problemText(p) },
    descriptor: { id: p.code },
    ...(p.location ? { locations: [locations.forSource(p.location)] } : {}),
    ...(p.where ? { properties: { where: p.where } } : {}),
  };
}

/** Builds locations and collects the run's artifacts and logical locations as it goes. */
class LocationBuilder {
  readonly artifacts: Artifact[] = [];
  readonly logical: LogicalLocation[] = [];
  private readonly artifactIndex = new Map<string, number>();
  private readonly logicalIndex = new Map<string, number>();

  constructor(private readonly cwd: string) {}

  forFinding(f: Finding): Location {
    const loc = this.forSource(f.location);
    // file findings name their object too; cluster findings already did in forSource
    if (f.location.type === 'file') loc.logicalLocations = this.objectLocations(f.object, f.location.path);
    return loc;
  }

  forSource(source: SourceLocation): Location {
    if (source.type === 'cluster') return { logicalLocations: this.objectLocations(source, source.path) };
    const where = pathFromCwd(source.file, this.cwd);
    const region = { startLine: Math.max(1, source.line), startColumn: Math.max(1, source.column) };
    // stdin has no file to point at: say where in the stream, in words
    if (!where) return { message: { text: `${source.file}:${region.startLine}:${region.startColumn}` } };
    const artifactLocation = where.inside
      ? { uri: relativeUri(where.path), uriBaseId: SRCROOT, index: this.artifact(relativeUri(where.path), SRCROOT, where.path) }
      : { uri: absoluteFileUri(where.path), index: this.artifact(absoluteFileUri(where.path), undefined, where.path) };
    return { physicalLocation: { artifactLocation, region } };
  }

  private artifact(uri: string, uriBaseId: string | undefined, path: string): number {
    const key = `${uriBaseId ?? ''}|${uri}`;
    let i = this.artifactIndex.get(key);
    if (i === undefined) {
      i = this.artifacts.length;
      this.artifactIndex.set(key, i);
      const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
      this.artifacts.push({
        location: { uri, ...(uriBaseId ? { uriBaseId } : {}) },
        ...(ext === 'yaml' || ext === 'yml' ? { sourceLanguage: 'yaml' } : ext === 'json' ? { sourceLanguage: 'json' } : {}),
      });
    }
    return i;
  }

  /** The object (kind "resource") and, when known, the field inside it (kind "property", child of the object). */
  private objectLocations(
    o: { context?: string; namespace?: string; kind: string; name: string },
    fieldPath: string | undefined,
  ): LogicalLocation[] {
    const fqn = objectName(o);
    const objectIndex = this.logicalLocation(fqn, { name: o.name, fullyQualifiedName: fqn, kind: 'resource' });
    const out: LogicalLocation[] = [{ name: o.name, fullyQualifiedName: fqn, kind: 'resource', index: objectIndex }];
    if (fieldPath) {
      // JSON pointer appended to the object's name: the hierarchy reads on (…/Kind/name/spec/metrics/0)
      const fieldFqn = `${fqn}${fieldPath}`;
      const index = this.logicalLocation(fieldFqn, { name: fieldPath, fullyQualifiedName: fieldFqn, kind: 'property', parentIndex: objectIndex });
      out.unshift({ name: fieldPath, fullyQualifiedName: fieldFqn, kind: 'property', index });
    }
    return out;
  }

  private logicalLocation(fqn: string, entry: LogicalLocation): number {
    let i = this.logicalIndex.get(fqn);
    if (i === undefined) {
      i = this.logical.length;
      this.logicalIndex.set(fqn, i);
      this.logical.push(entry);
    }
    return i;
  }
}
