// The PromQL builder: one escaper for every cluster-provided value, property-tested, and the
// batched queries' shape (parsed with src/promql/parse.ts; real Prometheus runs them in
// test/integration/prometheus.test.ts).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { by, duration, eq, labelName, metricName, neq, re, regexLiteral, selector, setLabel, str, unquote } from '../../src/metrics/promql.js';
import { parsePromQL, walk, type Expr } from '../../src/promql/parse.js';
import { checkSingleSeries } from '../../src/promql/single-series.js';
import {
  cpuQuery,
  discoveryNamePattern,
  discoveryQuery,
  durationQuery,
  gpuUtilizationQuery,
  hpaQuery,
  podWorkloadExpr,
  queueSignalQuery,
  rateWindow,
  replicasQuery,
  startupQuery,
  bindingQuery,
} from '../../src/metrics/queries.js';
import { QUEUE_SYSTEMS, queueSystem } from '../../rules/queue-systems.js';
import { candidatesFrom } from '../../src/metrics/binding.js';

const HOSTILE = ['x"} or vector(1) #', 'a\\"b', 'line\nbreak', '$1 ${x}', '.*', 'q|r', '(?i)x', '\u0000nul', '🦜 é', '"', '\\'];

function selectors(e: Expr) {
  return [...walk(e)].filter((n) => n.type === 'selector') as Array<Extract<Expr, { type: 'selector' }>>;
}

describe('str(): PromQL string literals', () => {
  it('round-trips any string through Go unquoting', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const lit = str(s);
        expect(unquote(lit)).toBe(s);
        // nothing can end the literal early or start a comment outside it
        expect(lit.slice(1, -1)).not.toMatch(/(^|[^\\])(\\\\)*"/);
        expect(lit).not.toContain('\n');
      }),
      { numRuns: 2000 },
    );
  });

  it('replaces lone surrogates (not sendable as UTF-8)', () => {
    expect(unquote(str('a\uD800b'))).toBe('a\uFFFDb');
  });

  it('a hostile value stays one matcher value: the query keeps its shape', () => {
    for (const h of HOSTILE) {
      const q = `sum(${selector('agent_queue_depth', [eq('namespace', 'rag'), eq('queue', h)])})`;
      const ast = parsePromQL(q);
      expect(ast.type).toBe('aggregate');
      const sels = selectors(ast);
      expect(sels).toHaveLength(1);
      expect(sels[0].matchers.find((m) => m.name === 'queue')).toEqual({ name: 'queue', op: '=', value: h });
    }
  });
});

describe('regex matchers', () => {
  it('re() matches exactly the listed values, literally', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 8 }), { minLength: 1, maxLength: 5 }), fc.string({ unit: 'grapheme', maxLength: 8 }), (values, probe) => {
        const m = re('queue', values);
        const pattern = unquote(m.slice('queue=~'.length));
        // Prometheus anchors regexes; JS and RE2 agree on escaped literals
        const rx = new RegExp(`^(?:${pattern})$`, 'u');
        for (const v of values) expect(rx.test(v)).toBe(true);
        expect(rx.test(probe)).toBe(values.includes(probe));
      }),
      { numRuns: 1000 },
    );
  });

  it('escapes RE2 metacharacters', () => {
    expect(regexLiteral('a.b*c+(d)|[e]{f}^$?\\')).toBe('a\\.b\\*c\\+\\(d\\)\\|\\[e\\]\\{f\\}\\^\\$\\?\\\\');
    expect(re('q', ['b', 'a', 'b'])).toBe('q=~"a|b"');
    expect(re('q', ['x.y'])).toBe('q=~"x\\\\.y"');
  });
});

describe('names are validated, not escaped', () => {
  it('rejects label and metric names that are not identifiers', () => {
    expect(() => labelName('bad-label')).toThrow(/not a valid Prometheus label name/);
    expect(() => metricName('x"}')).toThrow(/not a valid Prometheus metric name/);
    expect(() => eq('a b', 'x')).toThrow();
    expect(by(['a', 'b', 'a'])).toBe('by (a, b)');
    expect(neq('container', '')).toBe('container!=""');
    expect(duration(299.6)).toBe('300s');
    expect(setLabel('up', 'qd', '$1')).toBe('label_replace(up, "qd", "$$1", "", "")');
  });
});

describe('batched queries', () => {
  const ns = ['rag', 'x"} or vector(1) #'];

  it('all parse, and hostile namespaces stay matcher values', () => {
    const g = { start: 0, end: 7200, step: 30 };
    const queries = [discoveryQuery(7200), cpuQuery(ns, g), replicasQuery(ns), hpaQuery(ns), gpuUtilizationQuery(ns, g), startupQuery(ns, 7200, 7200), podWorkloadExpr(ns, 7200, 600)];
    for (const q of queries) {
      const ast = parsePromQL(q);
      for (const s of selectors(ast)) {
        for (const m of s.matchers.filter((x) => x.name === 'namespace')) expect(m.value).toBe(m.op === '=~' ? 'rag|x"\\} or vector\\(1\\) #' : m.value);
      }
    }
  });

  it('discovery covers every backlog metric of the catalogue and the generic pattern', () => {
    const pattern = new RegExp(`^(?:${discoveryNamePattern()})$`);
    for (const s of QUEUE_SYSTEMS) {
      for (const v of s.backlog.variants) if (!v.namePattern) for (const n of [v.metric].flat()) expect(pattern.test(n), n).toBe(true);
    }
    expect(pattern.test('transcode_queue_length')).toBe(true);
    expect(pattern.test('http_requests_total')).toBe(false);
  });

  it('CPU: containers only (no pod cgroup, no pause), requests, step-invariant ownership joins, by workload', () => {
    const q = cpuQuery(['rag'], { start: 0, end: 7200, step: 30 });
    expect(q).toContain('container_cpu_usage_seconds_total{container!="", container!="POD", namespace="rag"}');
    expect(q).toContain('[300s]');
    expect(q).toContain('kube_pod_container_resource_requests{resource="cpu", namespace="rag"}');
    expect(q).toContain('kube_pod_container_resource_requests_cpu_cores{namespace="rag"}');
    expect(q).toContain('last_over_time(kube_pod_owner{owner_kind="ReplicaSet", namespace="rag"}[7500s] @ 7200)');
    expect(q).toMatch(/^100 \* sum by \(namespace, owner_kind, workload\) \(/);
    expect(q).not.toMatch(/pod=~/); // never per-pod regexes
    expect(rateWindow(120)).toBe(480);
    expect(hpaQuery(['rag'])).toBe(
      '{__name__=~"kube_horizontalpodautoscaler_info|kube_horizontalpodautoscaler_spec_max_replicas|kube_horizontalpodautoscaler_spec_min_replicas|kube_horizontalpodautoscaler_spec_target_metric|kube_horizontalpodautoscaler_status_current_replicas|kube_horizontalpodautoscaler_status_desired_replicas", namespace="rag"}',
    );
  });

  it('every catalogue signal builds a parseable batched query, one aggregation per variant', () => {
    for (const s of QUEUE_SYSTEMS) {
      for (const signal of ['backlog', 'inflight', 'throughput', 'enqueued'] as const) {
        const q = queueSignalQuery(s, signal, { queues: ['a', 'b"c'], consumers: ['g'], namespaces: ['ns'], metrics: ['x_queue_depth'] }, 30);
        if (!s[signal]) {
          expect(q).toBeUndefined();
          continue;
        }
        const ast = parsePromQL(q!);
        if (s[signal]!.variants.length > 1) expect(q).toContain('"qd_v", "1"');
        expect(['aggregate', 'binary', 'call'].includes(ast.type)).toBe(true);
      }
      const d = durationQuery(s, { queues: ['a'] }, 7200);
      if (s.duration) expect(() => parsePromQL(d!)).not.toThrow();
    }
  });

  it('per-binding queries (what a KEDA prometheus trigger runs) return a single series', () => {
    const rows = [
      { __name__: 'agent_queue_depth', namespace: 'rag', queue: 'default' },
      { __name__: 'kafka_consumergroup_lag', namespace: 'queues', consumergroup: 'g', topic: 't' },
      { __name__: 'celery_queue_length', queue_name: 'a' },
      { __name__: 'celery_queue_length', queue_name: 'b' },
      { __name__: 'transcode_queue_length', namespace: 'cat', queue: 'video' },
      { __name__: 'aws_sqs_approximate_number_of_messages_visible_average', queue_name: 'thumbs' },
    ];
    const c = candidatesFrom(rows as unknown as Array<Record<string, string>>);
    const bySystem = (id: string) => c.filter((x) => x.system.id === id);
    expect(bindingQuery(queueSystem('agent-queue')!, 'backlog', bySystem('agent-queue'))).toBe('sum(max by (namespace, queue) (agent_queue_depth{namespace="rag", queue="default"}))');
    expect(bindingQuery(queueSystem('kafka-exporter')!, 'backlog', bySystem('kafka-exporter'))).toBe(
      'sum(sum by (topic, consumergroup) (max by (topic, consumergroup, partition) ((kafka_consumergroup_lag{topic="t", consumergroup="g"} >= 0))))',
    );
    expect(bindingQuery(queueSystem('celery')!, 'backlog', bySystem('celery'))).toBe('sum(max by (queue_name) (celery_queue_length{queue_name=~"a|b"}))');
    // the SQS variant is pinned to the label it was seen with (cloudwatch_exporter's queue_name)
    expect(bindingQuery(queueSystem('aws-sqs')!, 'backlog', bySystem('aws-sqs'))).toBe('sum(max by (queue_name) (aws_sqs_approximate_number_of_messages_visible_average{queue_name="thumbs"}))');
    for (const sys of new Set(c.map((x) => x.system))) {
      for (const signal of ['backlog', 'inflight', 'throughput', 'enqueued'] as const) {
        if (!sys[signal]) continue;
        const q = bindingQuery(sys, signal, c.filter((x) => x.system === sys));
        expect(checkSingleSeries(q).status, `${sys.id} ${signal}: ${q}`).toBe('single');
      }
    }
  });
});
