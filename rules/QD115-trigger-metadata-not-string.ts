import type { Finding } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { isObj, shown } from '../src/diagnose/keda-values.js';

export const meta: RuleMeta = {
  id: 'QD115',
  slug: 'trigger-metadata-not-string',
  severity: 'error',
  title: 'Trigger metadata value is not a string',
  rationale:
    'KEDA declares trigger metadata as a map of strings (CRD: additionalProperties type string). An unquoted YAML number, ' +
    'boolean, null, list or mapping (threshold: 5, ignoreNullValues: false) fails the CRD schema, so the API server rejects ' +
    'the whole ScaledObject or ScaledJob at apply time — after CI passed.',
  fix: 'Quote every metadata value: threshold: "5", ignoreNullValues: "false".',
  needsSignals: false,
  examples: {
    bad: `triggers:
  - type: prometheus
    metadata:
      threshold: 5
      ignoreNullValues: false`,
    good: `triggers:
  - type: prometheus
    metadata:
      threshold: "5"
      ignoreNullValues: "false"`,
  },
  references: ['https://keda.sh/docs/2.20/reference/scaledobject-spec/#triggers', 'kedacore/keda config/crd/bases/keda.sh_scaledobjects.yaml (triggers[].metadata)'],
};

/** "a YAML number", "empty (YAML null)", … */
function yamlType(v: unknown): string {
  if (v === null) return 'empty (YAML null)';
  if (Array.isArray(v)) return 'a YAML list';
  if (typeof v === 'object') return 'a YAML mapping';
  return `a YAML ${typeof v}`;
}

export const rule: Rule = {
  meta,
  check({ inventory }) {
    const out: Finding[] = [];
    for (const a of inventory.autoscalers) {
      if (a.kind === 'HorizontalPodAutoscaler') continue;
      const spec = a.object.raw.spec;
      const list = isObj(spec) ? spec.triggers : undefined;
      if (list !== undefined && list !== null && !Array.isArray(list)) {
        out.push(finding(meta, a, ['spec', 'triggers'], `${a.kind} ${a.name}: triggers is ${yamlType(list)}, not a list: the API server rejects it`, { triggers: shown(list) }));
        continue;
      }
      if (!Array.isArray(list)) continue;
      list.forEach((t: unknown, i: number) => {
        const at = ['spec', 'triggers', i];
        if (!isObj(t)) {
          out.push(finding(meta, a, at, `${a.kind} ${a.name}: triggers[${i}] is ${yamlType(t)}, not a mapping with type and metadata`, { trigger: shown(t) }));
          return;
        }
        const label = `${a.kind} ${a.name} triggers[${i}]${typeof t.name === 'string' && t.name ? ` "${t.name}"` : ''} (${typeof t.type === 'string' && t.type ? t.type : 'no type'})`;
        if (t.metadata === undefined) return; // QD116
        if (!isObj(t.metadata)) {
          out.push(finding(meta, a, [...at, 'metadata'], `${label}: metadata is ${yamlType(t.metadata)}, not a mapping of strings: the API server rejects it`, { metadata: shown(t.metadata) }));
          return;
        }
        for (const [key, value] of Object.entries(t.metadata)) {
          if (typeof value === 'string') continue;
          const scalar = typeof value === 'number' || typeof value === 'boolean';
          out.push(
            finding(
              meta,
              a,
              [...at, 'metadata', key],
              `${label}: metadata.${key} is ${yamlType(value)}${value !== null ? ` (${shown(value)})` : ''}; trigger metadata values must be strings, so the API server rejects the ${a.kind}`,
              { key, type: value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value },
              { fix: scalar ? `${key}: "${String(value)}"` : value === null ? `give ${key} a quoted value or remove it` : `write ${key} as one quoted string` },
            ),
          );
        }
      });
    }
    return out;
  },
};
