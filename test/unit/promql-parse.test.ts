// The PromQL parser (src/promql/parse.ts) and the single-series analysis built on it
// (src/promql/single-series.ts) that QD108 and QD113 use.
import { describe, expect, it } from 'vitest';
import { durationSeconds, metricNames, parseNumberText, parsePromQL, PromQLSyntaxError, type Expr } from '../../src/promql/parse.js';
import { checkSingleSeries } from '../../src/promql/single-series.js';

/** A compact, fully parenthesised rendering of the AST, to assert structure and precedence. */
function show(e: Expr): string {
  switch (e.type) {
    case 'number':
      return String(e.value);
    case 'string':
      return JSON.stringify(e.value);
    case 'selector': {
      const m = e.matchers.map((x) => `${x.name}${x.op}${JSON.stringify(x.value)}`).join(',');
      return `${e.name ?? ''}${m ? `{${m}}` : ''}${e.offset ? ` offset ${e.offset}` : ''}${e.at ? ` @ ${e.at}` : ''}`;
    }
    case 'matrix':
      return `${show(e.selector)}[${e.range}]${e.offset ? ` offset ${e.offset}` : ''}`;
    case 'subquery':
      return `${show(e.expr)}[${e.range}:${e.step ?? ''}]${e.offset ? ` offset ${e.offset}` : ''}`;
    case 'call':
      return `${e.func}(${e.args.map(show).join(', ')})`;
    case 'aggregate': {
      const g = e.grouping ? ` ${e.grouping.mode}(${e.grouping.labels.join(',')})` : '';
      return `${e.op}${g}(${e.param ? show(e.param) + ', ' : ''}${show(e.expr)})`;
    }
    case 'unary':
      return `(${e.op}${show(e.expr)})`;
    case 'paren':
      return show(e.expr);
    case 'binary': {
      const mods = [e.bool ? 'bool' : '', e.matching ? `${e.matching.mode}(${e.matching.labels.join(',')})` : '', e.group ? `group_${e.group.side}(${e.group.include.join(',')})` : '']
        .filter(Boolean)
        .join(' ');
      return `(${show(e.lhs)} ${e.op}${mods ? ' ' + mods : ''} ${show(e.rhs)})`;
    }
  }
}

const p = (q: string) => show(parsePromQL(q));

function syntaxError(q: string): PromQLSyntaxError {
  try {
    parsePromQL(q);
  } catch (e) {
    if (e instanceof PromQLSyntaxError) return e;
    throw e;
  }
  throw new Error(`expected a syntax error for ${q}`);
}

describe('parsePromQL: literals and selectors', () => {
  it('parses number literals in every PromQL form', () => {
    expect(p('1')).toBe('1');
    expect(p('1.5')).toBe('1.5');
    expect(p('.5')).toBe('0.5');
    expect(p('1e3')).toBe('1000');
    expect(p('1.5E-3')).toBe('0.0015');
    expect(p('0x1F')).toBe('31');
    expect(p('1_000')).toBe('1000');
    expect(p('Inf')).toBe('Infinity');
    expect(p('-Inf')).toBe('-Infinity');
    expect(p('NaN')).toBe('NaN');
    expect(p('-5')).toBe('-5');
    expect(p('5m')).toBe('300'); // a duration used as seconds (Prometheus 3)
    expect(parseNumberText('1.2.3')).toBeUndefined();
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('250ms')).toBe(0.25);
    expect(durationSeconds('5x')).toBeUndefined();
  });

  it('parses strings with escapes, single quotes and raw backticks', () => {
    expect(parsePromQL('"a\\"b\\n"')).toMatchObject({ type: 'string', value: 'a"b\n' });
    expect(parsePromQL("'it\\'s'")).toMatchObject({ type: 'string', value: "it's" });
    expect(parsePromQL('`raw\\n`')).toMatchObject({ type: 'string', value: 'raw\\n' });
    expect(parsePromQL('"\\x41\\u00e9"')).toMatchObject({ value: 'Aé' });
  });

  it('parses selectors with every matcher type, __name__ and quoted names', () => {
    expect(p('up')).toBe('up');
    expect(p('job:rate5m:sum')).toBe('job:rate5m:sum');
    expect(p('up{job="a", instance!="b", env=~"p.*", zone!~"x|y",}')).toBe('up{job="a",instance!="b",env=~"p.*",zone!~"x|y"}');
    expect(p('{__name__="up", job="a"}')).toBe('up{job="a"}');
    expect(p('{"my.metric", job="a"}')).toBe('my.metric{job="a"}');
    expect(p('{__name__=~"rabbitmq_.*"}')).toBe('{__name__=~"rabbitmq_.*"}');
    expect(p('x{on="a", by="b"}')).toBe('x{on="a",by="b"}'); // keywords are fine as label names
    expect(p('by + offset')).toBe('(by + offset)'); // … and as metric names
  });

  it('parses ranges, subqueries, offset and @ modifiers', () => {
    expect(p('x[5m]')).toBe('x[5m]');
    expect(p('x[1h30m] offset -5m')).toBe('x[1h30m] offset -5m');
    expect(p('x offset 1d')).toBe('x offset 1d');
    expect(p('x @ 1609746000')).toBe('x @ 1609746000');
    expect(p('x @ end()')).toBe('x @ end()');
    expect(p('rate(x[5m])[30m:1m]')).toBe('rate(x[5m])[30m:1m]');
    expect(p('max_over_time(sum(x)[10m:])')).toBe('max_over_time(sum(x)[10m:])');
    expect(p('x[300]')).toBe('x[300]'); // seconds as a number (Prometheus 3)
  });
});

describe('parsePromQL: operators, aggregations and functions', () => {
  it('follows PromQL precedence and associativity', () => {
    expect(p('a + b * c')).toBe('(a + (b * c))');
    expect(p('a - b - c')).toBe('((a - b) - c)');
    expect(p('a ^ b ^ c')).toBe('(a ^ (b ^ c))');
    expect(p('-a ^ 2')).toBe('(-(a ^ 2))');
    expect(p('2 ^ -1')).toBe('(2 ^ -1)');
    expect(p('a or b and c')).toBe('(a or (b and c))');
    expect(p('a unless b or c')).toBe('((a unless b) or c)');
    expect(p('a > b + 1')).toBe('(a > (b + 1))');
    expect(p('a atan2 b + c')).toBe('((a atan2 b) + c)');
    expect(p('(a + b) * c')).toBe('((a + b) * c)');
    expect(p('a == bool b')).toBe('(a == bool b)');
  });

  it('parses vector matching modifiers', () => {
    expect(p('a / on(job) b')).toBe('(a / on(job) b)');
    expect(p('a / ignoring(code) group_left b')).toBe('(a / ignoring(code) group_left() b)');
    expect(p('a * on(pod) group_right(node, zone) b')).toBe('(a * on(pod) group_right(node,zone) b)');
    expect(p('a or on() vector(0)')).toBe('(a or on() vector(0))');
    expect(p('a > bool on(x) b')).toBe('(a > bool on(x) b)');
  });

  it('parses aggregations with grouping before or after the body, and parameters', () => {
    expect(p('sum(x)')).toBe('sum(x)');
    expect(p('sum by (queue) (x)')).toBe('sum by(queue)(x)');
    expect(p('sum(x) by (queue, vhost)')).toBe('sum by(queue,vhost)(x)');
    expect(p('max without (pod) (x)')).toBe('max without(pod)(x)');
    expect(p('sum by () (x)')).toBe('sum by()(x)');
    expect(p('topk(1, x)')).toBe('topk(1, x)');
    expect(p('quantile(0.9, x)')).toBe('quantile(0.9, x)');
    expect(p('count_values("v", x)')).toBe('count_values("v", x)');
    expect(p('SUM(x)')).toBe('sum(x)');
  });

  it('parses function calls', () => {
    expect(p('histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))')).toBe('histogram_quantile(0.99, sum by(le)(rate(x_bucket[5m])))');
    expect(p('label_replace(x, "dst", "$1", "src", "(.*)")')).toBe('label_replace(x, "dst", "$1", "src", "(.*)")');
    expect(p('time()')).toBe('time()');
    expect(p('vector(0)')).toBe('vector(0)');
  });

  it('skips comments and newlines', () => {
    expect(p('sum( # backlog\n  x{q="a"} # only this queue\n)')).toBe('sum(x{q="a"})');
  });

  it('records source spans of nodes', () => {
    const e = parsePromQL('  sum(x) + 1');
    expect(e).toMatchObject({ type: 'binary', start: 2, end: 12, opStart: 9 });
  });

  it('lists the metric names a query reads', () => {
    expect(metricNames(parsePromQL('sum(a{q="x"}) + sum(rate(b[5m])) / on() c offset 1m + sum(a)'))).toEqual(['a', 'b', 'c']);
    expect(metricNames(parsePromQL('sum({__name__="q_ready"})'))).toEqual(['q_ready']);
  });
});

describe('parsePromQL: errors name what failed and where', () => {
  const cases: Array<[string, RegExp, number]> = [
    ['sum(x', /expected "\)" to close sum\(, found end of query/, 6],
    ['sum(x))', /unbalanced "\)"/, 7],
    ['x{job="a"', /expected "," or "}"/, 10],
    ['x{job=a}', /expected a quoted value for label job/, 7],
    ['x{job~"a"}', /unexpected character "~"/, 6],
    ['x[5]m', /unexpected "m" after a complete expression/, 5],
    ['x[5x]', /bad number or duration "5x"/, 3],
    ['sum(x)[5m]', /ranges are only allowed on vector selectors/, 7],
    ['x[5m][10m:1m]', /subquery is only allowed on an instant vector/, 6],
    ['sum(x) offset 5m', /offset modifier must follow a selector/, 8],
    ['x offset 5m offset 1m', /offset may not be set multiple times/, 13],
    ['"abc', /unterminated string/, 1],
    ['{}', /needs a metric name or a matcher/, 1],
    ['{job=""}', /needs a metric name or a matcher/, 1],
    ['a and bool b', /bool modifier can only be used on comparison operators/, 7],
    ['a or on(x) group_left b', /no grouping \(group_left\) allowed for "or"/, 12],
    ['a + group_left b', /group_left must follow on/, 5],
    ['topk(x)', /topk takes a parameter and a vector/, 1],
    ['sum(a, b)', /sum takes one vector expression, got 2 arguments/, 1],
    ['sum by (x) (y) by (z)', /two grouping clauses/, 16],
    ['a +', /unexpected end of query \(the query is incomplete\)/, 4],
    ['sum(x,)', /trailing comma in sum\(…\)/, 6],
    ['abs(x, )', /trailing comma in abs\(…\)/, 6],
    ['x @ foo', /expected a timestamp, start\(\) or end\(\) after @/, 5],
  ];
  it.each(cases)('%s', (query, message, column) => {
    const err = syntaxError(query);
    expect(err.message).toMatch(message);
    expect(err.column).toBe(column);
    expect(err.line).toBe(1);
  });

  it('reports line and column inside multi-line queries', () => {
    const err = syntaxError('sum(\n  x{a="b"}\n  +)');
    expect(err).toMatchObject({ line: 3, column: 4 });
  });
});

describe('checkSingleSeries: the top-level shape KEDA reads', () => {
  const single = [
    'sum(rabbitmq_queue_messages{queue="jobs"})',
    'max(x)',
    'min(x)',
    'avg(x)',
    'count(x)',
    'group(x)',
    'stddev(x)',
    'quantile(0.9, x)',
    'sum by () (x)',
    'sum(x) by ()',
    'topk(1, x)',
    'bottomk(1, x)',
    'topk(1, sum by (queue) (x))',
    'limitk(1, x)',
    'vector(1)',
    'vector(scalar(x))',
    'sum(a) + sum(b)',
    'sum(a) / sum(b) * 100',
    'sum(x) * 2',
    '2 * sum(x)',
    'sum(x) > 5',
    '(sum(x))',
    '-sum(x)',
    'abs(sum(x))',
    'clamp_min(sum(x), 0)',
    'clamp_min(sum(a) - sum(b), 0)',
    'round(sum(x), 1)',
    'ceil(sum(rate(x[5m])) / 10)',
    'sum(x) or vector(0)',
    'sum(x) or on() vector(0)',
    'topk(1, x) or on() vector(0)',
    'sum(x) and on() vector(1)',
    'sum(x) unless on() absent(y)',
    'histogram_quantile(0.99, sum by (le) (rate(job_duration_seconds_bucket[5m])))',
    'histogram_quantile(0.99, sum(rate(job_duration_seconds[5m])))',
    'max_over_time(sum(x)[10m:1m])',
    'sum(x offset 5m)',
    'sum(x @ end())',
    'absent(x)',
    'sum(x) * on() group_left sum(y)',
    'sum by (queue) (x{queue="jobs"})',
    'topk by (queue) (1, x{queue="jobs"})',
    'histogram_quantile(0.9, sum by (le, queue) (rate(d_bucket{queue="jobs"}[5m])))',
    'sum by (queue) (a{queue="q1"}) / on(queue) sum by (queue) (b{queue="q1"})',
    'time() - time() + sum(x)',
    'label_replace(sum(x), "a", "b", "", "")',
    'sum(x) + on() sum(y)',
    'hour()',
    'sum({__name__=~"q_(ready|unacked)"})',
  ];
  it.each(single)('single: %s', (q) => {
    const r = checkSingleSeries(q);
    expect(r.status, r.message).toBe('single');
  });

  const multiple: Array<[string, RegExp, string]> = [
    ['rabbitmq_queue_messages_ready{queue="jobs"}', /`rabbitmq_queue_messages_ready\{queue="jobs"\}` is not aggregated: it returns one series per label set/, 'sum(rabbitmq_queue_messages_ready{queue="jobs"})'],
    ['sum by (queue) (x)', /`sum by \(queue\)` keeps one series per queue/, 'sum(x)'],
    ['sum(x) by (queue, vhost)', /keeps one series per \(queue, vhost\) combination/, 'sum(x)'],
    ['max without (pod) (x)', /`max without \(pod\)` keeps one series per label set except pod/, 'max(x)'],
    ['topk(3, x)', /`topk\(3, …\)` returns up to 3 series/, 'sum(topk(3, x))'],
    ['topk by (queue) (1, x)', /returns up to 1 series per queue/, 'sum(topk by (queue) (1, x))'],
    ['topk(scalar(y), x)', /its k is not the literal 1/, 'sum(topk(scalar(y), x))'],
    ['count_values("version", x)', /`count_values` returns one series per distinct value/, 'sum(count_values("version", x))'],
    ['rate(x[5m])', /`x` is not aggregated/, 'sum(rate(x[5m]))'],
    ['abs(x)', /`x` is not aggregated/, 'sum(abs(x))'],
    ['x * 2', /`x` is not aggregated/, 'sum(x * 2)'],
    ['a / b', /both sides of `\/` can return several series: `a` is not aggregated/, 'sum(a / b)'],
    ['topk(1, x) or vector(0)', /`or` also returns the right side \(`vector\(0\)`\) when its labels differ/, 'topk(1, x) or on() vector(0)'],
    ['sum(x) or y', /`y` is not aggregated/, 'sum(sum(x) or y)'],
    ['histogram_quantile(0.99, sum by (le, queue) (rate(d_bucket[5m])))', /`histogram_quantile` returns one series per queue/, 'sum(histogram_quantile(0.99, sum by (le, queue) (rate(d_bucket[5m]))))'],
    ['histogram_quantile(0.99, rate(d_bucket[5m]))', /returns one series per label set besides le/, 'sum(histogram_quantile(0.99, rate(d_bucket[5m])))'],
    ['x and on() vector(1)', /`x` is not aggregated/, 'sum(x and on() vector(1))'],
    ['sum(x) * on() group_right y', /`y` is not aggregated/, 'sum(sum(x) * on() group_right y)'],
    ['label_replace(x, "a", "b", "", "")', /`x` is not aggregated/, 'sum(label_replace(x, "a", "b", "", ""))'],
    ['sort_desc(sum by (q) (x))', /keeps one series per q/, 'sum(sort_desc(sum by (q) (x)))'],
    ['sum by (queue) (x) * on() group_left sum(y)', /`sum by \(queue\)` keeps one series per queue/, 'sum(sum by (queue) (x) * on() group_left sum(y))'],
    ['sum by (queue) (x{queue=~"a|b"})', /keeps one series per queue/, 'sum(x{queue=~"a|b"})'],
    ['sum by (queue) (label_replace(x{queue="a"}, "queue", "$1", "q", "(.*)"))', /keeps one series per queue/, 'sum(label_replace(x{queue="a"}, "queue", "$1", "q", "(.*)"))'],
  ];
  it.each(multiple)('multiple: %s', (q, message, fix) => {
    const r = checkSingleSeries(q);
    expect(r.status).toBe('multiple');
    expect(r.message).toMatch(message);
    expect(r.fix).toBe(fix);
    // the suggested fix really is a single series
    expect(checkSingleSeries(r.fix!).status).toBe('single');
  });

  it('points at the node that keeps several series', () => {
    const r = checkSingleSeries('sum(a) + on() group_left sum by (queue) (b)');
    expect(r.status).toBe('invalid'); // on() collapses the right side: duplicate match group
    const m = checkSingleSeries('clamp_min(\n  sum by (queue) (x), 0)');
    expect(m).toMatchObject({ status: 'multiple', line: 2, column: 3, position: 13 });
  });

  it('rejects scalars, strings and range vectors at the top', () => {
    expect(checkSingleSeries('5')).toMatchObject({ status: 'not-vector', fix: 'vector(5)' });
    expect(checkSingleSeries('scalar(sum(x))')).toMatchObject({ status: 'not-vector', message: expect.stringMatching(/returns a scalar/) });
    expect(checkSingleSeries('scalar(sum(x)) * 2').status).toBe('not-vector');
    expect(checkSingleSeries('"text"').message).toMatch(/returns a string/);
    expect(checkSingleSeries('x[5m]').message).toMatch(/returns a range vector \(`x\[5m\]`\)/);
    expect(checkSingleSeries('sum(x)[5m:1m]').status).toBe('not-vector');
  });

  it('finds queries Prometheus rejects or that can never return a value', () => {
    expect(checkSingleSeries('rate(x)')).toMatchObject({ status: 'invalid', message: expect.stringMatching(/rate\(\) expects a range vector as argument 1, got an instant vector \(add a range: rate\(x\[5m\]\)\)/) });
    expect(checkSingleSeries('sum(x[5m])').message).toMatch(/sum\(\) needs an instant vector, `x\[5m\]` is a range vector/);
    expect(checkSingleSeries('topk("a", x)').message).toMatch(/topk\(\) expects a scalar as its parameter, got a string/);
    expect(checkSingleSeries('1 > 2').message).toMatch(/need the bool modifier/);
    expect(checkSingleSeries('1 > bool 2').status).toBe('not-vector');
    expect(checkSingleSeries('1 and 2').message).toMatch(/`and` needs instant vectors on both sides/);
    expect(checkSingleSeries('histogram_quantile(sum(x))').message).toMatch(/histogram_quantile\(\) takes 2 arguments, got 1/);
    expect(checkSingleSeries('x[5m] + 1').message).toMatch(/the left side of `\+` is a range vector/);
    const never = checkSingleSeries('sum(rabbitmq_queue_messages_ready) + sum by (queue) (rabbitmq_queue_messages_unacked)');
    expect(never.status).toBe('invalid');
    expect(never.message).toMatch(/the two sides of `\+` never match: .* has labels \{\}, .* has \{queue\}, so the result is always empty/);
    const dup = checkSingleSeries('sum(a) / on() b');
    expect(dup.message).toMatch(/on\(\) leaves no label to tell the series of `b` apart/);
  });

  it('reports syntax errors with a position', () => {
    expect(checkSingleSeries('sum(rate(x[5m])')).toMatchObject({ status: 'unparseable', line: 1, column: 16 });
  });

  it('does not guess about functions it does not know', () => {
    expect(checkSingleSeries('my_new_func(x)').status).toBe('unknown');
    expect(checkSingleSeries('sum(my_new_func(x))').status).toBe('single');
  });

  it('knows when a result can never be empty', () => {
    expect(checkSingleSeries('sum(x) or vector(0)').shape?.neverEmpty).toBe(true);
    expect(checkSingleSeries('(sum(x) or vector(0)) * 2').shape?.neverEmpty).toBe(true);
    expect(checkSingleSeries('sum(x)').shape?.neverEmpty).toBe(false);
    expect(checkSingleSeries('sum(x) or vector(0) > 1').shape?.neverEmpty).toBe(false);
  });
});
