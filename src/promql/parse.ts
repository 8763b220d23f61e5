// A PromQL expression parser: tokenizer + precedence-climbing parser producing a small AST
// with source offsets. It covers the expression grammar of Prometheus 2.x/3.x (selectors,
// range and subquery brackets, offset/@ modifiers, functions, aggregations with by/without
// before or after the body, binary operators with bool/on/ignoring/group_left/group_right,
// unary signs, number/duration/string literals, comments). Rules use it to reason about the
// shape of a query's result (see single-series.ts), so errors carry an exact position.

export interface Span {
  /** 0-based offset of the first character. */
  start: number;
  /** 0-based offset after the last character. */
  end: number;
}

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

export interface Modifiers {
  /** Offset as written ("5m", "-1h"). */
  offset?: string;
  /** `@` timestamp as written ("1609746000", "start()", "end()"). */
  at?: string;
}

export interface NumberLiteral extends Span {
  type: 'number';
  value: number;
}
export interface StringLiteral extends Span {
  type: 'string';
  value: string;
}
export interface VectorSelector extends Span, Modifiers {
  type: 'selector';
  /** Metric name, from the identifier or an `__name__="…"` / quoted-name matcher. */
  name?: string;
  matchers: Matcher[];
}
export interface MatrixSelector extends Span, Modifiers {
  type: 'matrix';
  selector: VectorSelector;
  range: string;
}
export interface Subquery extends Span, Modifiers {
  type: 'subquery';
  expr: Expr;
  range: string;
  step?: string;
}
export interface Call extends Span {
  type: 'call';
  func: string;
  args: Expr[];
}
export interface Grouping {
  mode: 'by' | 'without';
  labels: string[];
}
export interface Aggregate extends Span {
  type: 'aggregate';
  op: string;
  param?: Expr;
  expr: Expr;
  grouping?: Grouping;
}
export interface Unary extends Span {
  type: 'unary';
  op: '-' | '+';
  expr: Expr;
}
export interface VectorMatching {
  mode: 'on' | 'ignoring';
  labels: string[];
}
export interface GroupModifier {
  side: 'left' | 'right';
  /** Extra labels copied from the "one" side. */
  include: string[];
}
export interface Binary extends Span {
  type: 'binary';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  bool: boolean;
  matching?: VectorMatching;
  group?: GroupModifier;
  /** Offset of the operator token. */
  opStart: number;
}
export interface Paren extends Span {
  type: 'paren';
  expr: Expr;
}

export type Expr = NumberLiteral | StringLiteral | VectorSelector | MatrixSelector | Subquery | Call | Aggregate | Unary | Binary | Paren;

export type BinaryOp = '^' | '*' | '/' | '%' | 'atan2' | '+' | '-' | '==' | '!=' | '<=' | '<' | '>=' | '>' | 'and' | 'unless' | 'or';

export const COMPARISON_OPS = new Set<BinaryOp>(['==', '!=', '<=', '<', '>=', '>']);
export const SET_OPS = new Set<BinaryOp>(['and', 'unless', 'or']);

/** Aggregation operators; those in PARAM_AGGREGATORS take a parameter before the vector. */
export const AGGREGATORS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
export const PARAM_AGGREGATORS = new Set(['count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);

// Lowest to highest; `^` is handled separately (right-associative, binds tighter than unary).
const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<=': 3,
  '<': 3,
  '>=': 3,
  '>': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
};

export class PromQLSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based offset into the query. */
    readonly position: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'PromQLSyntaxError';
  }
}

// ---------------------------------------------------------------- tokenizer

type TokenKind = 'number' | 'duration' | 'string' | 'ident' | 'punct' | 'op' | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
  /** Decoded value of string tokens. */
  value?: string;
}

const DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;
const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === ':';
}
function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function tokenize(src: string, fail: (msg: string, pos: number) => never): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      const nl = src.indexOf('\n', i);
      i = nl === -1 ? src.length : nl + 1;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'" || c === '`') {
      const { value, end } = readString(src, i, fail);
      out.push({ kind: 'string', text: src.slice(start, end), start, end, value });
      i = end;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(src[i + 1] ?? ''))) {
      // a duration ("5m", "1h30m") or a number ("1", "1.5e3", "0x1F", "1_000")
      let j = i;
      while (j < src.length && /[0-9a-zA-Z_.]/.test(src[j])) j++;
      // an exponent sign belongs to the number: 1e-3
      while ((src[j] === '+' || src[j] === '-') && /[eE]$/.test(src.slice(i, j)) && !/^0[xX]/.test(src.slice(i, j))) {
        j++;
        while (j < src.length && /[0-9]/.test(src[j])) j++;
      }
      const text = src.slice(i, j);
      if (DURATION.test(text)) out.push({ kind: 'duration', text, start, end: j });
      else if (parseNumberText(text) !== undefined) out.push({ kind: 'number', text, start, end: j });
      else fail(`bad number or duration "${text}"`, start);
      i = j;
      continue;
    }
    // ':' starts a metric name (":job:rate5m") only before a letter; else it is the
    // subquery separator in "[5m:1m]" / "[5m:]"
    if (isIdentStart(c) && (c !== ':' || /[a-zA-Z_:]/.test(src[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < src.length && isIdentPart(src[j])) j++;
      out.push({ kind: 'ident', text: src.slice(i, j), start, end: j });
      i = j;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=' || two === '=~' || two === '!~') {
      out.push({ kind: 'op', text: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if ('+-*/%^<>='.includes(c)) {
      out.push({ kind: 'op', text: c, start, end: i + 1 });
      i++;
      continue;
    }
    if ('(){}[],:@'.includes(c)) {
      out.push({ kind: 'punct', text: c, start, end: i + 1 });
      i++;
      continue;
    }
    fail(`unexpected character "${c}"`, i);
  }
  out.push({ kind: 'eof', text: '', start: src.length, end: src.length });
  return out;
}

function readString(src: string, i: number, fail: (msg: string, pos: number) => never): { value: string; end: number } {
  const q = src[i];
  let value = '';
  let j = i + 1;
  while (j < src.length) {
    const c = src[j];
    if (c === q) return { value, end: j + 1 };
    if (q !== '`' && c === '\n') break;
    if (c === '\\' && q !== '`') {
      const n = src[j + 1];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
      if (n !== undefined && n in simple) {
        value += simple[n];
        j += 2;
        continue;
      }
      const hex = /^(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3}))/.exec(src.slice(j + 1));
      if (hex) {
        const code = hex[1] ?? hex[2] ?? hex[3];
        value += code ? String.fromCodePoint(parseInt(code, 16)) : String.fromCharCode(parseInt(hex[4], 8));
        j += 1 + hex[0].length;
        continue;
      }
      fail(`unknown escape sequence "\\${n ?? ''}" in string`, j);
    }
    value += c;
    j++;
  }
  return fail('unterminated string', i);
}

/** A PromQL float literal: decimal, exponent, hex, underscores between digits, Inf/NaN. */
export function parseNumberText(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === 'inf') return Infinity;
  if (lower === 'nan') return NaN;
  if (/^0x[0-9a-f]+(?:_[0-9a-f]+)*$/.test(lower)) return parseInt(lower.slice(2).replace(/_/g, ''), 16);
  if (/^(?:\d+(?:_\d+)*(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/.test(lower)) return Number(lower.replace(/_/g, ''));
  return undefined;
}

/** Seconds of a PromQL duration ("1h30m" → 5400); undefined when it is not one. */
export function durationSeconds(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * DURATION_UNITS[m[2]];
  return total;
}

// ---------------------------------------------------------------- parser

export function parsePromQL(query: string): Expr {
  const fail = (message: string, pos: number): never => {
    const before = query.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    throw new PromQLSyntaxError(message, pos, line, column);
  };
  const tokens = tokenize(query, fail);
  let p = 0;
  const peek = (k = 0) => tokens[Math.min(p + k, tokens.length - 1)];
  const next = () => tokens[p++];
  const describe = (t: Token) => (t.kind === 'eof' ? 'end of query' : `"${t.text}"`);
  const isPunct = (t: Token, s: string) => t.kind === 'punct' && t.text === s;
  const isIdent = (t: Token, s: string) => t.kind === 'ident' && t.text.toLowerCase() === s;
  const expectPunct = (s: string, what: string): Token => {
    const t = next();
    if (!isPunct(t, s)) fail(`expected "${s}" ${what}, found ${describe(t)}`, t.start);
    return t;
  };

  const binaryOpAt = (t: Token): BinaryOp | undefined => {
    if (t.kind === 'op' && t.text in PRECEDENCE) return t.text as BinaryOp;
    if (t.kind === 'op' && t.text === '^') return '^';
    if (t.kind === 'ident') {
      const l = t.text.toLowerCase();
      if (l === 'and' || l === 'or' || l === 'unless' || l === 'atan2') return l as BinaryOp;
    }
    return undefined;
  };

  function parseExpr(minPrec: number): Expr {
    let lhs = parseUnary();
    for (;;) {
      const t = peek();
      const op = binaryOpAt(t);
      if (!op || op === '^') break;
      const prec = PRECEDENCE[op];
      if (prec < minPrec) break;
      next();
      const mods = parseBinaryModifiers(op);
      const rhs = parseExpr(prec + 1); // left-associative
      lhs = makeBinary(op, lhs, rhs, mods, t.start);
    }
    return lhs;
  }

  function parseBinaryModifiers(op: BinaryOp): Pick<Binary, 'bool' | 'matching' | 'group'> {
    const out: Pick<Binary, 'bool' | 'matching' | 'group'> = { bool: false };
    if (isIdent(peek(), 'bool')) {
      const t = next();
      if (!COMPARISON_OPS.has(op)) fail(`bool modifier can only be used on comparison operators, not "${op}"`, t.start);
      out.bool = true;
    }
    if (isIdent(peek(), 'on') || isIdent(peek(), 'ignoring')) {
      const mode = next().text.toLowerCase() as 'on' | 'ignoring';
      out.matching = { mode, labels: parseLabelList(mode) };
    }
    if (isIdent(peek(), 'group_left') || isIdent(peek(), 'group_right')) {
      const t = next();
      if (SET_OPS.has(op)) fail(`no grouping (${t.text}) allowed for "${op}" operation`, t.start);
      if (!out.matching) fail(`${t.text} must follow on(…) or ignoring(…)`, t.start);
      const include = isPunct(peek(), '(') ? parseLabelList(t.text) : [];
      out.group = { side: t.text.toLowerCase() === 'group_left' ? 'left' : 'right', include };
    }
    return out;
  }

  function makeBinary(op: BinaryOp, lhs: Expr, rhs: Expr, mods: Pick<Binary, 'bool' | 'matching' | 'group'>, opStart: number): Binary {
    return { type: 'binary', op, lhs, rhs, ...mods, opStart, start: lhs.start, end: rhs.end };
  }

  function parseUnary(): Expr {
    const t = peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      next();
      const expr = parseUnary();
      // fold signed number literals, as Prometheus does
      if (expr.type === 'number') return { ...expr, value: t.text === '-' ? -expr.value : expr.value, start: t.start };
      return { type: 'unary', op: t.text as '-' | '+', expr, start: t.start, end: expr.end };
    }
    return parsePower();
  }

  function parsePower(): Expr {
    const base = parsePostfix(parsePrimary());
    const t = peek();
    if (t.kind === 'op' && t.text === '^') {
      next();
      const mods = parseBinaryModifiers('^');
      const rhs = parseUnary(); // right-associative
      return makeBinary('^', base, rhs, mods, t.start);
    }
    return base;
  }

  /** `[range]`, `[range:step]`, `offset d` and `@ t` after a primary expression. */
  function parsePostfix(expr: Expr): Expr {
    for (;;) {
      const t = peek();
      if (isPunct(t, '[')) {
        next();
        const range = parseDurationToken('range');
        if (isPunct(peek(), ':')) {
          next();
          const step = isPunct(peek(), ']') ? undefined : parseDurationToken('subquery step');
          const close = expectPunct(']', 'to close the subquery');
          if (expr.type === 'matrix' || expr.type === 'subquery') fail('subquery is only allowed on an instant vector, not on a range vector', t.start);
          expr = { type: 'subquery', expr, range, step, start: expr.start, end: close.end };
        } else {
          const close = expectPunct(']', 'to close the range');
          const sel = expr;
          if (sel.type !== 'selector') return fail('ranges are only allowed on vector selectors (use a subquery: expr[5m:1m])', t.start);
          if (sel.offset !== undefined || sel.at !== undefined) fail('put the range before offset/@ modifiers: metric[5m] offset 1h', t.start);
          expr = { type: 'matrix', selector: sel, range, start: sel.start, end: close.end };
        }
        continue;
      }
      if (isIdent(t, 'offset')) {
        next();
        const target = modifierTarget(expr, 'offset', t.start);
        if (target.offset !== undefined) fail('offset may not be set multiple times', t.start);
        let sign = '';
        if (peek().kind === 'op' && (peek().text === '-' || peek().text === '+')) sign = next().text === '-' ? '-' : '';
        const d = parseDurationToken('offset');
        target.offset = sign + d;
        target.end = tokens[p - 1].end;
        continue;
      }
      if (isPunct(t, '@')) {
        next();
        const target = modifierTarget(expr, '@', t.start);
        if (target.at !== undefined) fail('@ may not be set multiple times', t.start);
        const v = peek();
        if (v.kind === 'ident' && (v.text === 'start' || v.text === 'end')) {
          next();
          expectPunct('(', `after ${v.text}`);
          const close = expectPunct(')', `after ${v.text}(`);
          target.at = `${v.text}()`;
          target.end = close.end;
        } else {
          let sign = '';
          if (v.kind === 'op' && (v.text === '-' || v.text === '+')) sign = next().text === '-' ? '-' : '';
          const n = next();
          if (n.kind !== 'number') fail(`expected a timestamp, start() or end() after @, found ${describe(n)}`, n.start);
          target.at = sign + n.text;
          target.end = n.end;
        }
        continue;
      }
      return expr;
    }
  }

  function modifierTarget(expr: Expr, what: string, pos: number): VectorSelector | MatrixSelector | Subquery {
    if (expr.type === 'selector' || expr.type === 'matrix' || expr.type === 'subquery') return expr;
    return fail(`${what} modifier must follow a selector, a range selector or a subquery`, pos);
  }

  function parseDurationToken(what: string): string {
    const t = next();
    if (t.kind === 'duration') return t.text;
    // Prometheus 3 accepts plain seconds in ranges and offsets
    if (t.kind === 'number' && Number.isFinite(parseNumberText(t.text))) return t.text;
    return fail(`expected a duration for the ${what} (e.g. 5m), found ${describe(t)}`, t.start);
  }

  function parsePrimary(): Expr {
    const t = peek();
    if (t.kind === 'number') {
      next();
      return { type: 'number', value: parseNumberText(t.text) as number, start: t.start, end: t.end };
    }
    if (t.kind === 'duration') {
      // a duration used as a number of seconds (Prometheus 3)
      next();
      return { type: 'number', value: durationSeconds(t.text) as number, start: t.start, end: t.end };
    }
    if (t.kind === 'string') {
      next();
      return { type: 'string', value: t.value ?? '', start: t.start, end: t.end };
    }
    if (isPunct(t, '(')) {
      next();
      const expr = parseExpr(0);
      const close = expectPunct(')', 'to close the parenthesis');
      return { type: 'paren', expr, start: t.start, end: close.end };
    }
    if (isPunct(t, '{')) return parseSelector(undefined, t.start);
    if (t.kind === 'ident') {
      const lower = t.text.toLowerCase();
      const after = peek(1);
      if ((lower === 'inf' || lower === 'nan') && !isPunct(after, '{') && !isPunct(after, '(')) {
        next();
        return { type: 'number', value: lower === 'inf' ? Infinity : NaN, start: t.start, end: t.end };
      }
      if (AGGREGATORS.has(lower) && (isPunct(after, '(') || isIdent(after, 'by') || isIdent(after, 'without'))) return parseAggregate();
      if (isPunct(after, '(')) return parseCall();
      // keywords (by, on, offset, and, …) are valid metric names in Prometheus' grammar
      next();
      if (isPunct(peek(), '{')) return parseSelector(t.text, t.start);
      return { type: 'selector', name: t.text, matchers: [], start: t.start, end: t.end };
    }
    return fail(`unexpected ${describe(t)}${t.kind === 'eof' ? ' (the query is incomplete)' : ''}`, t.start);
  }

  function parseCall(): Call {
    const name = next();
    next(); // (
    const args = parseArgs(name.text);
    const close = expectPunct(')', `to close ${name.text}(`);
    return { type: 'call', func: name.text, args, start: name.start, end: close.end };
  }

  function parseAggregate(): Aggregate {
    const name = next();
    const op = name.text.toLowerCase();
    let grouping: Grouping | undefined;
    if (isIdent(peek(), 'by') || isIdent(peek(), 'without')) {
      const mode = next().text.toLowerCase() as 'by' | 'without';
      grouping = { mode, labels: parseLabelList(mode) };
    }
    expectPunct('(', `after ${op}`);
    const args = parseArgs(op);
    let close = expectPunct(')', `to close ${op}(`);
    const needsParam = PARAM_AGGREGATORS.has(op);
    if (args.length !== (needsParam ? 2 : 1)) {
      fail(needsParam ? `${op} takes a parameter and a vector: ${op}(param, vector)` : `${op} takes one vector expression, got ${args.length} arguments`, name.start);
    }
    if (isIdent(peek(), 'by') || isIdent(peek(), 'without')) {
      const g = next();
      if (grouping) fail(`${op} has two grouping clauses`, g.start);
      const mode = g.text.toLowerCase() as 'by' | 'without';
      grouping = { mode, labels: parseLabelList(mode) };
      close = tokens[p - 1];
    }
    return {
      type: 'aggregate',
      op,
      param: needsParam ? args[0] : undefined,
      expr: needsParam ? args[1] : args[0],
      grouping,
      start: name.start,
      end: close.end,
    };
  }

  /** Comma-separated expressions up to (not including) ")"; Prometheus refuses a trailing comma. */
  function parseArgs(what: string): Expr[] {
    const args: Expr[] = [];
    if (isPunct(peek(), ')')) return args;
    for (;;) {
      args.push(parseExpr(0));
      if (!isPunct(peek(), ',')) return args;
      const comma = next();
      if (isPunct(peek(), ')')) fail(`trailing comma in ${what}(…)`, comma.start);
    }
  }

  function parseLabelList(what: string): string[] {
    expectPunct('(', `after ${what}`);
    const labels: string[] = [];
    while (!isPunct(peek(), ')')) {
      const t = next();
      if (t.kind === 'ident') labels.push(t.text);
      else if (t.kind === 'string') labels.push(t.value ?? '');
      else fail(`expected a label name in ${what}(…), found ${describe(t)}`, t.start);
      if (isPunct(peek(), ',')) next();
      else if (!isPunct(peek(), ')')) fail(`expected "," or ")" in ${what}(…), found ${describe(peek())}`, peek().start);
    }
    next();
    return labels;
  }

  function parseSelector(name: string | undefined, start: number): VectorSelector {
    const open = next(); // {
    const matchers: Matcher[] = [];
    let metric = name;
    while (!isPunct(peek(), '}')) {
      const t = next();
      if (t.kind === 'string' && (isPunct(peek(), ',') || isPunct(peek(), '}'))) {
        // Prometheus 3: a quoted metric name inside the braces
        if (metric !== undefined) fail('metric name given twice', t.start);
        metric = t.value;
      } else {
        if (t.kind !== 'ident' && t.kind !== 'string') fail(`expected a label matcher, found ${describe(t)}`, t.start);
        const label = t.kind === 'string' ? (t.value ?? '') : t.text;
        const op = next();
        if (op.kind !== 'op' || !['=', '!=', '=~', '!~'].includes(op.text)) fail(`expected =, !=, =~ or !~ after label ${label}, found ${describe(op)}`, op.start);
        const v = next();
        if (v.kind !== 'string') fail(`expected a quoted value for label ${label}, found ${describe(v)}`, v.start);
        if (label === '__name__' && op.text === '=') {
          if (metric !== undefined && metric !== v.value) fail('metric name given twice', t.start);
          metric = v.value;
        } else matchers.push({ name: label, op: op.text as MatchOp, value: v.value ?? '' });
      }
      if (isPunct(peek(), ',')) next();
      else if (!isPunct(peek(), '}')) fail(`expected "," or "}" in the selector, found ${describe(peek())}`, peek().start);
    }
    const close = next();
    if (metric === undefined && !matchers.some((m) => !emptyMatch(m))) {
      fail('a vector selector needs a metric name or a matcher that does not match the empty string', open.start);
    }
    return { type: 'selector', name: metric, matchers, start, end: close.end };
  }

  const expr = parseExpr(0);
  const rest = peek();
  if (rest.kind !== 'eof') {
    fail(isPunct(rest, ')') ? 'unbalanced ")"' : `unexpected ${describe(rest)} after a complete expression`, rest.start);
  }
  return expr;
}

/** True when the matcher also matches series without the label (e.g. {a=""}, {a=~".*"}). */
function emptyMatch(m: Matcher): boolean {
  switch (m.op) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    case '=~':
      try {
        return new RegExp(`^(?:${m.value})$`).test('');
      } catch {
        return false;
      }
    case '!~':
      try {
        return !new RegExp(`^(?:${m.value})$`).test('');
      } catch {
        return false;
      }
  }
}

/** Every node of the tree, depth first, parents before children. */
export function* walk(expr: Expr): Generator<Expr> {
  yield expr;
  switch (expr.type) {
    case 'matrix':
      yield* walk(expr.selector);
      break;
    case 'subquery':
    case 'paren':
    case 'unary':
      yield* walk(expr.expr);
      break;
    case 'call':
      for (const a of expr.args) yield* walk(a);
      break;
    case 'aggregate':
      if (expr.param) yield* walk(expr.param);
      yield* walk(expr.expr);
      break;
    case 'binary':
      yield* walk(expr.lhs);
      yield* walk(expr.rhs);
      break;
    default:
      break;
  }
}

/** Metric names read by the expression (selectors with a name), in order of appearance. */
export function metricNames(expr: Expr): string[] {
  const out: string[] = [];
  for (const n of walk(expr)) if (n.type === 'selector' && n.name !== undefined && !out.includes(n.name)) out.push(n.name);
  return out;
}
