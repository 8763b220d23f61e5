// The one rule engine for `check` and `scan`: runs the registry's rules, applies configured
// severities, per-object ignore annotations and the baseline, and orders the findings.
import type { Autoscaler, Finding, InputProblem, Inventory, ManifestObject, Severity, Workload } from '../inventory/model.js';
import type { Rule, RuleContext } from './rule.js';

export type SeverityOverride = Severity | 'off';

export interface EngineOptions {
  /** Per-rule severity overrides from config (`rules: {QD107: off}`). */
  severities?: Record<string, SeverityOverride>;
  /** Fingerprints of accepted findings (`--baseline`). */
  baseline?: Set<string>;
}

export interface EngineResult {
  findings: Finding[];
  /** Findings dropped by `queue-doctor.io/ignore` annotations. */
  suppressed: Array<{ ruleId: string; objectId: string; reason?: string }>;
  rulesRun: string[];
  /** Rules skipped because they need signals that were not available. */
  rulesSkipped: string[];
  /**
   * Rules that threw. Each is also an error in `context.inventory.problems` (so the run exits 2
   * and every report shows it); `error` keeps the exception for --debug.
   */
  crashes: RuleCrash[];
}

export interface RuleCrash {
  ruleId: string;
  /** Id of the workload or autoscaler the rule was checking, when it could be told. */
  objectId?: string;
  problem: InputProblem;
  error: unknown;
}

/** Give up isolating a crashing rule after this many distinct failing objects. */
const MAX_CRASHED_OBJECTS = 20;

export const IGNORE_ANNOTATION = 'queue-doctor.io/ignore';
export const IGNORE_REASON_ANNOTATION = 'queue-doctor.io/ignore-reason';

export function runRules(rules: Rule[], context: RuleContext, options: EngineOptions = {}): EngineResult {
  const result: EngineResult = { findings: [], suppressed: [], rulesRun: [], rulesSkipped: [], crashes: [] };
  const ignores = ignoreIndex(context);
  for (const rule of rules) {
    const override = options.severities?.[rule.meta.id];
    if (override === 'off') continue;
    if (rule.meta.needsSignals && !context.signals) {
      result.rulesSkipped.push(rule.meta.id);
      continue;
    }
    result.rulesRun.push(rule.meta.id);
    let produced: Finding[];
    try {
      produced = rule.check(context);
    } catch (error) {
      produced = isolateCrash(rule, context, error, result.crashes);
    }
    for (const f of produced) {
      const ignored = ignores.get(f.object.id);
      if (ignored && (ignored.rules.has(f.ruleId) || ignored.rules.has('ALL') || ignored.rules.has('*'))) {
        result.suppressed.push({ ruleId: f.ruleId, objectId: f.object.id, reason: ignored.reason });
        continue;
      }
      if (override) f.severity = override;
      f.fingerprint = fingerprint(f);
      if (options.baseline?.has(f.fingerprint)) f.baselined = true;
      result.findings.push(f);
    }
  }
  result.findings.sort(compareFindings);
  return result;
}

type Subject = Workload | Autoscaler | ManifestObject;

/**
 * A rule threw (a bug, usually a field of an unexpected type). Find the object it was checking
 * and run the rule again without it, so one bad object costs only its own findings: each
 * rerun hides the workload/autoscaler last read from the inventory lists when the rule threw.
 * Each crash becomes an error problem naming the rule and the object (exit 2).
 */
function isolateCrash(rule: Rule, context: RuleContext, firstError: unknown, crashes: RuleCrash[]): Finding[] {
  const hidden = new Set<Subject>();
  const record = (error: unknown, subject: Subject | undefined, more = '') => {
    const problem = crashProblem(rule, error, subject, more);
    context.inventory.problems.push(problem);
    crashes.push({ ruleId: rule.meta.id, ...(subject ? { objectId: subjectId(subject) } : {}), problem, error });
  };
  let error = firstError;
  for (;;) {
    const last: { subject?: Subject } = {};
    const view: RuleContext = { ...context, inventory: trackedInventory(context.inventory, hidden, last) };
    let findings: Finding[] | undefined;
    try {
      findings = rule.check(view);
    } catch (e) {
      error = e;
    }
    if (findings) {
      // a rule that threw once and then not again (it should be pure): still a bug to report
      if (hidden.size === 0) record(firstError, undefined, '; it did not fail when run again, so its findings are kept');
      return findings;
    }
    const culprit = last.subject;
    if (!culprit || hidden.has(culprit)) {
      // not tied to one object (or the same object again): the rule gives nothing this run
      record(error, culprit, '; the rule was skipped');
      return [];
    }
    record(error, culprit);
    hidden.add(culprit);
    if (hidden.size >= MAX_CRASHED_OBJECTS) {
      record(error, undefined, `; it failed on ${hidden.size} objects, so it was skipped`);
      return [];
    }
  }
}

/** The inventory with `hidden` subjects left out of its lists, noting the last element a rule read. */
function trackedInventory(inv: Inventory, hidden: Set<Subject>, last: { subject?: Subject }): Inventory {
  const track = <T extends Subject>(list: T[]): T[] =>
    new Proxy(
      list.filter((x) => !hidden.has(x)),
      {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (typeof prop === 'string' && v !== undefined && /^\d+$/.test(prop)) last.subject = v as Subject;
          return v;
        },
      },
    );
  return { ...inv, workloads: track(inv.workloads), autoscalers: track(inv.autoscalers), triggerAuthentications: track(inv.triggerAuthentications) };
}

function subjectId(s: Subject): string {
  return 'id' in s ? s.id : `${s.ref.namespace}/${s.ref.kind}/${s.ref.name}`;
}

function crashProblem(rule: Rule, error: unknown, subject: Subject | undefined, more: string): InputProblem {
  const object = subject ? ('object' in subject ? subject.object : subject) : undefined;
  let where = '';
  let location: InputProblem['location'];
  if (object) {
    try {
      location = object.locate([]);
    } catch {
      location = undefined;
    }
    const at = location?.type === 'file' ? ` (${location.file}:${location.line}:${location.column})` : object.context ? ` (context ${object.context})` : '';
    const ns = object.ref.namespace ? `${object.ref.namespace}/` : '';
    where = ` on ${object.ref.kind} ${ns}${object.ref.name}${at}`;
  }
  const e = error as { name?: string; message?: string } | undefined;
  const what = e && typeof e.message === 'string' ? `${e.name ?? 'Error'}: ${e.message}` : String(error);
  const oneLine = what.split('\n')[0].slice(0, 300);
  return {
    level: 'error',
    code: 'rule-crashed',
    message: `internal error: rule ${rule.meta.id} (${rule.meta.slug}) crashed${where}: ${oneLine}${more}; the other rules ran. Please report this bug (run with --debug for the stack trace)`,
    ...(location ? { location } : {}),
  };
}

/** Ignore annotations apply to the object they are on; a workload's also covers its autoscalers. */
function ignoreIndex(context: RuleContext): Map<string, { rules: Set<string>; reason?: string }> {
  const out = new Map<string, { rules: Set<string>; reason?: string }>();
  const read = (annotations: Record<string, unknown> | undefined) => {
    const v = annotations?.[IGNORE_ANNOTATION];
    if (typeof v !== 'string') return undefined;
    const reason = annotations?.[IGNORE_REASON_ANNOTATION];
    return { rules: new Set(v.split(/[,\s]+/).map((s) => s.trim().toUpperCase()).filter(Boolean)), reason: typeof reason === 'string' ? reason : undefined };
  };
  for (const w of context.inventory.workloads) {
    const own = read(w.object.raw.metadata?.annotations);
    if (own) out.set(w.id, own);
  }
  for (const a of context.inventory.autoscalers) {
    const own = read(a.object.raw.metadata?.annotations);
    const inherited = a.workload ? out.get(a.workload.id) : undefined;
    if (own || inherited) {
      out.set(a.id, {
        rules: new Set([...(own?.rules ?? []), ...(inherited?.rules ?? [])]),
        reason: own?.reason ?? inherited?.reason,
      });
    }
  }
  return out;
}

/** Stable across line moves: rule, object and field path, not line numbers. */
export function fingerprint(f: Finding): string {
  // hash64 of `${ruleId}\0${id}\0${kind}\0${path}`, fed part by part (no joined string)
  const h = { a: FNV_A, b: FNV_B };
  hashInto(h, f.ruleId);
  hashInto(h, '\u0000');
  hashInto(h, f.object.id);
  hashInto(h, '\u0000');
  hashInto(h, f.object.kind);
  hashInto(h, '\u0000');
  hashInto(h, f.location.path ?? '');
  return hex64(h);
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function severityRank(s: Severity): number {
  return SEVERITY_ORDER[s];
}

function compareFindings(a: Finding, b: Finding): number {
  const la = a.location;
  const lb = b.location;
  const fa = la.type === 'file' ? la.file : `${la.context}/${la.namespace ?? ''}/${la.kind}/${la.name}`;
  const fb = lb.type === 'file' ? lb.file : `${lb.context}/${lb.namespace ?? ''}/${lb.kind}/${lb.name}`;
  if (fa !== fb) return fa < fb ? -1 : 1;
  const linea = la.type === 'file' ? la.line : 0;
  const lineb = lb.type === 'file' ? lb.line : 0;
  if (linea !== lineb) return linea - lineb;
  const ca = la.type === 'file' ? la.column : 0;
  const cb = lb.type === 'file' ? lb.column : 0;
  if (ca !== cb) return ca - cb;
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}

/**
 * 64-bit FNV-1a as two 32-bit lanes, in hex: a stable identity for baselines and SARIF
 * partialFingerprints, not a security property — and no node:crypto on check's start-up path.
 */
export function hash64(text: string): string {
  const h = { a: FNV_A, b: FNV_B };
  hashInto(h, text);
  return hex64(h);
}

const FNV_A = 0x811c9dc5;
const FNV_B = 0x01000193 ^ 0x5bd1e995;

function hashInto(h: { a: number; b: number }, text: string): void {
  let { a, b } = h;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 15);
  }
  h.a = a;
  h.b = b;
}

/** The two lanes as 16 lower-case hex digits (as toString(16).padStart(8, '0') each; faster). */
function hex64(h: { a: number; b: number }): string {
  const { a, b } = h;
  return String.fromCharCode(
    HEX[(a >>> 28) & 15], HEX[(a >>> 24) & 15], HEX[(a >>> 20) & 15], HEX[(a >>> 16) & 15],
    HEX[(a >>> 12) & 15], HEX[(a >>> 8) & 15], HEX[(a >>> 4) & 15], HEX[a & 15],
    HEX[(b >>> 28) & 15], HEX[(b >>> 24) & 15], HEX[(b >>> 20) & 15], HEX[(b >>> 16) & 15],
    HEX[(b >>> 12) & 15], HEX[(b >>> 8) & 15], HEX[(b >>> 4) & 15], HEX[b & 15],
  );
}

const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
