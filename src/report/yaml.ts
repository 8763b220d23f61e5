// `scan -o yaml`: only the recommended objects (each ScaledObject and its PrometheusRule), as a
// multi-document stream ready for `kubectl apply -f -`, with `#` comments that carry every
// number's derivation. Strings YAML 1.1 or 1.2 would read as something else ("true", "0", "yes",
// "1:20"…) are quoted, so the stream parses back to exactly the objects recommended. A
// ScaledObject that fails validation is never printed (it would be a bug): it becomes a comment.
import YAML from 'yaml';
import type { Report } from './report-model.js';
import type { FormatContext } from './format.js';
import type { Derivation, Recommendation } from '../recommend/model.js';
import { validateScaledObject } from '../recommend/validate.js';
import { formatDuration } from '../units/duration.js';
import { parseFieldPath } from './scan-format.js';

const COMMENT_WIDTH = 100;

export function formatYaml(report: Report, _ctx?: FormatContext): string {
  const recs: Recommendation[] = (report.scan?.recommendations as Recommendation[] | undefined) ?? [];
  if (recs.length === 0) {
    const why = report.command === 'scan' ? 'no workload needed a change, or none could be measured' : '`check` makes no recommendations; run `queue-doctor scan`';
    return `# queue-doctor: no recommended objects (${why}).\n`;
  }
  const docs: string[] = [];
  for (const rec of recs) docs.push(...recommendationDocuments(rec));
  return docs.join('---\n');
}

/** The documents of one recommendation (ScaledObject, then its alert), as YAML text. */
export function recommendationDocuments(rec: Recommendation): string[] {
  const check = validateScaledObject(rec.scaledObject);
  if (!check.valid) {
    const lines = [
      `queue-doctor: internal error — the ScaledObject recommended for ${rec.workloadId} fails KEDA validation and is not printed:`,
      ...check.issues.map((i) => `  ${i.path}: ${i.message} (${i.source})`),
      'Please report this at https://github.com/queue-doctor/queue-doctor/issues with `scan -o json` output.',
    ];
    return [commentBlock(lines) + '\n'];
  }
  const own = (d: Derivation) => (d.object ?? 'ScaledObject') === 'ScaledObject';
  const out = [render(rec.scaledObject, rec.derivations.filter(own), header(rec), rec.placeholders)];
  if (rec.alert) {
    const prefix = /^PrometheusRule [^:]+: /;
    const alertDerivations = rec.derivations.filter((d) => d.object === 'PrometheusRule').map((d) => ({ ...d, field: d.field.replace(prefix, '') }));
    out.push(
      render(
        rec.alert,
        alertDerivations,
        [`Alert for ${rec.workloadId}: the estimated queue wait, the number users feel.`, 'Needs the Prometheus Operator (monitoring.coreos.com/v1 PrometheusRule); drop this document otherwise.'],
        [],
      ),
    );
  }
  return out;
}

function header(rec: Recommendation): string[] {
  const lines: string[] = [];
  const so = rec.scaledObject;
  lines.push(`queue-doctor: KEDA ScaledObject for ${rec.workloadId} (target p95 queue wait ${formatDuration(rec.targetWaitSeconds)})`);
  lines.push(`Trigger: ${rec.trigger.type}${rec.trigger.native ? ' (native scaler)' : ''} on ${rec.trigger.measures}.`);
  lines.push(`Confidence: ${rec.confidence.level} (${rec.confidence.score})${rec.confidence.reasons.length ? ` — ${rec.confidence.reasons.join('; ')}` : ''}.`);
  if (rec.addresses.length) lines.push(`Addresses: ${rec.addresses.join(', ')}.`);
  for (const p of rec.placeholders) lines.push(`EDIT BEFORE APPLYING ${p.field}: ${p.message}.`);
  for (const n of rec.migration.notes) lines.push(`Migration: ${n}`);
  const b = rec.backtest;
  if (b) {
    const span = formatDuration(b.window.end - b.window.start);
    const before = b.before ? `p95 wait ${fmtWait(b.before.waitP95)}, ${hours(b.before.podSeconds)} pod-hours (${b.before.policy})` : 'current policy not simulated';
    lines.push(`Backtest on ${span} of recorded arrivals: before ${before} → after p95 wait ${fmtWait(b.after.waitP95)}, ${hours(b.after.podSeconds)} pod-hours.`);
    lines.push(`Searched: ${b.searched}`);
  }
  if (rec.grace?.patch) lines.push(`Grace period: ${rec.grace.derivation}. Apply: ${rec.grace.patch.kubectl}`);
  if (rec.scaledJob) lines.push(rec.scaledJob.reason);
  const shown = (n: string) => rec.migration.notes.includes(n) || n.startsWith('terminationGracePeriodSeconds') || n.startsWith('EDIT BEFORE APPLYING') || n === rec.scaledJob?.reason;
  for (const n of rec.notes) if (!shown(n)) lines.push(`Note: ${n}`);
  lines.push(`Apply: queue-doctor scan -o yaml | kubectl apply -f -   (namespace ${String(so?.metadata?.namespace ?? '')})`);
  return lines;
}

function render(object: Record<string, any>, derivations: Derivation[], headerLines: string[], placeholders: Recommendation['placeholders']): string {
  // version 1.1: also quote what YAML 1.1 parsers (kubectl's) would read as booleans, octals or sexagesimals
  const doc = new YAML.Document(object, { version: '1.1' });
  doc.commentBefore = commentText(headerLines);
  for (const d of derivations) {
    const path = parseFieldPath(d.field);
    if (!path) continue;
    const pair = pairAt(doc, path);
    if (pair && YAML.isScalar(pair.key)) pair.key.commentBefore = commentText([d.derivation]);
    else {
      // list items have no key: comment the value itself
      const node = doc.getIn(path, true);
      if (YAML.isScalar(node)) node.comment = ` ${oneLine(d.derivation)}`;
    }
  }
  for (const p of placeholders) {
    const node = doc.getIn(parseFieldPath(p.field) ?? [], true);
    if (YAML.isScalar(node)) node.comment = ' EDIT BEFORE APPLYING';
  }
  // U+0085, U+2028 and U+2029 are line breaks to YAML 1.1 readers (kubectl's): a value holding
  // one must be double-quoted with the character escaped, or a name could inject a key
  YAML.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && YAML_1_1_BREAKS.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  // the yaml package writes them raw even inside double quotes; every one left is inside a
  // double-quoted scalar (comments are cleaned by oneLine), where \uXXXX is a valid escape
  return doc.toString({ lineWidth: 0 }).replace(YAML_1_1_BREAKS_G, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const YAML_1_1_BREAKS = /[\u0085\u2028\u2029]/;
const YAML_1_1_BREAKS_G = /[\u0085\u2028\u2029]/g;

/** The map pair whose key is the last element of `path`. */
function pairAt(doc: YAML.Document, path: Array<string | number>): YAML.Pair | undefined {
  const last = path[path.length - 1];
  if (typeof last !== 'string') return undefined;
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!YAML.isMap(parent)) return undefined;
  return parent.items.find((p) => (YAML.isScalar(p.key) ? p.key.value : p.key) === last) as YAML.Pair | undefined;
}

/** Comment text: control characters removed, long lines wrapped; the yaml library adds the '#'. */
function commentText(lines: string[]): string {
  return lines.flatMap((l) => wrap(oneLine(l), COMMENT_WIDTH)).map((l) => ` ${l}`).join('\n');
}

function commentBlock(lines: string[]): string {
  return lines.flatMap((l) => wrap(oneLine(l), COMMENT_WIDTH)).map((l) => `# ${l}`).join('\n');
}

function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = `  ${word}`;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.length ? out : [''];
}

function fmtWait(s: number): string {
  return Number.isFinite(s) ? formatDuration(s < 10 ? Math.round(s * 10) / 10 : Math.round(s)) : 'unbounded';
}

function hours(podSeconds: number): string {
  const h = podSeconds / 3600;
  return h >= 100 ? h.toFixed(0) : h.toFixed(1);
}
