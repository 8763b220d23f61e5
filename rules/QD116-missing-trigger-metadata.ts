import type { Finding } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { isObj } from '../src/diagnose/keda-values.js';
import { kedaScaler } from './keda-scalers.js';

export const meta: RuleMeta = {
  id: 'QD116',
  slug: 'missing-trigger-metadata',
  severity: 'error',
  title: 'Trigger missing its type or required metadata',
  rationale:
    'A ScaledObject or ScaledJob needs at least one trigger, each with a type and metadata (CRD: triggers minItems 1; ' +
    'type and metadata required), and each scaler needs its own keys — prometheus serverAddress and query, rabbitmq ' +
    'queueName, kafka consumerGroup, SQS queueURL, redis listName … Without them the object is rejected or the scaler ' +
    'fails to start, and nothing scales.',
  fix: 'Add the missing key (the finding names it); see the scaler\'s page on keda.sh for its parameters.',
  needsSignals: false,
  examples: {
    bad: `triggers:
  - type: prometheus
    metadata:
      threshold: "10"          # no serverAddress, no query`,
    good: `triggers:
  - type: prometheus
    metadata:
      serverAddress: http://prometheus.monitoring:9090
      query: sum(rag_queue_depth)
      threshold: "10"`,
  },
  references: ['https://keda.sh/docs/2.20/scalers/', 'kedacore/keda config/crd/bases/keda.sh_scaledobjects.yaml (triggers: minItems 1, required type, metadata)'],
};

export const rule: Rule = {
  meta,
  check({ inventory }) {
    const out: Finding[] = [];
    for (const a of inventory.autoscalers) {
      if (a.kind === 'HorizontalPodAutoscaler') continue;
      const spec = a.object.raw.spec;
      const list = isObj(spec) ? spec.triggers : undefined;
      if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) {
        out.push(finding(meta, a, ['spec', 'triggers'], `${a.kind} ${a.name} has no triggers: KEDA needs at least one (the API server rejects it)`, {}, { fix: 'add a trigger that reads the queue, e.g. type: rabbitmq / kafka / prometheus' }));
        continue;
      }
      if (!Array.isArray(list)) continue; // QD115
      list.forEach((t: unknown, i: number) => {
        if (!isObj(t)) return; // QD115
        const at = ['spec', 'triggers', i];
        const type = typeof t.type === 'string' ? t.type.trim() : '';
        if (type === '') {
          out.push(finding(meta, a, [...at, 'type'], `${a.kind} ${a.name} triggers[${i}] has no type: KEDA cannot pick a scaler`, {}, { fix: 'type: prometheus (or rabbitmq, kafka, aws-sqs-queue, redis, …)' }));
          return;
        }
        const label = `${a.kind} ${a.name} triggers[${i}]${typeof t.name === 'string' && t.name ? ` "${t.name}"` : ''} (${type})`;
        if (t.metadata === undefined || t.metadata === null) {
          out.push(finding(meta, a, [...at, 'metadata'], `${label} has no metadata: the field is required`, { type }, { fix: 'metadata: {…scaler parameters as strings…}' }));
          return;
        }
        if (!isObj(t.metadata)) return; // QD115
        const md = t.metadata;
        const present = (k: string) => (md[k] !== undefined && md[k] !== null && md[k] !== '') || (md[`${k}FromEnv`] !== undefined && md[`${k}FromEnv`] !== '');
        const missing = (kedaScaler(type)?.required ?? []).filter((group) => !group.some(present));
        if (missing.length > 0) {
          const names = missing.map((g) => g.join(' or '));
          const list = names.length === 1 ? `metadata.${names[0]} is` : `metadata.${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are`;
          out.push(
            finding(meta, a, [...at, 'metadata'], `${label}: ${list} missing: KEDA's ${type} scaler requires ${names.length === 1 ? 'it' : 'them'} and fails to start`, { type, missing: names.join(', ') }, {
              fix: missing.map((g) => `${g[0]}: "…"`).join(', '),
            }),
          );
        }
      });
    }
    return out;
  },
};
