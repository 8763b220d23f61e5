import type { Autoscaler, Finding, ScalingMetric } from '../src/inventory/model.js';
import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import { isObj, kedaFloat, rawMetadata, shown, triggerLabel, triggers, valueAt } from '../src/diagnose/keda-values.js';
import { parseQuantity } from '../src/units/quantity.js';
import { kedaScaler, RESOURCE_TRIGGER_TYPES } from './keda-scalers.js';

export const meta: RuleMeta = {
  id: 'QD109',
  slug: 'invalid-trigger-threshold',
  severity: 'error',
  title: 'Trigger target missing, not a number, or not above zero',
  rationale:
    'Each KEDA trigger needs a positive numeric target: it becomes the HPA\'s target value, the number the current value is ' +
    'divided by. A missing required target (prometheus threshold, postgresql targetQueryValue, …), a value KEDA cannot parse ' +
    'as a float ("10 jobs", "500m", a YAML list) or a target ≤ 0 makes the scaler fail to start, so the workload is not ' +
    'scaled. Scalers with a documented default (kafka lagThreshold 10, rabbitmq 20, SQS 5, …) may omit it. An activation ' +
    'threshold at or above the target (a warning) keeps a workload that scales to zero at 0 while its target already asks ' +
    'for replicas.',
  fix:
    'Give the trigger a positive number as a quoted string (threshold: "10"), and an activation threshold below it ' +
    '(activationThreshold defaults to 0).',
  needsSignals: false,
  examples: {
    bad: `triggers:
  - type: prometheus
    metadata:
      query: sum(queue_depth)
      threshold: "0"
      activationThreshold: "50"`,
    good: `triggers:
  - type: prometheus
    metadata:
      query: sum(queue_depth)
      threshold: "10"
      activationThreshold: "1"`,
  },
  references: [
    'https://keda.sh/docs/2.20/concepts/scaling-deployments/#activating-and-scaling-thresholds',
    'https://keda.sh/docs/2.20/scalers/',
    'kedacore/keda pkg/scalers/*.go (struct tags `keda:"name=…,default=…"`)',
  ],
};

function canScaleToZero(a: Autoscaler): boolean {
  if (a.kind === 'ScaledJob') return true;
  const min = a.object.raw.spec?.minReplicaCount;
  return min === undefined || min === 0 || a.keda?.idleReplicaCount !== undefined;
}

function checkResourceTrigger(a: Autoscaler, m: ScalingMetric, md: Record<string, unknown>, out: Finding[]): void {
  const label = triggerLabel(a, m);
  const raw = md.value;
  const path = [...m.path, 'metadata', 'value'];
  if (raw === undefined || raw === null) {
    out.push(finding(meta, a, [...m.path, 'metadata'], `${label}: metadata.value is missing: KEDA needs the ${m.targetType === 'AverageValue' ? 'average value' : 'utilization %'} to aim for`, { trigger: m.triggerType ?? '' }));
    return;
  }
  if (m.targetType === 'Utilization') {
    const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
    if (!/^[+-]?\d+$/.test(text)) {
      out.push(finding(meta, a, path, `${label}: value ${shown(raw)} is not a whole percentage: KEDA parses Utilization targets as integers`, { value: shown(raw) }, { fix: 'value: "70"' }));
    } else if (Number(text) <= 0) {
      out.push(finding(meta, a, path, `${label}: value ${shown(raw)} must be a utilization above 0 %`, { value: Number(text) }, { fix: 'value: "70"' }));
    }
  } else if (m.targetType === 'AverageValue') {
    const q = parseQuantity(raw);
    if (q === undefined) out.push(finding(meta, a, path, `${label}: value ${shown(raw)} is not a Kubernetes quantity (e.g. "500m", "1Gi")`, { value: shown(raw) }));
    else if (q <= 0) out.push(finding(meta, a, path, `${label}: value ${shown(raw)} must be above 0`, { value: q }));
  }
}

function checkScalerTrigger(a: Autoscaler, m: ScalingMetric, raw: Record<string, unknown>, out: Finding[]): void {
  // an empty YAML value (null) is as good as missing to KEDA; QD115 reports its type
  const md = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null));
  const info = kedaScaler(m.triggerType);
  if (!info) return;
  const label = triggerLabel(a, m);
  const at = (key: string) => [...m.path, 'metadata', key];
  if (m.triggerType === 'rabbitmq') {
    // mode and value come as a pair (rabbitmq_scaler.go); queueLength is the deprecated form
    if (md.mode !== undefined && md.value === undefined) {
      out.push(finding(meta, a, at('mode'), `${label}: mode ${shown(md.mode)} is set without value: KEDA needs both`, { mode: shown(md.mode) }, { fix: 'value: "20"' }));
      return;
    }
    if (md.value !== undefined && md.mode === undefined) {
      out.push(finding(meta, a, at('value'), `${label}: value is set without mode: KEDA needs both (mode: QueueLength or MessageRate)`, { value: shown(md.value) }, { fix: 'mode: QueueLength' }));
      return;
    }
  }
  const key = info.targetKeys.find((k) => md[k] !== undefined);
  let threshold: number | undefined;
  let thresholdText: string;
  if (key === undefined) {
    if (info.defaultTarget === undefined) {
      out.push(
        finding(meta, a, [...m.path, 'metadata'], `${label}: metadata.${info.targetKeys[0]} is missing: KEDA requires it for ${m.triggerType} triggers, so the scaler fails to start`, { missing: info.targetKeys[0] }, {
          fix: `${info.targetKeys[0]}: "<per-replica target, e.g. 10>"`,
        }),
      );
      return;
    }
    threshold = info.defaultTarget;
    thresholdText = `${info.targetKeys[0]} (default ${info.defaultTarget})`;
  } else {
    const raw = md[key];
    const v = kedaFloat(raw);
    if (v === undefined) {
      const hint = typeof raw === 'string' && parseQuantity(raw) !== undefined ? ' (KEDA parses a plain float here, not a Kubernetes quantity)' : '';
      out.push(finding(meta, a, at(key), `${label}: ${key} ${shown(raw)} is not a number${hint}, so the scaler fails to start`, { [key]: shown(raw) }, { fix: `${key}: "10"` }));
      return;
    }
    if (v <= 0) {
      out.push(
        finding(meta, a, at(key), `${label}: ${key} ${shown(raw)} must be above 0: it is the target the HPA divides by, and KEDA or the HPA rejects it`, { [key]: v }, {
          fix: `${key}: "<per-replica target, e.g. 10>"`,
        }),
      );
      return;
    }
    threshold = v;
    thresholdText = `${key} ${shown(raw)}`;
  }
  for (const akey of info.activationKeys) {
    const raw = md[akey];
    if (raw === undefined) continue;
    const av = kedaFloat(raw);
    if (av === undefined) {
      out.push(finding(meta, a, at(akey), `${label}: ${akey} ${shown(raw)} is not a number, so the scaler fails to start`, { [akey]: shown(raw) }, { fix: `${akey}: "0"` }));
      continue;
    }
    if (threshold !== undefined && av >= threshold && canScaleToZero(a)) {
      // AverageValue: the HPA wants ceil(value / threshold) replicas
      const averaged = (m.targetType ?? 'AverageValue') === 'AverageValue';
      const n = Math.max(1, Math.ceil(av / threshold));
      const wants = averaged ? `up to ${n} replica${n === 1 ? '' : 's'}` : 'replicas';
      out.push(
        finding(
          meta,
          a,
          at(akey),
          `${label}: ${akey} ${shown(raw)} is not below ${thresholdText}: up to a value of ${av} KEDA counts the trigger as inactive ` +
            `and keeps the workload at 0, although the threshold already asks for ${wants}`,
          { [akey]: av, threshold },
          { severity: 'warning', fix: `${akey}: "0" (or any value below ${threshold})` },
        ),
      );
    }
  }
}

function checkScalingModifiers(a: Autoscaler, out: Finding[]): void {
  const sm = valueAt(a.object.raw, ['spec', 'advanced', 'scalingModifiers']);
  if (!isObj(sm) || sm.formula === undefined) return;
  const base = ['spec', 'advanced', 'scalingModifiers'];
  const target = kedaFloat(sm.target);
  if (sm.target === undefined) {
    out.push(finding(meta, a, base, `ScaledObject ${a.name}: scalingModifiers has a formula but no target: KEDA's webhook rejects it ("formula is given but target is empty")`, {}, { fix: 'target: "10"' }));
    return;
  }
  if (target === undefined || target <= 0) {
    out.push(finding(meta, a, [...base, 'target'], `ScaledObject ${a.name}: scalingModifiers.target ${shown(sm.target)} must be a number above 0`, { target: shown(sm.target) }, { fix: 'target: "10"' }));
    return;
  }
  if (sm.activationTarget !== undefined) {
    const act = kedaFloat(sm.activationTarget);
    if (act === undefined) {
      out.push(finding(meta, a, [...base, 'activationTarget'], `ScaledObject ${a.name}: scalingModifiers.activationTarget ${shown(sm.activationTarget)} is not a number`, {}));
    } else if (act >= target && canScaleToZero(a)) {
      out.push(
        finding(meta, a, [...base, 'activationTarget'], `ScaledObject ${a.name}: scalingModifiers.activationTarget ${shown(sm.activationTarget)} is not below target ${shown(sm.target)}: the workload stays at 0 while the formula already asks for replicas`, { activationTarget: act, target }, {
          severity: 'warning',
        }),
      );
    }
  }
}

export const rule: Rule = {
  meta,
  check({ inventory }) {
    const out: Finding[] = [];
    for (const a of inventory.autoscalers) {
      if (a.kind === 'HorizontalPodAutoscaler') continue;
      for (const m of triggers(a)) {
        const t = valueAt(a.object.raw, m.path);
        if (!isObj(t) || !isObj(t.metadata)) continue; // QD115/QD116
        const md = rawMetadata(a, m);
        if (RESOURCE_TRIGGER_TYPES.has(m.triggerType ?? '')) checkResourceTrigger(a, m, md, out);
        else checkScalerTrigger(a, m, md, out);
      }
      if (a.kind === 'ScaledObject') checkScalingModifiers(a, out);
    }
    return out;
  },
};
