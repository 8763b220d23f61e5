// Assemble a complete keda.sh/v1alpha1 ScaledObject from the trigger plan and the sized numbers,
// with one derivation per number, and the migration from an existing HPA or ScaledObject.
import type { Autoscaler, Workload } from '../inventory/model.js';
import type { Sizing } from './sizing.js';
import type { TriggerPlan } from './trigger.js';

export const TRANSFER_HPA_ANNOTATION = 'scaledobject.keda.sh/transfer-hpa-ownership';
/** Kubernetes label values and DNS-1123 labels: KEDA uses the names as both. */
export const MAX_NAME = 63;

export interface Derivation {
  /** Field path inside the object, e.g. spec.triggers[0].metadata.threshold (alert fields are prefixed "PrometheusRule <name>: "). */
  field: string;
  /** Which recommended object the field belongs to (default ScaledObject). */
  object?: 'ScaledObject' | 'PrometheusRule';
  value: string | number;
  derivation: string;
}

export interface Migration {
  /** The HPA KEDA takes over, when one exists. */
  transferHpa?: string;
  /** An existing ScaledObject this one replaces (same name: applied as an update). */
  replacesScaledObject?: string;
  notes: string[];
}

/** HPAs that KEDA generated for a ScaledObject (seen when scanning a cluster) are not user HPAs. */
export function isKedaGeneratedHpa(a: Autoscaler): boolean {
  const md = a.object.raw?.metadata ?? {};
  const owners: unknown[] = Array.isArray(md.ownerReferences) ? md.ownerReferences : [];
  if (owners.some((o: any) => o?.kind === 'ScaledObject')) return true;
  if (md.labels && typeof md.labels['scaledobject.keda.sh/name'] === 'string') return true;
  return a.workload?.autoscalers.some((o) => o.kind === 'ScaledObject' && (o.keda?.hpaName ?? `keda-hpa-${o.name}`) === a.name) ?? false;
}

export function planMigration(w: Workload): Migration & { name: string; hpaName?: string } {
  const notes: string[] = [];
  const existingSo = w.autoscalers.find((a) => a.kind === 'ScaledObject');
  const userHpa = w.autoscalers.find((a) => a.kind === 'HorizontalPodAutoscaler' && !isKedaGeneratedHpa(a));
  let name = existingSo?.name ?? w.name;
  let hpaName = existingSo?.keda?.hpaName;
  const out: Migration & { name: string; hpaName?: string } = { name, notes };
  if (existingSo) {
    out.replacesScaledObject = existingSo.name;
    notes.push(`Replaces ScaledObject ${existingSo.name} (same name, so \`kubectl apply\` updates it in place).`);
  }
  if (userHpa) {
    hpaName = userHpa.name;
    out.transferHpa = userHpa.name;
    notes.push(
      `HorizontalPodAutoscaler ${userHpa.name} already scales ${w.kind} ${w.name}: KEDA's admission webhook rejects a second autoscaler on the same target, ` +
        `so this ScaledObject takes it over (annotation ${TRANSFER_HPA_ANNOTATION}: "true" + advanced.horizontalPodAutoscalerConfig.name: ${userHpa.name}). ` +
        `Remove the HPA from your manifests/Helm chart too, or GitOps will re-create it.`,
    );
  }
  if (name.length > MAX_NAME) {
    name = name.slice(0, MAX_NAME).replace(/[-.]+$/, '');
    notes.push(`Name shortened to ${MAX_NAME} characters (KEDA uses it as a label value).`);
  }
  // KEDA names the HPA keda-hpa-<name>; it must fit a DNS-1123 label
  if (!hpaName && `keda-hpa-${name}`.length > MAX_NAME) hpaName = `keda-hpa-${name}`.slice(0, MAX_NAME).replace(/[-.]+$/, '');
  out.name = name;
  out.hpaName = hpaName;
  return out;
}

const TARGET_API: Record<string, string> = { Deployment: 'apps/v1', StatefulSet: 'apps/v1', Rollout: 'argoproj.io/v1alpha1' };

function num(x: number): string {
  return String(Number(x.toFixed(3)));
}

export function buildScaledObject(w: Workload, plan: TriggerPlan, sizing: Sizing): { object: Record<string, any>; derivations: Derivation[]; migration: Migration } {
  const m = planMigration(w);
  const p = sizing.params;
  const why = sizing.why;
  const d: Derivation[] = [];
  const add = (field: string, value: string | number, derivation: string) => d.push({ field, value, derivation });

  const metadata: Record<string, string> = { ...plan.metadata, ...(plan.thresholdExtras ?? {}) };
  metadata[plan.thresholdKey] = num(p.threshold);
  if (plan.activationKey) metadata[plan.activationKey] = num(p.activationThreshold);

  const hpaConfig: Record<string, any> = {};
  if (m.hpaName) hpaConfig.name = m.hpaName;
  hpaConfig.behavior = {
    scaleUp: {
      stabilizationWindowSeconds: p.scaleUpWindow,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: p.scaleUpPercent, periodSeconds: p.scaleUpPeriod },
        { type: 'Pods', value: p.scaleUpPods, periodSeconds: p.scaleUpPeriod },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: p.scaleDownWindow,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: p.scaleDownPercent, periodSeconds: p.scaleDownPeriod }],
    },
  };

  const annotations: Record<string, string> = {};
  if (m.transferHpa) annotations[TRANSFER_HPA_ANNOTATION] = 'true';
  const object: Record<string, any> = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: {
      name: m.name,
      namespace: w.namespace,
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: {
      scaleTargetRef: { apiVersion: TARGET_API[w.kind] ?? 'apps/v1', kind: w.kind, name: w.name },
      pollingInterval: p.pollingInterval,
      cooldownPeriod: p.cooldownPeriod,
      minReplicaCount: p.minReplicas,
      maxReplicaCount: p.maxReplicas,
      fallback: { failureThreshold: p.fallbackFailureThreshold, replicas: p.fallbackReplicas },
      advanced: { horizontalPodAutoscalerConfig: hpaConfig },
      triggers: [{ type: plan.type, name: 'queue', metricType: 'AverageValue', metadata }],
    },
  };

  const t = 'spec.triggers[0].metadata';
  add(`${t}.${plan.thresholdKey}`, metadata[plan.thresholdKey], why.threshold);
  if (plan.activationKey) add(`${t}.${plan.activationKey}`, metadata[plan.activationKey], why.activationThreshold);
  add('spec.pollingInterval', p.pollingInterval, why.pollingInterval);
  add('spec.cooldownPeriod', p.cooldownPeriod, why.cooldownPeriod);
  add('spec.minReplicaCount', p.minReplicas, why.minReplicas);
  add('spec.maxReplicaCount', p.maxReplicas, why.maxReplicas);
  add('spec.fallback.failureThreshold', p.fallbackFailureThreshold, why.fallbackFailureThreshold);
  add('spec.fallback.replicas', p.fallbackReplicas, why.fallbackReplicas);
  const b = 'spec.advanced.horizontalPodAutoscalerConfig.behavior';
  add(`${b}.scaleUp.stabilizationWindowSeconds`, p.scaleUpWindow, why.scaleUpWindow);
  add(`${b}.scaleUp.policies[0].value`, p.scaleUpPercent, why.scaleUpPercent);
  add(`${b}.scaleUp.policies[0].periodSeconds`, p.scaleUpPeriod, why.scaleUpPeriod);
  add(`${b}.scaleUp.policies[1].value`, p.scaleUpPods, why.scaleUpPods);
  add(`${b}.scaleUp.policies[1].periodSeconds`, p.scaleUpPeriod, why.scaleUpPeriod);
  add(`${b}.scaleDown.stabilizationWindowSeconds`, p.scaleDownWindow, why.scaleDownWindow);
  add(`${b}.scaleDown.policies[0].value`, p.scaleDownPercent, why.scaleDownPercent);
  add(`${b}.scaleDown.policies[0].periodSeconds`, p.scaleDownPeriod, why.scaleDownPeriod);
  return { object, derivations: d, migration: { transferHpa: m.transferHpa, replacesScaledObject: m.replacesScaledObject, notes: m.notes } };
}
