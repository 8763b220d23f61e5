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
  /** {@link locate} for the root of `documents[index]`, without looking the root up. */
  locateIn(index: number, path: FieldPath): Position;
}

export interface YamlLimits {
  /** Refuse a document whose alias expansion would exceed this many nodes. */
  maxExpandedNodes: number;
}

const DEFAULT_LIMITS: YamlLimits = { maxExpandedNodes: 2_000_000 };

// YAML 1.2 core schema (+ merge keys `<<`, which kubectl accepts): timestamps such as
// creationTimestamp stay strings as the API server sends them, and plain scalars resolve
// ~15 % faster than with js-yaml's default YAML 1.1 schema.
const SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [(jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge] });

export function parseYamlStream(text: string, limits: YamlLimits = DEFAULT_LIMITS): YamlStream {
  const documents: YamlDocument[] = [];
  // Per document (parallel to `documents`): the text it was parsed from, its index in that
  // text's stream, and where its root node starts.
  const docs: DocPlace[] = [];
  const whole: Segment = { text, lineOffset: 0 };
  let error = parseSegment(whole, documents, docs, limits);
  if (error && documents.length === 0) {
    // js-yaml reports nothing from a stream with an error anywhere: parse document by
    // document so that the documents before the broken one are still checked.
    error = undefined;
    for (const seg of splitDocuments(text)) {
      const e = parseSegment(seg, documents, docs, limits);
      if (e) {
        error = e;
        break;
      }
    }
  }
  let byRoot: Map<unknown, number> | undefined;
  const locateIn = (index: number, path: FieldPath): Position => {
    const place = docs[index];
    if (!place) return { line: 1, column: 1 };
    const seg = place.seg;
    const offset = locateOffset(place, documents[index].value, path);
    const p = positionOf(seg, offset, place);
    return { line: p.line + seg.lineOffset, column: p.column };
  };
  return {
    documents,
    error,
    locateIn,
    locate(root, path) {
      if (!byRoot) {
        byRoot = new Map();
        for (let i = 0; i < documents.length; i++) byRoot.set(documents[i].value, i);
      }
      const index = byRoot.get(root);
      if (index === undefined) {
        // not a document root (or a scalar document): the old contract points at the text's start
        return { line: 1 + whole.lineOffset, column: 1 };
      }
      return locateIn(index, path);
    },
  };
}

interface Segment {
  text: string;
  lineOffset: number;
  /** Last offset converted and its line start/number: lookups mostly move forward. */
  cursor?: { offset: number; lineStart: number; line: number };
  /**
   * True when positions must not be read from the text alone: js-yaml warned (a quoted
   * scalar or flow collection continued at a deficient indentation, where its lines can look
   * like keys or items), or a byte-order mark shifts js-yaml's offsets against the text.
   */
  textUnsafe?: boolean;
  /** A carriage return in the text: js-yaml counts it as a line break, positionOf does not. */
  hasCR?: boolean;
  /**
   * Built only when a lookup cannot be answered from the text alone (aliases, merge keys,
   * keys written in ways the scanner does not read): the segment parsed again with every
   * container's start recorded, and its document roots in order.
   */
  identity?: { starts: ContainerStarts; roots: unknown[] };
}

interface DocPlace {
  seg: Segment;
  /** Index of the document within its segment's stream. */
  indexInSegment: number;
  /** Offset where js-yaml started composing the document's root node. */
  rootStart: number;
  /** The line (1-based) of rootStart and where that line starts, as js-yaml counted them. */
  rootLine: number;
  rootLineStart: number;
}

/**
 * Offset -> 1-based line/column, counting newlines from the previous lookup (forward or back),
 * or from the start of the document's first line when that is closer: lookups then cost the
 * lines of one document, not of the whole file.
 */
function positionOf(seg: Segment, offset: number, place?: DocPlace): Position {
  const text = seg.text;
  const c = (seg.cursor ??= { offset: 0, lineStart: 0, line: 1 });
  if (place && !seg.textUnsafe && !seg.hasCR && place.rootLineStart <= offset && (c.offset > offset || c.offset < place.rootLineStart)) {
    c.offset = c.lineStart = place.rootLineStart;
    c.line = place.rootLine;
  }
  let { lineStart, line } = c;
  if (offset >= c.offset) {
    for (let i = text.indexOf('\n', c.offset); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
  } else {
    while (lineStart > offset) {
      // the line before: it ends at lineStart - 1
      line--;
      lineStart = lineStart >= 2 ? text.lastIndexOf('\n', lineStart - 2) + 1 : 0;
    }
  }
  c.offset = offset;
  c.lineStart = lineStart;
  c.line = line;
  return { line, column: offset - lineStart + 1 };
}

function parseSegment(seg: Segment, documents: YamlDocument[], docs: DocPlace[], limits: YamlLimits): YamlParseError | undefined {
  const { text } = seg;
  const mayHaveAliases = text.includes('&') && text.includes('*');
  // Only where each document's root starts is recorded while parsing (a counter per node):
  // a field's position is found later from the text, when a finding needs it.
  const roots: Array<{ start: number; line: number; lineStart: number }> = [];
  let depth = 0;
  let root = { start: 0, line: 1, lineStart: 0 };
  let inSegment = 0;
  if (text.charCodeAt(0) === 0xfeff) seg.textUnsafe = true;
  seg.hasCR = text.includes('\r');
  try {
    jsyaml.loadAll(
      text,
      (value) => {
        const place = roots[inSegment];
        const start = place.start;
        if (mayHaveAliases && value !== null && typeof value === 'object') {
          const size = expandedSize(value, limits.maxExpandedNodes);
          if (size > limits.maxExpandedNodes) {
            throw new AliasBombError(
              `YAML aliases expand to more than ${limits.maxExpandedNodes.toLocaleString('en-US')} nodes (an alias bomb?); refusing the document`,
              // point at the document's first node
              value !== null && typeof value === 'object' ? start : 0,
            );
          }
        }
        // js-yaml's line count, when it agrees with the text (its line starts after a newline)
        const known = place.lineStart === 0 ? place.line === 1 : text.charCodeAt(place.lineStart - 1) === 10 && place.line > 1;
        docs.push({ seg, indexInSegment: inSegment++, rootStart: start, rootLine: known ? place.line : 1, rootLineStart: known ? place.lineStart : Infinity });
        documents.push({ value, index: documents.length });
      },
      {
        schema: SCHEMA,
        onWarning: () => void (seg.textUnsafe = true),
        listener(event, state) {
          if (event === 'open') {
            if (depth++ === 0) root = { start: state.position, line: state.line + 1, lineStart: state.lineStart };
          } else if (--depth === 0) roots.push(root);
        },
      },
    );
    return undefined;
  } catch (e) {
    const err = toParseError(e, text);
    return { ...err, line: err.line + seg.lineOffset };
  }
}

/** The segment parsed again, recording the start of every container (see Segment.identity). */
function identityOf(seg: Segment): { starts: ContainerStarts; roots: unknown[] } {
  if (seg.identity) return seg.identity;
  const starts = new ContainerStarts();
  const roots: unknown[] = [];
  const stack: number[] = [];
  try {
    jsyaml.loadAll(seg.text, (value) => void roots.push(value), {
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
    });
  } catch {
    // the segment parsed once already; an error now leaves the roots read so far
  }
  return (seg.identity = { starts, roots });
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

/**
 * Offset of the field at `path` in the document `root` (placed by `place`): of its key (a
 * sequence item: of its value), or of its deepest existing parent when it does not exist.
 *
 * The path is followed in the text: a key is searched for in its parent's lines, and a
 * nested collection starts where its key's value does. When the text cannot say (the value
 * is an alias, the key came from a merge `<<`, or is written in a way not read here), the
 * lookup is answered from the positions js-yaml reports for every container instead.
 */
function locateOffset(place: DocPlace, root: unknown, path: FieldPath): number {
  if (root === null || typeof root !== 'object') return 0;
  if (place.seg.textUnsafe) return locateByIdentity(place, root, path);
  const text = place.seg.text;
  let node: unknown = root;
  let base = propsSkipped(text, place.rootStart); // where the keys of `node` are searched
  let result = base;
  for (let k = 0; k < path.length; k++) {
    if (node === null || typeof node !== 'object') break;
    const key = path[k];
    const child = (node as Record<string | number, unknown>)[key as string];
    if (child === undefined) break; // a missing field: point at its parent
    const keyOffset = findKey(text, base, key);
    if (child === null || typeof child !== 'object') {
      // Point at the key ("threshold:") rather than its value: that is where a reader looks.
      if (keyOffset !== undefined) result = keyOffset;
      break;
    }
    // Inside a flow collection ({…}, […]) the scanner finds keys as before, but a plain
    // scalar may hold quotes or brackets: nested collections are found from the recorded positions.
    const inFlow = text.charCodeAt(base) === 123 /* { */ || text.charCodeAt(base) === 91; /* [ */
    const childStart = keyOffset === undefined || inFlow ? undefined : valueStart(text, keyOffset, key);
    if (childStart === undefined || !startsLike(text, childStart, child)) return locateByIdentity(place, root, path);
    result = keyOffset!;
    base = childStart;
    node = child;
  }
  return result;
}

/** Where the value of the key (or sequence item) found at `keyOffset` starts, past anchors and tags. */
function valueStart(text: string, keyOffset: number, key: string | number): number | undefined {
  if (typeof key === 'number') return propsSkipped(text, keyOffset); // an item: findKey gave its value
  const colon = keyEnd(text, keyOffset, text.length, key);
  return colon === -1 ? undefined : propsSkipped(text, colon + 1);
}

/**
 * True when the text at `at` starts the collection `value`: `[`/`- ` for a sequence, `{` or
 * its first key for a mapping. Anything else (an alias, a complex key, a mapping whose first
 * key is not where the text says) sends the lookup to the recorded container positions.
 */
function startsLike(text: string, at: number, value: object): boolean {
  const c = text.charCodeAt(at);
  if (Array.isArray(value)) return c === 91 /* [ */ || (c === 45 /* - */ && isBlankOrEnd(text.charCodeAt(at + 1)));
  let first: string | undefined;
  for (const k in value) {
    first = k;
    break;
  }
  if (c === 123 /* { */) {
    if (first === undefined) return true;
    at = skipBlank(text, at + 1);
  }
  // integer-like keys come first in JS objects, whatever the order in the text
  return first !== undefined && !/^(0|[1-9]\d*)$/.test(first) && keyEnd(text, at, text.length, first) !== -1;
}

function isBlankOrEnd(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || Number.isNaN(c);
}

/** Skip blanks and comments, then any anchor (`&a`) or tag (`!!map`) before a node. */
function propsSkipped(text: string, at: number): number {
  let i = skipBlank(text, at);
  for (let c = text.charCodeAt(i); c === 38 /* & */ || c === 33 /* ! */; c = text.charCodeAt(i)) {
    while (i < text.length && !isSpace(text.charCodeAt(i))) i++;
    i = skipBlank(text, i);
  }
  return i;
}

/** /\s/ for the characters a YAML token can end at. */
function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** The lookup from the position of every container (js-yaml's listener), for what the text cannot answer. */
function locateByIdentity(place: DocPlace, root: unknown, path: FieldPath): number {
  const text = place.seg.text;
  const { starts, roots } = identityOf(place.seg);
  // The document as parsed again: the same shape as `root` before any in-place edit
  const shadowRoot = roots[place.indexInSegment];
  const startOf = (n: unknown): number | undefined => {
    if (n === null || typeof n !== 'object') return undefined;
    const s = starts.get(shadowRoot, n);
    return s === undefined ? undefined : propsSkipped(text, s);
  };
  let node: unknown = root;
  let shadow: unknown = shadowRoot;
  let base = startOf(shadowRoot) ?? 0;
  let result = base;
  for (let k = 0; k < path.length; k++) {
    if (node === null || typeof node !== 'object') break;
    const key = path[k];
    const child = (node as Record<string | number, unknown>)[key as string];
    if (child === undefined) break;
    const shadowChild = shadow !== null && typeof shadow === 'object' ? (shadow as Record<string | number, unknown>)[key as string] : undefined;
    const keyOffset = findKey(text, base, key);
    const childStart = child !== null && typeof child === 'object' ? startOf(shadowChild) : undefined;
    result = keyOffset ?? childStart ?? result;
    if (childStart === undefined) break;
    base = childStart;
    node = child;
    shadow = shadowChild;
  }
  return result;
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
    // count the indentation, but only as far as one past `column`: deeper lines are skipped
    // (so are lines of spaces only), whatever else they hold
    if (!first) for (const lim = Math.min(end - lineStart, column + 1); col < lim && text.charCodeAt(lineStart + col) === 32; ) col++;
    if (first || col <= column) {
      const at = lineStart + col;
      const ch = text.charCodeAt(at);
      const blank = at >= end || ch === 35 /* # */ || ch === 13; /* \r */
      if (!blank) {
        if (!first && col < column) return undefined;
        if (!first && col === 0 && (text.startsWith('---', at) || text.startsWith('...', at))) return undefined;
        if (col === column) {
          if (typeof key === 'number') {
            const next = text.charCodeAt(at + 1);
            if (ch === 45 /* - */ && (next === 32 || next === 10 || next === 13 || at + 1 === end)) {
              if (index === key) return itemContent(text, at, end, column);
              index++;
            }
          } else if (keyMatches(text, at, end, key)) return at;
        }
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
  return keyEnd(text, at, end, key) !== -1;
}

/** Offset of the `:` after `key` (plain, "double" or 'single' quoted) written at `at`, else -1. */
function keyEnd(text: string, at: number, end: number, key: string): number {
  if (text.startsWith(key, at)) {
    const colon = colonAt(text, at + key.length, end);
    if (colon !== -1) return colon;
  }
  const q = text.charCodeAt(at);
  if ((q === 34 /* " */ || q === 39) /* ' */ && text.startsWith(key, at + 1) && text.charCodeAt(at + key.length + 1) === q) {
    return colonAt(text, at + key.length + 2, end);
  }
  return -1;
}

/** The `:` at `j` after spaces, else -1. */
function colonAt(text: string, j: number, end: number): number {
  while (j < end && text.charCodeAt(j) === 32) j++;
  return text.charCodeAt(j) === 58 /* : */ ? j : -1;
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
