// Does a PromQL query return at most one series? KEDA's prometheus scaler fails with
// "returned multiple elements" when the result holds more than one, decodes no value from a
// range vector, and cannot decode a scalar result at all (pkg/scalers/prometheus_scaler.go:
// the response is read into a list of {metric, value} objects). This module infers the result
// shape of every node — value type, whether it is provably a single series, what is known of
// its labels, whether it can be empty — and explains the verdict with the node responsible.
import type { Aggregate, Binary, Call, Expr, Matcher, Span } from './parse.js';
import { COMPARISON_OPS, PromQLSyntaxError, parsePromQL } from './parse.js';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/**
 * What is known of a vector's label names. `exact`: the result carries exactly `names`
 * (minus the metric name). Not exact: `names` is an upper bound. `undefined` in Shape: unknown.
 */
export interface LabelKnowledge {
  names: ReadonlySet<string>;
  exact: boolean;
}

export interface Shape {
  type: ValueType;
  /** At most one series (always true for scalars and strings). */
  single: boolean;
  labels?: LabelKnowledge;
  /** Labels with the same value in every series (pinned by `label="value"` matchers). */
  pinned?: ReadonlySet<string>;
  /** The result can never be empty (e.g. `… or vector(0)`). */
  neverEmpty: boolean;
  /** Why the result may hold several series. */
  reason?: Reason;
  /** Set when a function queue-doctor does not know decides the shape. */
  unknownFunction?: string;
}

export interface Reason {
  text: string;
  node: Span;
  /** The aggregation or operator that keeps several series, to name in a fix. */
  culprit: 'selector' | 'grouping' | 'topk' | 'count_values' | 'or' | 'binary' | 'function' | 'other';
}

export interface ShapeProblem {
  kind: 'type' | 'duplicate-match' | 'never-matches';
  message: string;
  node: Span;
}

export type SingleSeriesStatus = 'single' | 'multiple' | 'not-vector' | 'invalid' | 'unparseable' | 'unknown';

export interface SingleSeriesResult {
  status: SingleSeriesStatus;
  /** Human explanation (no object names; the caller adds those). */
  message: string;
  /** 0-based offset in the query of the node or character at fault. */
  position?: number;
  /** 1-based line/column in the query of `position`. */
  line?: number;
  column?: number;
  expr?: Expr;
  shape?: Shape;
  /** A rewritten query or concrete advice, when one is clear. */
  fix?: string;
  /** For status 'invalid': what kind of problem. */
  problem?: ShapeProblem['kind'];
}

const EMPTY: ReadonlySet<string> = new Set();
const exactLabels = (names: Iterable<string>): LabelKnowledge => ({ names: new Set(names), exact: true });
const NO_LABELS: LabelKnowledge = { names: EMPTY, exact: true };

// ---------------------------------------------------------------- function catalogue

type ArgKind = 'scalar' | 'vector' | 'matrix' | 'string';
interface FuncSpec {
  args: ArgKind[];
  /** Trailing optional arguments. */
  optional?: number;
  /** The last argument may repeat. */
  variadic?: boolean;
  returns: 'scalar' | 'vector';
  /**
   * How the result's series relate to the arguments: the index of the argument whose series
   * pass through; 'constant' (one series without labels); 'absent' (at most one series);
   * 'histogram:<i>' (argument i grouped without its `le` label); 'dateOrConstant'.
   */
  series: number | 'constant' | 'absent' | 'histogram' | 'dateOrConstant' | 'none';
  /** For series 'histogram': the vector argument. */
  histogramArg?: number;
  /** label_replace/label_join: the argument holding the destination label. */
  addsLabelArg?: number;
}

const V1: FuncSpec = { args: ['vector'], returns: 'vector', series: 0 };
const M1: FuncSpec = { args: ['matrix'], returns: 'vector', series: 0 };
const DATE: FuncSpec = { args: ['vector'], optional: 1, returns: 'vector', series: 'dateOrConstant' };

export const FUNCTIONS: Record<string, FuncSpec> = {
  abs: V1, ceil: V1, floor: V1, exp: V1, ln: V1, log2: V1, log10: V1, sqrt: V1, sgn: V1, deg: V1, rad: V1,
  acos: V1, acosh: V1, asin: V1, asinh: V1, atan: V1, atanh: V1, cos: V1, cosh: V1, sin: V1, sinh: V1, tan: V1, tanh: V1,
  histogram_count: V1, histogram_sum: V1, histogram_avg: V1, histogram_stddev: V1, histogram_stdvar: V1,
  sort: V1, sort_desc: V1, timestamp: V1,
  round: { args: ['vector', 'scalar'], optional: 1, returns: 'vector', series: 0 },
  clamp: { args: ['vector', 'scalar', 'scalar'], returns: 'vector', series: 0 },
  clamp_min: { args: ['vector', 'scalar'], returns: 'vector', series: 0 },
  clamp_max: { args: ['vector', 'scalar'], returns: 'vector', series: 0 },
  sort_by_label: { args: ['vector', 'string'], optional: 1, variadic: true, returns: 'vector', series: 0 },
  sort_by_label_desc: { args: ['vector', 'string'], optional: 1, variadic: true, returns: 'vector', series: 0 },
  label_replace: { args: ['vector', 'string', 'string', 'string', 'string'], returns: 'vector', series: 0, addsLabelArg: 1 },
  label_join: { args: ['vector', 'string', 'string', 'string'], optional: 1, variadic: true, returns: 'vector', series: 0, addsLabelArg: 1 },
  info: { args: ['vector', 'vector'], optional: 1, returns: 'vector', series: 0 },
  rate: M1, irate: M1, increase: M1, delta: M1, idelta: M1, deriv: M1, changes: M1, resets: M1,
  avg_over_time: M1, min_over_time: M1, max_over_time: M1, sum_over_time: M1, count_over_time: M1,
  stddev_over_time: M1, stdvar_over_time: M1, last_over_time: M1, present_over_time: M1, mad_over_time: M1,
  first_over_time: M1, ts_of_max_over_time: M1, ts_of_min_over_time: M1, ts_of_last_over_time: M1, ts_of_first_over_time: M1,
  quantile_over_time: { args: ['scalar', 'matrix'], returns: 'vector', series: 1 },
  predict_linear: { args: ['matrix', 'scalar'], returns: 'vector', series: 0 },
  holt_winters: { args: ['matrix', 'scalar', 'scalar'], returns: 'vector', series: 0 },
  double_exponential_smoothing: { args: ['matrix', 'scalar', 'scalar'], returns: 'vector', series: 0 },
  absent: { args: ['vector'], returns: 'vector', series: 'absent' },
  absent_over_time: { args: ['matrix'], returns: 'vector', series: 'absent' },
  scalar: { args: ['vector'], returns: 'scalar', series: 'none' },
  vector: { args: ['scalar'], returns: 'vector', series: 'constant' },
  time: { args: [], returns: 'scalar', series: 'none' },
  pi: { args: [], returns: 'scalar', series: 'none' },
  day_of_month: DATE, day_of_week: DATE, day_of_year: DATE, days_in_month: DATE, hour: DATE, minute: DATE, month: DATE, year: DATE,
  histogram_quantile: { args: ['scalar', 'vector'], returns: 'vector', series: 'histogram', histogramArg: 1 },
  histogram_fraction: { args: ['scalar', 'scalar', 'vector'], returns: 'vector', series: 'histogram', histogramArg: 2 },
};

// ---------------------------------------------------------------- analysis

export class ShapeAnalyzer {
  readonly problems: ShapeProblem[] = [];
  constructor(private readonly query: string) {}

  snippet(node: Span, max = 60): string {
    const text = this.query.slice(node.start, node.end).replace(/\s+/g, ' ').trim();
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
  }

  private typeError(message: string, node: Span): void {
    this.problems.push({ kind: 'type', message, node });
  }

  analyze(e: Expr): Shape {
    switch (e.type) {
      case 'number':
        return { type: 'scalar', single: true, labels: NO_LABELS, neverEmpty: true };
      case 'string':
        return { type: 'string', single: true, neverEmpty: true };
      case 'paren':
        return this.analyze(e.expr);
      case 'selector':
        return {
          type: 'vector',
          single: false,
          pinned: pinnedBy(e.matchers),
          neverEmpty: false,
          reason: { text: `\`${this.snippet(e)}\` is not aggregated: it returns one series per label set`, node: e, culprit: 'selector' },
        };
      case 'matrix':
        return {
          type: 'matrix',
          single: false,
          pinned: pinnedBy(e.selector.matchers),
          neverEmpty: false,
          reason: { text: `\`${this.snippet(e.selector)}\` is not aggregated: it returns one series per label set`, node: e.selector, culprit: 'selector' },
        };
      case 'subquery': {
        const inner = this.analyze(e.expr);
        if (inner.type !== 'vector') this.typeError(`a subquery needs an instant vector, \`${this.snippet(e.expr)}\` is ${aType(inner.type)}`, e.expr);
        return { ...inner, type: 'matrix' };
      }
      case 'unary': {
        const inner = this.analyze(e.expr);
        if (inner.type !== 'scalar' && inner.type !== 'vector') this.typeError(`unary ${e.op} needs a scalar or an instant vector, not ${aType(inner.type)}`, e);
        return inner;
      }
      case 'call':
        return this.call(e);
      case 'aggregate':
        return this.aggregate(e);
      case 'binary':
        return this.binary(e);
    }
  }

  private call(e: Call): Shape {
    const spec = FUNCTIONS[e.func];
    const args = e.args.map((a) => this.analyze(a));
    if (!spec) {
      const vectorArgs = args.filter((a) => a.type === 'vector' || a.type === 'matrix');
      return {
        type: 'vector',
        single: vectorArgs.length > 0 && vectorArgs.every((a) => a.single),
        neverEmpty: false,
        unknownFunction: e.func,
      };
    }
    const min = spec.args.length - (spec.optional ?? 0);
    const max = spec.variadic ? Infinity : spec.args.length;
    if (args.length < min || args.length > max) {
      const count = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      this.typeError(`${e.func}() takes ${count} argument${min === 1 && max === 1 ? '' : 's'}, got ${args.length}`, e);
    }
    args.forEach((a, i) => {
      const want = spec.args[Math.min(i, spec.args.length - 1)];
      if (want && a.type !== want) {
        const hint = want === 'matrix' && a.type === 'vector' ? ` (add a range: ${e.func}(${this.snippet(e.args[i], 40)}[5m]))` : '';
        this.typeError(`${e.func}() expects ${aType(want)} as argument ${i + 1}, got ${aType(a.type)}${hint}`, e.args[i]);
      }
    });
    if (spec.returns === 'scalar') return { type: 'scalar', single: true, labels: NO_LABELS, neverEmpty: true };
    const s = spec.series;
    if (s === 'constant') return { type: 'vector', single: true, labels: NO_LABELS, neverEmpty: true };
    if (s === 'dateOrConstant') {
      if (args.length === 0) return { type: 'vector', single: true, labels: NO_LABELS, neverEmpty: true };
      return this.passThrough(args[0], e);
    }
    if (s === 'absent') return { type: 'vector', single: true, neverEmpty: false };
    if (s === 'histogram') {
      const h = args[spec.histogramArg ?? 0];
      if (!h) return { type: 'vector', single: false, neverEmpty: false };
      if (h.single) return { type: 'vector', single: true, labels: h.labels && without(h.labels, ['le']), neverEmpty: false };
      // classic histograms: one output series per label set without `le`
      if (h.labels && [...h.labels.names].every((n) => n === 'le' || h.pinned?.has(n))) {
        return { type: 'vector', single: true, labels: without(h.labels, ['le']), pinned: h.pinned, neverEmpty: false };
      }
      const rest = h.labels ? [...without(h.labels, ['le']).names] : [];
      const text = rest.length
        ? `\`${e.func}\` returns one series per ${rest.length === 1 ? rest[0] : `(${rest.join(', ')}) combination`} (every label but le is kept)`
        : `\`${e.func}\` returns one series per label set besides le (${h.reason ? h.reason.text : 'its input is not aggregated'})`;
      return {
        type: 'vector',
        single: false,
        labels: h.labels && without(h.labels, ['le']),
        neverEmpty: false,
        reason: { text, node: h.labels ? e : (h.reason?.node ?? e), culprit: h.labels ? 'grouping' : (h.reason?.culprit ?? 'function') },
      };
    }
    if (typeof s === 'number') {
      const a = args[s];
      if (!a) return { type: 'vector', single: false, neverEmpty: false };
      const out = this.passThrough(a, e);
      if (spec.addsLabelArg !== undefined) {
        const dst = e.args[spec.addsLabelArg];
        if (out.labels) out.labels = dst?.type === 'string' ? { names: new Set([...out.labels.names, dst.value]), exact: out.labels.exact } : undefined;
        if (out.pinned && dst?.type === 'string') out.pinned = new Set([...out.pinned].filter((n) => n !== dst.value));
      }
      return out;
    }
    return { type: 'vector', single: false, neverEmpty: false };
  }

  private passThrough(a: Shape, _e: Call): Shape {
    return { type: 'vector', single: a.single, labels: a.labels, pinned: a.pinned, neverEmpty: a.neverEmpty, reason: a.reason, unknownFunction: a.unknownFunction };
  }

  private aggregate(e: Aggregate): Shape {
    const inner = this.analyze(e.expr);
    if (inner.type !== 'vector') this.typeError(`${e.op}() needs an instant vector, \`${this.snippet(e.expr)}\` is ${aType(inner.type)}`, e.expr);
    if (e.param) {
      const p = this.analyze(e.param);
      const want: ValueType = e.op === 'count_values' ? 'string' : 'scalar';
      if (p.type !== want) this.typeError(`${e.op}() expects ${aType(want)} as its parameter, got ${aType(p.type)}`, e.param);
    }
    const g = e.grouping;
    // grouping by labels that every input series has with the same value keeps one group
    const grouped = g !== undefined && (g.mode === 'without' || (g.labels.length > 0 && !g.labels.every((l) => inner.pinned?.has(l))));
    const pinned = g?.mode === 'by' ? intersect(inner.pinned ?? EMPTY, g.labels) : g?.mode === 'without' ? new Set([...(inner.pinned ?? [])].filter((l) => !g.labels.includes(l))) : EMPTY;
    const head = this.aggregateHead(e);
    let labels: LabelKnowledge | undefined;
    if (!g || (g.mode === 'by' && g.labels.length === 0)) labels = NO_LABELS;
    else if (g.mode === 'by') {
      // Grouping by a label the series lack is a bug of its own; assume they carry it.
      labels = inner.labels ? { names: intersect(inner.labels.names, g.labels), exact: inner.labels.exact } : exactLabels(g.labels);
    } else labels = inner.labels ? without(inner.labels, g.labels) : undefined;

    if (e.op === 'count_values') {
      const param = e.param?.type === 'string' ? e.param.value : undefined;
      return {
        type: 'vector',
        single: false,
        labels: param !== undefined && labels ? { names: new Set([...labels.names, param]), exact: labels.exact } : undefined,
        neverEmpty: false,
        reason: { text: `\`count_values\` returns one series per distinct value`, node: e, culprit: 'count_values' },
      };
    }
    if (e.op === 'topk' || e.op === 'bottomk' || e.op === 'limitk' || e.op === 'limit_ratio') {
      const k = e.param ? literalNumber(e.param) : undefined;
      const perGroup = e.op === 'limit_ratio' ? undefined : k;
      const keepsLabels = inner.labels; // these return input series unchanged
      if (inner.single) return { type: 'vector', single: true, labels: keepsLabels, pinned: inner.pinned, neverEmpty: false };
      if (perGroup !== undefined && perGroup <= 1 && !grouped) return { type: 'vector', single: true, labels: keepsLabels, pinned: inner.pinned, neverEmpty: false };
      const text =
        perGroup === undefined
          ? `\`${head}\` can return several series (its ${e.op === 'limit_ratio' ? 'ratio' : 'k'} is not the literal 1)`
          : grouped
            ? `\`${head}\` returns up to ${perGroup} series per ${groupText(g!)}`
            : `\`${head}\` returns up to ${perGroup} series`;
      return { type: 'vector', single: false, labels: keepsLabels, pinned: inner.pinned, neverEmpty: false, reason: { text, node: e, culprit: 'topk' } };
    }
    // sum, min, max, avg, group, stddev, stdvar, count, quantile
    if (!grouped || inner.single) return { type: 'vector', single: true, labels, pinned, neverEmpty: inner.neverEmpty };
    return {
      type: 'vector',
      single: false,
      labels,
      pinned,
      neverEmpty: inner.neverEmpty,
      reason: { text: `\`${head}\` keeps one series per ${groupText(g!)}`, node: e, culprit: 'grouping' },
    };
  }

  private aggregateHead(e: Aggregate): string {
    const g = e.grouping;
    const param = e.param ? `${this.snippet(e.param, 20)}, …` : '';
    const grouping = g ? ` ${g.mode} (${g.labels.join(', ')})` : '';
    return param ? `${e.op}${grouping}${grouping ? ' ' : ''}(${param})` : `${e.op}${grouping}`;
  }

  private binary(e: Binary): Shape {
    const l = this.analyze(e.lhs);
    const r = this.analyze(e.rhs);
    const op = e.op;
    for (const [side, s] of [['left', l], ['right', r]] as const) {
      if (s.type !== 'scalar' && s.type !== 'vector') {
        this.typeError(`the ${side} side of \`${op}\` is ${aType(s.type)}; binary operators need scalars or instant vectors`, side === 'left' ? e.lhs : e.rhs);
        return { type: 'vector', single: false, neverEmpty: false };
      }
    }
    const isSet = op === 'and' || op === 'or' || op === 'unless';
    const bothVectors = l.type === 'vector' && r.type === 'vector';
    if (isSet && !bothVectors) this.typeError(`\`${op}\` needs instant vectors on both sides`, e);
    if ((e.matching || e.group) && !bothVectors) this.typeError(`on/ignoring/group_left/group_right need instant vectors on both sides of \`${op}\``, e);
    if (COMPARISON_OPS.has(op) && l.type === 'scalar' && r.type === 'scalar' && !e.bool) {
      this.typeError(`comparisons between scalars need the bool modifier: \`${op} bool\``, e);
    }
    const filters = COMPARISON_OPS.has(op) && !e.bool;
    if (l.type === 'scalar' && r.type === 'scalar') return { type: 'scalar', single: true, labels: NO_LABELS, neverEmpty: true };
    if (l.type === 'scalar' || r.type === 'scalar') {
      const v = l.type === 'vector' ? l : r;
      return { ...v, neverEmpty: v.neverEmpty && !filters };
    }

    const sigL = signature(l.labels, e);
    const sigR = signature(r.labels, e);
    const opText = `\`${op}\``;

    if (op === 'and' || op === 'unless') return { type: 'vector', single: l.single, labels: l.labels, pinned: l.pinned, neverEmpty: false, reason: l.reason };
    if (op === 'or') {
      const neverEmpty = l.neverEmpty || r.neverEmpty;
      if (!l.single) return { type: 'vector', single: false, neverEmpty, reason: l.reason };
      if (!r.single) return { type: 'vector', single: false, neverEmpty, reason: r.reason };
      if (sigL.provablyEmpty && sigR.provablyEmpty) {
        const same = l.labels && r.labels && l.labels.exact && r.labels.exact && sameSet(l.labels.names, r.labels.names);
        return { type: 'vector', single: true, labels: same ? l.labels : undefined, neverEmpty };
      }
      return {
        type: 'vector',
        single: false,
        neverEmpty,
        reason: {
          text: `\`or\` also returns the right side (\`${this.snippet(e.rhs, 30)}\`) when its labels differ from the left side's (\`${this.snippet(e.lhs, 30)}\`)`,
          node: e,
          culprit: 'or',
        },
      };
    }

    // arithmetic and comparison between two vectors
    const group = e.group;
    const oneSide = group ? (group.side === 'left' ? { shape: r, sig: sigR, node: e.rhs } : { shape: l, sig: sigL, node: e.lhs }) : undefined;
    const checkUnique = (shape: Shape, sig: Signature, node: Span) => {
      if (!shape.single && sig.provablyEmpty) {
        this.problems.push({
          kind: 'duplicate-match',
          message: `${e.matching?.mode === 'on' ? `on(${e.matching.labels.join(', ')})` : 'the matching'} leaves no label to tell the series of \`${this.snippet(node, 40)}\` apart, so Prometheus fails ("found duplicate series for the match group") as soon as it returns two series; aggregate that side`,
          node,
        });
      }
    };
    if (oneSide) checkUnique(oneSide.shape, oneSide.sig, oneSide.node);
    else {
      checkUnique(l, sigL, e.lhs);
      checkUnique(r, sigR, e.rhs);
    }
    if (sigL.exact && sigR.exact && !sameSet(sigL.names, sigR.names)) {
      this.problems.push({
        kind: 'never-matches',
        message: `the two sides of ${opText} never match: \`${this.snippet(e.lhs, 40)}\` has labels {${[...sigL.names].join(', ')}}, \`${this.snippet(e.rhs, 40)}\` has {${[...sigR.names].join(', ')}}, so the result is always empty; aggregate both sides the same way or match with on()`,
        node: { start: e.opStart, end: e.opStart + op.length },
      });
    }
    let single: boolean;
    let reason: Reason | undefined;
    if (group) {
      const many = group.side === 'left' ? l : r;
      single = many.single;
      reason = many.reason;
    } else {
      single = l.single || r.single;
      if (!single) reason = { text: `both sides of ${opText} can return several series: ${l.reason?.text ?? `\`${this.snippet(e.lhs, 40)}\``}`, node: l.reason?.node ?? e.lhs, culprit: l.reason?.culprit ?? 'binary' };
    }
    let labels: LabelKnowledge | undefined;
    const base = group ? (group.side === 'left' ? l.labels : r.labels) : l.labels;
    if (group) labels = base && group.include.length === 0 ? base : base ? { names: new Set([...base.names, ...group.include]), exact: false } : undefined;
    else if (e.matching?.mode === 'on') labels = base ? { names: intersect(base.names, e.matching.labels), exact: base.exact } : { names: new Set(e.matching.labels), exact: false };
    else if (e.matching?.mode === 'ignoring') labels = base && without(base, e.matching.labels);
    else labels = base;
    const neverEmpty = l.neverEmpty && r.neverEmpty && sigL.provablyEmpty && sigR.provablyEmpty && !filters;
    const from = group ? (group.side === 'left' ? l : r) : l;
    const pinned = from.pinned && labels ? intersect(from.pinned, labels.names) : from.pinned;
    return { type: 'vector', single, labels, pinned, neverEmpty, reason, unknownFunction: l.unknownFunction ?? r.unknownFunction };
  }
}

interface Signature {
  /** The labels two series are matched on are provably none. */
  provablyEmpty: boolean;
  /** The matched label names are known exactly. */
  exact: boolean;
  names: ReadonlySet<string>;
}

/** The label names a binary operation matches series on, as far as they are known. */
function signature(labels: LabelKnowledge | undefined, e: Binary): Signature {
  const m = e.matching;
  if (m?.mode === 'on') {
    if (m.labels.length === 0) return { provablyEmpty: true, exact: true, names: EMPTY };
    if (!labels) return { provablyEmpty: false, exact: false, names: new Set(m.labels) };
    const names = intersect(labels.names, m.labels);
    return { provablyEmpty: names.size === 0, exact: labels.exact, names };
  }
  if (!labels) return { provablyEmpty: false, exact: false, names: EMPTY };
  const names = m?.mode === 'ignoring' ? without(labels, m.labels).names : labels.names;
  return { provablyEmpty: names.size === 0, exact: labels.exact, names };
}

function pinnedBy(matchers: Matcher[]): Set<string> {
  return new Set(matchers.filter((m) => m.op === '=').map((m) => m.name));
}

function intersect(a: ReadonlySet<string>, b: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const x of b) if (a.has(x)) out.add(x);
  return out;
}

function without(l: LabelKnowledge, drop: string[]): LabelKnowledge {
  const names = new Set(l.names);
  for (const d of drop) names.delete(d);
  return { names, exact: l.exact };
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function groupText(g: { mode: 'by' | 'without'; labels: string[] }): string {
  if (g.mode === 'without') return g.labels.length ? `label set except ${g.labels.join(', ')}` : 'label set';
  return g.labels.length === 1 ? g.labels[0] : `(${g.labels.join(', ')}) combination`;
}

function typeName(t: ValueType | ArgKind): string {
  return t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : t;
}

/** "a scalar", "an instant vector". */
function aType(t: ValueType | ArgKind): string {
  const n = typeName(t);
  return /^[aeiou]/.test(n) ? `an ${n}` : `a ${n}`;
}

/** The number a parameter expression is, when it is a literal (possibly parenthesised). */
function literalNumber(e: Expr): number | undefined {
  if (e.type === 'number') return e.value;
  if (e.type === 'paren') return literalNumber(e.expr);
  return undefined;
}

function position(query: string, offset: number): { line: number; column: number } {
  const before = query.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** Parse `query` and decide whether KEDA can read one value from its result. */
export function checkSingleSeries(query: string): SingleSeriesResult {
  let expr: Expr;
  try {
    expr = parsePromQL(query);
  } catch (err) {
    if (err instanceof PromQLSyntaxError) {
      return { status: 'unparseable', message: err.message, position: err.position, line: err.line, column: err.column };
    }
    throw err;
  }
  const analyzer = new ShapeAnalyzer(query);
  const shape = analyzer.analyze(expr);
  const at = (node: Span) => ({ position: node.start, ...position(query, node.start) });
  const trimmed = query.trim();
  const problem = analyzer.problems.find((p) => p.kind === 'type') ?? analyzer.problems[0];
  if (problem) return { status: 'invalid', message: problem.message, ...at(problem.node), expr, shape, problem: problem.kind };
  if (shape.type === 'scalar') {
    return {
      status: 'not-vector',
      message: 'returns a scalar; KEDA reads the result as a list of series and cannot decode a scalar',
      ...at(expr),
      expr,
      shape,
      fix: `vector(${trimmed})`,
    };
  }
  if (shape.type === 'string') return { status: 'not-vector', message: 'returns a string, not a number', ...at(expr), expr, shape };
  if (shape.type === 'matrix') {
    return {
      status: 'not-vector',
      message: `returns a range vector (\`${analyzer.snippet(expr)}\`); KEDA finds no single value in it (an empty read, 0 with ignoreNullValues)`,
      ...at(expr),
      expr,
      shape,
      fix: 'reduce the range to one value per series, e.g. sum(max_over_time(metric[5m])) or sum(rate(metric[5m]))',
    };
  }
  if (shape.single) return { status: 'single', message: 'returns at most one series', expr, shape };
  if (shape.unknownFunction) {
    return { status: 'unknown', message: `uses ${shape.unknownFunction}(), which queue-doctor does not know`, expr, shape };
  }
  const reason = shape.reason;
  return { status: 'multiple', message: reason ? reason.text : 'can return several series', ...(reason ? at(reason.node) : at(expr)), expr, shape, fix: fixFor(expr, analyzer, query) };
}

/** A rewrite that returns one series: drop the outer grouping, add on() to `or`, else sum(…). */
function fixFor(expr: Expr, analyzer: ShapeAnalyzer, query: string): string {
  let top = expr;
  while (top.type === 'paren') top = top.expr;
  // keep the text as written: collapsing lines would let a `# comment` swallow the rest
  const full = (n: Span) => query.slice(n.start, n.end);
  if (top.type === 'binary' && top.op === 'or' && !top.matching) {
    const l = analyzer.analyze(top.lhs);
    const r = analyzer.analyze(top.rhs);
    if (l.single && r.single) return `${full(top.lhs)} or on() ${full(top.rhs)}`;
  }
  if (top.type === 'aggregate' && top.grouping && !top.param && top.op !== 'count_values') return `${top.op}(${full(top.expr)})`;
  const text = query.trim();
  return `sum(${text.includes('#') ? `${text}\n` : text.replace(/\s+/g, ' ')})`;
}

