// The PromQL parser (src/promql) against Prometheus' own: `promtool check rules` parses and
// type-checks every query of a corpus, and queue-doctor must accept exactly the queries
// Prometheus accepts. The corpus sticks to syntax of Prometheus 2.x (Debian ships 2.42):
// Prometheus 3 additions (quoted metric names, limitk, numeric ranges) are tested in the unit
// tests. Functions queue-doctor does not know are accepted on purpose (newer Prometheus
// versions add functions), so the corpus uses only known ones.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSingleSeries } from '../../src/promql/single-series.js';

const CORPUS = [
  // accepted
  'sum(rabbitmq_queue_messages{queue="jobs"})',
  'max(x)',
  'quantile(0.9, x)',
  'sum by () (x)',
  'sum(x) by ()',
  'sum by (a,) (x)',
  'topk(1, x)',
  'vector(1)',
  'vector(scalar(x))',
  'sum(a) / sum(b) * 100',
  '2 * sum(x)',
  'sum(x) > 5',
  '-sum(x)',
  'abs(sum(x))',
  'clamp_min(sum(a) - sum(b), 0)',
  'round(sum(x), 1)',
  'sum(x) or vector(0)',
  'sum(x) or on() vector(0)',
  'topk(1, x) or on() vector(0)',
  'sum(x) and on() vector(1)',
  'sum(x) unless on() absent(y)',
  'histogram_quantile(0.99, sum by (le) (rate(d_bucket[5m])))',
  'max_over_time(sum(x)[10m:1m])',
  'max_over_time(sum(x)[10m:])',
  'sum(x offset 5m)',
  'x offset -5m',
  'sum(x @ end())',
  'x @ 1609746000',
  'absent(x)',
  'time() - time() + sum(x)',
  'label_replace(sum(x), "a", "b", "", "")',
  'hour()',
  'sum({__name__=~"q_(ready|unacked)"})',
  'rabbitmq_queue_messages_ready{queue="jobs"}',
  'sum by (queue) (x)',
  'max without (pod) (x)',
  'topk(3, x)',
  'topk by (queue) (1, x)',
  'count_values("version", x)',
  'rate(x[5m])',
  'a / b',
  'x and on() vector(1)',
  'sum(x) * on() group_right y',
  'sort_desc(sum by (q) (x))',
  'scalar(sum(x))',
  'x[5m]',
  'sum(x)[5m:1m]',
  '1 > bool 2',
  'a ^ b ^ c',
  '-a ^ 2',
  '2 ^ -1',
  'a atan2 b + c',
  'a / ignoring(code) group_left b',
  'a * on(pod) group_right(node, zone) b',
  'a > bool on(x) b',
  'a == bool b',
  '0x1F',
  '1e3',
  '.5',
  'Inf',
  'NaN',
  'sum( # backlog\n  x{q="a"} # only this queue\n)',
  'SUM(x)',
  'holt_winters(x[5m], 0.5, 0.5)',
  'predict_linear(x[5m], 3600)',
  'quantile_over_time(0.9, x[5m])',
  'x{on="a", by="b"}',
  'job:rate5m:sum',
  'sum without () (x)',
  'count(x) by (a)',
  'bottomk by (q) (2, x)',
  'by + offset',
  "x{a='b'}",
  'x{a=`b`}',
  'rate(x[1h30m])',
  // rejected
  '"text"',
  'rate(x)',
  'sum(x[5m])',
  'topk("a", x)',
  '1 > 2',
  '1 and 2',
  'histogram_quantile(sum(x))',
  'x[5m] + 1',
  'sum(x',
  'sum(x))',
  'sum(x,)',
  'x{job="a"',
  'x{job=a}',
  'x[5]m',
  'sum(x)[5m]',
  'x[5m][10m:1m]',
  'sum(x) offset 5m',
  'x offset 5m offset 1m',
  '"abc',
  '{}',
  '{job=""}',
  'a and bool b',
  'a or on(x) group_left b',
  'a + group_left b',
  'topk(x)',
  'sum(a, b)',
  'sum by (x) (y) by (z)',
  'a +',
  'x @ foo',
  'x[5x]',
  'abs()',
  'vector(x)',
];

const dir = mkdtempSync(join(tmpdir(), 'qd-promtool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Indexes (into CORPUS) of the queries promtool rejects, from one `promtool check rules` run. */
function promtoolRejects(): Set<number> {
  const file = join(dir, 'rules.yaml');
  const rules = CORPUS.map((q, i) => `      - record: qd:rule${i}\n        expr: ${JSON.stringify(q)}`).join('\n');
  writeFileSync(file, `groups:\n  - name: corpus\n    rules:\n${rules}\n`);
  const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
  if (r.error) throw new Error(`promtool not found (${r.error.message}); install the Debian package prometheus`);
  const out = `${r.stdout}\n${r.stderr}`;
  const rejected = new Set<number>();
  for (const m of out.matchAll(/rule (\d+), "qd:rule\d+"/g)) rejected.add(Number(m[1]) - 1);
  // promtool numbers rules from 1; the record name carries our index too: check both agree
  for (const m of out.matchAll(/rule (\d+), "qd:rule(\d+)"/g)) expect(Number(m[1]) - 1).toBe(Number(m[2]));
  return rejected;
}

describe('PromQL parser vs promtool', () => {
  it('promtool is installed', () => {
    expect(execFileSync('promtool', ['--version'], { encoding: 'utf8' })).toMatch(/promtool, version/);
  });

  it('accepts exactly the queries Prometheus accepts', () => {
    const rejected = promtoolRejects();
    expect(rejected.size).toBeGreaterThan(20); // the corpus has both kinds
    const disagree: string[] = [];
    CORPUS.forEach((q, i) => {
      const r = checkSingleSeries(q);
      const mine = r.status === 'unparseable' || (r.status === 'invalid' && r.problem === 'type') ? 'rejects' : 'accepts';
      const theirs = rejected.has(i) ? 'rejects' : 'accepts';
      if (mine !== theirs) disagree.push(`${JSON.stringify(q)}: queue-doctor ${mine} (${r.status}: ${r.message}), promtool ${theirs}`);
    });
    expect(disagree).toEqual([]);
  });
});
