// Binding workloads to queues: hints from env and args, scoring with evidence, the catalogue's
// metric classification, KEDA metadata templates, explicit bindings.
import { describe, expect, it } from 'vitest';
import { DEFAULT_READ_OPTIONS, parseFileInto, type ReadResult } from '../../src/inventory/read-manifests.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import type { Workload } from '../../src/inventory/model.js';
import { workloadHints } from '../../src/metrics/workload-hints.js';
import { autoBind, candidatesFrom, classifyMetric, explicitBinding, fillTemplate, LOW_CONFIDENCE, mapQueueName, queryOrigin, resolveKeda } from '../../src/metrics/binding.js';
import { QUEUE_SYSTEMS, queueSystem } from '../../rules/queue-systems.js';

function workloads(yaml: string): Workload[] {
  const result: ReadResult = { objects: [], problems: [], sources: [], nonObjects: 0, partialView: false };
  parseFileInto('test.yaml', Buffer.from(yaml), DEFAULT_READ_OPTIONS, result);
  return buildInventory(result.objects, {}).workloads;
}

function deploy(name: string, container: string, opts: { namespace?: string; annotations?: string; ports?: boolean } = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${opts.namespace ?? 'ns'}
${opts.annotations ? `  annotations:\n${opts.annotations}\n` : ''}spec:
  template:
    spec:
      containers:
        - name: main
          image: app
${container}${opts.ports ? '\n          ports:\n            - containerPort: 80' : ''}
---
`;
}

describe('workload hints', () => {
  it('reads queue names and consumer groups from env and args', () => {
    const [w] = workloads(
      deploy(
        'orders-worker',
        `          command: ["sh", "-c", "celery -A app worker -Qhigh,low --loglevel=info"]
          args: ["--topics", "a,b", "--group=billing", "--consumer-property", "group.id=g2", "-q", "critical,2"]
          env:
            - { name: QUEUE_NAME, value: "with space" }
            - { name: CELERY_QUEUES, value: "x y,z" }
            - { name: KAFKA_CONSUMER_GROUP, value: kg }
            - { name: SQS_QUEUE_URL, value: "https://sqs.us-east-1.amazonaws.com/1234/jobs.fifo" }
            - { name: BROKER_URL, value: "amqp://u:p@rabbit//" }
            - { name: QUEUE_SIZE, value: "100" }
            - { name: SECRET_QUEUE, valueFrom: { secretKeyRef: { name: s, key: k } } }`,
      ),
    );
    const h = workloadHints(w);
    expect(h.queues.map((q) => q.value)).toEqual(['with space', 'x', 'y', 'z', 'jobs.fifo', 'high', 'low', 'a', 'b', 'critical']);
    expect(h.queues.find((q) => q.value === 'high')!.evidence).toBe('args -Qhigh,low');
    expect(h.queues.find((q) => q.value === 'with space')).toEqual({ value: 'with space', evidence: 'env QUEUE_NAME=with space', env: 'QUEUE_NAME' });
    expect(h.consumers.map((c) => c.value)).toEqual(['kg', 'billing', 'g2']);
    expect(h.names).toEqual(['orders-worker', 'orders']);
    expect(h.envNames.has('SECRET_QUEUE')).toBe(true);
    expect(h.env.has('SECRET_QUEUE')).toBe(false); // values from Secrets are never read
  });

  it('rq: positional queues after `worker`, options skipped', () => {
    const [w] = workloads(deploy('rq', '          command: ["rq", "worker", "-u", "redis://r:6379", "high", "default", "--with-scheduler"]'));
    expect(workloadHints(w).queues.map((q) => q.value)).toEqual(['high', 'default']);
  });
});

describe('the catalogue', () => {
  it('every entry has sources, a backlog and a queue label; ids are unique', () => {
    expect(new Set(QUEUE_SYSTEMS.map((s) => s.id)).size).toBe(QUEUE_SYSTEMS.length);
    for (const s of QUEUE_SYSTEMS) {
      expect(s.sources.length, s.id).toBeGreaterThan(0);
      expect(s.backlog.variants.length, s.id).toBeGreaterThan(0);
      expect(s.queueLabels.length, s.id).toBeGreaterThan(0);
      for (const t of s.keda) for (const r of t.requires) expect(t.metadata[r], `${s.id} ${t.type} ${r}`).toBeDefined();
    }
    expect(QUEUE_SYSTEMS.map((s) => s.id)).toEqual(['agent-queue', 'rabbitmq', 'kafka-exporter', 'kminion', 'aws-sqs', 'redis-list', 'celery', 'bullmq', 'sidekiq', 'nats-jetstream', 'gcp-pubsub', 'generic']);
  });

  it('classifies metric names: known first, then the generic pattern minus infrastructure and in-flight names', () => {
    expect(classifyMetric('agent_queue_depth')?.system.id).toBe('agent-queue');
    expect(classifyMetric('rabbitmq_detailed_queue_messages_ready')?.system.id).toBe('rabbitmq');
    expect(classifyMetric('celery_queue_length')?.system.id).toBe('celery');
    expect(classifyMetric('nats_consumer_num_pending')?.system.id).toBe('nats-jetstream');
    expect(classifyMetric('transcode_queue_length')?.system.id).toBe('generic');
    expect(classifyMetric('orders_backlog')?.system.id).toBe('generic');
    expect(classifyMetric('prometheus_notifications_queue_length')).toBeUndefined();
    expect(classifyMetric('jetstream_consumer_num_ack_pending')).toBeUndefined();
    expect(classifyMetric('something_ack_pending')).toBeUndefined();
    expect(classifyMetric('http_requests_total')).toBeUndefined();
  });

  it('maps exported queue names to the names workloads use', () => {
    const redis = queueSystem('redis-list')!;
    expect(['queue:mailers', 'bull:emails:wait', 'rq:queue:high', 'celery'].map((k) => mapQueueName(redis, k))).toEqual(['mailers', 'emails', 'high', 'celery']);
    expect(mapQueueName(queueSystem('aws-sqs')!, 'https://sqs.eu-west-1.amazonaws.com/123/jobs')).toBe('jobs');
  });
});

describe('scoring and choosing', () => {
  const rows = [
    { __name__: 'agent_queue_depth', namespace: 'rag', queue: 'default', job: 'rag-worker', qd_pod_owner: 'rag-worker' },
    { __name__: 'agent_queue_depth', namespace: 'other', queue: 'default' },
    { __name__: 'rabbitmq_queue_messages_ready', namespace: 'mq', queue: 'emails', vhost: '/' },
    { __name__: 'celery_queue_length', namespace: 'mq', queue_name: 'emails' },
    { __name__: 'celery_queue_length', namespace: 'mq', queue_name: 'a' },
    { __name__: 'celery_queue_length', namespace: 'mq', queue_name: 'b' },
  ];
  const cands = candidatesFrom(rows as unknown as Array<Record<string, string>>);

  it('explains every binding and prefers the system the workload names', () => {
    const ws = workloads(
      deploy('rag-worker', '          command: ["python", "worker.py"]\n          env:\n            - { name: QUEUE_NAME, value: default }', { namespace: 'rag' }) +
        deploy('mailer', '          command: ["python", "consumer.py"]\n          env:\n            - { name: RABBITMQ_QUEUE, value: emails }') +
        deploy('celery', '          command: ["celery", "-A", "x", "worker", "-Q", "a,b"]') +
        deploy('web', '          env:\n            - { name: PORT, value: "80" }', { ports: true }),
    );
    const { bindings, unbound } = autoBind(ws, cands);
    const by = (n: string) => bindings.find((b) => b.binding.workloadId.endsWith(`/${n}`))?.binding;
    expect(by('rag-worker')).toMatchObject({ system: 'agent-queue', queueName: 'default' });
    expect(by('rag-worker')!.confidence).toBeGreaterThan(0.95);
    // the same queue name in another namespace is never bound (namespace-scoped system)
    expect(by('rag-worker')!.evidence.join(' ')).not.toContain('other');
    expect(by('mailer')).toMatchObject({ system: 'rabbitmq', queueName: 'emails', keda: { type: 'rabbitmq', metadata: { queueName: 'emails', mode: 'QueueLength', vhostName: '/' } } });
    expect(by('mailer')!.evidence).toContain('env RABBITMQ_QUEUE is a RabbitMQ setting');
    expect(by('mailer')!.evidence.at(-1)).toMatch(/^also considered: celery_queue_length emails/);
    expect(by('celery')).toMatchObject({ system: 'celery', queues: ['a', 'b'], queueName: 'a,b', keda: { type: 'prometheus' } });
    expect(by('web')).toBeUndefined();
    expect(unbound.size).toBe(0);
  });

  it('evidence weights combine as independent evidence; a non-worker needs more', () => {
    const ws = workloads(deploy('emails', '          env:\n            - { name: PORT, value: "80" }', { ports: true }));
    const { bindings, unbound } = autoBind(ws, cands);
    expect(bindings).toHaveLength(0);
    const note = unbound.get('ns/Deployment/emails')![0];
    // name match 0.35 × non-worker 0.6 = 0.21 < 0.3
    expect(note).toMatch(/^possible queue (rabbitmq_queue_messages_ready|celery_queue_length) emails \(confidence 0\.21: queue "emails" matches the workload's name; emails is not classified as a queue worker \(×0\.6\)\)$/);
    expect(LOW_CONFIDENCE).toBe(0.5);
  });
});

describe('KEDA templates and explicit bindings', () => {
  it('fills {queue}, {label:x}, {envName:A|B}; drops unresolved *FromEnv keys silently', () => {
    const [w] = workloads(deploy('w', '          env:\n            - { name: REDIS_HOST, value: r }\n            - { name: CELERY_BROKER_URL, value: "redis://r:6379/0" }'));
    const h = workloadHints(w);
    const [c] = candidatesFrom([{ __name__: 'redis_key_size', key: 'queue:mailers', db: 'db3' }]);
    expect(fillTemplate('{rawQueue}', c, h)).toBe('queue:mailers');
    expect(fillTemplate('{label:db}', c, h)).toBe('3');
    expect(fillTemplate('{envName:REDIS_ADDRESS|REDIS_HOST}', c, h)).toBe('REDIS_HOST');
    expect(fillTemplate('{label:missing}', c, h)).toBeUndefined();
    expect(resolveKeda(queueSystem('redis-list')!, [c], h)).toEqual({
      type: 'redis',
      metadata: { listName: 'queue:mailers', hostFromEnv: 'REDIS_HOST', databaseIndex: '3' },
      note: 'the address comes from addressFromEnv/hostFromEnv or a TriggerAuthentication',
    });
    // Celery on Redis → the redis list scaler; the broker decides
    const [cel] = candidatesFrom([{ __name__: 'celery_queue_length', queue_name: 'ocr' }]);
    expect(resolveKeda(queueSystem('celery')!, [cel], h)?.type).toBe('redis');
  });

  it('annotations bind with confidence 1 and name themselves in errors', () => {
    const [w] = workloads(deploy('rag-worker', '          command: ["x"]', { namespace: 'rag', annotations: '    queue-doctor.io/backlog-query: sum(agent_queue_depth{queue="default"})\n    queue-doctor.io/throughput-query: sum(rate(done_total[5m]))' }));
    const b = explicitBinding(w, 'http://prometheus-operated.monitoring.svc:9090')!;
    expect(b).toMatchObject({ system: 'custom', source: 'annotation', confidence: 1, throughputQuery: 'sum(rate(done_total[5m]))' });
    expect(b.keda).toEqual({ type: 'prometheus', metadata: { query: 'sum(agent_queue_depth{queue="default"})', serverAddress: 'http://prometheus-operated.monitoring.svc:9090' }, note: 'reads the same series queue-doctor measured' });
    expect(queryOrigin(w, 'backlog-query')).toBe('queue-doctor.io/backlog-query on rag/rag-worker');
    expect(queryOrigin(w, 'inflight-query')).toBe('inflight-query in .queue-doctor.yaml for rag/rag-worker');
  });
});
