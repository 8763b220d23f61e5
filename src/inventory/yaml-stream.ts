// Fast multi-document YAML/JSON parsing with positions on demand.
//
// js-yaml's loadAll is the speed floor for reading manifests; the `yaml` package's document
// API is ~8x slower. We parse with js-yaml and use its listener to remember where each
// mapping/sequence starts (a Map insert per container: nearly free). A field's exact
// line:column is then found only when a finding needs it, by a small scan of the text
// from the start of its parent container.
import jsyaml from 'js-yaml';
import type { FieldPath } from './model.js';

export interface Position {
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

export interface YamlDocument {
  value: unknown;
  /** 0-based index of the document in the stream. */
  index: number;
}

export interface YamlParseError {
  message: string;
  line: number;
  column: number;
}

export interface YamlStream {
  documents: YamlDocument[];
  error?: YamlParseError;
  /** Line/column of the field at `path` inside `root` (or of its deepest existing parent). */
  locate(root: unknown, path: FieldPath): Position;
}

export interface YamlLimits {
  /** Refuse a document whose alias expansion would exceed this many nodes. */
  maxExpandedNodes: number;
}

const DEFAULT_LIMITS: YamlLimits = { maxExpandedNodes: 2_000_000 };

// YAML 1.2 core schema (+ merge keys `<<`, which kubectl accepts): timestamps such as
// creationTimestamp stay strings as the API server sends them, and plain scalars resolve
// ~15 % faster than with js-yaml's default YAML 1.1 schema.
const SCHEMA = jsyaml.CORE_SCHEMA.extend([(jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge]);

export function parseYamlStream(text: string, limits: YamlLimits = DEFAULT_LIMITS): YamlStream {
  const starts = new ContainerStarts();
  const documents: YamlDocument[] = [];
  // Which text (and line offset) each document root was parsed from.
  const segments = new Map<unknown, Segment>();
  const whole: Segment = { text, lineOffset: 0 };
  let error = parseSegment(whole, starts, documents, segments, limits);
  if (error && documents.length === 0) {
    // js-yaml reports nothing from a stream with an error anywhere: parse document by
    // document so that the documents before the broken one are still checked.
    error = undefined;
    for (const seg of splitDocuments(text)) {
      const e = parseSegment(seg, starts, documents, segments, limits);
      if (e) {
        error = e;
        break;
      }
    }
  }
  return {
    documents,
    error,
    locate(root, path) {
      const seg = segments.get(root) ?? whole;
      const offset = locateOffset(seg.text, starts, root, path);
      const p = positionOf(seg, offset);
      return { line: p.line + seg.lineOffset, column: p.column };
    },
  };
}

interface Segment {
  text: string;
  lineOffset: number;
  /** Last offset converted and its line start/number: lookups mostly move forward. */
  cursor?: { offset: number; lineStart: number; line: number };
}

/** Offset -> 1-based line/column, counting newlines from the previous lookup when it is behind. */
function positionOf(seg: Segment, offset: number): Position {
  const text = seg.text;
  let c = seg.cursor;
  if (!c || c.offset > offset) c = { offset: 0, lineStart: 0, line: 1 };
  let { lineStart, line } = c;
  for (let i = text.indexOf('\n', c.offset); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  seg.cursor = { offset, lineStart, line };
  return { line, column: offset - lineStart + 1 };
}

function parseSegment(
  seg: Segment,
  starts: ContainerStarts,
  documents: YamlDocument[],
  segments: Map<unknown, Segment>,
  limits: YamlLimits,
): YamlParseError | undefined {
  const stack: number[] = [];
  const { text } = seg;
  const mayHaveAliases = text.includes('&') && text.includes('*');
  try {
    jsyaml.loadAll(
      text,
      (value) => {
        if (mayHaveAliases && value !== null && typeof value === 'object') {
          const size = expandedSize(value, limits.maxExpandedNodes);
          if (size > limits.maxExpandedNodes) {
            throw new AliasBombError(
              `YAML aliases expand to more than ${limits.maxExpandedNodes.toLocaleString('en-US')} nodes (an alias bomb?); refusing the document`,
              // point at the document's first node (its root closed just before this callback)
              starts.get(value, value) ?? 0,
            );
          }
        }
        segments.set(value, seg);
        documents.push({ value, index: documents.length });
      },
      {
        schema: SCHEMA,
        listener(event, state) {
          if (event === 'open') stack.push(state.position);
          else {
            const start = stack.pop();
            const r = state.result;
            if (start !== undefined && r !== null && typeof r === 'object') starts.add(r, start);
            if (stack.length === 0) starts.endDocument(r); // a document's root closed
          }
        },
      },
    );
    return undefined;
  } catch (e) {
    const err = toParseError(e, text);
    return { ...err, line: err.line + seg.lineOffset };
  }
}

/** Split a stream at `---` document markers, remembering each part's first line. */
function splitDocuments(text: string): Segment[] {
  const out: Segment[] = [];
  const re = /^---(?=[ \t\r\n]|$)/gm;
  let last = 0;
  let lastLine = 0;
  let m: RegExpExecArray | null;
  const lineOf = (offset: number) => {
    let n = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
    return n;
  };
  while ((m = re.exec(text))) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), lineOffset: lastLine });
    last = m.index;
    lastLine = lineOf(last);
  }
  out.push({ text: text.slice(last), lineOffset: lastLine });
  return out;
}

/**
 * Where each mapping/sequence starts, kept as parallel arrays (a push per container: no
 * hashing, little garbage) with one index range per document; a lookup scans only its own
 * document's containers, which are few.
 */
class ContainerStarts {
  private objects: object[] = [];
  private offsets: number[] = [];
  private docFrom = 0;
  private ranges = new Map<unknown, [number, number]>();

  add(o: object, offset: number): void {
    this.objects.push(o);
    this.offsets.push(offset);
  }

  endDocument(root: unknown): void {
    this.ranges.set(root, [this.docFrom, this.objects.length]);
    this.docFrom = this.objects.length;
  }

  get(root: unknown, o: unknown): number | undefined {
    const range = this.ranges.get(root);
    if (!range) return undefined;
    // the first close of an object is its own (aliases close again later): scan forward
    for (let i = range[0]; i < range[1]; i++) if (this.objects[i] === o) return this.offsets[i];
    return undefined;
  }
}

class AliasBombError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

function toParseError(e: unknown, text: string): YamlParseError {
  if (e instanceof AliasBombError) {
    const p = offsetToPosition(computeLineStarts(text), e.offset);
    return { message: e.message, line: p.line, column: p.column };
  }
  const err = e as { reason?: string; message?: string; mark?: { line: number; column: number } };
  if (err && err.mark && typeof err.mark.line === 'number') {
    let message = err.reason ?? firstLine(err.message ?? 'invalid YAML');
    if (message === 'the stream contains non-printable characters') {
      // js-yaml reports this at the end of the stream: point at the character instead
      const m = NON_PRINTABLE.exec(text);
      if (m) {
        const at = m.index + (m[0].length > 1 && !/[\uD800-\uDFFF]/.test(m[0][0]) ? 1 : 0);
        const code = text.codePointAt(at) ?? 0;
        const p = offsetToPosition(computeLineStarts(text), at);
        return { message: `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')}) is not allowed in YAML; remove it`, line: p.line, column: p.column };
      }
    }
    const depth = /^nesting exceeded maxDepth \((\d+)\)$/.exec(message);
    if (depth) message = `nested deeper than ${depth[1]} levels (the limit); refusing the document`;
    return { message, ...clampToText(text, err.mark.line + 1, err.mark.column + 1) };
  }
  if (e instanceof RangeError) {
    // a stack overflow in the parser: say what it means rather than "Maximum call stack size exceeded"
    return { message: 'nested too deeply to parse; refusing the document', line: 1, column: 1 };
  }
  return { message: firstLine(String((err && err.message) ?? e)), line: 1, column: 1 };
}

// js-yaml's PATTERN_NON_PRINTABLE: C0/C1 controls (but tab, LF, CR, NEL), U+FFFE/U+FFFF, lone surrogates
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

/** js-yaml may report an error past the end (it appends a newline to the input): keep it in the text. */
function clampToText(text: string, line: number, column: number): Position {
  const lines = text.split('\n');
  const l = Math.max(1, Math.min(line, lines.length));
  return { line: l, column: l < line ? lines[l - 1].length + 1 : Math.max(1, Math.min(column, lines[l - 1].length + 1)) };
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/** Size of a value with aliases expanded, memoised per object; stops counting past `limit`. */
function expandedSize(root: object, limit: number): number {
  const memo = new Map<object, number>();
  const visit = (node: unknown): number => {
    if (node === null || typeof node !== 'object') return 1;
    const known = memo.get(node);
    if (known !== undefined) return known;
    memo.set(node, 1); // guards cycles
    let total = 1;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const c of children) {
      total += visit(c);
      if (total > limit) break;
    }
    memo.set(node, total);
    return total;
  };
  return visit(root);
}

function computeLineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

function offsetToPosition(lineStarts: number[], offset: number): Position {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
}

/** Skip spaces, newlines and comments from `i`. */
function skipBlank(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 35 /* # */) {
      const nl = text.indexOf('\n', i);
      if (nl === -1) return text.length;
      i = nl + 1;
    } else return i;
  }
}

function locateOffset(text: string, starts: ContainerStarts, root: unknown, path: FieldPath): number {
  let node: unknown = root;
  let base = containerStart(text, starts, root, root) ?? 0; // where the keys of `node` are searched
  let result = base;
  for (let k = 0; k < path.length; k++) {
    if (node === null || typeof node !== 'object') break;
    const key = path[k];
    const child = (node as Record<string | number, unknown>)[key as string];
    if (child === undefined) break; // a missing field: point at its parent
    const keyOffset = findKey(text, base, key);
    const childStart = containerStart(text, starts, root, child);
    // Point at the key ("threshold:") rather than its value: that is where a reader looks.
    result = keyOffset ?? childStart ?? result;
    if (childStart === undefined) break;
    base = childStart;
    node = child;
  }
  return result;
}

function containerStart(text: string, starts: ContainerStarts, root: unknown, node: unknown): number | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const s = starts.get(root, node);
  if (s === undefined) return undefined;
  let i = skipBlank(text, s);
  // an anchor or tag before the collection: skip it
  while (text[i] === '&' || text[i] === '!') {
    while (i < text.length && !/[\s]/.test(text[i])) i++;
    i = skipBlank(text, i);
  }
  return i;
}

/** Offset of `key` (a mapping key or a sequence index) in the container starting at `start`. */
function findKey(text: string, start: number, key: string | number): number | undefined {
  const c = text[start];
  if (c === '{' || c === '[') return findInFlow(text, start, key);
  return findInBlock(text, start, key);
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function findInBlock(text: string, start: number, key: string | number): number | undefined {
  const column = start - lineStartOf(text, start);
  let index = 0;
  let pos = start;
  let first = true;
  while (pos < text.length) {
    const lineEnd = text.indexOf('\n', pos);
    const end = lineEnd === -1 ? text.length : lineEnd;
    const lineStart = first ? lineStartOf(text, pos) : pos;
    let col = first ? column : 0;
    if (!first) {
      while (col < end - lineStart && (text[lineStart + col] === ' ')) col++;
    }
    const at = lineStart + col;
    const ch = text[at];
    const blank = at >= end || ch === '#' || ch === '\r';
    if (!blank) {
      if (!first && col < column) return undefined;
      if (!first && col === column && (text.startsWith('---', at) || text.startsWith('...', at)) && col === 0) return undefined;
      if (col === column) {
        if (typeof key === 'number') {
          if (ch === '-' && (text[at + 1] === ' ' || text[at + 1] === '\n' || text[at + 1] === '\r' || at + 1 === end)) {
            if (index === key) return itemContent(text, at, end, column);
            index++;
          }
        } else if (keyMatches(text, at, end, key)) return at;
      }
    }
    if (lineEnd === -1) break;
    pos = lineEnd + 1;
    first = false;
  }
  return undefined;
}

/**
 * Where a block sequence item's value starts: after "- " on the same line, or — when only a
 * comment or nothing follows the dash — on the next content line indented past the dash.
 * An empty item (null) points at its dash.
 */
function itemContent(text: string, dash: number, end: number, dashColumn: number): number {
  let i = dash + 1;
  while (i < end && text[i] === ' ') i++;
  if (i < end && text[i] !== '#') return i;
  for (let lineStart = end + 1; lineStart < text.length; ) {
    const lineEnd = text.indexOf('\n', lineStart);
    const stop = lineEnd === -1 ? text.length : lineEnd;
    let j = lineStart;
    while (j < stop && text[j] === ' ') j++;
    if (j < stop && text[j] !== '#' && text[j] !== '\r') return j - lineStart > dashColumn ? j : dash;
    if (lineEnd === -1) break;
    lineStart = lineEnd + 1;
  }
  return dash;
}

function keyMatches(text: string, at: number, end: number, key: string): boolean {
  for (const candidate of [key, `"${key}"`, `'${key}'`]) {
    if (text.startsWith(candidate, at)) {
      let j = at + candidate.length;
      while (j < end && text[j] === ' ') j++;
      if (text[j] === ':') return true;
    }
  }
  return false;
}

/** Find a key or index at depth 1 of a flow collection ({…} or […]), honouring quotes. */
function findInFlow(text: string, start: number, key: string | number): number | undefined {
  let depth = 0;
  let index = 0;
  let itemStart = -1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      if (depth === 1 && itemStart === -1) {
        itemStart = i;
        if (typeof key === 'string' && keyMatches(text, i, text.length, key)) return i;
      }
      i = skipQuoted(text, i);
      continue;
    }
    if (c === '#' && (text[i - 1] === ' ' || text[i - 1] === '\n')) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
      continue;
    }
    if (c === '{' || c === '[') {
      depth++;
      if (depth === 2 && itemStart === -1) itemStart = i;
      if (depth === 1) continue;
      continue;
    }
    if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return typeof key === 'number' && index === key && itemStart !== -1 ? itemStart : undefined;
      continue;
    }
    if (depth !== 1) continue;
    if (c === ',') {
      if (typeof key === 'number' && index === key && itemStart !== -1) return itemStart;
      index++;
      itemStart = -1;
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
    if (itemStart === -1) {
      itemStart = i;
      if (typeof key === 'string' && keyMatches(text, i, text.length, key)) return i;
    }
  }
  return undefined;
}

function skipQuoted(text: string, i: number): number {
  const q = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (q === '"' && text[j] === '\\') {
      j++;
      continue;
    }
    if (text[j] === q) {
      if (q === "'" && text[j + 1] === "'") {
        j++;
        continue;
      }
      return j;
    }
  }
  return text.length;
}
