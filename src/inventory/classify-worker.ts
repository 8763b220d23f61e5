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

export function classifyWorker(input: {
  name: string;
  labels: Record<string, string>;
  /** Pod template labels (the workload's own labels win). */
  podLabels?: Record<string, string>;
  annotations: Record<string, string>;
  containers: Container[];
}): WorkerClassification {
  const found: Array<{ points: number; text: string }> = [];
  let score = 0;
  const add = (points: number, text: string) => {
    score += points;
    found.push({ points, text: `${text} (${points >= 0 ? '+' : ''}${points})` });
  };
  const seen = new Set<string>();
  let commandEvidence = false;
  let envPoints = 0;
  let ioPoints = 0;
  for (const c of input.containers) {
    const words = c.args.length === 0 ? c.command : c.command.concat(c.args);
    const cmd = words.join(' ');
    let matched = false;
    if (ANY_COMMAND.test(cmd)) {
      const s = COMMAND_SIGNALS.find((x) => !seen.has(x.label) && x.test.test(cmd)); // the most specific wins
      if (s) {
        seen.add(s.label);
        add(s.points, `container ${c.name} runs ${s.label}: \`${truncate(cmd, 60)}\``);
        matched = true;
      }
    }
    if (!matched && words.some((t) => !t.startsWith('-') && GENERIC_ENTRYPOINT.test(t))) {
      matched = true;
      if (!seen.has('entrypoint')) {
        seen.add('entrypoint');
        add(2, `container ${c.name} runs a \`worker\`/\`consumer\` entrypoint: \`${truncate(cmd, 60)}\``);
      }
    }
    if (matched) commandEvidence = true;
    else if (!seen.has('web') && (WEB_SERVER.test(cmd) || words.some((t) => !t.startsWith('-') && WEB_ENTRYPOINT.test(t)))) {
      seen.add('web');
      add(-3, `container ${c.name} runs a web server: \`${truncate(cmd, 60)}\``);
    }
    for (const e of c.env) {
      if (ANY_ENV.test(e.name)) for (const s of ENV_AND_IO) {
        if (!seen.has(s.label) && s.test.test(e.name)) {
          seen.add(s.label);
          const io = IO_SIGNALS.includes(s);
          const points = io ? Math.min(s.points, IO_POINTS_CAP - ioPoints) : Math.min(s.points, ENV_POINTS_CAP - envPoints);
          if (io) ioPoints += points;
          else envPoints += points;
          if (points > 0) add(points, `env ${e.name} (${s.label})`);
          break;
        }
      }
    }
  }
  const component =
    input.labels['app.kubernetes.io/component'] ?? input.podLabels?.['app.kubernetes.io/component'] ?? input.labels['component'] ?? input.podLabels?.['component'];
  if (component && /^(worker|workers|consumer|consumers|queue-worker|job-worker)$/i.test(component)) {
    add(2, `label app.kubernetes.io/component=${component}`);
  } else if (/(^|-)(worker|consumer|workers|consumers)(-|$)/.test(input.name)) {
    add(1, `name "${input.name}" says worker/consumer`);
  }
  const ports = input.containers.flatMap((c) => c.ports);
  if (input.containers.length > 0 && ports.length === 0) add(1, 'no container ports (serves no traffic)');
  // a worker may expose a metrics or health port; without a worker command, ports mean traffic
  else if (ports.length > 0) add(commandEvidence ? -1 : -2, `exposes ports ${ports.slice(0, 3).join(', ')}`);

  // strongest evidence first: messages quote the first entries
  const evidence = found.sort((a, b) => b.points - a.points).map((f) => f.text);

  const override = input.annotations[WORKER_ANNOTATION];
  if (override === 'true' || override === 'false') {
    evidence.unshift(`annotation ${WORKER_ANNOTATION}: "${override}"`);
    return { isQueueWorker: override === 'true', score, evidence, override: override === 'true' };
  }
  return { isQueueWorker: score >= WORKER_THRESHOLD, score, evidence };
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
    for (const rc of Array.isArray(podSpec?.containers) ? podSpec!.containers : []) {
      const res = rc && typeof rc === 'object' && rc.resources && typeof rc.resources === 'object' ? rc.resources : undefined;
      if (!res) continue;
      for (const part of [res.limits, res.requests]) {
        if (!part || typeof part !== 'object' || Array.isArray(part)) continue;
        const key = Object.keys(part).find((k) => ACCELERATOR_RESOURCE.test(k) && part[k] !== 0 && part[k] !== '0');
        if (key) {
          const amount = parseQuantity(part[key]);
          evidence.push(`container ${typeof rc.name === 'string' ? rc.name : '?'} requests ${amount !== undefined ? `${amount} ` : ''}${key}`);
          break;
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

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
