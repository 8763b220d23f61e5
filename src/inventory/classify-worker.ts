// The queue-worker heuristic: a documented score with the evidence that produced it.
// A workload is a queue worker when its score reaches WORKER_THRESHOLD, or when the
// `queue-doctor.io/queue-worker` annotation says so.
import type { Container, GpuClassification, WorkerClassification } from './model.js';
import { parseQuantity } from '../units/quantity.js';

export const WORKER_THRESHOLD = 3;
export const WORKER_ANNOTATION = 'queue-doctor.io/queue-worker';

interface Signal {
  test: RegExp;
  points: number;
  label: string;
}

// Commands and entrypoints of queue consumers (matched against command + args joined by spaces).
const COMMAND_SIGNALS: Signal[] = [
  { test: /\bcelery\b.*\bworker\b/, points: 4, label: 'celery worker' },
  { test: /\brq\b.*\bworker\b|\brqworker\b/, points: 4, label: 'rq worker' },
  { test: /\bsidekiq\b/, points: 4, label: 'sidekiq' },
  { test: /\bdramatiq\b/, points: 4, label: 'dramatiq' },
  { test: /\bhuey_consumer\b|\bhuey\b/, points: 4, label: 'huey' },
  { test: /\barq\b\s+\S+/, points: 4, label: 'arq worker' },
  { test: /\bfaust\b.*\bworker\b/, points: 4, label: 'faust worker' },
  { test: /\bbullmq\b|\bbull\b/, points: 3, label: 'bullmq/bull' },
  { test: /\bqueue:work\b|\bqueue:listen\b|\bhorizon\b/, points: 4, label: 'laravel queue worker' },
  { test: /\bjobs:work\b|\bsolid_queue\b|\bgood_job\b|\bresque\b/, points: 4, label: 'ruby job worker' },
  { test: /\bkafka-console-consumer\b|\bconsumer\.(py|js|ts|rb|go)\b/, points: 3, label: 'consumer entrypoint' },
];

// A `worker`/`consumer` word in a command token that is not a flag: "python -m app.worker",
// "node dist/worker.js", "/app/order-consumer" — but not gunicorn's "--workers 4".
const GENERIC_ENTRYPOINT = /(^|[/._-])(worker|workers|consumer|consume)($|[._:-])/;

// Web servers and UIs serve requests, so their CPU follows load: negative evidence.
const WEB_SERVER =
  /\b(gunicorn|uvicorn|hypercorn|daphne|granian|waitress|puma|unicorn|passenger|nginx|httpd|apache2|caddy|envoy|traefik|haproxy|flower)\b|\brails\s+(s|server)\b|\brunserver\b|\bflask\s+run\b|\bnext\s+start\b/;
const WEB_ENTRYPOINT = /(^|[/._-])(server|web|webapp|api|frontend|gateway)($|[._:-])/;

/** Env-derived points are capped: a web app that enqueues jobs carries the broker settings too. */
const ENV_POINTS_CAP = 3;
/** I/O hints (LLM clients, external APIs) hint at a slow worker but never make one alone. */
const IO_POINTS_CAP = 1;

// Environment variable names of queue clients.
const ENV_SIGNALS: Signal[] = [
  { test: /^CELERY_BROKER(_URL)?$/, points: 3, label: 'CELERY_BROKER_URL' },
  { test: /^(BROKER_URL|CELERY_.*)$/, points: 2, label: 'broker settings' },
  { test: /^(AMQP_URL|AMQP_URI|RABBITMQ_.*|RABBIT_.*)$/, points: 2, label: 'AMQP/RabbitMQ settings' },
  { test: /^KAFKA_.*(GROUP|CONSUMER).*$|^(CONSUMER_GROUP|GROUP_ID)$/, points: 3, label: 'Kafka consumer group' },
  { test: /^KAFKA_.*$/, points: 1, label: 'Kafka settings' },
  { test: /^SQS_.*|.*_SQS_QUEUE.*$/, points: 3, label: 'SQS queue' },
  { test: /^(QUEUE_NAME|QUEUE_URL|QUEUES|QUEUE|WORKER_QUEUE|JOB_QUEUE|TASK_QUEUE)$/, points: 3, label: 'queue name/url' },
  { test: /^(REDIS_QUEUE.*|RQ_.*|SIDEKIQ_.*|BULL_.*|BULLMQ_.*)$/, points: 3, label: 'Redis queue settings' },
  { test: /^(NATS_URL|NATS_.*|JETSTREAM_.*)$/, points: 2, label: 'NATS settings' },
  { test: /^(PUBSUB_SUBSCRIPTION.*|.*_SUBSCRIPTION)$/, points: 2, label: 'Pub/Sub subscription' },
  { test: /^(WORKER_CONCURRENCY|CONCURRENCY|PREFETCH.*|.*_PREFETCH_.*)$/, points: 1, label: 'worker concurrency' },
];

// I/O-bound hints: an LLM, an API or a database the worker waits on. Not enough alone.
const IO_SIGNALS: Signal[] = [
  { test: /^(OLLAMA_.*|OPENAI_.*|ANTHROPIC_.*|AZURE_OPENAI_.*|VLLM_.*|LLM_.*|HF_.*|HUGGINGFACE.*|COHERE_.*|MISTRAL_.*|GEMINI_.*|BEDROCK_.*)$/, points: 1, label: 'LLM client' },
  { test: /^.*_API_(URL|BASE|ENDPOINT)$/, points: 1, label: 'external API' },
];

// One combined test per signal family: most env names and commands match nothing, and one
// regex rejects them faster than a dozen.
const ANY_COMMAND = new RegExp(COMMAND_SIGNALS.map((s) => `(?:${s.test.source})`).join('|'));
const ENV_AND_IO = [...ENV_SIGNALS, ...IO_SIGNALS];
const ANY_ENV = new RegExp(ENV_AND_IO.map((s) => `(?:${s.test.source})`).join('|'));

const WORKER_COMPONENT = /^(worker|workers|consumer|consumers|queue-worker|job-worker)$/i;
const WORKER_NAME = /(^|-)(worker|consumer|workers|consumers)(-|$)/;
const IO_FROM = ENV_SIGNALS.length; // ENV_AND_IO[i] is an I/O hint from here on

// Which signals were already counted: one bit per COMMAND_SIGNALS / ENV_AND_IO entry (their
// labels are distinct), plus the generic entrypoint and the web server.
const SEEN_ENTRYPOINT = 1;
const SEEN_WEB = 2;

export function classifyWorker(input: {
  name: string;
  labels: Record<string, string>;
  /** Pod template labels (the workload's own labels win). */
  podLabels?: Record<string, string>;
  annotations: Record<string, string>;
  containers: Container[];
}): WorkerClassification {
  // Evidence in the order found, kept sorted strongest first as it is added (equal points
  // keep their order): messages quote the first entries. Called for every workload, so no
  // closures, sets or sorts here.
  const evidence: string[] = [];
  const points: number[] = [];
  let score = 0;
  let seenCommand = 0;
  let seenEnv = 0;
  let seenOther = 0;
  let commandEvidence = false;
  let envPoints = 0;
  let ioPoints = 0;
  const containers = input.containers;
  for (let ci = 0; ci < containers.length; ci++) {
    const c = containers[ci];
    const words = c.args.length === 0 ? c.command : c.command.concat(c.args);
    // no command line (the image's entrypoint): no command pattern can match the empty string
    const cmd = words.length === 0 ? '' : words.join(' ');
    let matched = false;
    if (words.length !== 0 && ANY_COMMAND.test(cmd)) {
      // the most specific wins
      for (let i = 0; i < COMMAND_SIGNALS.length; i++) {
        const s = COMMAND_SIGNALS[i];
        if ((seenCommand & (1 << i)) === 0 && s.test.test(cmd)) {
          seenCommand |= 1 << i;
          score += add(evidence, points, s.points, `container ${c.name} runs ${s.label}: \`${truncate(cmd, 60)}\``);
          matched = true;
          break;
        }
      }
    }
    if (!matched && someWord(words, GENERIC_ENTRYPOINT)) {
      matched = true;
      if ((seenOther & SEEN_ENTRYPOINT) === 0) {
        seenOther |= SEEN_ENTRYPOINT;
        score += add(evidence, points, 2, `container ${c.name} runs a \`worker\`/\`consumer\` entrypoint: \`${truncate(cmd, 60)}\``);
      }
    }
    if (matched) commandEvidence = true;
    else if ((seenOther & SEEN_WEB) === 0 && words.length !== 0 && (WEB_SERVER.test(cmd) || someWord(words, WEB_ENTRYPOINT))) {
      seenOther |= SEEN_WEB;
      score += add(evidence, points, -3, `container ${c.name} runs a web server: \`${truncate(cmd, 60)}\``);
    }
    const env = c.env;
    for (let ei = 0; ei < env.length; ei++) {
      const name = env[ei].name;
      // the first signal not counted yet that the name matches
      const avail = envSignals(name) & ~seenEnv;
      if (avail === 0) continue;
      const i = 31 - Math.clz32(avail & -avail);
      const s = ENV_AND_IO[i];
      seenEnv |= 1 << i;
      const io = i >= IO_FROM;
      const p = io ? Math.min(s.points, IO_POINTS_CAP - ioPoints) : Math.min(s.points, ENV_POINTS_CAP - envPoints);
      if (io) ioPoints += p;
      else envPoints += p;
      if (p > 0) score += add(evidence, points, p, `env ${name} (${s.label})`);
    }
  }
  const component =
    input.labels['app.kubernetes.io/component'] ?? input.podLabels?.['app.kubernetes.io/component'] ?? input.labels['component'] ?? input.podLabels?.['component'];
  if (component && WORKER_COMPONENT.test(component)) {
    score += add(evidence, points, 2, `label app.kubernetes.io/component=${component}`);
  } else if (WORKER_NAME.test(input.name)) {
    score += add(evidence, points, 1, `name "${input.name}" says worker/consumer`);
  }
  let portCount = 0;
  let shownPorts = '';
  for (let ci = 0; ci < containers.length; ci++) {
    const ports = containers[ci].ports;
    for (let i = 0; i < ports.length; i++) {
      if (portCount < 3) shownPorts = portCount === 0 ? String(ports[i]) : `${shownPorts}, ${ports[i]}`;
      portCount++;
    }
  }
  if (containers.length > 0 && portCount === 0) score += add(evidence, points, 1, 'no container ports (serves no traffic)');
  // a worker may expose a metrics or health port; without a worker command, ports mean traffic
  else if (portCount > 0) score += add(evidence, points, commandEvidence ? -1 : -2, `exposes ports ${shownPorts}`);

  const override = input.annotations[WORKER_ANNOTATION];
  if (override === 'true' || override === 'false') {
    evidence.unshift(`annotation ${WORKER_ANNOTATION}: "${override}"`);
    return { isQueueWorker: override === 'true', score, evidence, override: override === 'true' };
  }
  return { isQueueWorker: score >= WORKER_THRESHOLD, score, evidence };
}

// The same env var names recur across a repository's workloads: which ENV_AND_IO signals a
// name matches (bit i for signal i) is computed once per name.
const ENV_SIGNAL_CACHE = new Map<string, number>();

function envSignals(name: string): number {
  let bits = ENV_SIGNAL_CACHE.get(name);
  if (bits === undefined) {
    bits = 0;
    if (ANY_ENV.test(name)) for (let i = 0; i < ENV_AND_IO.length; i++) if (ENV_AND_IO[i].test.test(name)) bits |= 1 << i;
    if (ENV_SIGNAL_CACHE.size < 10_000 && name.length <= 200) ENV_SIGNAL_CACHE.set(name, bits);
  }
  return bits;
}

/** Insert "text (+points)" after every entry with at least as many points; returns the points. */
function add(evidence: string[], points: number[], p: number, text: string): number {
  const line = `${text} (${p >= 0 ? '+' : ''}${p})`;
  let at = points.length;
  points.push(p);
  evidence.push(line);
  for (; at > 0 && points[at - 1] < p; at--) {
    points[at] = points[at - 1];
    evidence[at] = evidence[at - 1];
  }
  points[at] = p;
  evidence[at] = line;
  return p;
}

/** A command word that is not a flag and matches `re`. */
function someWord(words: string[], re: RegExp): boolean {
  for (let i = 0; i < words.length; i++) {
    const t = words[i];
    if (t.charCodeAt(0) !== 45 /* - */ && re.test(t)) return true;
  }
  return false;
}

// Accelerators beyond `*/gpu`: NVIDIA MIG slices, Intel GPUs, Habana Gaudi, AWS Neuron, Google TPU.
const ACCELERATOR_RESOURCE = /^(nvidia\.com\/(gpu|mig-.+)|amd\.com\/gpu|gpu\.intel\.com\/.+|habana\.ai\/gaudi|aws\.amazon\.com\/neuron(core|device)?|google\.com\/tpu|.+\/gpu)$/;

export function classifyGpu(containers: Container[], podSpec: Record<string, any> | undefined): GpuClassification {
  const evidence: string[] = [];
  for (const c of containers) {
    const amount = c.limits.gpu ?? c.requests.gpu;
    if (amount) evidence.push(`container ${c.name} requests ${amount} ${c.limits.gpuResource ?? c.requests.gpuResource}`);
  }
  if (evidence.length === 0) {
    const raw = podSpec?.containers;
    if (Array.isArray(raw)) {
      for (const rc of raw) {
        const res = rc && typeof rc === 'object' && rc.resources && typeof rc.resources === 'object' ? rc.resources : undefined;
        if (!res) continue;
        const inLimits = acceleratorKey(res.limits);
        const key = inLimits ?? acceleratorKey(res.requests);
        if (key !== undefined) {
          const part = inLimits !== undefined ? res.limits : res.requests;
          const amount = parseQuantity(part[key]);
          evidence.push(`container ${typeof rc.name === 'string' ? rc.name : '?'} requests ${amount !== undefined ? `${amount} ` : ''}${key}`);
        }
      }
    }
  }
  const selector = podSpec?.nodeSelector;
  if (selector && typeof selector === 'object') {
    for (const k of Object.keys(selector)) {
      if (/gpu|accelerator/i.test(k)) evidence.push(`nodeSelector ${k}=${String(selector[k])}`);
    }
  }
  const runtime = podSpec?.runtimeClassName;
  if (typeof runtime === 'string' && /nvidia|gpu/i.test(runtime)) evidence.push(`runtimeClassName ${runtime}`);
  return { isGpu: evidence.length > 0, evidence };
}

/** The first accelerator resource with a non-zero amount in a limits/requests map. */
function acceleratorKey(part: unknown): string | undefined {
  if (!part || typeof part !== 'object' || Array.isArray(part)) return undefined;
  const p = part as Record<string, unknown>;
  for (const k in p) if (ACCELERATOR_RESOURCE.test(k) && p[k] !== 0 && p[k] !== '0') return k;
  return undefined;
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
