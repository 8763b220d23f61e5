import type { Finding } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { rawMetadata, triggerLabel, triggers } from '../src/diagnose/keda-values.js';
import { checkSingleSeries } from '../src/promql/single-series.js';

export const meta: RuleMeta = {
  id: 'QD108',
  slug: 'prometheus-query-not-aggregated',
  severity: 'error',
  title: 'Prometheus trigger query does not return exactly one series',
  rationale:
    'KEDA\'s prometheus scaler reads one value: a result with two or more series fails with "prometheus query … returned ' +
    'multiple elements" (the trigger errors and the workload stops scaling), a scalar result cannot be decoded, and a range ' +
    'vector yields no value. queue-doctor parses the query and follows its outermost expression — aggregations, grouping, ' +
    'topk/bottomk, binary operators and their vector matching, `or` — to decide whether it can return more than one series; ' +
    'it also reports queries that Prometheus rejects or whose sides can never match.',
  fix:
    'Make the outermost expression a single-series aggregation: sum(…) (or max(…) for the busiest series) without `by`, ' +
    '`topk(1, …)`, or `… or on() vector(0)` for a default.',
  needsSignals: false,
  examples: {
    bad: `triggers:
  - type: prometheus
    metadata:
      query: sum by (queue) (rabbitmq_queue_messages{queue=~"rag-.*"})   # one series per queue
      threshold: "10"`,
    good: `triggers:
  - type: prometheus
    metadata:
      query: sum(rabbitmq_queue_messages{queue=~"rag-.*"})
      threshold: "10"`,
  },
  references: [
    'https://keda.sh/docs/2.20/scalers/prometheus/',
    'kedacore/keda pkg/scalers/prometheus_scaler.go (ExecutePromQuery: "returned multiple elements")',
    'https://prometheus.io/docs/prometheus/latest/querying/operators/#vector-matching',
  ],
};

export const rule: Rule = {
  meta,
  check({ inventory }) {
    const out: Finding[] = [];
    for (const a of inventory.autoscalers) {
      for (const m of triggers(a)) {
        if (m.triggerType !== 'prometheus') continue;
        const query = rawMetadata(a, m).query;
        if (typeof query !== 'string' || query.trim() === '') continue; // QD115/QD116 report those
        const r = checkSingleSeries(query);
        if (r.status === 'single' || r.status === 'unknown') continue;
        const label = triggerLabel(a, m);
        // where in the query, unless the culprit is the whole query
        const atStart = r.position !== undefined && r.position <= query.length - query.trimStart().length;
        const where =
          r.line !== undefined && r.column !== undefined && !(r.status === 'multiple' && atStart)
            ? ` (query ${r.line > 1 ? `line ${r.line}, ` : ''}column ${r.column})`
            : '';
        let message: string;
        switch (r.status) {
          case 'unparseable':
            message = `${label}: cannot parse the query: ${r.message}${where}`;
            break;
          case 'invalid':
            message =
              r.problem === 'type'
                ? `${label}: Prometheus rejects the query: ${r.message}${where}`
                : `${label}: ${r.message}${where}`;
            break;
          case 'not-vector':
            message = `${label}: the query ${r.message}`;
            break;
          default:
            message = `${label}: the query can return several series — ${r.message}${where}; KEDA then fails with "returned multiple elements"`;
        }
        out.push(
          finding(meta, a, [...m.path, 'metadata', 'query'], message, { query, status: r.status, queryColumn: r.column ?? null, queryLine: r.line ?? null }, {
            // a rewritten query, or advice when no rewrite is certain
            fix: r.fix && (r.status === 'multiple' || r.fix.startsWith('vector(')) ? `query: ${r.fix}` : r.fix,
          }),
        );
      }
    }
    return out;
  },
};
