// Binding workloads to their queues. Explicit bindings come from `queue-doctor.io/*`
// annotations or `.queue-doctor.yaml`; auto-bindings match the queue series Prometheus holds
// (found by one discovery query over the catalogue in rules/queue-systems.ts) against what the
// workload says about itself. Every auto-binding carries a confidence and the evidence behind
// it; below LOW_CONFIDENCE it is shown but must not drive a recommendation silently.
import type { Workload } from '../inventory/model.js';
import { ANNOTATION } from '../inventory/settings.js';
import { GENERIC_EXCLUDED_PREFIXES, QUEUE_SYSTEMS, type KedaTemplate, type QueueSystem, type SeriesVariant } from '../../rules/queue-systems.js';
import type { QueueBinding } from './signals-model.js';
import { workloadHints, type WorkloadHints } from './workload-hints.js';
import { APP_LABELS, WORKLOAD_LABELS, bindingQuery, identityKey, variantLabels } from './queries.js';

/** A binding below this confidence is reported but never drives a recommendation silently. */
export const LOW_CONFIDENCE = 0.5;
/** Below this, a candidate is not bound at all (it may be mentioned in the workload's notes). */
export const MIN_CONFIDENCE = 0.3;


/** One queue series found by discovery, normalised. */
export interface Candidate {
  system: QueueSystem;
  variant: SeriesVariant;
  metric: string;
  namespace: string;
  /** The queue label value as exported (e.g. redis key `queue:default`). */
  rawQueue: string;
  /** The queue name workloads use (after the system's queueNameFrom mapping). */
  queue: string;
  consumer: string;
  labels: Record<string, string>;
  /** Identity shared with the batched data queries (see identityKey). */
  key: string;
}

/** Which discovered metric names belong to which system and variant. */
export function classifyMetric(name: string): { system: QueueSystem; variant: SeriesVariant } | undefined {
  for (const system of QUEUE_SYSTEMS) {
    for (const variant of system.backlog.variants) {
      if (variant.namePattern) continue;
      const names = Array.isArray(variant.metric) ? variant.metric : [variant.metric];
      if (names.includes(name)) return { system, variant };
    }
  }
  const generic = QUEUE_SYSTEMS.find((s) => s.id === 'generic');
  if (!generic) return undefined;
  const variant = generic.backlog.variants[0];
  if (!new RegExp(`^(?:${variant.metric as string})$`).test(name)) return undefined;
  if (GENERIC_EXCLUDED_PREFIXES.some((p) => name.startsWith(p))) return undefined;
  if (/_ack_pending$/.test(name) || KNOWN_METRICS.has(name)) return undefined;
  return { system: generic, variant };
}

/**
 * Env names that point at particular systems: those listed by at most two catalogue entries
 * (RABBITMQ_QUEUE, KAFKA_CONSUMER_GROUP), not the generic QUEUE_NAME that many list.
 */
const SYSTEM_SPECIFIC_ENV: Map<string, Set<string>> = (() => {
  const bySystem = new Map<string, Set<string>>();
  for (const s of QUEUE_SYSTEMS) {
    for (const name of [...(s.queueEnv ?? []), ...(s.consumerEnv ?? [])]) {
      const set = bySystem.get(name) ?? new Set<string>();
      set.add(s.id);
      bySystem.set(name, set);
    }
  }
  for (const [name, set] of bySystem) if (set.size > 2) bySystem.delete(name);
  return bySystem;
})();

/** Every metric name the catalogue mentions (the generic entry must not claim them). */
const KNOWN_METRICS = new Set<string>(
  QUEUE_SYSTEMS.flatMap((s) =>
    [s.backlog, s.inflight, s.throughput, s.enqueued]
      .filter((x) => x !== undefined)
      .flatMap((spec) => spec!.variants.filter((v) => !v.namePattern).flatMap((v) => (Array.isArray(v.metric) ? v.metric : [v.metric]))),
  ),
);

/** Normalise discovery results (label sets with __name__) into candidates. */
export function candidatesFrom(series: Array<Record<string, string>>): Candidate[] {
  const out = new Map<string, Candidate>();
  for (const labels of series) {
    const metric = labels.__name__;
    if (!metric) continue;
    const hit = classifyMetric(metric);
    if (!hit) continue;
    const { system, variant } = hit;
    const names = variantLabels(system, variant);
    const rawQueue = firstNonEmpty(labels, names.queue);
    const consumer = firstNonEmpty(labels, names.consumer);
    const namespace = labels.namespace ?? '';
    const queue = mapQueueName(system, rawQueue);
    const key = identityKey(system, { metric, namespace, queue: rawQueue, consumer });
    const existing = out.get(key);
    if (existing) {
      // the same queue seen through several label sets (e.g. one per exporter pod): merge hints
      for (const [k, v] of Object.entries(labels)) if (!(k in existing.labels) && v) existing.labels[k] = v;
      continue;
    }
    out.set(key, { system, variant, metric, namespace, rawQueue, queue, consumer, labels: { ...labels }, key });
  }
  return [...out.values()];
}

function firstNonEmpty(labels: Record<string, string>, names: string[]): string {
  for (const n of names) if (labels[n]) return labels[n];
  return '';
}

/** Map an exported queue label value to the name workloads use (redis key `queue:x` → `x`). */
export function mapQueueName(system: QueueSystem, raw: string): string {
  for (const pattern of system.queueNameFrom ?? []) {
    const m = new RegExp(pattern).exec(raw);
    if (m && m[1]) return m[1];
  }
  return raw;
}

interface Scored {
  candidate: Candidate;
  confidence: number;
  evidence: string[];
  /** Matched through an explicit queue/consumer hint of the workload. */
  byHint: boolean;
}

// Evidence weights, combined as independent evidence: confidence = 1 − Π(1 − w).
const W = {
  workloadLabel: 0.7,
  systemAffinity: 0.25,
  consumerHint: 0.65,
  queueHint: 0.6,
  appLabel: 0.35,
  nameMatch: 0.35,
  sole: 0.3,
  namespace: 0.2,
  namespaceExporter: 0.1,
  namePartial: 0.15,
};
/** Workloads that do not look like queue workers need more evidence. */
const NON_WORKER_FACTOR = 0.6;
/** The generic naming convention is weaker than a known exporter. */
const GENERIC_FACTOR = 0.85;

/** Score one candidate for one workload. Pure. */
export function scoreCandidate(w: Workload, hints: WorkloadHints, c: Candidate, context: { soleInNamespace: boolean }): Scored | undefined {
  const weights: number[] = [];
  const evidence: string[] = [];
  let byHint = false;
  const series = `${c.metric}{${describeLabels(c)}}`;

  if (c.system.namespaceScope === 'consumer' && c.namespace !== '' && c.namespace !== w.namespace) return undefined;

  for (const l of WORKLOAD_LABELS) {
    const v = c.labels[l];
    if (v && v === w.name) {
      weights.push(W.workloadLabel);
      evidence.push(l === 'qd_pod_owner' ? `${series} is exported by pods of ${w.name}` : `${series} carries ${l}="${v}"`);
      break;
    }
  }
  for (const l of APP_LABELS) {
    const v = c.labels[l]?.toLowerCase();
    if (v && hints.names.includes(v)) {
      weights.push(W.appLabel);
      evidence.push(`${series} carries ${l}="${c.labels[l]}", a name of ${w.name}`);
      break;
    }
  }
  const queueNames = new Set([c.queue, c.rawQueue].filter(Boolean));
  const qh = hints.queues.find((h) => queueNames.has(h.value));
  if (qh) {
    weights.push(W.queueHint);
    evidence.push(`queue "${c.queue}" is named by ${qh.evidence}`);
    byHint = true;
  }
  if (c.consumer) {
    const ch = hints.consumers.find((h) => h.value === c.consumer);
    if (ch) {
      weights.push(W.consumerHint);
      evidence.push(`consumer "${c.consumer}" is named by ${ch.evidence}`);
      byHint = true;
    }
  }
  const lowerNames = [c.queue, c.consumer].filter(Boolean).map((s) => s.toLowerCase());
  const exact = lowerNames.find((n) => hints.names.includes(n));
  if (exact) {
    weights.push(W.nameMatch);
    evidence.push(`${c.consumer && exact === c.consumer.toLowerCase() ? 'consumer' : 'queue'} "${exact}" matches the workload's name`);
  } else {
    const stem = hints.names.find((n) => n.length >= 3 && lowerNames.some((q) => new RegExp(`(^|[^a-z0-9])${escapeRegExp(n)}([^a-z0-9]|$)`).test(q)));
    if (stem) {
      weights.push(W.namePartial);
      evidence.push(`queue/consumer name contains "${stem}"`);
    }
  }
  // the workload's own settings say which system it uses (RABBITMQ_QUEUE, `celery … worker`)
  const specificEnv = [...hints.queues, ...hints.consumers].find((h) => h.env && SYSTEM_SPECIFIC_ENV.get(h.env)?.has(c.system.id));
  const command = c.system.command ? hints.commands.find((cmd) => new RegExp(c.system.command!).test(cmd)) : undefined;
  if (specificEnv || command) {
    weights.push(W.systemAffinity);
    evidence.push(specificEnv ? `env ${specificEnv.env} is a ${c.system.title} setting` : `the container runs ${c.system.title}: \`${command!.length > 60 ? command!.slice(0, 59) + '…' : command}\``);
  }
  if (c.namespace !== '' && c.namespace === w.namespace) {
    weights.push(c.system.namespaceScope === 'consumer' ? W.namespace : W.namespaceExporter);
    evidence.push(`same namespace ${w.namespace}`);
  }
  if (context.soleInNamespace) {
    weights.push(W.sole);
    evidence.push(`the only ${c.system.title} series and the only queue worker in namespace ${w.namespace}`);
  }
  // namespace alone never binds
  if (weights.length === 0 || weights.every((x) => x === W.namespace || x === W.namespaceExporter)) return undefined;

  let confidence = 1 - weights.reduce((p, x) => p * (1 - x), 1);
  if (!w.worker.isQueueWorker) {
    confidence *= NON_WORKER_FACTOR;
    evidence.push(`${w.name} is not classified as a queue worker (×${NON_WORKER_FACTOR})`);
  }
  if (c.system.id === 'generic') {
    confidence *= GENERIC_FACTOR;
    evidence.push(`matched only by the generic name pattern (×${GENERIC_FACTOR})`);
  }
  return { candidate: c, confidence: round2(confidence), evidence, byHint };
}

function describeLabels(c: Candidate): string {
  const parts: string[] = [];
  if (c.namespace) parts.push(`namespace="${c.namespace}"`);
  const names = variantLabels(c.system, c.variant);
  for (const l of [...names.queue, ...names.consumer]) if (c.labels[l]) parts.push(`${l}="${c.labels[l]}"`);
  return parts.join(',');
}

/** An auto-binding with the candidates it sums (several queues for `celery -Q a,b`). */
export interface AutoBinding {
  binding: QueueBinding;
  members: Candidate[];
}

export interface BindResult {
  bindings: AutoBinding[];
  /** Workloads with weaker candidates that were not bound: workload id → lines for notes. */
  unbound: Map<string, string[]>;
}

/**
 * Auto-bind workloads to discovered candidates (workloads with an explicit backlog query are
 * scored too; the caller keeps their explicit backlog and may borrow the companion series).
 * Each workload gets its best candidate; when its env/args name several queues of the same
 * system, all of them are summed into one binding.
 */
export function autoBind(workloads: Workload[], candidates: Candidate[], options: { inClusterAddress?: string } = {}): BindResult {
  const bindings: AutoBinding[] = [];
  const unbound = new Map<string, string[]>();
  const workersByNs = new Map<string, number>();
  for (const w of workloads) if (w.worker.isQueueWorker) workersByNs.set(w.namespace, (workersByNs.get(w.namespace) ?? 0) + 1);
  const candidatesBySystemNs = new Map<string, number>();
  for (const c of candidates) {
    if (c.system.namespaceScope !== 'consumer' || c.namespace === '') continue;
    const k = `${c.system.id}\u0000${c.namespace}`;
    candidatesBySystemNs.set(k, (candidatesBySystemNs.get(k) ?? 0) + 1);
  }

  const index = indexCandidates(candidates);
  for (const w of workloads) {
    // explicitly bound workloads are scored too: their queue's companion series (in-flight,
    // completions, enqueues, duration) can still come from the catalogue
    const hints = workloadHints(w);
    const scored: Scored[] = [];
    for (const c of index.relevantTo(w, hints)) {
      const sole =
        w.worker.isQueueWorker &&
        c.system.namespaceScope === 'consumer' &&
        c.namespace === w.namespace &&
        workersByNs.get(w.namespace) === 1 &&
        candidatesBySystemNs.get(`${c.system.id}\u0000${c.namespace}`) === 1;
      const s = scoreCandidate(w, hints, c, { soleInNamespace: sole });
      if (s) scored.push(s);
    }
    if (scored.length === 0) continue;
    scored.sort((a, b) => b.confidence - a.confidence || specificity(b) - specificity(a) || a.candidate.key.localeCompare(b.candidate.key));
    const best = scored[0];
    if (best.confidence < MIN_CONFIDENCE) {
      unbound.set(
        w.id,
        scored.slice(0, 3).map((s) => `possible queue ${s.candidate.metric} ${s.candidate.queue || s.candidate.consumer} (confidence ${s.confidence}: ${s.evidence.join('; ')})`),
      );
      continue;
    }
    let members = [best];
    if (best.byHint && hints.queues.length > 1) {
      members = scored.filter((s) => s.byHint && s.candidate.system.id === best.candidate.system.id && s.candidate.consumer === best.candidate.consumer && s.confidence >= MIN_CONFIDENCE);
      // one candidate per queue name (the best-scored one)
      const seen = new Set<string>();
      members = members.filter((s) => (seen.has(s.candidate.queue) ? false : (seen.add(s.candidate.queue), true)));
    }
    const evidence = [...new Set(members.flatMap((m) => m.evidence))];
    const others = scored.filter((s) => !members.includes(s) && s.confidence >= MIN_CONFIDENCE);
    if (others.length > 0) evidence.push(`also considered: ${others.slice(0, 3).map((s) => `${s.candidate.metric} ${s.candidate.queue || s.candidate.consumer} (${s.confidence})`).join(', ')}`);
    const binding = makeAutoBinding(w, hints, members.map((m) => m.candidate), best.confidence, evidence, options.inClusterAddress);
    bindings.push({ binding, members: members.map((m) => m.candidate) });
  }
  return { bindings, unbound };
}

/**
 * Only candidates that share something with a workload can score: its namespace, a name in its
 * hints, a workload label naming it, or a token of its name. Indexing them keeps binding
 * linear in workloads × matches instead of workloads × every queue series.
 */
function indexCandidates(candidates: Candidate[]) {
  const byKey = new Map<string, Candidate[]>();
  const add = (k: string, c: Candidate) => {
    const list = byKey.get(k);
    if (list) list.push(c);
    else byKey.set(k, [c]);
  };
  for (const c of candidates) {
    if (c.namespace) add(`ns\u0000${c.namespace}`, c);
    for (const v of [c.queue, c.rawQueue, c.consumer]) {
      if (!v) continue;
      add(`v\u0000${v}`, c);
      for (const token of v.toLowerCase().split(/[^a-z0-9]+/)) if (token) add(`t\u0000${token}`, c);
    }
    for (const l of [...WORKLOAD_LABELS, ...APP_LABELS]) if (c.labels[l]) add(`l\u0000${c.labels[l].toLowerCase()}`, c);
  }
  return {
    relevantTo(w: Workload, hints: WorkloadHints): Candidate[] {
      const out = new Set<Candidate>();
      const take = (k: string) => byKey.get(k)?.forEach((c) => out.add(c));
      take(`ns\u0000${w.namespace}`);
      for (const h of [...hints.queues, ...hints.consumers]) take(`v\u0000${h.value}`);
      for (const n of hints.names) {
        take(`l\u0000${n}`);
        const first = n.split(/[^a-z0-9]+/).find(Boolean);
        if (first) take(`t\u0000${first}`);
      }
      return [...out];
    },
  };
}

function specificity(s: Scored): number {
  return (s.candidate.system.id === 'generic' ? 0 : 2) + (s.byHint ? 1 : 0);
}

function makeAutoBinding(w: Workload, hints: WorkloadHints, members: Candidate[], confidence: number, evidence: string[], inClusterAddress: string | undefined): QueueBinding {
  const first = members[0];
  const system = first.system;
  const queues = [...new Set(members.map((m) => m.queue).filter(Boolean))];
  const backlogQuery = bindingQuery(system, 'backlog', members);
  const binding: QueueBinding = {
    workloadId: w.id,
    system: system.id,
    ...(queues.length > 0 ? { queueName: queues.join(',') } : {}),
    backlogQuery,
    confidence,
    evidence,
    source: 'auto',
    metric: first.metric,
    ...(first.consumer ? { consumer: first.consumer } : {}),
    ...(queues.length > 1 ? { queues } : {}),
  };
  for (const [signal, field] of [['inflight', 'inflightQuery'], ['throughput', 'throughputQuery'], ['enqueued', 'arrivalQuery']] as const) {
    if (system[signal]) binding[field] = bindingQuery(system, signal, members);
  }
  const keda = resolveKeda(system, members, hints) ?? prometheusTrigger(backlogQuery, inClusterAddress);
  binding.keda = keda;
  return binding;
}

/** The prometheus scaler trigger that reads the binding's own backlog query. */
export function prometheusTrigger(query: string, inClusterAddress: string | undefined): NonNullable<QueueBinding['keda']> {
  const metadata: Record<string, string> = { query };
  if (inClusterAddress) metadata.serverAddress = inClusterAddress;
  return {
    type: 'prometheus',
    metadata,
    note: inClusterAddress ? 'reads the same series queue-doctor measured' : 'set serverAddress to the in-cluster Prometheus URL (e.g. http://prometheus-operated.monitoring.svc:9090)',
  };
}

/**
 * Fill a native scaler's metadata from the catalogue template: the first template whose
 * condition holds and whose required keys resolve. Unresolved optional keys are listed in
 * the note.
 */
export function resolveKeda(system: QueueSystem, members: Candidate[], hints: WorkloadHints): QueueBinding['keda'] | undefined {
  if (members.length > 1) return undefined; // native scalers read one queue; a summed backlog needs the prometheus scaler
  const c = members[0];
  for (const t of system.keda) {
    if (t.when && !t.when.env.some((name) => new RegExp(t.when!.pattern).test(hints.env.get(name) ?? ''))) continue;
    const metadata: Record<string, string> = {};
    const missing: string[] = [];
    for (const [key, template] of Object.entries(t.metadata)) {
      const value = fillTemplate(template, c, hints);
      if (value === undefined) missing.push(key);
      else metadata[key] = value;
    }
    if (t.requires.some((k) => metadata[k] === undefined)) continue;
    // *FromEnv keys are alternatives to a TriggerAuthentication: leaving one out is normal
    const unfilled = missing.filter((k) => !/FromEnv$/.test(k));
    const notes = [t.note, unfilled.length > 0 ? `not filled: ${unfilled.join(', ')}` : undefined].filter(Boolean);
    return { type: t.type, metadata, ...(notes.length > 0 ? { note: notes.join('; ') } : {}) };
  }
  return undefined;
}

/** Resolve `{queue}`, `{rawQueue}`, `{consumer}`, `{label:x}`, `{env:A|B}`, `{envName:A|B}`; undefined if any part is missing. */
export function fillTemplate(template: KedaTemplate['metadata'][string], c: Candidate, hints: WorkloadHints): string | undefined {
  let ok = true;
  const out = template.replace(/\{([a-zA-Z]+)(?::([^}]+))?\}/g, (_m, kind: string, arg: string | undefined) => {
    let v: string | undefined;
    if (kind === 'queue') v = c.queue;
    else if (kind === 'rawQueue') v = c.rawQueue;
    else if (kind === 'consumer') v = c.consumer;
    else if (kind === 'label') v = c.labels[arg ?? ''];
    else if (kind === 'env') v = (arg ?? '').split('|').map((n) => hints.env.get(n)).find((x) => x !== undefined && x !== '');
    else if (kind === 'envName') v = (arg ?? '').split('|').find((n) => hints.envNames.has(n));
    if (v === undefined || v === '') ok = false;
    return v ?? '';
  });
  if (!ok) return undefined;
  // redis_exporter's db label is "db0"; KEDA wants the index
  return /^db\d+$/.test(out) && template === '{label:db}' ? out.slice(2) : out;
}

/** Explicit bindings from annotations or config: confidence 1, the user's own PromQL. */
export function explicitBinding(w: Workload, inClusterAddress: string | undefined): QueueBinding | undefined {
  const s = w.settings;
  if (!s.backlogQuery) return undefined;
  const fromAnnotation = w.annotations[ANNOTATION.backlogQuery]?.trim() === s.backlogQuery;
  const source = fromAnnotation ? 'annotation' : 'config';
  const where = fromAnnotation ? `annotation ${ANNOTATION.backlogQuery}` : '.queue-doctor.yaml workloads entry';
  return {
    workloadId: w.id,
    system: 'custom',
    backlogQuery: s.backlogQuery,
    ...(s.inflightQuery ? { inflightQuery: s.inflightQuery } : {}),
    ...(s.throughputQuery ? { throughputQuery: s.throughputQuery } : {}),
    ...(s.jobDurationQuery ? { jobDurationQuery: s.jobDurationQuery } : {}),
    confidence: 1,
    evidence: [`backlog query set by ${where}`],
    source,
    keda: prometheusTrigger(s.backlogQuery, inClusterAddress),
  };
}

/** Where a workload's explicit query lives, for error messages: `queue-doctor.io/backlog-query on rag/rag-worker`. */
export function queryOrigin(w: Workload, key: 'backlog-query' | 'inflight-query' | 'throughput-query' | 'job-duration-query'): string {
  const annotationKey = `queue-doctor.io/${key}`;
  const inAnnotation = w.annotations[annotationKey] !== undefined;
  return inAnnotation ? `${annotationKey} on ${w.namespace}/${w.name}` : `${key} in .queue-doctor.yaml for ${w.namespace}/${w.name}`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
