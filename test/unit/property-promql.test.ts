// Properties of the PromQL builders (src/metrics/promql.ts, queries.ts) checked with a lexer
// written here from the Prometheus lexer's rules (not with the project's own parser or
// unquote): whatever the namespace, queue, consumer or metric names, every query keeps the
// token structure it has with harmless names, no value escapes its string literal, and every
// literal decodes (Go rules, as Prometheus does) to the value or to a regex matching it.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { eq, re, selector, setLabel, str } from '../../src/metrics/promql.js';
import { cpuQuery, durationQuery, gpuUtilizationQuery, hpaQuery, podWorkloadExpr, queueSignalQuery, replicasQuery, startupQuery } from '../../src/metrics/queries.js';
import { QUEUE_SYSTEMS } from '../../rules/queue-systems.js';
import { checkProperty } from '../helpers/property.js';

type Token = { kind: 'string'; value: string } | { kind: 'comment' } | { kind: 'other'; text: string };

/** Go's strconv.Unquote body rules for a double-quoted literal (what Prometheus applies). */
function goUnquote(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\n') throw new Error('raw newline inside a string literal');
    if (c === '"') throw new Error('unescaped quote inside a string literal');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };
    const hex = (len: number) => {
      const h = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) throw new Error(`bad \\${n} escape`);
      i += len;
      return parseInt(h, 16);
    };
    if (n in simple) out += simple[n];
    else if (n === 'x') out += String.fromCharCode(hex(2));
    else if (n === 'u') out += String.fromCodePoint(hex(4));
    else if (n === 'U') out += String.fromCodePoint(hex(8));
    else if (n >= '0' && n <= '7') {
      const o = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o)) throw new Error('bad octal escape');
      out += String.fromCharCode(parseInt(o, 8));
      i += 2;
    } else throw new Error(`unknown escape \\${n}`);
  }
  return out;
}

/** Tokens of a PromQL expression, by the rules of Prometheus's lexer (promql/parser/lex.go). */
function lex(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '#') {
      out.push({ kind: 'comment' });
      const nl = q.indexOf('\n', i);
      i = nl === -1 ? q.length : nl;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < q.length && q[j] !== c) {
        if (q[j] === '\\') j++;
        j++;
      }
      if (j >= q.length) throw new Error(`unterminated string at ${i}`);
      out.push({ kind: 'string', value: goUnquote(q.slice(i + 1, j)) });
      i = j + 1;
    } else if (c === '`') {
      const j = q.indexOf('`', i + 1);
      if (j === -1) throw new Error('unterminated raw string');
      out.push({ kind: 'string', value: q.slice(i + 1, j) });
      i = j + 1;
    } else if (/[A-Za-z_:]/.test(c)) {
      const m = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(q.slice(i))!;
      out.push({ kind: 'other', text: m[0] });
      i += m[0].length;
    } else if (/[0-9.]/.test(c)) {
      const m = /^[0-9.]+(e[+-]?[0-9]+)?/i.exec(q.slice(i))!;
      out.push({ kind: 'other', text: m[0] });
      i += m[0].length;
    } else {
      const two = q.slice(i, i + 2);
      const op = ['=~', '!=', '!~', '==', '<=', '>='].includes(two) ? two : c;
      out.push({ kind: 'other', text: op });
      i += op.length;
    }
  }
  return out;
}

const shape = (tokens: Token[]) => tokens.map((t) => (t.kind === 'string' ? '<str>' : t.kind === 'comment' ? '<comment>' : t.text)).join(' ');

// names a cluster may hand us: anything, with the dangerous characters over-represented
const hostileChar = fc.constantFrom('"', '\\', '\n', '\r', '}', '{', ')', '(', '#', '|', '.', '*', '$', '`', "'", ' ', 'or', 'vector(1)', '\u0000', '\u2028', '\uD800', '🦜', 'é', '\x1b]52;c;', '\x07');
const hostileName = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), fc.array(hostileChar, { minLength: 1, maxLength: 8 }).map((a) => a.join('')));
const hostileList = fc.uniqueArray(hostileName, { minLength: 1, maxLength: 3 });

/** Harmless stand-ins with the same count: the expected structure. */
const benign = (list: string[], tag: string) => list.map((_, i) => `${tag}${i}`);

/** Check `hostile` against `harmless`: same token structure, and each differing literal carries an input. */
function sameMeaning(hostile: string, harmless: string, inputs: string[]): void {
  const a = lex(hostile);
  const b = lex(harmless);
  expect(a.some((t) => t.kind === 'comment')).toBe(false);
  expect(shape(a)).toBe(shape(b));
  const wellFormed = (s: string) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  const values = inputs.map(wellFormed);
  a.forEach((t, k) => {
    const u = b[k];
    if (t.kind !== 'string' || u.kind !== 'string' || t.value === u.value) return;
    if (values.includes(t.value)) return;
    // label_replace's replacement: `$$` is a literal `$`
    if (values.some((v) => v.replace(/\$/g, '$$$$') === t.value)) return;
    // a regex alternation of escaped values: anchored, it matches at least one input, literally
    const rx = new RegExp(`^(?:${t.value})$`, 'u');
    expect(values.some((v) => rx.test(v)), `literal ${JSON.stringify(t.value)} carries none of ${JSON.stringify(values)}`).toBe(true);
  });
}

const GRID = { start: 1_795_800_000, end: 1_795_807_200, step: 30 };

describe('PromQL built from hostile names keeps its meaning', () => {
  test('matchers and selectors: one string literal per value, nothing outside it', async () => {
    await checkProperty(
      fc.property(hostileName, hostileList, (v, list) => {
        const q = `sum(${selector('agent_queue_depth', [eq('namespace', v), re('queue', list)])}) + ${setLabel('up', 'qd', v)}`;
        const h = `sum(${selector('agent_queue_depth', [eq('namespace', 'n'), re('queue', benign(list, 'q'))])}) + ${setLabel('up', 'qd', 'n')}`;
        sameMeaning(q, h, [v, ...list]);
        // the literal itself decodes to the value
        expect(lex(str(v))).toEqual([{ kind: 'string', value: v.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD') }]);
      }),
      { numRuns: 3000 },
    );
  });

  test('Kubernetes queries over hostile namespace names', async () => {
    await checkProperty(
      fc.property(hostileList, (ns) => {
        const b = benign(ns, 'ns');
        sameMeaning(cpuQuery(ns, GRID), cpuQuery(b, GRID), ns);
        sameMeaning(replicasQuery(ns), replicasQuery(b), ns);
        sameMeaning(hpaQuery(ns), hpaQuery(b), ns);
        sameMeaning(gpuUtilizationQuery(ns, GRID), gpuUtilizationQuery(b, GRID), ns);
        sameMeaning(startupQuery(ns, GRID.end, 7200), startupQuery(b, GRID.end, 7200), ns);
        sameMeaning(podWorkloadExpr(ns, GRID.end, 600), podWorkloadExpr(b, GRID.end, 600), ns);
      }),
      { numRuns: 1000 },
    );
  });

  test('every queue system and signal over hostile queue, consumer, namespace and metric names', async () => {
    await checkProperty(
      fc.property(fc.constantFrom(...QUEUE_SYSTEMS), hostileList, hostileList, hostileList, (system, queues, consumers, namespaces) => {
        const filter = { queues, consumers, namespaces };
        const harmless = { queues: benign(queues, 'q'), consumers: benign(consumers, 'c'), namespaces: benign(namespaces, 'ns') };
        const inputs = [...queues, ...consumers, ...namespaces];
        for (const signal of ['backlog', 'inflight', 'throughput', 'enqueued'] as const) {
          const q = queueSignalQuery(system, signal, filter, 30);
          const h = queueSignalQuery(system, signal, harmless, 30);
          if (q === undefined || h === undefined) continue;
          sameMeaning(q, h, inputs);
        }
        const d = durationQuery(system, filter, 7200);
        if (d !== undefined) sameMeaning(d, durationQuery(system, harmless, 7200)!, inputs);
      }),
      { numRuns: 1000 },
    );
  });

  test('the lexer sees what Prometheus sees (a self-check on known strings)', () => {
    expect(shape(lex('sum(m{a="x\\"} or vector(1) #"})'))).toBe('sum ( m { a = <str> } )');
    expect(shape(lex('sum(m{a="x"} or vector(1) #"})'))).toBe('sum ( m { a = <str> } or vector ( 1 ) <comment>');
    expect(() => lex('m{a="x\ny"}')).toThrow(/raw newline/);
    expect(lex('"\\x41\\u00e9\\101"')).toEqual([{ kind: 'string', value: 'AéA' }]);
  });
});
