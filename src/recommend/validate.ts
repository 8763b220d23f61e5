// Every ScaledObject queue-doctor prints is checked here first: KEDA v2.20.2's CRD schema (ajv),
// the CRD's CEL rule, the checks of KEDA's admission webhook, the parse rules of the scalers we
// emit, and the Kubernetes HPA API limits the generated HPA must meet. A recommendation that fails
// is a bug: `assertValidScaledObject` throws, formatters refuse to print it.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readPackageJson } from '../package-files.js';

export interface ValidationIssue {
  /** Field path, e.g. spec.minReplicaCount. */
  path: string;
  message: string;
  /** Which check: 'crd-schema', 'crd-cel', 'keda-webhook', 'keda-scaler', 'hpa-api'. */
  source: 'crd-schema' | 'crd-cel' | 'keda-webhook' | 'keda-scaler' | 'hpa-api';
}

export interface ValidationResult {
  valid: boolean;
  issues: ValidationIssue[];
}

export class InvalidRecommendationError extends Error {
  constructor(
    readonly objectName: string,
    readonly issues: ValidationIssue[],
  ) {
    super(`internal error: the recommended ScaledObject ${objectName} fails KEDA validation: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'InvalidRecommendationError';
  }
}

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (a: Ajv) => void;
  addFormats(ajv);
  // Kubernetes integer formats: ajv-formats knows int32/int64; keep explicit ranges in case it does not
  ajv.addFormat('int32', { type: 'number', validate: (x: number) => Number.isInteger(x) && x >= -2147483648 && x <= 2147483647 });
  ajv.addFormat('int64', { type: 'number', validate: (x: number) => Number.isSafeInteger(x) });
  compiled = ajv.compile(readPackageJson('src', 'schemas', 'keda', 'scaledobject.v1alpha1.schema.json'));
  return compiled;
}

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);
const RESOURCE = new Set(['cpu', 'memory']);
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_LABEL = 63;

export function validateScaledObject(obj: unknown): ValidationResult {
  const issues: ValidationIssue[] = [];
  const v = schemaValidator();
  if (!v(obj)) {
    for (const e of v.errors ?? []) {
      const path = e.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.') || '(root)';
      issues.push({ path, message: `${e.message ?? 'invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params as any).allowedValues.join(', ')})` : ''}`, source: 'crd-schema' });
    }
  }
  if (!isObj(obj)) return { valid: false, issues };
  if (obj.apiVersion !== 'keda.sh/v1alpha1') issues.push({ path: 'apiVersion', message: `must be keda.sh/v1alpha1, not ${String(obj.apiVersion)}`, source: 'crd-schema' });
  if (obj.kind !== 'ScaledObject') issues.push({ path: 'kind', message: `must be ScaledObject, not ${String(obj.kind)}`, source: 'crd-schema' });
  const md = isObj(obj.metadata) ? obj.metadata : {};
  const name = typeof md.name === 'string' ? md.name : '';
  // metadata is not in the CRD schema (the API server validates it): name required, DNS-1123 subdomain
  if (!name) issues.push({ path: 'metadata.name', message: 'required', source: 'crd-schema' });
  else if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) issues.push({ path: 'metadata.name', message: `"${name}" is not a DNS-1123 subdomain`, source: 'crd-schema' });
  if (isObj(md.annotations)) for (const [k, val] of Object.entries(md.annotations)) if (typeof val !== 'string') issues.push({ path: `metadata.annotations.${k}`, message: 'annotation values must be strings', source: 'crd-schema' });

  const spec = isObj(obj.spec) ? obj.spec : undefined;
  if (!spec) return { valid: issues.length === 0, issues };
  const triggers: any[] = Array.isArray(spec.triggers) ? spec.triggers : [];

  // CRD CEL: minReplicaCount <= (maxReplicaCount or 100)
  const max = typeof spec.maxReplicaCount === 'number' ? spec.maxReplicaCount : 100;
  if (typeof spec.minReplicaCount === 'number' && spec.minReplicaCount > max)
    issues.push({ path: 'spec.minReplicaCount', message: 'minReplicaCount must be less than or equal to maxReplicaCount', source: 'crd-cel' });

  // webhook verifyReplicaCount (CheckReplicaCountBoundsAreValid): HPA min = max(min, 1) when min is set
  const hpaMin = typeof spec.minReplicaCount === 'number' ? (spec.minReplicaCount > 0 ? spec.minReplicaCount : 1) : 0;
  if (hpaMin > max) issues.push({ path: 'spec.maxReplicaCount', message: `MinReplicaCount=${hpaMin} must be less than MaxReplicaCount=${max}`, source: 'keda-webhook' });
  if (typeof spec.idleReplicaCount === 'number' && spec.idleReplicaCount >= hpaMin)
    issues.push({ path: 'spec.idleReplicaCount', message: `IdleReplicaCount=${spec.idleReplicaCount} must be less than MinReplicaCount=${hpaMin}`, source: 'keda-webhook' });

  // webhook verifyName: the name is a label value; the HPA name a DNS-1123 label
  if (name.length > MAX_LABEL) issues.push({ path: 'metadata.name', message: `scaledobject name is ${name.length} characters long; must be no more than ${MAX_LABEL}`, source: 'keda-webhook' });
  const hpaCfg = isObj(spec.advanced) && isObj(spec.advanced.horizontalPodAutoscalerConfig) ? spec.advanced.horizontalPodAutoscalerConfig : undefined;
  const hpaName = typeof hpaCfg?.name === 'string' && hpaCfg.name !== '' ? hpaCfg.name : `keda-hpa-${name}`;
  if (hpaName.length > MAX_LABEL)
    issues.push({ path: 'spec.advanced.horizontalPodAutoscalerConfig.name', message: `HPA name "${hpaName}" is ${hpaName.length} characters long; must be no more than ${MAX_LABEL}`, source: 'keda-webhook' });
  else if (!DNS1123_LABEL.test(hpaName)) issues.push({ path: 'spec.advanced.horizontalPodAutoscalerConfig.name', message: `HPA name "${hpaName}" is not a DNS-1123 label`, source: 'hpa-api' });

  // webhook verifyHpas: transfer-hpa-ownership needs the HPA named in advanced settings
  const ann = isObj(md.annotations) ? md.annotations : {};
  if (ann['scaledobject.keda.sh/transfer-hpa-ownership'] === 'true' && !(typeof hpaCfg?.name === 'string' && hpaCfg.name !== ''))
    issues.push({ path: 'spec.advanced.horizontalPodAutoscalerConfig.name', message: 'the existing hpa must be specified by name in advanced settings to enable ownership transfer', source: 'keda-webhook' });

  // webhook verifyTriggers (ValidateTriggers): unique names; useCachedMetrics not for cpu/memory/cron
  const names = new Set<string>();
  triggers.forEach((t, i) => {
    if (!isObj(t)) return;
    const at = `spec.triggers[${i}]`;
    if (typeof t.name === 'string' && t.name !== '') {
      if (names.has(t.name)) issues.push({ path: `${at}.name`, message: `triggerName "${t.name}" is defined multiple times in the ScaledObject, but it must be unique`, source: 'keda-webhook' });
      names.add(t.name);
    }
    if (t.useCachedMetrics === true && (RESOURCE.has(t.type) || t.type === 'cron'))
      issues.push({ path: `${at}.useCachedMetrics`, message: `property "useCachedMetrics" is not supported for "${t.type}" scaler`, source: 'keda-webhook' });
    // scaler build (GetMetricTargetType): Utilization is for cpu/memory only
    if (t.metricType === 'Utilization' && !RESOURCE.has(t.type))
      issues.push({ path: `${at}.metricType`, message: `metricType Utilization is only supported for cpu and memory triggers`, source: 'keda-scaler' });
    if (t.metricType !== undefined && !['AverageValue', 'Value', 'Utilization'].includes(t.metricType))
      issues.push({ path: `${at}.metricType`, message: `unknown metricType "${t.metricType}" (AverageValue, Value, Utilization)`, source: 'keda-scaler' });
    if (isObj(t.metadata)) issues.push(...scalerIssues(t.type, t.metadata, `${at}.metadata`));
  });

  // webhook verifyCPUMemoryScalers: only cpu/memory triggers cannot scale to zero
  const onlyResources = triggers.length > 0 && triggers.every((t) => isObj(t) && RESOURCE.has(t.type));
  if (onlyResources && (spec.minReplicaCount === undefined || spec.minReplicaCount === 0))
    issues.push({ path: 'spec.minReplicaCount', message: "scaledobject has only cpu/memory triggers AND minReplica is 0 (scale to zero doesn't work in this case)", source: 'keda-webhook' });

  // webhook verifyFallback (CheckFallbackValid)
  if (isObj(spec.fallback)) {
    const f = spec.fallback;
    if (typeof f.failureThreshold === 'number' && typeof f.replicas === 'number' && (f.failureThreshold < 0 || f.replicas < 0))
      issues.push({ path: 'spec.fallback', message: `FailureThreshold=${f.failureThreshold} & Replicas=${f.replicas} must both be greater than or equal to 0`, source: 'keda-webhook' });
    if (onlyResources) issues.push({ path: 'spec.fallback', message: 'fallback is not supported for cpu/memory triggers', source: 'keda-webhook' });
    const sm = isObj(spec.advanced) && isObj(spec.advanced.scalingModifiers) ? spec.advanced.scalingModifiers : undefined;
    if (sm && sm.formula && sm.metricType === 'Value')
      issues.push({ path: 'spec.advanced.scalingModifiers.metricType', message: 'when using ScalingModifiers, metricType must be AverageValue to have fallback enabled', source: 'keda-webhook' });
    if (!sm?.formula && !triggers.some((t) => isObj(t) && !RESOURCE.has(t.type) && (t.metricType ?? 'AverageValue') === 'AverageValue'))
      issues.push({ path: 'spec.fallback', message: 'at least one trigger (that is not cpu or memory) has to have the `AverageValue` type for the fallback to be enabled', source: 'keda-webhook' });
  }

  // webhook ValidateAndCompileScalingModifiers
  const sm = isObj(spec.advanced) && isObj(spec.advanced.scalingModifiers) ? spec.advanced.scalingModifiers : undefined;
  if (sm && Object.keys(sm).length > 0) issues.push(...scalingModifierIssues(sm, triggers));

  // Kubernetes HPA API validation of the behavior KEDA copies into the HPA
  if (isObj(hpaCfg?.behavior)) issues.push(...behaviorIssues(hpaCfg!.behavior, 'spec.advanced.horizontalPodAutoscalerConfig.behavior'));

  return { valid: issues.length === 0, issues };
}

export function assertValidScaledObject(obj: Record<string, any>): void {
  const r = validateScaledObject(obj);
  if (!r.valid) throw new InvalidRecommendationError(String(obj?.metadata?.name ?? '<unnamed>'), r.issues);
}

function isFloat(s: unknown): boolean {
  return typeof s === 'string' && s.trim() !== '' && Number.isFinite(Number(s));
}

/** Parse rules of the scalers queue-doctor emits (pkg/scalers/<x>.go struct tags; keda-notes §b/§c). */
function scalerIssues(type: string, md: Record<string, any>, at: string): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const need = (key: string) => {
    if (md[key] === undefined || md[key] === '') out.push({ path: `${at}.${key}`, message: `${type} scaler requires ${key}`, source: 'keda-scaler' });
  };
  const float = (key: string) => {
    if (md[key] !== undefined && !isFloat(md[key])) out.push({ path: `${at}.${key}`, message: `${key} must be a number in a string, not ${JSON.stringify(md[key])}`, source: 'keda-scaler' });
  };
  const positive = (key: string) => {
    if (isFloat(md[key]) && !(Number(md[key]) > 0)) out.push({ path: `${at}.${key}`, message: `${key} must be greater than 0 (the HPA target)`, source: 'keda-scaler' });
  };
  const bool = (key: string) => {
    if (md[key] !== undefined && !/^(true|false|1|0|t|f|TRUE|FALSE|True|False)$/.test(String(md[key]))) out.push({ path: `${at}.${key}`, message: `${key} must be true or false`, source: 'keda-scaler' });
  };
  switch (type) {
    case 'prometheus':
      need('serverAddress');
      need('query');
      need('threshold');
      float('threshold');
      positive('threshold');
      float('activationThreshold');
      bool('ignoreNullValues');
      bool('unsafeSsl');
      if (typeof md.serverAddress === 'string' && !/^https?:\/\/[^\s/]+/.test(md.serverAddress)) out.push({ path: `${at}.serverAddress`, message: `serverAddress must be an http(s) URL, not "${md.serverAddress}"`, source: 'keda-scaler' });
      if (typeof md.customHeaders === 'string' && md.customHeaders.split(',').some((kv: string) => !/^[^=]+=.*/.test(kv))) out.push({ path: `${at}.customHeaders`, message: 'customHeaders must be key1=value1,key2=value2', source: 'keda-scaler' });
      break;
    case 'rabbitmq':
      need('queueName');
      if ((md.mode === undefined) !== (md.value === undefined)) out.push({ path: `${at}.${md.mode === undefined ? 'mode' : 'value'}`, message: 'rabbitmq mode and value must be set together', source: 'keda-scaler' });
      float('value');
      positive('value');
      break;
    case 'kafka':
    case 'apache-kafka':
      need('consumerGroup');
      float('lagThreshold');
      positive('lagThreshold');
      break;
    case 'aws-sqs-queue':
      if (md.queueURL === undefined && md.queueURLFromEnv === undefined) out.push({ path: `${at}.queueURL`, message: 'aws-sqs-queue scaler requires queueURL or queueURLFromEnv', source: 'keda-scaler' });
      float('queueLength');
      positive('queueLength');
      break;
    case 'redis':
    case 'redis-cluster':
    case 'redis-sentinel':
      need('listName');
      float('listLength');
      positive('listLength');
      break;
    default:
      break;
  }
  for (const [k, val] of Object.entries(md)) if (typeof val !== 'string') out.push({ path: `${at}.${k}`, message: 'trigger metadata values must be strings', source: 'crd-schema' });
  return out;
}

function scalingModifierIssues(sm: Record<string, any>, triggers: any[]): ValidationIssue[] {
  const at = 'spec.advanced.scalingModifiers';
  const out: ValidationIssue[] = [];
  if (!sm.formula) out.push({ path: `${at}.formula`, message: 'error ScalingModifiers.Formula is mandatory', source: 'keda-webhook' });
  else if (!sm.target) out.push({ path: `${at}.target`, message: 'formula is given but target is empty', source: 'keda-webhook' });
  if (sm.target !== undefined && sm.target !== '' && !(Number(sm.target) > 0)) out.push({ path: `${at}.target`, message: 'target must be a number > 0', source: 'keda-webhook' });
  if (sm.metricType === 'Utilization') out.push({ path: `${at}.metricType`, message: 'metricType must be AverageValue or Value for external metrics', source: 'keda-webhook' });
  if (typeof sm.formula === 'string' && sm.formula) {
    // every identifier the formula uses must be a named, non-cpu/memory trigger (expr-lang compile check)
    const named = new Set(triggers.filter((t) => isObj(t) && !RESOURCE.has(t.type) && typeof t.name === 'string' && t.name).map((t) => t.name));
    const builtins = new Set(['float', 'int', 'abs', 'max', 'min', 'ceil', 'floor', 'round', 'true', 'false', 'nil', 'and', 'or', 'not', 'in', 'len', 'sum', 'mean', 'median', 'count']);
    const idents = sm.formula.replace(/"[^"]*"|'[^']*'/g, '').match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
    for (const id of idents) if (!builtins.has(id) && !named.has(id)) out.push({ path: `${at}.formula`, message: `formula uses "${id}", which is not the name of a (non cpu/memory) trigger`, source: 'keda-webhook' });
  }
  return out;
}

/** autoscaling/v2 HPAScalingRules limits (ValidateHorizontalPodAutoscalerBehavior). */
function behaviorIssues(b: Record<string, any>, at: string): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const dir of ['scaleUp', 'scaleDown'] as const) {
    const r = b[dir];
    if (!isObj(r)) continue;
    const p = `${at}.${dir}`;
    const w = r.stabilizationWindowSeconds;
    if (typeof w === 'number' && (w < 0 || w > 3600)) out.push({ path: `${p}.stabilizationWindowSeconds`, message: 'must be between 0 and 3600', source: 'hpa-api' });
    if (r.selectPolicy !== undefined && !['Max', 'Min', 'Disabled'].includes(r.selectPolicy)) out.push({ path: `${p}.selectPolicy`, message: 'must be Max, Min or Disabled', source: 'hpa-api' });
    const policies = Array.isArray(r.policies) ? r.policies : [];
    if (r.policies !== undefined && policies.length === 0 && r.selectPolicy !== 'Disabled') out.push({ path: `${p}.policies`, message: 'must specify at least one policy', source: 'hpa-api' });
    policies.forEach((pol: any, i: number) => {
      if (!isObj(pol)) return;
      const pp = `${p}.policies[${i}]`;
      if (!['Pods', 'Percent'].includes(pol.type)) out.push({ path: `${pp}.type`, message: 'must be Pods or Percent', source: 'hpa-api' });
      if (typeof pol.value === 'number' && pol.value <= 0) out.push({ path: `${pp}.value`, message: 'must be greater than zero', source: 'hpa-api' });
      if (typeof pol.periodSeconds === 'number' && (pol.periodSeconds <= 0 || pol.periodSeconds > 1800)) out.push({ path: `${pp}.periodSeconds`, message: 'must be greater than zero and less than or equal to 1800', source: 'hpa-api' });
    });
  }
  return out;
}
