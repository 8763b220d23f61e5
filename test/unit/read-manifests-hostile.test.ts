// The manifest reader's answers to hostile input, one precise case each (the e2e walk over
// fixtures/bad/ checks the same through the CLI; the property tests look for new ones).
import { describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_READ_OPTIONS, parseFileInto, readManifests, type ReadResult } from '../../src/inventory/read-manifests.js';

function read(text: string | Buffer): ReadResult {
  const r: ReadResult = { objects: [], problems: [], sources: [], nonObjects: 0, partialView: false };
  parseFileInto('in.yaml', Buffer.isBuffer(text) ? text : Buffer.from(text), DEFAULT_READ_OPTIONS, r);
  return r;
}
const messages = (r: ReadResult) => r.problems.map((p) => p.message);

describe('encodings', () => {
  test('UTF-16 and UTF-32 with a byte-order mark are named, not called binary', () => {
    expect(messages(read(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a: b\n', 'utf16le')])))).toEqual(['in.yaml:1:1: UTF-16LE text, not UTF-8; save the file as UTF-8']);
    expect(messages(read(Buffer.from([0xfe, 0xff, 0, 0x61])))).toEqual(['in.yaml:1:1: UTF-16BE text, not UTF-8; save the file as UTF-8']);
    expect(messages(read(Buffer.from([0xff, 0xfe, 0, 0, 0x61, 0, 0, 0])))).toEqual(['in.yaml:1:1: UTF-32LE text, not UTF-8; save the file as UTF-8']);
  });

  test('invalid UTF-8 after CR or CRLF line ends is placed on the line an editor shows', () => {
    expect(messages(read(Buffer.from([0x61, 0x0d, 0x0a, 0x62, 0x0d, 0x63, 0x80])))).toEqual(['in.yaml:3:2: not valid UTF-8 text; save the file as UTF-8']);
  });
});

describe('YAML errors point inside the file', () => {
  test('an error js-yaml reports past the end is clamped to the last line', () => {
    const r = read('apiVersion: v1\n//');
    expect(r.problems[0].location).toMatchObject({ line: 2, column: 3 });
  });

  test('a control character is named and placed where it is', () => {
    expect(messages(read('apiVersion: v1\nkind: Config\u0001Map\n'))).toEqual(['in.yaml:2:13: invalid YAML: a control character (U+0001) is not allowed in YAML; remove it']);
  });

  test('deep nesting says so', () => {
    expect(messages(read(`a: ${'['.repeat(200)}`))[0]).toMatch(/^in\.yaml:1:103: invalid YAML: nested deeper than 100 levels \(the limit\); refusing the document$/);
  });

  test('an alias bomb in a later document points at that document', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 6 }, (_, i) => `${'bcdefg'[i]}: &${'bcdefg'[i]} [${Array(10).fill(`*${'abcdef'[i]}`).join(', ')}]`)].join('\n');
    const r = read(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\n# bomb\n${bomb}\n`);
    expect(r.objects.map((o) => o.ref.name)).toEqual(['ok']);
    expect(r.problems[0].location).toMatchObject({ line: 6, column: 1 });
  });
});

describe('JSON with comments', () => {
  test('the first comment is named', () => {
    expect(messages(read('{\n  "a": 1, // one\n  "b": 2\n}\n'))).toEqual(['in.yaml:2:11: JSON does not allow comments; remove them, or write the file as YAML (# comments)']);
    expect(messages(read('[\n /* x */ {"a": 1}\n]\n'))).toEqual(['in.yaml:2:2: JSON does not allow comments; remove them, or write the file as YAML (# comments)']);
    // blank lines before the JSON count (found by the property test: "\n[//" was placed on line 1)
    expect(messages(read('\n\n[//'))).toEqual(['in.yaml:3:2: JSON does not allow comments; remove them, or write the file as YAML (# comments)']);
  });

  test('URLs inside strings and YAML flow mappings are not comments', () => {
    expect(read('{"url": "http://x//y", "b": [1, 2]}\n').problems).toEqual([]);
    expect(messages(read('{url: http://x, a: [}\n'))[0]).toMatch(/invalid YAML/);
  });
});

describe('objects', () => {
  test('kind: List items that are not objects are each named', () => {
    const r = read('apiVersion: v1\nkind: List\nitems:\n- 5\n- {kind: Deployment}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: ok}}\n');
    expect(messages(r)).toEqual(['in.yaml:4:3: List.items[0] is a number, not a Kubernetes object; skipped', 'in.yaml:5:3: List.items[1] has no apiVersion (string); skipped']);
    expect(r.objects.map((o) => o.ref.name)).toEqual(['ok']);
  });

  test('names and namespaces longer than Kubernetes allows are refused', () => {
    expect(messages(read(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${'n'.repeat(254)}\n`))).toEqual(['in.yaml:4:3: ConfigMap metadata.name is 254 characters long; Kubernetes allows at most 253; skipped']);
    expect(messages(read(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  namespace: ${'n'.repeat(64)}\n`))).toEqual(['in.yaml:5:3: ConfigMap metadata.namespace is 64 characters long; Kubernetes allows at most 63; skipped']);
    expect(read(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${'n'.repeat(253)}\n`).objects).toHaveLength(1);
  });

  test('metadata and metadata.name of the wrong type say what they are', () => {
    expect(messages(read('apiVersion: v1\nkind: ConfigMap\nmetadata: [a]\n'))).toEqual(['in.yaml:3:1: ConfigMap with metadata is a list, not a mapping; skipped']);
    expect(messages(read('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 5\n'))).toEqual(['in.yaml:4:3: ConfigMap with metadata.name is a number, not a string; skipped']);
  });
});

describe('positions', () => {
  test('a sequence item whose value starts on the next line (after a comment) points at the value', () => {
    const r = read('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  list:\n    - # first\n      - inner\n    -\n      k: v\n');
    const o = r.objects[0];
    expect(o.locate(['data', 'list', 0])).toMatchObject({ line: 7, column: 7 });
    expect(o.locate(['data', 'list', 1])).toMatchObject({ line: 9, column: 7 });
  });
});

describe('sizes', () => {
  test('sizes that round alike are printed exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qd-sizes-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), 'x'.repeat(2000));
      writeFileSync(join(dir, 'b.yaml'), 'x'.repeat(2600));
      const r = await readManifests([join(dir, 'a.yaml'), join(dir, 'b.yaml')], { ...DEFAULT_READ_OPTIONS, maxFileBytes: 1999, cwd: dir });
      expect(messages(r)).toEqual(['a.yaml: 2,000 bytes is over the 1,999-byte limit; refusing it (raise it with --max-file-size)', 'b.yaml: 2.5 KiB is over the 2 KiB limit; refusing it (raise it with --max-file-size)']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('stdin is read only up to the limit', async () => {
    let asked: number | undefined;
    const r = await readManifests(['-'], {
      ...DEFAULT_READ_OPTIONS,
      maxFileBytes: 100,
      cwd: '/',
      readStdin: async (max) => {
        asked = max;
        return Buffer.alloc((max ?? 0) + 1, 0x61);
      },
    });
    expect(asked).toBe(100);
    expect(messages(r)).toEqual(['<stdin>: more than 100 B; refusing it (raise the limit with --max-file-size)']);
  });
});
