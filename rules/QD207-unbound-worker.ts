import type { Rule, RuleMeta } from '../src/diagnose/rule.js';
import { finding } from '../src/diagnose/rule.js';
import type { Workload } from '../src/inventory/model.js';
import { ANNOTATION } from '../src/inventory/settings.js';

export const meta: RuleMeta = {
  id: 'QD207',
  slug: 'unbound-worker',
  severity: 'info',
  title: 'Queue worker with no queue metric bound',
  rationale:
    'queue-doctor recognised this workload as a queue worker but found no series for its queue, so it cannot measure ' +
    'the backlog, diagnose scaling or recommend a trigger. One annotation naming the backlog query fixes that.',
  fix: 'Annotate the workload with `queue-doctor.io/backlog-query` (PromQL returning the jobs waiting), and optionally `queue-doctor.io/inflight-query`.',
  needsSignals: true,
  examples: {
    bad: `kind: Deployment   # celery worker, no queue series found
metadata: {name: rag-worker}`,
    good: `kind: Deployment
metadata:
  name: rag-worker
  annotations:
    queue-doctor.io/backlog-query: 'sum(celery_queue_length{queue_name="default"})'`,
  },
  references: ['https://github.com/queue-doctor/queue-doctor#binding-workloads-to-their-queues'],
};

interface Guess {
  system: string;
  /** Query for the jobs waiting, with the queue name substituted. */
  backlog: (queue: string) => string;
  defaultQueue: string;
  exporter: string;
}

// Metric names of the common exporters (the ones the signals catalogue also knows). Guesses only:
// the message says so, and the user confirms by adding the annotation.
const GUESSES: Array<{ test: (w: Workload, text: string) => boolean; guess: Guess }> = [
  { test: (_w, t) => /celery/.test(t), guess: { system: 'celery', exporter: 'celery-exporter', defaultQueue: 'celery', backlog: (q) => `sum(celery_queue_length{queue_name="${q}"})` } },
  { test: (_w, t) => /\brq\b|rqworker|\brq_/.test(t), guess: { system: 'rq', exporter: 'rq-exporter', defaultQueue: 'default', backlog: (q) => `sum(rq_jobs{queue="${q}",status="queued"})` } },
  { test: (_w, t) => /kafka|consumer_group|group_id/.test(t), guess: { system: 'kafka', exporter: 'kafka_exporter', defaultQueue: 'my-consumer-group', backlog: (q) => `sum(kafka_consumergroup_lag{consumergroup="${q}"})` } },
  { test: (_w, t) => /rabbit|amqp/.test(t), guess: { system: 'rabbitmq', exporter: 'rabbitmq_prometheus (per-object metrics)', defaultQueue: 'default', backlog: (q) => `sum(rabbitmq_queue_messages_ready{queue="${q}"})` } },
  { test: (_w, t) => /\bsqs\b|sqs_/.test(t), guess: { system: 'aws-sqs', exporter: 'YACE (CloudWatch exporter)', defaultQueue: 'my-queue', backlog: (q) => `sum(aws_sqs_approximate_number_of_messages_visible_average{dimension_QueueName="${q}"})` } },
  { test: (_w, t) => /nats|jetstream/.test(t), guess: { system: 'nats-jetstream', exporter: 'prometheus-nats-exporter', defaultQueue: 'my-consumer', backlog: (q) => `sum(jetstream_consumer_num_pending{consumer_name="${q}"})` } },
];

function promName(s: string): string {
  const n = s.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[a-z_]/.test(n) ? n : `q_${n}`;
}

/** The queue name from env (QUEUE_NAME, QUEUE, CELERY_QUEUE…) or args (`-Q a,b`, `--queues a`). */
export function guessQueueName(w: Workload): string | undefined {
  for (const c of w.containers) {
    for (const e of c.env) if (/^(QUEUE_NAME|QUEUE|QUEUES|WORKER_QUEUE|JOB_QUEUE|TASK_QUEUE|CELERY_QUEUE|CELERY_QUEUES|CONSUMER_GROUP|KAFKA_CONSUMER_GROUP|GROUP_ID|SQS_QUEUE_NAME)$/.test(e.name) && e.value) return e.value.split(/[,\s]+/)[0];
    const argv = [...c.command, ...c.args];
    for (let i = 0; i < argv.length; i++) {
      const m = /^(?:-Q|--queues?|--queue-name)(?:=(.+))?$/.exec(argv[i]);
      if (m) return (m[1] ?? argv[i + 1] ?? '').split(',')[0] || undefined;
    }
  }
  return undefined;
}

export function guessBinding(w: Workload): { query: string; system: string; exporter: string; queue: string; queueGuessed: boolean } {
  const text = [w.name, ...w.worker.evidence, ...w.containers.flatMap((c) => [c.image, ...c.command, ...c.args, ...c.env.map((e) => e.name)])].join(' ').toLowerCase();
  const hit = GUESSES.find((g) => g.test(w, text))?.guess;
  const named = guessQueueName(w);
  if (hit) return { query: hit.backlog(named ?? hit.defaultQueue), system: hit.system, exporter: hit.exporter, queue: named ?? hit.defaultQueue, queueGuessed: named === undefined };
  const queue = named ?? 'default';
  return { query: `sum(${promName(w.name)}_queue_depth{queue="${queue}"})`, system: 'generic', exporter: 'your application’s own metrics', queue, queueGuessed: named === undefined };
}

export const rule: Rule = {
  meta,
  check(context) {
    const out = [];
    for (const w of context.inventory.workloads) {
      if (!w.worker.isQueueWorker) continue;
      const s = context.signals?.get(w.id);
      if (context.bindings?.get(w.id) || s?.binding || s?.backlog) continue;
      const g = guessBinding(w);
      const quoted = `'${g.query.replace(/'/g, "''")}'`;
      const annotationYaml = `metadata:\n  annotations:\n    ${ANNOTATION.backlogQuery}: ${quoted}`;
      const kubectl = `kubectl annotate ${w.kind.toLowerCase()}/${w.name} -n ${w.namespace} ${ANNOTATION.backlogQuery}=${quoted}`;
      out.push(
        finding(
          meta,
          w,
          ['metadata'],
          `${w.kind} ${w.name} looks like a ${g.system === 'generic' ? 'queue worker' : `${g.system} worker`} but no queue metric is bound to it; ` +
            `bind it with the annotation ${ANNOTATION.backlogQuery}: ${g.query} (a guess from ${g.exporter}${g.queueGuessed ? `; queue name "${g.queue}" is a placeholder` : ''} — check the metric exists)`,
          {
            guessedSystem: g.system,
            guessedQuery: g.query,
            queueName: g.queue,
            queueNameGuessed: g.queueGuessed,
            annotation: ANNOTATION.backlogQuery,
            workerEvidence: w.worker.evidence.join('; '),
          },
          { fix: `${annotationYaml}\n# or: ${kubectl}` },
        ),
      );
    }
    return out;
  },
};
