// Credential redaction for cluster objects, snapshots and reports. Pure: no I/O.
//
// What is redacted (the value becomes "<redacted>"):
// - env-var-shaped entries `{name, value}` whose name contains TOKEN, PASSWORD, PASSWD,
//   SECRET, KEY, CREDENTIAL or AUTH (case-insensitive);
// - the userinfo of any URL (`amqp://user:pass@host` -> `amqp://<redacted>@host`): the scheme
//   and host stay, because queue binding reads them;
// - `Bearer …` / `Basic …` credentials inside any string;
// - command-line flags `--api-key=…` (a flag whose name contains a sensitive word) in args;
// - annotation values and KEDA trigger metadata values whose key contains a sensitive word
//   (except `…FromEnv` keys, which hold the NAME of an env var, and `authModes`).
// What is stripped from stored objects: metadata.managedFields and the
// kubectl.kubernetes.io/last-applied-configuration annotation (they duplicate the object,
// including any credential in it).

export const REDACTED = '<redacted>';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const SENSITIVE_NAME = /TOKEN|PASSWORD|PASSWD|SECRET|KEY|CREDENTIAL|AUTH/i;
// Keys whose value names an env var or a mode, never a credential.
const SAFE_KEY = /FromEnv(File)?$|^authModes$/;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]+)@/gi;
const AUTH_SCHEME = /\b(Bearer|Basic)(\s+)(?!<redacted>)[A-Za-z0-9._~+/=-]{6,}/g;
const FLAG_ASSIGN = /^(--?[A-Za-z0-9_.-]*(?:token|password|passwd|secret|key|credential|auth)[A-Za-z0-9_.-]*)=(?!<redacted>$)(.+)$/i;
const ENV_ASSIGN = /\b([A-Z][A-Z0-9_]*(?:TOKEN|PASSWORD|PASSWD|SECRET|KEY|CREDENTIAL|AUTH)[A-Z0-9_]*)=(?!<redacted>)("[^"]*"|'[^']*'|[^\s"']+)/g;
const FLAG_ASSIGN_TEXT = /(--[a-z0-9-]*(?:token|password|passwd|secret|key|credential|auth)[a-z0-9-]*)=(?!<redacted>)(\S+)/gi;

/** True when an env var (or map key) with this name may hold a credential. */
export function isSensitiveName(name: string): boolean {
  let sensitive = SENSITIVE_NAMES.get(name);
  if (sensitive === undefined) {
    sensitive = SENSITIVE_NAME.test(name) && !SAFE_KEY.test(name);
    if (SENSITIVE_NAMES.size < 10_000 && name.length <= 200) SENSITIVE_NAMES.set(name, sensitive);
  }
  return sensitive;
}

// env var names and annotation keys recur across a repository: test each once
const SENSITIVE_NAMES = new Map<string, boolean>();

/** Redact credentials inside one string value of an object (URL userinfo, Bearer/Basic). */
function redactValueString(s: string): string {
  // cheap guards first: almost no string holds a URL or an auth scheme
  let out = s;
  if (out.indexOf('@') !== -1 && out.includes('://')) out = out.replace(URL_USERINFO, `$1${REDACTED}@`);
  if (out.indexOf('B') !== -1 && (out.includes('Bearer') || out.includes('Basic'))) out = out.replace(AUTH_SCHEME, `$1$2${REDACTED}`);
  return out;
}

/**
 * Redact credentials in free text (report lines, messages): URL userinfo, Bearer/Basic
 * credentials, `UPPER_CASE_SECRET=value` assignments and `--api-key=value` flags.
 * Lower-case `name="value"` pairs are left alone: they are PromQL label matchers.
 */
export function redactText(s: string): string {
  let out = redactValueString(s);
  if (out.includes('=')) {
    out = out.replace(ENV_ASSIGN, `$1=${REDACTED}`);
    out = out.replace(FLAG_ASSIGN_TEXT, `$1=${REDACTED}`);
  }
  return out;
}

/** A deep copy of `obj` with credentials redacted (see the file comment for what). */
export function redactObject<T>(obj: T): T {
  return redactInPlace(structuredClone(obj));
}

/**
 * The form in which a cluster object is kept, stored and reported: managedFields and the
 * last-applied annotation removed, credentials redacted. Returns a copy.
 */
export function sanitizeClusterObject<T extends Record<string, any>>(obj: T): T {
  return sanitizeClusterObjectInPlace(structuredClone(obj));
}

/** {@link sanitizeClusterObject} without the copy, for objects the caller owns (fresh from JSON.parse). */
export function sanitizeClusterObjectInPlace<T extends Record<string, any>>(obj: T): T {
  const md = obj?.metadata;
  if (md && typeof md === 'object') {
    if ('managedFields' in md) delete md.managedFields;
    const ann = md.annotations;
    if (ann && typeof ann === 'object' && LAST_APPLIED in ann) delete ann[LAST_APPLIED];
  }
  return redactInPlace(obj);
}

/**
 * Redaction for manifests read from files, limited to what queue-doctor can ever print about
 * them: annotations, the containers of pod templates (command, args, env) and KEDA trigger
 * metadata. Files are not stored (snapshots sanitise whole objects), so walking every field
 * of a 10,000-object repository would only cost time. Returns the same object.
 */
export function redactManifestInPlace<T extends Record<string, any>>(obj: T): T {
  const md = obj?.metadata;
  if (md && typeof md === 'object') {
    if ('managedFields' in md) delete md.managedFields;
    const ann = md.annotations;
    if (ann && typeof ann === 'object') {
      if (LAST_APPLIED in ann) delete ann[LAST_APPLIED];
      walk(ann, 'annotations');
    }
  }
  const spec = obj?.spec;
  if (spec && typeof spec === 'object') {
    redactPodSpec(spec.template?.spec);
    redactPodSpec(spec.jobTargetRef?.template?.spec);
    if (Array.isArray(spec.triggers)) walk(spec.triggers, 'triggers');
  }
  return obj;
}

function redactPodSpec(podSpec: any): void {
  if (!podSpec || typeof podSpec !== 'object') return;
  if (Array.isArray(podSpec.containers)) walk(podSpec.containers, 'containers');
  if (Array.isArray(podSpec.initContainers)) walk(podSpec.initContainers, 'initContainers');
}

/** Redact in place and return the same value. */
export function redactInPlace<T>(value: T): T {
  return walk(value, '') as T;
}

function walk(value: unknown, key: string): unknown {
  if (typeof value === 'string') return redactValueString(value);
  if (Array.isArray(value)) {
    const isArgs = key === 'args' || key === 'command';
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (isArgs && typeof v === 'string') {
        value[i] = redactArg(v, i > 0 ? value[i - 1] : undefined);
      } else value[i] = walk(v, '');
    }
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    // env-var shape: {name, value}
    if (typeof o.name === 'string' && typeof o.value === 'string' && isSensitiveName(o.name)) o.value = REDACTED;
    const keyed = key === 'annotations' || (key === 'metadata' && isTriggerMetadata(o));
    // for-in: the own keys in order (plain parsed objects inherit none), without a keys array
    for (const k in o) {
      const v = o[k];
      if (keyed && typeof v === 'string' && isSensitiveName(k) && !k.startsWith('queue-doctor.io/')) o[k] = REDACTED;
      else if (v !== null && typeof v === 'object') o[k] = walk(v, k);
      else if (typeof v === 'string') o[k] = redactValueString(v);
    }
    return o;
  }
  return value;
}

// KEDA trigger metadata is a flat map of strings (object metadata has labels, uid, …; its
// string keys like name/namespace are not sensitive, so treating it alike is harmless).
function isTriggerMetadata(o: Record<string, unknown>): boolean {
  for (const k in o) if (typeof o[k] !== 'string') return false;
  return true;
}

const FLAG_NAME = /^--?[A-Za-z0-9_.-]+$/;

function redactArg(arg: string, previous: unknown): string {
  // FLAG_ASSIGN needs a leading '-' and an '=': test those first, most arguments have neither
  const m = arg.charCodeAt(0) === 45 /* - */ && arg.includes('=') ? FLAG_ASSIGN.exec(arg) : null;
  if (m) return `${m[1]}=${REDACTED}`;
  // `--password hunter2`: the value is the next argument
  if (typeof previous === 'string' && previous.charCodeAt(0) === 45 && !arg.startsWith('-') && FLAG_NAME.test(previous) && SENSITIVE_NAME.test(previous)) {
    return REDACTED;
  }
  return redactText(arg);
}
