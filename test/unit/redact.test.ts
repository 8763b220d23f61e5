import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { isSensitiveName, redactObject, redactText, sanitizeClusterObject, REDACTED, LAST_APPLIED } from '../../src/inventory/redact.js';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'rag-worker',
    namespace: 'rag',
    annotations: {
      [LAST_APPLIED]: '{"spec":{"env":[{"name":"OPENAI_API_KEY","value":"sk-live-123"}]}}',
      'queue-doctor.io/backlog-query': 'sum(agent_queue_depth{queue="default"})',
      'example.com/api-token': 'tok-abc',
    },
    managedFields: [{ manager: 'helm', fieldsV1: { 'f:spec': {} } }],
  },
  spec: {
    template: {
      spec: {
        containers: [
          {
            name: 'worker',
            command: ['python', '-m', 'rag.worker', '--api-key=sk-inline-999', '--password', 'hunter2', '--queue', 'default'],
            args: ['sh', '-c', 'export DB_PASSWORD=pa55 && run'],
            env: [
              { name: 'QUEUE_NAME', value: 'default' },
              { name: 'OPENAI_BASE_URL', value: 'http://vllm.ml.svc:8000/v1' },
              { name: 'OPENAI_API_KEY', value: 'sk-live-123' },
              { name: 'LANGFUSE_SECRET_KEY', value: 'sk-lf-1' },
              { name: 'db_passwd', value: 'x1' },
              { name: 'GITHUB_TOKEN', value: 'ghp_1' },
              { name: 'AWS_CREDENTIALS', value: 'c' },
              { name: 'BASIC_AUTH', value: 'user:pw' },
              { name: 'REDIS_URL', value: 'redis://:s3cr3t@redis-master.rag.svc:6379/0' },
              { name: 'BROKER', value: 'amqp://app:hunter2@rabbitmq:5672//' },
              { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'llm', key: 'api-key' } } },
            ],
            readinessProbe: { httpGet: { path: '/ready', port: 8080, httpHeaders: [{ name: 'Authorization', value: 'Bearer abcdef123456' }] } },
          },
        ],
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
      },
    },
  },
});

describe('redactObject', () => {
  test('redacts env values by name, URL userinfo, flags and auth headers; keeps everything else', () => {
    const input = deployment();
    const out = redactObject(input);
    const env = Object.fromEntries(out.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toEqual({
      QUEUE_NAME: 'default',
      OPENAI_BASE_URL: 'http://vllm.ml.svc:8000/v1',
      OPENAI_API_KEY: REDACTED,
      LANGFUSE_SECRET_KEY: REDACTED,
      db_passwd: REDACTED,
      GITHUB_TOKEN: REDACTED,
      AWS_CREDENTIALS: REDACTED,
      BASIC_AUTH: REDACTED,
      // scheme and host stay: queue binding reads them
      REDIS_URL: 'redis://<redacted>@redis-master.rag.svc:6379/0',
      BROKER: 'amqp://<redacted>@rabbitmq:5672//',
      FROM_SECRET: { secretKeyRef: { name: 'llm', key: 'api-key' } },
    });
    const c = out.spec.template.spec.containers[0];
    expect(c.command).toEqual(['python', '-m', 'rag.worker', '--api-key=<redacted>', '--password', REDACTED, '--queue', 'default']);
    expect(c.args).toEqual(['sh', '-c', 'export DB_PASSWORD=<redacted> && run']);
    expect(c.readinessProbe.httpGet.httpHeaders[0].value).toBe(REDACTED);
    // a toleration key is not a credential
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists' }]);
    expect(out.metadata.annotations['queue-doctor.io/backlog-query']).toBe('sum(agent_queue_depth{queue="default"})');
    expect(out.metadata.annotations['example.com/api-token']).toBe(REDACTED);
    // pure: the input is untouched
    expect(input.spec.template.spec.containers[0].env[2].value).toBe('sk-live-123');
  });

  test('KEDA trigger metadata: sensitive keys redacted, *FromEnv names and authModes kept, URL userinfo removed', () => {
    const so = {
      kind: 'ScaledObject',
      spec: {
        triggers: [
          { type: 'rabbitmq', metadata: { host: 'amqp://guest:guest@rabbitmq.workers:5672/', queueName: 'celery', value: '20' } },
          { type: 'redis', metadata: { address: 'redis:6379', password: 'p', passwordFromEnv: 'REDIS_PASSWORD', listName: 'jobs' } },
          { type: 'prometheus', metadata: { serverAddress: 'http://prom:9090', query: 'sum(llm_tokens_total{token_type="prompt"})', authModes: 'bearer', customHeaders: 'Authorization=Bearer s3cretvalue' } },
        ],
      },
    };
    const out = redactObject(so);
    expect(out.spec.triggers[0].metadata.host).toBe('amqp://<redacted>@rabbitmq.workers:5672/');
    expect(out.spec.triggers[1].metadata).toEqual({ address: 'redis:6379', password: REDACTED, passwordFromEnv: 'REDIS_PASSWORD', listName: 'jobs' });
    // PromQL label matchers and auth modes are not credentials
    expect(out.spec.triggers[2].metadata.query).toBe('sum(llm_tokens_total{token_type="prompt"})');
    expect(out.spec.triggers[2].metadata.authModes).toBe('bearer');
    expect(out.spec.triggers[2].metadata.customHeaders).toBe('Authorization=Bearer <redacted>');
  });

  test('is idempotent', () => {
    const once = redactObject(deployment());
    expect(redactObject(once)).toEqual(once);
  });

  test('property: a credential in a sensitive env var or in URL userinfo never survives', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{8,20}$/).map((s) => `CANARY${s}`);
    const sensitive = fc.constantFrom('API_KEY', 'db_password', 'Auth_Header', 'SECRET', 'x-token', 'PASSWD', 'CREDENTIALS_JSON');
    fc.assert(
      fc.property(secret, sensitive, fc.constantFrom('http', 'https', 'amqp', 'redis', 'postgres'), (s, name, scheme) => {
        const obj = { env: [{ name, value: s }, { name: 'URL', value: `${scheme}://user:${s}@host:1234/db` }] };
        const text = JSON.stringify(redactObject(obj));
        return !text.includes(s);
      }),
    );
  });
});

describe('sanitizeClusterObject', () => {
  test('drops managedFields and last-applied-configuration, then redacts', () => {
    const out = sanitizeClusterObject(deployment());
    expect(out.metadata.managedFields).toBeUndefined();
    expect(out.metadata.annotations[LAST_APPLIED]).toBeUndefined();
    expect(JSON.stringify(out)).not.toContain('sk-live-123');
  });
});

describe('redactText', () => {
  test.each([
    ['connect to amqp://app:hunter2@rabbitmq:5672// failed', 'connect to amqp://<redacted>@rabbitmq:5672// failed'],
    ['Authorization: Bearer eyJhbGciOi.abc.def', 'Authorization: Bearer <redacted>'],
    ['env OPENAI_API_KEY=sk-123 set', 'env OPENAI_API_KEY=<redacted> set'],
    ['run with --api-token=abc123', 'run with --api-token=<redacted>'],
    ['query sum(llm_tokens_total{token_type="prompt"})', 'query sum(llm_tokens_total{token_type="prompt"})'],
    ['https://example.com/path?user=a@b.c', 'https://example.com/path?user=a@b.c'],
    ['pass --prometheus-bearer-token-file FILE', 'pass --prometheus-bearer-token-file FILE'],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });
});

test('isSensitiveName', () => {
  expect(['OPENAI_API_KEY', 'token', 'Password', 'SECRET_KEY_BASE', 'authorization', 'GOOGLE_CREDENTIALS'].every(isSensitiveName)).toBe(true);
  expect(['QUEUE_NAME', 'REDIS_URL', 'passwordFromEnv', 'authModes'].some(isSensitiveName)).toBe(false);
});
