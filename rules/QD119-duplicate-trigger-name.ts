import type { Finding } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { triggers } from '../src/diagnose/keda-values.js';

export const meta: RuleMeta = {
  id: 'QD119',
  slug: 'duplicate-trigger-name',
  severity: 'error',
  title: 'Two triggers with the same name',
  rationale:
    'Trigger names identify triggers in scalingModifiers formulas and in metrics; KEDA\'s webhook rejects a ScaledObject ' +
    'or ScaledJob whose triggers share a name ("triggerName … is defined multiple times").',
  fix: 'Give every named trigger a unique name.',
  needsSignals: false,
  examples: {
    bad: `triggers:
  - {name: queue, type: rabbitmq, metadata: {queueName: a, mode: QueueLength, value: "20"}}
  - {name: queue, type: rabbitmq, metadata: {queueName: b, mode: QueueLength, value: "20"}}`,
    good: `triggers:
  - {name: queue-a, type: rabbitmq, metadata: {queueName: a, mode: QueueLength, value: "20"}}
  - {name: queue-b, type: rabbitmq, metadata: {queueName: b, mode: QueueLength, value: "20"}}`,
  },
  references: ['https://keda.sh/docs/2.20/concepts/admission-webhooks/', 'kedacore/keda apis/keda/v1alpha1/scaletriggers_types.go (ValidateTriggers)'],
};

export const rule: Rule = {
  meta,
  check({ inventory }) {
    const out: Finding[] = [];
    for (const a of inventory.autoscalers) {
      const seen = new Map<string, number>();
      for (const m of triggers(a)) {
        const name = m.triggerName;
        if (!name) continue;
        const index = Number(m.path[2]);
        const first = seen.get(name);
        if (first === undefined) {
          seen.set(name, index);
          continue;
        }
        out.push(
          finding(meta, a, [...m.path, 'name'], `${a.kind} ${a.name}: triggers[${first}] and triggers[${index}] are both named "${name}": KEDA's webhook rejects it (trigger names must be unique)`, { name, first, duplicate: index }, {
            fix: `rename triggers[${index}], e.g. name: ${name}-${index}`,
          }),
        );
      }
    }
    return out;
  },
};
