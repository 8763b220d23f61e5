// Source: manifest files, directories and stdin -> Kubernetes objects with locations.
import { readdir, stat, open } from 'node:fs/promises';
import { join, relative, isAbsolute, extname } from 'node:path';
import type { FieldPath, InputProblem, ManifestObject, SourceLocation } from './model.js';
import { parseYamlStream } from './yaml-stream.js';
import { redactManifestInPlace } from './redact.js';

export interface ReadOptions {
  /** Namespace for objects without one (`--namespace`, else `default`). */
  defaultNamespace: string;
  /** Refuse files larger than this many bytes. */
  maxFileBytes: number;
  /** Refuse documents whose alias expansion exceeds this many nodes. */
  maxExpandedNodes: number;
  /** Path globs (simple `*`/`**` patterns) to skip while walking directories. */
  ignorePaths: string[];
  /** Reads stdin when `-` is given (at most a little over `maxBytes` when it is passed). */
  readStdin?: (maxBytes?: number) => Promise<Buffer>;
  cwd: string;
}

export const DEFAULT_READ_OPTIONS: Omit<ReadOptions, 'cwd'> = {
  defaultNamespace: 'default',
  maxFileBytes: 32 * 1024 * 1024,
  maxExpandedNodes: 1_000_000,
  ignorePaths: [],
};

export interface ReadResult {
  objects: ManifestObject[];
  problems: InputProblem[];
  /** Files read (display paths). */
  sources: string[];
  /** Documents that were not Kubernetes objects (no apiVersion/kind). */
  nonObjects: number;
  /** True when only stdin or a single file was read. */
  partialView: boolean;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Read every path (file, directory, or '-') into objects; never throws for bad input. */
export async function readManifests(paths: string[], options: ReadOptions): Promise<ReadResult> {
  const result: ReadResult = { objects: [], problems: [], sources: [], nonObjects: 0, partialView: false };
  const files: Array<{ display: string; path?: string; explicit: boolean }> = [];
  for (const p of paths) {
    if (p === '-') {
      files.push({ display: '<stdin>', explicit: true });
      continue;
    }
    const display = displayPath(p, options.cwd);
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      result.problems.push({ level: 'error', code: 'path-not-found', message: `${display}: ${errnoText(e)}`, where: display });
      continue;
    }
    if (st.isDirectory()) await walk(p, options, files, result);
    else files.push({ display, path: p, explicit: true });
  }
  result.partialView = files.length === 1;
  for (const f of files) {
    const bytes = await readSource(f, options, result);
    if (bytes === undefined) continue;
    result.sources.push(f.display);
    parseFileInto(f.display, bytes, options, result);
  }
  return result;
}

function displayPath(p: string, cwd: string): string {
  if (!isAbsolute(p)) return p.replace(/\\/g, '/');
  const rel = relative(cwd, p);
  return rel.startsWith('..') ? p : rel.replace(/\\/g, '/');
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return (e as Error).message ?? String(e);
}

async function walk(dir: string, options: ReadOptions, out: Array<{ display: string; path?: string; explicit: boolean }>, result: ReadResult) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    const display = displayPath(dir, options.cwd);
    result.problems.push({ level: 'error', code: 'unreadable-directory', message: `${display}: ${errnoText(e)}`, where: display });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(dir, e.name);
    const display = displayPath(full, options.cwd);
    if (isIgnored(display, options.ignorePaths)) continue;
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      await walk(full, options, out, result);
    } else if (e.isFile() && MANIFEST_EXTENSIONS.has(extname(e.name).toLowerCase())) {
      out.push({ display, path: full, explicit: false });
    }
  }
}

/** Simple glob: `**` any path, `*` any name part. */
export function isIgnored(display: string, patterns: string[]): boolean {
  return patterns.some((p) => globToRegExp(p).test(display));
}

const globCache = new Map<string, RegExp>();
function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    const body = glob
      .replace(/^\.\//, '')
      .split('**')
      .map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
      .join('.*');
    re = new RegExp(`^${body}(/.*)?$`);
    globCache.set(glob, re);
  }
  return re;
}

async function readSource(
  f: { display: string; path?: string },
  options: ReadOptions,
  result: ReadResult,
): Promise<Buffer | undefined> {
  const refuse = (what: string, raise: string) =>
    result.problems.push({ level: 'error', code: 'file-too-large', message: `${f.display}: ${what}; refusing it (${raise} with --max-file-size)`, where: f.display });
  // a stream of unknown size (stdin, a pipe, a device) read past the limit
  const overLimit = () => refuse(`more than ${formatBytes(options.maxFileBytes)}`, 'raise the limit');
  try {
    if (f.path === undefined) {
      // read no more than the limit (and a byte): an endless pipe must not fill memory
      const data = options.readStdin ? await options.readStdin(options.maxFileBytes) : Buffer.alloc(0);
      return data.length > options.maxFileBytes ? void overLimit() : data;
    }
    // stat first: a 100 MB file is refused without reading it
    const handle = await open(f.path, 'r');
    try {
      const st = await handle.stat();
      if (st.size > options.maxFileBytes) return void refuse(sizeOver(st.size, options.maxFileBytes), 'raise it');
      if (st.isFile()) return await handle.readFile();
      // a pipe or a device (/dev/zero, <(helm template …)): its size is unknown, read to the limit
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const buf = Buffer.allocUnsafe(Math.min(1 << 20, options.maxFileBytes + 1 - total));
        const { bytesRead } = await handle.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        chunks.push(buf.subarray(0, bytesRead));
        total += bytesRead;
        if (total > options.maxFileBytes) return void overLimit();
      }
      return Buffer.concat(chunks);
    } finally {
      await handle.close();
    }
  } catch (e) {
    result.problems.push({ level: 'error', code: 'unreadable-file', message: `${f.display}: ${errnoText(e)}`, where: f.display });
    return undefined;
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${trim((n / 1024 / 1024).toFixed(n >= 10 * 1024 * 1024 ? 0 : 1))} MiB`;
  if (n >= 1024) return `${trim((n / 1024).toFixed(n >= 10 * 1024 ? 0 : 1))} KiB`;
  return `${n} B`;
}

function trim(fixed: string): string {
  return fixed.replace(/\.0$/, '');
}

/** "40 MiB is over the 32 MiB limit", with exact bytes when rounding would make them look equal. */
function sizeOver(size: number, limit: number): string {
  const a = formatBytes(size);
  const b = formatBytes(limit);
  return a === b ? `${size.toLocaleString('en-US')} bytes is over the ${limit.toLocaleString('en-US')}-byte limit` : `${a} is over the ${b} limit`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const HELM = /\{\{-?\s*(\.|\$|include|template|if|range|with|define|end|else|toYaml|tpl|-|\/\*)/;

/** More `{{` in the text (outside comments) than in the parsed keys and strings. */
function structuralTemplates(text: string, values: unknown[]): boolean {
  let raw = 0;
  for (const line of text.split('\n')) {
    const hash = line.search(/(^|\s)#/);
    const code = hash === -1 ? line : line.slice(0, hash);
    raw += count(code);
  }
  let parsed = 0;
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') parsed += count(v);
    else if (v !== null && typeof v === 'object' && !seen.has(v)) {
      seen.add(v);
      if (Array.isArray(v)) v.forEach(visit);
      else
        for (const [k, x] of Object.entries(v)) {
          parsed += count(k);
          visit(x);
        }
    }
  };
  values.forEach(visit);
  return raw > parsed;
}

function count(s: string): number {
  let n = 0;
  for (let i = s.indexOf('{{'); i !== -1; i = s.indexOf('{{', i + 2)) n++;
  return n;
}

/** Parse one file's bytes and add its objects or problems to the result. */
export function parseFileInto(display: string, bytes: Buffer, options: Omit<ReadOptions, 'cwd'>, result: ReadResult): void {
  const fileLoc = (line = 1, column = 1): SourceLocation => ({ type: 'file', file: display, line, column });
  const head = bytes.subarray(0, 8192);
  const wide = wideEncoding(head);
  if (wide) {
    result.problems.push({ level: 'error', code: 'not-utf8', message: `${display}:1:1: ${wide} text, not UTF-8; save the file as UTF-8`, location: fileLoc() });
    return;
  }
  if (head.includes(0)) {
    result.problems.push({ level: 'warning', code: 'binary-file', message: `${display}: binary content (NUL bytes); skipped`, location: fileLoc() });
    return;
  }
  let text: string;
  try {
    text = utf8.decode(bytes); // strips a UTF-8 BOM
  } catch {
    const at = firstInvalidUtf8(bytes);
    result.problems.push({
      level: 'error',
      code: 'not-utf8',
      message: `${display}:${at.line}:${at.column}: not valid UTF-8 text; save the file as UTF-8`,
      location: fileLoc(at.line, at.column),
    });
    return;
  }
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  const stream = parseYamlStream(text, { maxExpandedNodes: options.maxExpandedNodes });
  // Go templates inside string values are data (a PrometheusRule's `{{ $value }}`); a Helm
  // template has them where YAML structure goes: the file fails to parse, or some `{{` did not
  // end up inside any parsed string.
  const helm = text.includes('{{') ? HELM.exec(text) : null; // HELM starts with `{{`
  if (helm && (stream.error || structuralTemplates(text, stream.documents.map((d) => d.value)))) {
    const before = text.slice(0, helm.index);
    const line = before.split('\n').length;
    const column = helm.index - before.lastIndexOf('\n');
    result.problems.push({
      level: 'error',
      code: 'helm-template',
      message: `${display}:${line}:${column}: this is a Helm template, not a manifest; render it first: helm template <release> <chart> | queue-doctor check -`,
      location: fileLoc(line, column),
    });
    return;
  }
  if (stream.error) {
    const comment = jsonComment(text);
    if (comment) {
      result.problems.push({
        level: 'error',
        code: 'invalid-json',
        message: `${display}:${comment.line}:${comment.column}: JSON does not allow comments; remove them, or write the file as YAML (# comments)`,
        location: fileLoc(comment.line, comment.column),
      });
    } else {
      const { line, column, message } = stream.error;
      result.problems.push({
        level: 'error',
        code: 'invalid-yaml',
        message: `${display}:${line}:${column}: invalid YAML: ${message}`,
        location: fileLoc(line, column),
      });
    }
  }
  for (const doc of stream.documents) {
    const value = doc.value;
    if (value === null || value === undefined) continue; // empty document
    const index = doc.index;
    const locateRoot = (path: FieldPath): SourceLocation => {
      const p = stream.locateIn(index, path);
      return { type: 'file', file: display, line: p.line, column: p.column, path: pointer(path) };
    };
    collectObjects(value, [], locateRoot, display, options.defaultNamespace, result);
  }
}

function collectObjects(
  value: unknown,
  prefix: FieldPath,
  locateRoot: (path: FieldPath) => SourceLocation,
  display: string,
  defaultNamespace: string,
  result: ReadResult,
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    result.nonObjects++;
    return;
  }
  const obj = value as Record<string, any>;
  const kind = obj.kind;
  const apiVersion = obj.apiVersion;
  if (typeof kind !== 'string' || typeof apiVersion !== 'string') {
    result.nonObjects++;
    if ('metadata' in obj || 'spec' in obj) {
      const missing = typeof apiVersion !== 'string' ? 'apiVersion' : 'kind';
      const loc = locateRoot(prefix);
      result.problems.push({
        level: 'warning',
        code: 'not-an-object',
        message: `${display}:${lineCol(loc)}: a document with metadata/spec but no ${missing} (string); skipped`,
        location: loc,
      });
    }
    return;
  }
  // kind: List and *List wrappers (kubectl get -o yaml, kustomize)
  if ((kind === 'List' || kind.endsWith('List')) && 'items' in obj) {
    if (!Array.isArray(obj.items)) {
      const loc = locateRoot([...prefix, 'items']);
      result.problems.push({ level: 'error', code: 'bad-list', message: `${display}:${lineCol(loc)}: ${kind}.items must be a list`, location: loc });
      return;
    }
    obj.items.forEach((item: unknown, i: number) => {
      const itemPath = [...prefix, 'items', i];
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        const it = item as Record<string, any>;
        // List items from `kubectl get` may omit apiVersion/kind; derive them from the list kind
        if (typeof it.kind !== 'string' && kind !== 'List') it.kind = kind.slice(0, -4);
        if (typeof it.apiVersion !== 'string' && typeof it.kind === 'string' && kind !== 'List') it.apiVersion = apiVersion;
        if (typeof it.kind !== 'string' || typeof it.apiVersion !== 'string') {
          // inside a List every item must be an object: say which one is not, and where
          const missing = typeof it.apiVersion !== 'string' ? 'apiVersion' : 'kind';
          const loc = locateRoot(itemPath);
          result.nonObjects++;
          result.problems.push({ level: 'warning', code: 'not-an-object', message: `${display}:${lineCol(loc)}: ${kind}.items[${i}] has no ${missing} (string); skipped`, location: loc });
          return;
        }
      } else {
        const loc = locateRoot(itemPath);
        result.nonObjects++;
        result.problems.push({ level: 'warning', code: 'not-an-object', message: `${display}:${lineCol(loc)}: ${kind}.items[${i}] is ${describeValue(item)}, not a Kubernetes object; skipped`, location: loc });
        return;
      }
      collectObjects(item, itemPath, locateRoot, display, defaultNamespace, result);
    });
    return;
  }
  const metadata = obj.metadata;
  const metaIsMap = metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata);
  const name = metaIsMap ? metadata.name : undefined;
  if (typeof name !== 'string' || name === '') {
    // point at the field that is wrong: metadata.name, else metadata, else the object
    const path = metaIsMap && name !== undefined ? [...prefix, 'metadata', 'name'] : 'metadata' in obj ? [...prefix, 'metadata'] : prefix;
    const loc = locateRoot(path);
    const what =
      metadata !== undefined && !metaIsMap
        ? `metadata is ${describeValue(metadata)}, not a mapping`
        : name !== undefined && name !== null && name !== ''
          ? `metadata.name is ${describeValue(name)}, not a string`
          : 'no metadata.name';
    result.problems.push({
      level: 'warning',
      code: 'missing-name',
      message: `${display}:${lineCol(loc)}: ${kind} with ${what}; skipped`,
      location: loc,
    });
    result.nonObjects++;
    return;
  }
  const tooLong = name.length > MAX_NAME_LENGTH ? 'name' : typeof metadata.namespace === 'string' && metadata.namespace.length > MAX_NAMESPACE_LENGTH ? 'namespace' : undefined;
  if (tooLong) {
    // the API server would refuse it; and a megabyte-long name would be repeated in every message
    const loc = locateRoot([...prefix, 'metadata', tooLong]);
    const length = (tooLong === 'name' ? name : metadata.namespace).length as number;
    const max = tooLong === 'name' ? MAX_NAME_LENGTH : MAX_NAMESPACE_LENGTH;
    result.problems.push({
      level: 'error',
      code: 'invalid-name',
      message: `${display}:${lineCol(loc)}: ${kind} metadata.${tooLong} is ${length.toLocaleString('en-US')} characters long; Kubernetes allows at most ${max}; skipped`,
      location: loc,
    });
    result.nonObjects++;
    return;
  }
  const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : defaultNamespace;
  const locate = prefix.length === 0 ? locateRoot : (path: FieldPath) => locateRoot([...prefix, ...path]);
  // credentials in a manifest (URL passwords, TOKEN/KEY env values, --api-key=… arguments) must not
  // reach a CI log or an annotation: every field a report can echo is redacted (in place:
  // positions are found by key, and containers keep their identity)
  redactManifestInPlace(obj);
  result.objects.push({ ref: { apiVersion, kind, namespace, name }, raw: obj, context: '', file: display, locate });
}

/** Kubernetes object names (DNS subdomain) and namespaces (DNS label). */
const MAX_NAME_LENGTH = 253;
const MAX_NAMESPACE_LENGTH = 63;

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return 'a string';
  return `a ${typeof v}`;
}

/** UTF-16/UTF-32 byte-order marks: text, but not in an encoding YAML tools read here. */
function wideEncoding(head: Buffer): string | undefined {
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xfe && head[2] === 0 && head[3] === 0) return 'UTF-32LE';
  if (head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] === 0xfe && head[3] === 0xff) return 'UTF-32BE';
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'UTF-16LE';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'UTF-16BE';
  return undefined;
}

/**
 * The first `//` or `/*` comment of a JSON-looking text (first character `{` or `[`), outside
 * strings: JSONC/JSON5 files fail to parse with a confusing YAML message otherwise.
 */
function jsonComment(text: string): { line: number; column: number } | undefined {
  const first = /\S/.exec(text);
  if (!first || (text[first.index] !== '{' && text[first.index] !== '[')) return undefined;
  // the blank lines before the first `{`/`[` count too
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < first.index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  let quote = '';
  for (let i = first.index; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      quote = '';
      continue;
    }
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*') && (i === lineStart || /[\s,{[]/.test(text[i - 1]))) return { line, column: i - lineStart + 1 };
    else if (c === '#') return undefined; // a YAML comment: not a JSON-with-comments file
  }
  return undefined;
}

function lineCol(loc: SourceLocation): string {
  return loc.type === 'file' ? `${loc.line}:${loc.column}` : '';
}

/** JSON pointer of a field path (RFC 6901). */
export function pointer(path: FieldPath): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const p = String(path[i]);
    out += '/' + (p.includes('~') || p.includes('/') ? p.replace(/~/g, '~0').replace(/\//g, '~1') : p);
  }
  return out;
}

function firstInvalidUtf8(bytes: Buffer): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >> 5 === 0b110 ? 2 : b >> 4 === 0b1110 ? 3 : b >> 3 === 0b11110 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return { line, column };
    for (let k = 1; k < len; k++) if (bytes[i + k] >> 6 !== 0b10) return { line, column };
    if (b === 0x0a || b === 0x0d) {
      // CRLF, CR and LF each end a line, as the text is read after decoding
      line++;
      column = 1;
      if (b === 0x0d && bytes[i + 1] === 0x0a) i++;
    } else column++;
    i += len;
  }
  return { line, column };
}
