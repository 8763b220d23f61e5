import type { Finding } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { kedaBool, rawMetadata, shown, triggerLabel, triggers } from '../src/diagnose/keda-values.js';
import { checkSingleSeries } from '../src/promql/single-series.js';

export const meta: RuleMeta = {
  id: 'QD114',
  slug: 'empty-result-reads-zero',
  severity: 'warning',
  title: 'An empty Prometheus result silently reads as zero',
  rationale:
    'With ignoreNullValues "true" — the default — KEDA\'s prometheus scaler turns an empty result (a renamed metric, a ' +
    'relabelled job, an exporter that stopped) into the value 0 without an error. The worker then scales to its minimum ' +
    'while the queue fills, and nothing alerts. `fallback` does not help: it only acts on scaler errors, and an empty ' +
    'result is not one while ignoreNullValues is true. Queries that can never be empty (`… or vector(0)`) chose zero ' +
    'deliberately and are not reported.',
  fix:
    'Set ignoreNullValues: "false" so a lost series is an error, and add spec.fallback (failureThreshold, replicas) so ' +
    'KEDA holds a safe replica count while the metric is missing.',
  needsSignals: false,
  examples: {
    bad: `triggers:
  - type: prometheus
    metadata:
      query: sum(rag_queue_depth)
      threshold: "10"          # ignoreNullValues defaults to "true"`,
    good: `fallback: {failureThreshold: 3, replicas: 4}
triggers:
  - type: prometheus
    metadata:
      query: sum(rag_queue_depth)
      threshold: "10"
      ignoreNullValues: "false"`,
  },
  references: [
    'https://keda.sh/docs/2.20/scalers/prometheus/',
    'https://keda.sh/docs/2.20/reference/scaledobject-spec/#fallback',
    'kedacore/keda pkg/scalers/prometheus_scaler.go (empty result: 0 when IgnoreNullValues), issues #3065, #5432, #6465',
  ],
};

export const rule: Rule = {
  meta,
  check({ inventory }) {
    const out: Finding[] = [];
    for (const a of inventory.autoscalers) {
      if (a.kind !== 'ScaledObject') continue; // a ScaledJob has no fallback; an empty read there only stops new jobs
      for (const m of triggers(a)) {
        if (m.triggerType !== 'prometheus') continue;
        const md = rawMetadata(a, m);
        if (typeof md.query !== 'string' || md.query.trim() === '') continue;
        const setting = md.ignoreNullValues;
        const ignore = setting === undefined ? true : kedaBool(setting);
        if (ignore !== true) continue; // false, or not a bool (KEDA refuses the trigger; QD115 covers types)
        if (checkSingleSeries(md.query).shape?.neverEmpty) continue;
        const min = a.keda?.minReplicaCount ?? 0;
        const floor = min === 0 ? 'to 0' : `to minReplicaCount ${min}`;
        const fallback = a.keda?.fallback !== undefined;
        const how = setting === undefined ? 'ignoreNullValues is unset (default "true")' : `ignoreNullValues is ${shown(setting)}`;
        const tail = fallback
          ? ' — and the fallback never fires, because an empty result is not an error while ignoreNullValues is true'
          : '';
        out.push(
          finding(
            meta,
            a,
            [...m.path, 'metadata', 'ignoreNullValues'],
            `${triggerLabel(a, m)}: ${how}: if the series is renamed or stops being exported the query returns nothing, KEDA reads 0 and scales the worker ${floor}${tail}`,
            { ignoreNullValues: setting === undefined ? null : shown(setting), fallback, minReplicaCount: min },
            {
              fix: fallback
                ? 'ignoreNullValues: "false" (the existing fallback then takes over when the series is missing)'
                : 'ignoreNullValues: "false", plus spec.fallback: {failureThreshold: 3, replicas: <a count that keeps up without the metric>}',
            },
          ),
        );
      }
    }
    return out;
  },
};
