import { describe, expect, it } from 'vitest';
import { inferConcurrency } from '../../src/inventory/infer-concurrency.js';
import type { Container } from '../../src/inventory/model.js';

const c = (command: string[], env: Record<string, string> = {}): Container => ({
  name: 'worker',
  image: 'x',
  command,
  args: [],
  env: Object.entries(env).map(([name, value]) => ({ name, value })),
  envFrom: [],
  requests: {},
  limits: {},
  ports: [],
  index: 0,
});

describe('inferConcurrency', () => {
  it.each([
    [['celery', '-A', 'app', 'worker', '--concurrency=4'], 4],
    [['celery', '-A', 'app', 'worker', '--concurrency', '6'], 6],
    [['celery', '-A', 'app', 'worker', '-c', '3', '-Q', 'x'], 3],
    [['bundle', 'exec', 'sidekiq', '-c', '10'], 10],
    [['rq', 'worker-pool', '-n', '3', 'high'], 3],
    [['node', 'worker.js', '--concurrency=12'], 12],
  ])('reads %j', (command, n) => {
    expect(inferConcurrency([c(command)])?.value).toBe(n);
  });

  it('reads environment variables and names the source', () => {
    const r = inferConcurrency([c(['bundle', 'exec', 'sidekiq'], { SIDEKIQ_CONCURRENCY: '7' })]);
    expect(r).toEqual({ value: 7, source: 'container worker: env SIDEKIQ_CONCURRENCY=7' });
  });

  it('does not take -c from commands where it means something else, nor nonsense values', () => {
    expect(inferConcurrency([c(['python', 'worker.py', '-c', 'config.yaml'])])).toBeUndefined();
    expect(inferConcurrency([c(['gunicorn', '-c', '4'])])).toBeUndefined();
    expect(inferConcurrency([c(['x'], { WORKER_CONCURRENCY: 'lots' })])).toBeUndefined();
    expect(inferConcurrency([c(['x'], { WORKER_CONCURRENCY: '0' })])).toBeUndefined();
  });
});
