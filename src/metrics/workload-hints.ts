// What a workload's own spec says about the queue it consumes: queue names and consumer
// groups in env values and command-line arguments, and the names it goes by. Pure; every hint
// carries the evidence shown to the user ("env QUEUE_NAME=default", "args -Q high,low").
import type { Workload } from '../inventory/model.js';

export interface Hint {
  value: string;
  evidence: string;
  /** The env var the value came from, when it came from one. */
  env?: string;
}

export interface WorkloadHints {
  /** The workload name, its stem (rag-worker → rag) and app labels, lower-cased. */
  names: string[];
  /** Queue, topic, stream or subscription names. */
  queues: Hint[];
  /** Consumer groups and durable consumer names. */
  consumers: Hint[];
  /** Literal env values by name (first container wins). Values from Secrets are not read. */
  env: Map<string, string>;
  /** Every env var name set on any container, including ones from Secrets/ConfigMaps. */
  envNames: Set<string>;
  /** Each container's command and args, joined by spaces. */
  commands: string[];
}

const QUEUE_ENV = /^(?:[A-Z0-9_]*_)?(?:QUEUE|QUEUES|QUEUE_NAME|QUEUE_NAMES|QUEUE_URL|TOPIC|TOPICS|TOPIC_NAME|STREAM|STREAM_NAME|SUBSCRIPTION|SUBSCRIPTION_ID|SUBSCRIPTION_NAME|LIST|LIST_NAME|LIST_KEY)$/;
const CONSUMER_ENV = /^(?:[A-Z0-9_]*_)?(?:CONSUMER_GROUP|CONSUMER_GROUP_ID|GROUP_ID|GROUP|CONSUMER|CONSUMER_NAME|DURABLE|DURABLE_NAME)$/;
// names that look like queue settings but hold something else
const NOT_QUEUE_ENV = /(_SIZE|_LIMIT|_TIMEOUT|_TTL|_MAX|_MIN|_COUNT|_PREFETCH|_CONCURRENCY|_ENABLED|_PORT|_HOST|_PASSWORD|_USER|_TOKEN)$/;

const NAME_SUFFIX = /[-_](workers?|consumers?|processors?|jobs?|queue|listeners?|handlers?|daemon)$/;

/** Extract hints from a workload's labels, env and command line. */
export function workloadHints(w: Workload): WorkloadHints {
  const env = new Map<string, string>();
  const envNames = new Set<string>();
  const queues: Hint[] = [];
  const consumers: Hint[] = [];
  const commands: string[] = [];
  const addQueue = (value: string, evidence: string, env?: string) => pushUnique(queues, value, evidence, env);
  const addConsumer = (value: string, evidence: string, env?: string) => pushUnique(consumers, value, evidence, env);

  for (const c of w.containers) {
    for (const e of c.env) {
      envNames.add(e.name);
      if (e.value === undefined) continue;
      if (!env.has(e.name)) env.set(e.name, e.value);
      const name = e.name.toUpperCase();
      // plural names hold lists (QUEUES=a,b); a singular name holds one name, spaces and all
      const values = /S$/.test(name) ? splitList(e.value) : [e.value.trim()].filter(Boolean);
      if (CONSUMER_ENV.test(name) && !NOT_QUEUE_ENV.test(name)) {
        for (const v of values) addConsumer(v, `env ${e.name}=${e.value}`, e.name);
      } else if (QUEUE_ENV.test(name) && !NOT_QUEUE_ENV.test(name)) {
        for (const v of values) {
          const q = queueFromValue(v);
          if (q) addQueue(q, `env ${e.name}=${e.value}`, e.name);
        }
      }
    }
    const argv = tokens([...c.command, ...c.args]);
    commands.push(argv.join(' '));
    fromArgs(argv, addQueue, addConsumer);
  }

  const names = new Set<string>();
  const add = (n: string | undefined) => {
    if (n && n.trim()) names.add(n.trim().toLowerCase());
  };
  add(w.name);
  add(w.name.replace(NAME_SUFFIX, ''));
  for (const labels of [w.labels, w.podLabels]) {
    add(labels['app.kubernetes.io/name']);
    add(labels['app']);
  }
  return { names: [...names], queues, consumers, env, envNames, commands };
}

function pushUnique(list: Hint[], value: string, evidence: string, env?: string): void {
  if (!list.some((h) => h.value === value)) list.push({ value, evidence, ...(env ? { env } : {}) });
}

/** Split `a,b c` lists; drop Sidekiq-style weights (`critical,2`). */
function splitList(value: string): string[] {
  return value
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !/^\d+$/.test(s));
}

/** A queue name from an env value: URLs give their last path segment (SQS queue URLs). */
function queueFromValue(v: string): string | undefined {
  if (v.includes('://')) {
    try {
      const u = new URL(v);
      if (!/^https?:$/.test(u.protocol)) return undefined; // a broker URL, not a queue
      const last = u.pathname.split('/').filter(Boolean).pop();
      return last && u.pathname.split('/').filter(Boolean).length >= 2 ? last : undefined;
    } catch {
      return undefined;
    }
  }
  if (/^\$\(|^\$\{/.test(v)) return undefined; // unexpanded reference
  return v;
}

/** Split command and args into words (args often hold a whole `sh -c "…"` line). */
function tokens(parts: string[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    for (const m of p.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  }
  return out;
}

const QUEUE_FLAGS = new Map<string, string>([
  ['-Q', 'celery -Q'],
  ['--queues', '--queues'],
  ['--queue', '--queue'],
  ['-q', '-q'],
  ['--topic', '--topic'],
  ['--topics', '--topics'],
  ['--stream', '--stream'],
  ['--subscription', '--subscription'],
  ['--list', '--list'],
]);
const CONSUMER_FLAGS = new Map<string, string>([
  ['--group', '--group'],
  ['--group-id', '--group-id'],
  ['--consumer-group', '--consumer-group'],
  ['--consumer', '--consumer'],
  ['--durable', '--durable'],
]);

function fromArgs(argv: string[], addQueue: (v: string, e: string) => void, addConsumer: (v: string, e: string) => void): void {
  const line = argv.join(' ');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eqAt = a.indexOf('=');
    const flag = a.startsWith('--') && eqAt > 0 ? a.slice(0, eqAt) : a;
    const inline = a.startsWith('--') && eqAt > 0 ? a.slice(eqAt + 1) : undefined;
    // celery's -Qhigh,low
    if (/^-Q.+/.test(a)) {
      for (const v of splitList(a.slice(2))) addQueue(v, `args ${a}`);
      continue;
    }
    const q = QUEUE_FLAGS.get(flag);
    const c = CONSUMER_FLAGS.get(flag);
    if (q || c) {
      const value = inline ?? argv[i + 1];
      if (value === undefined || value.startsWith('-')) continue;
      if (inline === undefined) i++;
      for (const v of splitList(value)) {
        if (q) addQueue(v, `args ${flag} ${value}`);
        else addConsumer(v, `args ${flag} ${value}`);
      }
      continue;
    }
    const groupProp = /^group\.id=(.+)$/.exec(a);
    if (groupProp) addConsumer(groupProp[1], `args ${a}`);
  }
  // `rq worker high default low`: queues are the positional words after `worker`
  const rq = argv.findIndex((a, i) => a === 'worker' && i > 0 && /(^|\/)rq$/.test(argv[i - 1]));
  if (rq >= 0) {
    for (let i = rq + 1; i < argv.length; i++) {
      const a = argv[i];
      if (a.startsWith('-')) {
        if (!a.includes('=') && i + 1 < argv.length && !argv[i + 1].startsWith('-') && /^-(u|c|w|-url|-config|-worker-class|-job-class|-queue-class|-name|-path|-logging_level|-results-ttl|-worker-ttl|-job-monitoring-interval|-serializer|-sentry-dsn|-pid|-max-jobs|-with-scheduler)$/.test(a)) i++;
        continue;
      }
      addQueue(a, `args ${shortLine(line)}`);
    }
  }
}

function shortLine(s: string): string {
  return s.length > 60 ? s.slice(0, 59) + '…' : s;
}
