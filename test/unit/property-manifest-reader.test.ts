// Properties of the manifest reader (src/inventory/read-manifests.ts + yaml-stream.ts):
// - it never throws, whatever the bytes: it returns objects and/or one-line problems;
// - every line:column it reports (problems, and locate() of any field path) is inside the file;
// - for generated block, flow and mixed YAML (LF, CRLF, with a BOM, after other documents), the
//   position of every key and sequence item agrees with the `yaml` package's own parser.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import * as yamlModule from 'yaml';
import { LineCounter, isMap, isSeq, isPair, type Node as YamlNode } from 'yaml';
import { DEFAULT_READ_OPTIONS, parseFileInto, type ReadResult } from '../../src/inventory/read-manifests.js';
import type { FieldPath, SourceLocation } from '../../src/inventory/model.js';
import { checkProperty } from '../helpers/property.js';

const OPTIONS = { ...DEFAULT_READ_OPTIONS, maxExpandedNodes: 10_000 };

function read(bytes: Buffer, display = 'in.yaml'): ReadResult {
  const result: ReadResult = { objects: [], problems: [], sources: [], nonObjects: 0, partialView: false };
  parseFileInto(display, bytes, OPTIONS, result);
  return result;
}

/** Lines as an editor shows them (CRLF, CR and LF all end a line), after UTF-8 decoding. */
function editorLines(bytes: Buffer): string[] {
  return bytes.toString('utf8').replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

function insideFile(lines: string[], loc: SourceLocation | undefined): boolean {
  if (!loc || loc.type !== 'file') return true;
  if (loc.line < 1 || loc.line > lines.length) return false;
  // columns count UTF-16 code units, as editors built on JS (VS Code) and the `yaml` package do
  return loc.column >= 1 && loc.column <= lines[loc.line - 1].length + 1;
}

/** Every field path of a parsed value (bounded). */
function* paths(value: unknown, prefix: FieldPath = [], budget = { n: 400 }): Generator<FieldPath> {
  if (budget.n-- <= 0) return;
  yield prefix;
  if (value === null || typeof value !== 'object') return;
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [k, v] of entries) yield* paths(v, [...prefix, k], budget);
}

function checkRead(bytes: Buffer): void {
  const r = read(bytes);
  const lines = editorLines(bytes);
  for (const p of r.problems) {
    expect(p.message.split('\n')).toHaveLength(1);
    expect(['error', 'warning']).toContain(p.level);
    expect(insideFile(lines, p.location)).toBe(true);
  }
  for (const o of r.objects) {
    for (const path of paths(o.raw)) expect(insideFile(lines, o.locate(path))).toBe(true);
    // paths that do not exist point at their deepest existing parent: still inside
    expect(insideFile(lines, o.locate(['spec', 'no', 'such', 3, 'field']))).toBe(true);
  }
}

// YAML-ish token soup: every construct that has a parser state of its own
const TOKENS = [
  'apiVersion: v1\n', 'kind: ConfigMap\n', 'metadata:\n', '  name: x\n', 'metadata: {name: y}\n', 'kind: List\n', 'items:\n', '- ', '-\n',
  ': ', ':', '\n', '  ', '    ', '\t', '---\n', '...\n', '[', ']', '{', '}', ',', '&a ', '*a', '&b [*a, *a]', '<<: *a\n', '!!str ', '!!binary ',
  '!custom ', '? ', '|\n', '>-\n', '"', "'", '\\', '#', '# c\n', '%YAML 1.2\n', '%TAG ! x\n', 'key', 'value', '0x1F', '1e400', '.nan', '~', 'null',
  'yes', '\u00e9', '\u{1F99C}', '\uFEFF', '\r\n', '\r', '\u0000', '{{ .Values.x }}', '//', '/*', '@', '`', '%', '\u2028', 'a'.repeat(300),
];
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((ts) => ts.join(''));

describe('the manifest reader never throws, and every position it reports is inside the file', () => {
  test('arbitrary text', async () => {
    await checkProperty(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => checkRead(Buffer.from(s, 'utf8'))),
      { numRuns: 1500 },
    );
  });

  test('arbitrary bytes', async () => {
    await checkProperty(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => checkRead(Buffer.from(b))),
      { numRuns: 1500 },
    );
  });

  test('YAML token soup (anchors, aliases, tags, flow, block scalars, directives, tabs, CRs)', async () => {
    await checkProperty(
      fc.property(tokenSoup, (s) => checkRead(Buffer.from(s, 'utf8'))),
      { numRuns: 3000 },
    );
  });

  test('token soup after a valid object: that object is still read', async () => {
    const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n---\n';
    await checkProperty(
      fc.property(tokenSoup, (s) => {
        const bytes = Buffer.from(head + s, 'utf8');
        checkRead(bytes);
        const r = read(bytes);
        // the first document is complete, so it is kept even when the rest is broken
        // (unless the rest turns it into something else: a directive or a `...` makes it a new stream)
        // (a Helm template is refused as a whole: it must be rendered first; a NUL makes it a binary file)
        if (!/^(%|\.\.\.)/m.test(s) && !s.includes('{{') && !s.includes('\u0000')) expect(r.objects.map((o) => o.ref.name)).toContain('first');
      }),
      { numRuns: 1000 },
    );
  });
});

// ---- generated YAML whose positions the `yaml` package can tell us ------------------------------

type Tree = string | number | boolean | null | Tree[] | { [k: string]: Tree };

const key = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z][a-zA-Z0-9_-]{0,8}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9]{0,4}\.[a-z]{2,5}\/[a-z][a-z-]{0,6}$/) }, // app.kubernetes.io/name
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{1,4} [a-z]{1,4}$/) }, // a plain key with a space
);
const scalar = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9 ._/-]{0,12}$/).map((s) => s.trim() || 'x'),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -1000, max: 100000 }),
  fc.boolean(),
);
const { tree } = fc.letrec<{ tree: Tree; map: Tree; seq: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('map'), tie('seq')),
  map: fc.dictionary(key, fc.oneof(tie('tree'), fc.constant(null)), { minKeys: 1, maxKeys: 5 }),
  seq: fc.array(tie('tree'), { minLength: 1, maxLength: 4 }),
}));

interface Style {
  indent: number;
  /** `key:\n- item` (sequence at the key's indentation) instead of indenting it. */
  compactSeq: boolean;
  /** Collections at this depth or deeper are written in flow style. */
  flowFrom: number;
  comments: boolean;
  quoteKeys: boolean;
  spaceInFlow: boolean;
}

const style: fc.Arbitrary<Style> = fc.record({
  indent: fc.constantFrom(2, 3, 4),
  compactSeq: fc.boolean(),
  flowFrom: fc.constantFrom(0, 1, 2, 3, 99),
  comments: fc.boolean(),
  quoteKeys: fc.boolean(),
  spaceInFlow: fc.boolean(),
});

const isColl = (t: Tree): t is Tree[] | { [k: string]: Tree } => t !== null && typeof t === 'object';

function scalarText(v: Tree): string {
  if (typeof v === 'string') {
    // plain when the core schema reads it back as the same string, else JSON double-quoted
    return /^[a-z][a-z0-9 ._/-]*$/.test(v) && !/ $/.test(v) && !/^(null|true|false|yes|no|on|off|y|n)$/i.test(v) ? v : JSON.stringify(v);
  }
  return v === null ? 'null' : String(v);
}

function keyText(k: string, s: Style): string {
  return s.quoteKeys ? JSON.stringify(k) : k;
}

function flow(v: Tree, s: Style): string {
  if (!isColl(v)) return scalarText(v);
  const sp = s.spaceInFlow ? ' ' : '';
  if (Array.isArray(v)) return `[${sp}${v.map((x) => flow(x, s)).join(`,${sp || ' '}`)}${sp}]`;
  return `{${sp}${Object.entries(v).map(([k, x]) => `${keyText(k, s)}: ${flow(x, s)}`).join(`,${sp || ' '}`)}${sp}}`;
}

/** Block-style lines for a collection at `col` spaces, `depth` levels down. */
function block(v: Tree[] | { [k: string]: Tree }, col: number, depth: number, s: Style, out: string[]): void {
  const pad = ' '.repeat(col);
  if (Array.isArray(v)) {
    for (const item of v) {
      if (s.comments) out.push(`${pad}# item`);
      if (isColl(item) && depth + 1 < s.flowFrom && (Array.isArray(item) ? item.length : Object.keys(item).length) > 0) {
        // the item's first line continues after "- "
        const inner: string[] = [];
        block(item, col + 2, depth + 1, s, inner);
        out.push(`${pad}- ${inner[0].slice(col + 2)}`, ...inner.slice(1));
      } else out.push(`${pad}- ${flow(item, s)}`);
    }
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    if (s.comments) out.push(`${pad}# ${k}`);
    if (isColl(x) && depth + 1 < s.flowFrom && (Array.isArray(x) ? x.length : Object.keys(x).length) > 0) {
      out.push(`${pad}${keyText(k, s)}:${s.comments ? ' # nested' : ''}`);
      block(x, Array.isArray(x) && s.compactSeq ? col : col + s.indent, depth + 1, s, out);
    } else out.push(`${pad}${keyText(k, s)}: ${flow(x, s)}`);
  }
}

function render(doc: { [k: string]: Tree }, s: Style): string {
  if (s.flowFrom === 0) return flow(doc, s) + '\n';
  const out: string[] = [];
  block(doc, 0, 0, s, out);
  return out.join('\n') + '\n';
}

/** Line:column of every key and sequence item under `data`, according to the `yaml` package. */
function yamlPositions(text: string, docIndex: number): Map<string, { line: number; column: number }> {
  const lc = new LineCounter();
  const docs = [];
  // parseAllDocuments keeps offsets relative to the whole text
  const { parseAllDocuments } = yamlModule;
  for (const d of parseAllDocuments(text, { lineCounter: lc })) docs.push(d);
  const doc = docs[docIndex] as unknown as { contents: YamlNode; errors: unknown[] };
  expect(doc.errors).toEqual([]);
  const out = new Map<string, { line: number; column: number }>();
  const pos = (offset: number) => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const visit = (node: unknown, path: FieldPath) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = pair.key as { value: unknown; range: [number, number, number] };
        const p = [...path, String(k.value)];
        out.set(JSON.stringify(p), pos(k.range[0]));
        visit(pair.value, p);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const p = [...path, i];
        const it = item as { range?: [number, number, number] };
        if (it?.range) out.set(JSON.stringify(p), pos(it.range[0]));
        visit(item, p);
      });
    }
  };
  visit(doc.contents, []);
  return out;
}

const PREFIXES = ['', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: before}\n---\n', '# a comment\n\n---\n# another\n'];

describe('positions agree with the `yaml` package', () => {
  test('every key and sequence item of generated block/flow/mixed YAML, LF/CRLF/BOM, after other documents', async () => {
    await checkProperty(
      fc.property(
        fc.dictionary(key, tree, { minKeys: 1, maxKeys: 6 }),
        style,
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.constantFrom(...PREFIXES),
        (data, s, eol, bom, prefix) => {
          const doc = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generated' }, data };
          const text = prefix + render(doc as { [k: string]: Tree }, s);
          const docIndex = prefix.startsWith('apiVersion') ? 1 : 0; // a comment before --- opens no document
          const expected = yamlPositions(text, docIndex);
          const bytes = Buffer.from((bom ? '\uFEFF' : '') + text.replace(/\n/g, eol), 'utf8');
          const r = read(bytes);
          expect(r.problems).toEqual([]);
          const o = r.objects.find((x) => x.ref.name === 'generated');
          expect(o).toBeDefined();
          let compared = 0;
          for (const [p, want] of expected) {
            const path = JSON.parse(p) as FieldPath;
            const got = o!.locate(path);
            expect({ path, line: got.type === 'file' ? got.line : -1, column: got.type === 'file' ? got.column : -1 }).toEqual({ path, ...want });
            compared++;
          }
          expect(compared).toBeGreaterThan(3);
        },
      ),
      { numRuns: 600 },
    );
  });

  test('a yaml.stringify rendering (another writer, another style) agrees too', async () => {
    await checkProperty(
      fc.property(fc.dictionary(key, tree, { minKeys: 1, maxKeys: 6 }), fc.constantFrom(2, 4), fc.boolean(), (data, indent, indentSeq) => {
        const text = yamlModule.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generated' }, data }, { indent, indentSeq, lineWidth: 0 });
        const expected = yamlPositions(text, 0);
        const r = read(Buffer.from(text));
        expect(r.problems).toEqual([]);
        const o = r.objects[0];
        for (const [p, want] of expected) {
          const path = JSON.parse(p) as FieldPath;
          // yaml.stringify may write a key as a `? ` complex key or a block scalar value: compare keys the reader can name
          const got = o.locate(path);
          expect({ path, line: got.type === 'file' ? got.line : -1, column: got.type === 'file' ? got.column : -1 }).toEqual({ path, ...want });
        }
      }),
      { numRuns: 400 },
    );
  });
});
