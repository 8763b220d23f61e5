import type { Finding } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { rawTrigger, shown, triggerLabel, triggers } from '../src/diagnose/keda-values.js';
import { RESOURCE_TRIGGER_TYPES } from './keda-scalers.js';

const TYPES = ['AverageValue', 'Value', 'Utilization'];

export const meta: RuleMeta = {
  id: 'QD117',
  slug: 'invalid-metric-type',
  severity: 'error',
  title: 'Trigger metricType the scaler does not support',
  rationale:
    'A trigger\'s metricType is AverageValue (the default: the value is divided among replicas), Value, or — for cpu and ' +
    'memory triggers only — Utilization. KEDA refuses Utilization on any other scaler ("Utilization is only valid for ' +
    'cpu/memory"), refuses Value on cpu/memory, and rejects unknown spellings, so the trigger never scales.',
  fix: 'Use AverageValue (or Value) for queue and metric triggers, and Utilization or AverageValue for cpu/memory.',
  needsSignals: false,
  examples: {
    bad: `triggers:
  - type: rabbitmq
    metricType: Utilization
    metadata: {queueName: jobs, mode: QueueLength, value: "20"}`,
    good: `triggers:
  - type: rabbitmq
    metricType: AverageValue
    metadata: {queueName: jobs, mode: QueueLength, value: "20"}`,
  },
  references: ['https://keda.sh/docs/2.20/reference/scaledobject-spec/#triggers', 'kedacore/keda pkg/scalers/scaler.go (GetMetricTargetType)', 'https://keda.sh/docs/2.20/scalers/cpu/'],
};

export const rule: Rule = {
  meta,
  check({ inventory }) {
    const out: Finding[] = [];
    for (const a of inventory.autoscalers) {
      for (const m of triggers(a)) {
        const raw = rawTrigger(a, m).metricType;
        if (raw === undefined || raw === null || raw === '') continue;
        const label = triggerLabel(a, m);
        const path = [...m.path, 'metricType'];
        const resource = RESOURCE_TRIGGER_TYPES.has(m.triggerType ?? '');
        if (typeof raw !== 'string' || !TYPES.includes(raw)) {
          const close = typeof raw === 'string' ? TYPES.find((t) => t.toLowerCase() === raw.trim().toLowerCase()) : undefined;
          out.push(
            finding(meta, a, path, `${label}: metricType ${shown(raw)} is not one of ${TYPES.join(', ')}${close ? ` (the spelling is case-sensitive: ${close})` : ''}`, { metricType: shown(raw) }, {
              fix: `metricType: ${close ?? (resource ? 'Utilization' : 'AverageValue')}`,
            }),
          );
        } else if (raw === 'Utilization' && !resource) {
          out.push(
            finding(meta, a, path, `${label}: metricType Utilization is only valid for cpu and memory triggers; KEDA refuses it for ${m.triggerType || 'this trigger'}`, { metricType: raw, trigger: m.triggerType ?? '' }, {
              fix: 'metricType: AverageValue (the value divided among replicas) or Value',
            }),
          );
        } else if (raw === 'Value' && resource) {
          out.push(
            finding(meta, a, path, `${label}: metricType Value is not supported by ${m.triggerType} triggers (Utilization or AverageValue)`, { metricType: raw, trigger: m.triggerType ?? '' }, {
              fix: 'metricType: Utilization',
            }),
          );
        }
      }
    }
    return out;
  },
};
