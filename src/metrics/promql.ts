// The one PromQL builder. Every label value that comes from a cluster (workload, namespace,
// queue and consumer names, annotation-derived hints) reaches a query through `str()`, `eq()`
// or `re()` here, so a name like `x"} or vector(1) #` stays a string and cannot change a
// query's meaning. Label and metric names come only from code and the catalogue, and are
// validated rather than escaped.

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Quote a string as a PromQL double-quoted string literal.
 * PromQL strings use Go escape rules: backslash, double quote and control characters are
 * escaped; everything else (any Unicode) is written as is. Lone UTF-16 surrogates cannot be
 * sent as UTF-8 and become U+FFFD, as they would on the wire anyway.
 */
export function str(value: string): string {
  let out = '"';
  for (const ch of wellFormed(value)) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

// String.prototype.toWellFormed is ES2024 (not in this project's TS lib), so do it by hand.
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Escape a literal for RE2 (Prometheus regex matchers are RE2 and fully anchored). */
export function regexLiteral(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, (c) => '\\' + c);
}

/** `label="value"` */
export function eq(label: string, value: string): string {
  return `${labelName(label)}=${str(value)}`;
}

/** `label!="value"` */
export function neq(label: string, value: string): string {
  return `${labelName(label)}!=${str(value)}`;
}

/**
 * `label=~"v1|v2"` matching exactly these literal values (regex metacharacters escaped).
 * An empty list matches nothing (`label=~"(?!)"` is not RE2, so an impossible literal is used).
 */
export function re(label: string, values: Iterable<string>): string {
  const list = [...new Set(values)].sort();
  if (list.length === 0) return `${labelName(label)}=~${str('\u0000queue-doctor:none\u0000')}`;
  return `${labelName(label)}=~${str(list.map(regexLiteral).join('|'))}`;
}

/** A raw regex matcher, for patterns written in code (never for cluster-provided values). */
export function rePattern(label: string, pattern: string): string {
  return `${labelName(label)}=~${str(pattern)}`;
}

/** `metric{m1, m2}`; `metric` may be '' for a selector of matchers only. */
export function selector(metric: string, matchers: string[] = []): string {
  const name = metric === '' ? '' : metricName(metric);
  if (matchers.length === 0) return name === '' ? '{__name__=~".+"}' : name;
  return `${name}{${matchers.join(', ')}}`;
}

/** Validate a label name from code or the catalogue. */
export function labelName(name: string): string {
  if (!LABEL_NAME.test(name)) throw new Error(`internal: "${name}" is not a valid Prometheus label name`);
  return name;
}

/** Validate a metric name from code or the catalogue. */
export function metricName(name: string): string {
  if (!METRIC_NAME.test(name)) throw new Error(`internal: "${name}" is not a valid Prometheus metric name`);
  return name;
}

/** `by (a, b)` with validated names. */
export function by(labels: string[]): string {
  return `by (${[...new Set(labels)].map(labelName).join(', ')})`;
}

/** A range-vector duration in whole seconds, e.g. `300s`. */
export function duration(seconds: number): string {
  return `${Math.max(1, Math.round(seconds))}s`;
}

/** `label_replace(expr, dst, value, "", "")`: set a constant label. */
export function setLabel(expr: string, dst: string, value: string): string {
  return `label_replace(${expr}, ${str(labelName(dst))}, ${str(value.replace(/\$/g, '$$$$'))}, "", "")`;
}

/**
 * Decode a PromQL double-quoted string literal (the inverse of `str`), following Go's
 * strconv.Unquote rules that Prometheus uses. Exposed for tests.
 */
export function unquote(literal: string): string {
  if (literal.length < 2 || literal[0] !== '"' || literal[literal.length - 1] !== '"') throw new Error('not a double-quoted string');
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"' || c === '\n') throw new Error(`unescaped ${JSON.stringify(c)} at ${i}`);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (n in simple) out += simple[n];
    else if (n === 'x') {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (n === 'u') {
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else if (n === 'U') {
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 9), 16));
      i += 8;
    } else throw new Error(`unknown escape \\${n}`);
  }
  return out;
}
