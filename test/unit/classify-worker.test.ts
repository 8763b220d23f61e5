// The queue-worker heuristic and GPU detection (src/inventory/classify-worker.ts).
import { describe, expect, it } from 'vitest';
import type { Container } from '../../src/inventory/model.js';
import { classifyGpu, classifyWorker, WORKER_THRESHOLD } from '../../src/inventory/classify-worker.js';

function container(over: Partial<Container> & { cmd?: string; envNames?: string[] }): Container {
  const words = over.cmd ? over.cmd.split(' ') : [];
  return {
    name: over.name ?? 'main',
    image: over.image ?? 'example:1',
    command: over.command ?? words,
    args: over.args ?? [],
    env: over.env ?? (over.envNames ?? []).map((name) => ({ name, value: 'x' })),
    envFrom: over.envFrom ?? [],
    requests: over.requests ?? {},
    limits: over.limits ?? {},
    ports: over.ports ?? [],
    index: over.index ?? 0,
  };
}

const classify = (containers: Container[], extra: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {}) =>
  classifyWorker({ name: extra.name ?? 'app', labels: extra.labels ?? {}, annotations: extra.annotations ?? {}, containers });

describe('classifyWorker: consumer commands', () => {
  const workers: Array<[string, string]> = [
    ['celery -A proj worker --loglevel=info', 'celery worker'],
    ['python -m celery -A proj worker -Q answers', 'celery worker'],
    ['rq worker high default', 'rq worker'],
    ['rqworker emails', 'rq worker'],
    ['bundle exec sidekiq -C config/sidekiq.yml', 'sidekiq'],
    ['dramatiq app.tasks', 'dramatiq'],
    ['huey_consumer main.huey', 'huey'],
    ['arq app.worker.WorkerSettings', 'arq worker'],
    ['faust -A app worker -l info', 'faust worker'],
    ['php artisan queue:work --tries=3', 'laravel queue worker'],
    ['bin/rails solid_queue:start', 'ruby job worker'],
  ];
  it.each(workers)('%s → %s', (cmd, label) => {
    const c = classify([container({ cmd })]);
    expect(c.isQueueWorker).toBe(true);
    expect(c.evidence[0]).toContain(`runs ${label}`);
    expect(c.score).toBeGreaterThanOrEqual(WORKER_THRESHOLD);
  });

  it('recognises a `worker`/`consumer` entrypoint in a token, with queue settings', () => {
    const rag = classify([container({ cmd: 'python -m rag.worker', envNames: ['QUEUE_NAME', 'OPENAI_API_KEY'] })]);
    expect(rag.isQueueWorker).toBe(true);
    expect(rag.evidence).toEqual([
      'env QUEUE_NAME (queue name/url) (+3)',
      'container main runs a `worker`/`consumer` entrypoint: `python -m rag.worker` (+2)',
      'env OPENAI_API_KEY (LLM client) (+1)',
      'no container ports (serves no traffic) (+1)',
    ]);
    expect(rag.score).toBe(7);
    const kafka = classify([container({ cmd: 'java -jar /app/orders-consumer.jar', envNames: ['KAFKA_BOOTSTRAP_SERVERS', 'KAFKA_CONSUMER_GROUP'], ports: [8081] })]);
    expect(kafka.isQueueWorker).toBe(true);
    // a worker may expose a metrics port: only -1 when a worker command is present
    expect(kafka.evidence).toContain('exposes ports 8081 (-1)');
    expect(classify([container({ cmd: 'node dist/worker.js' })]).score).toBe(3);
  });

  it('does not take command-line flags for entrypoints (gunicorn --workers)', () => {
    const web = classify([container({ cmd: 'gunicorn app.wsgi --workers 4 --worker-class gthread' })]);
    expect(web.evidence.some((e) => e.includes('`worker`/`consumer` entrypoint'))).toBe(false);
    expect(web.evidence[web.evidence.length - 1]).toBe('container main runs a web server: `gunicorn app.wsgi --workers 4 --worker-class gthread` (-3)');
    expect(web.isQueueWorker).toBe(false);
  });
});

describe('classifyWorker: web apps that enqueue jobs are not workers', () => {
  it('a Django app with the Celery broker settings and a port', () => {
    const c = classify([container({ cmd: 'gunicorn proj.wsgi', envNames: ['CELERY_BROKER_URL', 'CELERY_RESULT_BACKEND', 'DJANGO_SETTINGS_MODULE'], ports: [8000] })]);
    expect(c.isQueueWorker).toBe(false);
    // broker settings are capped at 3 points in total
    expect(c.evidence).toContain('env CELERY_BROKER_URL (CELERY_BROKER_URL) (+3)');
    expect(c.evidence.some((e) => e.startsWith('env CELERY_RESULT_BACKEND'))).toBe(false);
    expect(c.score).toBe(3 - 3 - 2);
  });

  it('a web server without declared ports', () => {
    expect(classify([container({ cmd: 'uvicorn app.main:app --host 0.0.0.0', envNames: ['CELERY_BROKER_URL'] })]).isQueueWorker).toBe(false);
    expect(classify([container({ cmd: 'node server.js', envNames: ['CELERY_BROKER_URL', 'AMQP_URL'] })]).isQueueWorker).toBe(false);
  });

  it('an LLM client alone is not a queue worker', () => {
    // I/O hints count 1 point in total
    const c = classify([container({ cmd: 'python app.py', envNames: ['OPENAI_API_KEY', 'PAYMENTS_API_URL'] })]);
    expect(c).toMatchObject({ score: 2, isQueueWorker: false });
    expect(c.evidence).toEqual(['env OPENAI_API_KEY (LLM client) (+1)', 'no container ports (serves no traffic) (+1)']);
  });
});

describe('classifyWorker: labels, names and the annotation', () => {
  it('counts app.kubernetes.io/component and a worker-ish name', () => {
    const c = classify([container({ cmd: '/app/run' })], { labels: { 'app.kubernetes.io/component': 'consumer' } });
    expect(c.evidence).toContain('label app.kubernetes.io/component=consumer (+2)');
    expect(c.isQueueWorker).toBe(true); // 2 + no ports 1
    const named = classify([container({ cmd: '/app/run', ports: [8080] })], { name: 'billing-worker' });
    expect(named.evidence).toContain('name "billing-worker" says worker/consumer (+1)');
    expect(named.isQueueWorker).toBe(false);
  });

  it('obeys queue-doctor.io/queue-worker whatever the score', () => {
    const forced = classify([container({ cmd: 'nginx', ports: [80] })], { annotations: { 'queue-doctor.io/queue-worker': 'true' } });
    expect(forced).toMatchObject({ isQueueWorker: true, override: true });
    expect(forced.evidence[0]).toBe('annotation queue-doctor.io/queue-worker: "true"');
    const denied = classify([container({ cmd: 'celery -A x worker' })], { annotations: { 'queue-doctor.io/queue-worker': 'false' } });
    expect(denied).toMatchObject({ isQueueWorker: false, override: false });
    // other values are ignored
    expect(classify([container({ cmd: 'celery -A x worker' })], { annotations: { 'queue-doctor.io/queue-worker': 'yes' } }).override).toBeUndefined();
  });

  it('lists the strongest evidence first', () => {
    const c = classify([container({ cmd: 'celery -A x worker', envNames: ['OPENAI_API_KEY', 'CELERY_BROKER_URL'] })]);
    const points = c.evidence.map((e) => Number(/\(([+-]\d+)\)$/.exec(e)![1]));
    expect(points).toEqual([...points].sort((a, b) => b - a));
    expect(c.evidence[0]).toContain('celery worker');
  });

  it('counts one command signal per kind across containers', () => {
    const c = classify([container({ name: 'a', cmd: 'celery -A x worker' }), container({ name: 'b', cmd: 'celery -A y worker', index: 1 })]);
    expect(c.evidence.filter((e) => e.includes('celery worker'))).toHaveLength(1);
  });

  it('handles a workload without containers', () => {
    expect(classify([])).toMatchObject({ isQueueWorker: false, score: 0, evidence: [] });
  });
});

describe('classifyGpu', () => {
  it('finds */gpu requests and limits', () => {
    const g = classifyGpu([container({ name: 'vllm', limits: { gpu: 2, gpuResource: 'nvidia.com/gpu' } })], {});
    expect(g).toEqual({ isGpu: true, evidence: ['container vllm requests 2 nvidia.com/gpu'] });
    expect(classifyGpu([container({ requests: { gpu: 1, gpuResource: 'amd.com/gpu' } })], {}).evidence).toEqual(['container main requests 1 amd.com/gpu']);
  });

  it('finds MIG slices and other accelerators in the pod spec', () => {
    const pod = { containers: [{ name: 'llm', resources: { limits: { 'nvidia.com/mig-3g.40gb': 1 } } }] };
    expect(classifyGpu([container({ name: 'llm' })], pod).evidence).toEqual(['container llm requests 1 nvidia.com/mig-3g.40gb']);
    const neuron = { containers: [{ name: 'inf', resources: { requests: { 'aws.amazon.com/neuroncore': '2' } } }] };
    expect(classifyGpu([container({ name: 'inf' })], neuron).isGpu).toBe(true);
    const zero = { containers: [{ name: 'x', resources: { limits: { 'nvidia.com/gpu': 0 } } }] };
    expect(classifyGpu([container({ name: 'x' })], zero).isGpu).toBe(false);
  });

  it('finds GPU node selectors and runtime classes', () => {
    expect(classifyGpu([], { nodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-l4' } }).evidence).toEqual(['nodeSelector cloud.google.com/gke-accelerator=nvidia-l4']);
    expect(classifyGpu([], { runtimeClassName: 'nvidia' }).evidence).toEqual(['runtimeClassName nvidia']);
  });

  it('is false for CPU workloads and survives wrong types', () => {
    expect(classifyGpu([container({ requests: { cpu: 2 } })], { nodeSelector: { 'kubernetes.io/arch': 'amd64' } }).isGpu).toBe(false);
    expect(classifyGpu([], { containers: 'x', nodeSelector: 5 } as any).isGpu).toBe(false);
    expect(classifyGpu([], { containers: [null, { resources: [1] }, { resources: { limits: 'a' } }] } as any).isGpu).toBe(false);
  });
});
