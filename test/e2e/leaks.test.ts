// Secrets never reach an output. Canary secrets are planted everywhere a user keeps them: the
// kubeconfig bearer token for the Kubernetes stand-in, a Prometheus bearer-token file, a
// `--prometheus-header "Authorization: Bearer …"`, QUEUE_DOCTOR_PROMETHEUS_HEADERS, a password in
// a --prometheus-url, passwords in URLs in env values, command arguments, annotations and KEDA
// trigger metadata, TOKEN/KEY env values. Then every command runs in every format — with
// --debug and --verbose, with --output-file and --save-snapshot, against servers that accept
// the credentials and servers that reject them — and every byte written (stdout, stderr and
// every file) is searched for every canary, raw, base64-encoded and URL-encoded. The password of
// an HTTPS_PROXY/HTTP_PROXY is a canary too: through a proxy that takes it, one that rejects
// it (407), one that is not there, and a proxy URL the tool cannot use.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ROOT, runCli, type CliResult } from '../helpers/cli.js';
import { startStandin, type Standin } from '../helpers/k8s-standin.js';
import { backfill, startPrometheus, TEST_PASSWORD_BCRYPT, TEST_USER, type Backfilled, type PrometheusServer } from '../helpers/prometheus.js';
import { recordFigure } from '../helpers/robustness-figures.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';

const tag = randomBytes(4).toString('hex');
/** Each planted secret, distinct so a leak names its source. */
const C = {
  k8sToken: `qdcanaryK8sToken${tag}`,
  k8sBadToken: `qdcanaryK8sRejected${tag}`,
  promTokenFile: `qdcanaryPromFile${tag}`,
  promHeader: `qdcanaryPromHeader${tag}`,
  promEnvHeader: `qdcanaryPromEnv${tag}`,
  promUrlPass: `qdcanaryPromUrlPass${tag}`,
  envUrlPass: `qdcanaryEnvUrlPass${tag}`,
  dbPass: `qdcanaryDbPass${tag}`,
  envToken: `qdcanaryEnvToken${tag}`,
  envKey: `qdcanaryEnvKey${tag}`,
  argPass: `qdcanaryArgPass${tag}`,
  argKey: `qdcanaryArgKey${tag}`,
  annotationPass: `qdcanaryAnnPass${tag}`,
  annotationToken: `qdcanaryAnnToken${tag}`,
  triggerPass: `qdcanaryTrigPass${tag}`,
  triggerPassword: `qdcanaryTrigPassword${tag}`,
  proxyPass: `qdcanaryProxyPass${tag}`,
  proxyBadPass: `qdcanaryProxyRejected${tag}`,
};
const PROXY_USER = 'qd-proxy-user';

/** Every form a secret could take on the way out. */
function needles(): Array<{ name: string; needle: string }> {
  const out: Array<{ name: string; needle: string }> = [];
  for (const [name, v] of Object.entries(C)) {
    out.push({ name, needle: v }, { name: `${name} (base64)`, needle: Buffer.from(v).toString('base64').replace(/=+$/, '') });
  }
  // a secret cut short ("celery:qdcanaryArgP…") is still a leak: every canary starts with this
  out.push({ name: 'the start of any canary', needle: 'qdcanary' });
  // basic auth sends base64("user:password")
  out.push({ name: 'promUrlPass (basic auth header)', needle: Buffer.from(`${TEST_USER}:${C.promUrlPass}`).toString('base64').replace(/=+$/, '') });
  // Proxy-Authorization sends base64("user:password") too
  for (const pass of [C.proxyPass, C.proxyBadPass]) out.push({ name: 'proxy password (Proxy-Authorization)', needle: Buffer.from(`${PROXY_USER}:${pass}`).toString('base64').replace(/=+$/, '') });
  return out;
}

let tmp: string;
let standin: Standin;
let bf: Backfilled;
let prom: PrometheusServer;
let authBf: Backfilled;
let authProm: PrometheusServer;
let manifests: string;
let tokenFile: string;
let kubeconfig: string;
let badKubeconfig: string;
let searched = 0;
let proxy: ConnectProxy;
/** The stand-in by a name only the proxy resolves (loopback is never proxied). */
let namedKubeconfig: string;
const KUBE_HOST = 'kube.qd-test.invalid';
const PROM_HOST = 'prom.qd-test.invalid';

function leakyObjects(ns: string) {
  const worker = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'leaky-worker',
      namespace: ns,
      labels: { app: 'leaky-worker' },
      annotations: {
        'example.com/webhook': `https://hook:${C.annotationPass}@hooks.example.com/notify`,
        'example.com/api-token': C.annotationToken,
        'queue-doctor.io/job-duration': '45s',
      },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'leaky-worker' } },
      template: {
        metadata: { labels: { app: 'leaky-worker' } },
        spec: {
          containers: [
            {
              name: 'worker',
              image: 'ghcr.io/example/leaky:1.0',
              command: ['celery', '-A', 'app.tasks', 'worker', `--broker=amqp://celery:${C.argPass}@rabbitmq.${ns}:5672//`, '-Q', 'leaky'],
              args: [`--api-key=${C.argKey}`],
              env: [
                { name: 'CELERY_BROKER_URL', value: `amqp://celery:${C.envUrlPass}@rabbitmq.${ns}:5672//` },
                { name: 'DATABASE_URL', value: `postgres://app:${C.dbPass}@db.${ns}:5432/app` },
                { name: 'API_TOKEN', value: C.envToken },
                { name: 'OPENAI_API_KEY', value: C.envKey },
              ],
              resources: { requests: { cpu: '250m', memory: '256Mi' } },
            },
          ],
        },
      },
    },
  };
  const hpa = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'leaky-worker', namespace: ns },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'leaky-worker' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  };
  const other = structuredClone(worker);
  other.metadata.name = 'leaky-keda-worker';
  other.metadata.labels.app = other.spec.selector.matchLabels.app = other.spec.template.metadata.labels.app = 'leaky-keda-worker';
  const so = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'leaky-keda-worker', namespace: ns },
    spec: {
      scaleTargetRef: { name: 'leaky-keda-worker' },
      minReplicaCount: 1,
      maxReplicaCount: 10,
      triggers: [
        { type: 'rabbitmq', metadata: { host: `amqp://user:${C.triggerPass}@rabbitmq.${ns}:5672/vhost`, password: C.triggerPassword, queueName: 'leaky', mode: 'QueueLength', value: '20' } },
        { type: 'prometheus', metadata: { serverAddress: `http://prom:${C.triggerPass}@prometheus.monitoring:9090`, query: 'sum(agent_queue_depth{queue="leaky"})', threshold: '10' } },
      ],
    },
  };
  return { worker, hpa, other, so };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'qd-leaks-'));
  bf = backfill(['llm-platform']);
  prom = await startPrometheus({ dataDir: bf.data });
  authBf = backfill(['llm-platform']);
  authProm = await startPrometheus({ dataDir: authBf.data, webConfig: `basic_auth_users:\n  ${TEST_USER}: ${TEST_PASSWORD_BCRYPT}\n`, readyHeaders: { authorization: `Basic ${Buffer.from(`${TEST_USER}:qd-test-password`).toString('base64')}` } });
  standin = await startStandin({ cluster: 'llm-platform', token: C.k8sToken });
  const objs = leakyObjects('rag');
  const push = (key: string, item: object) => standin.data.lists.get(key)!.items.push(structuredClone(item));
  push('apps/v1/deployments', objs.worker);
  push('apps/v1/deployments', objs.other);
  push('autoscaling/v2/horizontalpodautoscalers', objs.hpa);
  push('keda.sh/v1alpha1/scaledobjects', objs.so);
  kubeconfig = standin.writeKubeconfig({}, 'kubeconfig-canary');
  badKubeconfig = standin.writeKubeconfig({ token: C.k8sBadToken }, 'kubeconfig-rejected');
  manifests = join(tmp, 'k8s');
  mkdirSync(manifests);
  writeFileSync(join(manifests, 'leaky.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [objs.worker, objs.hpa, objs.other, objs.so] }, null, 2));
  tokenFile = join(tmp, 'prom-token');
  writeFileSync(tokenFile, `${C.promTokenFile}\n`);
  proxy = await startConnectProxy({ auth: { user: PROXY_USER, password: C.proxyPass }, hosts: { [KUBE_HOST]: '127.0.0.1', [PROM_HOST]: '127.0.0.1' } });
  namedKubeconfig = join(tmp, 'kubeconfig-named');
  writeFileSync(
    namedKubeconfig,
    standin
      .kubeconfig({ server: `https://${KUBE_HOST}:${standin.port}` })
      .split('\n')
      .flatMap((l) => (/^\s+server: /.test(l) ? [l, '    tls-server-name: localhost'] : [l]))
      .join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await standin?.close();
  await prom?.stop();
  await authProm?.stop();
  bf?.cleanup();
  authBf?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** All regular files under `dir`, for --output-file and --save-snapshot. */
function filesUnder(dir: string): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return [];
  }
  if (st.isFile()) return [dir];
  return readdirSync(dir).flatMap((e) => filesUnder(join(dir, e)));
}

interface Run {
  label: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Exit codes that are right for this run. */
  exit: number[];
  /** Files or directories the run writes. */
  writes?: string[];
}

/** Run, then search every output for every canary; returns the result for further checks. */
async function runAndSearch(run: Run): Promise<CliResult> {
  for (const w of run.writes ?? []) rmSync(w, { recursive: true, force: true });
  const r = await runCli(run.args, { env: { ...run.env }, cwd: tmp, timeoutMs: 90_000 });
  const outputs: Array<{ where: string; text: string }> = [
    { where: 'stdout', text: r.stdout },
    { where: 'stderr', text: r.stderr },
  ];
  for (const w of run.writes ?? []) for (const f of filesUnder(w)) outputs.push({ where: f, text: readFileSync(f, 'latin1') });
  const leaks: string[] = [];
  for (const o of outputs) {
    const found: string[] = [];
    for (const n of needles()) {
      const at = o.text.indexOf(n.needle);
      if (at !== -1) found.push(`${run.label}: ${n.name} in ${o.where}: …${o.text.slice(Math.max(0, at - 80), at + n.needle.length + 20)}…`);
    }
    // the generic prefix only counts when no whole secret was found there (one leak, one count)
    leaks.push(...(found.length > 1 ? found.filter((f) => !f.includes('the start of any canary')) : found));
    // (URL-encoded forms equal the raw ones: the canaries hold no character that needs encoding)
  }
  searched += outputs.length;
  recordFigure('canaryOutputs', outputs.length);
  recordFigure('canaryLeaks', leaks.length);
  expect(leaks, `canary secrets leaked`).toEqual([]);
  expect(r.code, `${run.label} exited ${r.code}\n${r.stderr.slice(0, 2000)}`).not.toBeNull();
  expect(run.exit, `${run.label} exited ${r.code}\n${r.stderr.slice(0, 2000)}`).toContain(r.code);
  // no stack traces without --debug
  if (!run.args.includes('--debug')) expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  return r;
}

const CHECK_FORMATS = ['text', 'json', 'sarif', 'junit', 'github', 'markdown'];
const SCAN_FORMATS = ['text', 'json', 'yaml', 'markdown', 'html', 'sarif', 'junit', 'github'];

describe('check: secrets in manifests never reach an output', () => {
  test.each(CHECK_FORMATS)('check -o %s (and --output-file)', async (format) => {
    const out = join(tmp, `check.${format}`);
    await runAndSearch({ label: `check -o ${format}`, args: ['check', manifests, '-o', format], exit: [1] });
    await runAndSearch({ label: `check -o ${format} --output-file --debug`, args: ['check', manifests, '-o', format, '--output-file', out, '--debug'], exit: [1], writes: [out] });
  });

  test('check from stdin, with a baseline written', async () => {
    const baseline = join(tmp, 'baseline.json');
    await runAndSearch({ label: 'check --write-baseline', args: ['check', manifests, '--write-baseline', baseline], exit: [0], writes: [baseline] });
  });
});

describe('scan: cluster, Prometheus and snapshot credentials never reach an output', () => {
  const promArgs = () => ['--prometheus-url', prom.url, '--prometheus-header', `Authorization: Bearer ${C.promHeader}`];

  test.each(SCAN_FORMATS)('scan of the cluster (kubeconfig token, token file) -o %s, --verbose --debug, --save-snapshot, then replay', async (format) => {
    const snap = join(tmp, `snap-${format}`);
    const out = join(tmp, `scan.${format}`);
    await runAndSearch({
      label: `scan cluster -o ${format}`,
      args: ['scan', '--kubeconfig', kubeconfig, '-A', '--prometheus-url', prom.url, '--prometheus-bearer-token-file', tokenFile, '-o', format, '--verbose', '--debug', '--save-snapshot', snap, '--output-file', out],
      exit: [0, 1, 3],
      writes: [snap, out],
    });
    await runAndSearch({ label: `scan --snapshot -o ${format}`, args: ['scan', '--snapshot', snap, '-o', format, '--debug'], exit: [0, 1, 3] });
  });

  test.each(SCAN_FORMATS)('scan -f manifests with a --prometheus-header bearer and QUEUE_DOCTOR_PROMETHEUS_HEADERS -o %s', async (format) => {
    await runAndSearch({
      label: `scan -f -o ${format}`,
      args: ['scan', '-f', manifests, ...promArgs(), '-o', format, '--verbose'],
      env: { QUEUE_DOCTOR_PROMETHEUS_HEADERS: `X-Scope-OrgID: tenant\nX-Api-Key: ${C.promEnvHeader}` },
      exit: [0, 1, 3],
    });
  });
});

describe('the other commands', () => {
  test('simulate with a ScaledObject whose trigger metadata holds credentials, and rbac', async () => {
    const so = join(tmp, 'so.json');
    writeFileSync(so, JSON.stringify(leakyObjects('rag').so));
    const trace = join(ROOT, 'fixtures', 'traces', 'synthetic-onoff-ramp-burst-6h.csv');
    for (const format of ['text', 'json']) {
      await runAndSearch({ label: `simulate -o ${format}`, args: ['simulate', '--trace', trace, '--policy', so, '--policy', 'fixed:3', '-o', format, '--debug'], exit: [0, 2] });
    }
    await runAndSearch({ label: 'rbac', args: ['rbac', '--user', 'jane'], exit: [0] });
  });
});

describe('rejected and malformed credentials: the error names the problem, never the secret', () => {
  test('the API server rejects the kubeconfig token (401), with and without --debug', async () => {
    for (const debug of [[], ['--debug']]) {
      const r = await runAndSearch({ label: `scan rejected token ${debug.join('')}`, args: ['scan', '--kubeconfig', badKubeconfig, '-A', '--prometheus-url', prom.url, ...debug], exit: [2] });
      expect(r.stderr).toMatch(/rejected the credentials of user .* \(401 Unauthorized\)/);
    }
  });

  test('Prometheus rejects the password in --prometheus-url and the bearer header (401)', async () => {
    const url = authProm.url.replace('http://', `http://${TEST_USER}:${C.promUrlPass}@`);
    for (const args of [
      ['scan', '-f', manifests, '--prometheus-url', url, '-o', 'json'],
      ['scan', '-f', manifests, '--prometheus-url', url, '--debug', '--verbose'],
      ['scan', '-f', manifests, '--prometheus-url', authProm.url, '--prometheus-header', `Authorization: Bearer ${C.promHeader}`, '--debug'],
      ['scan', '-f', manifests, '--prometheus-url', authProm.url, '--prometheus-bearer-token-file', tokenFile, '-o', 'html'],
    ]) {
      const r = await runAndSearch({ label: args.join(' ').slice(0, 80), args, exit: [1, 3] });
      expect(r.stderr).toMatch(/refused the credentials/);
    }
  });

  test('malformed URLs, headers and unreachable servers', async () => {
    const runs: Run[] = [
      { label: 'bad url with password', args: ['scan', '-f', manifests, '--prometheus-url', `http://${TEST_USER}:${C.promUrlPass}@[::1`], exit: [2] },
      { label: 'url with query and password', args: ['scan', '-f', manifests, '--prometheus-url', `http://u:${C.promUrlPass}@127.0.0.1:9/?token=${C.promHeader}`], exit: [2] },
      { label: 'ftp url with password', args: ['scan', '-f', manifests, '--prometheus-url', `ftp://u:${C.promUrlPass}@127.0.0.1/`], exit: [2] },
      { label: 'header without a colon', args: ['scan', '-f', manifests, '--prometheus-url', prom.url, '--prometheus-header', `Authorization Bearer ${C.promHeader}`], exit: [2] },
      { label: 'header name with the secret', args: ['scan', '-f', manifests, '--prometheus-url', prom.url, '--prometheus-header', `${C.promHeader} x: y`], exit: [2] },
      { label: 'env header with a control character', args: ['scan', '-f', manifests, '--prometheus-url', prom.url], env: { QUEUE_DOCTOR_PROMETHEUS_HEADERS: `Authorization: Bearer ${C.promEnvHeader}\rx` } /* (a NUL cannot be passed in an environment variable) */, exit: [2] },
      { label: 'unreachable prometheus with a password', args: ['scan', '-f', manifests, '--prometheus-url', `http://${TEST_USER}:${C.promUrlPass}@127.0.0.1:9`, '--debug'], exit: [1, 3] },
      { label: 'unreachable API server', args: ['scan', '--kubeconfig', standin.writeKubeconfig({ server: 'https://127.0.0.1:9' }, 'kc-down'), '--debug'], exit: [2] },
    ];
    for (const run of runs) {
      const r = await runAndSearch(run);
      // an unreachable Prometheus is a warning (partial results, inventory rules still ran), and names the problem too
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('queue-doctor: ') && (!/warning|note/.test(l) || /is unreachable/.test(l)));
      expect(lines.length, run.label).toBeGreaterThan(0);
    }
  });

  test('--insecure-skip-tls-verify warns on every run (TLS verification is on by default)', async () => {
    const r = await runAndSearch({ label: 'insecure', args: ['scan', '--kubeconfig', kubeconfig, '-A', '--prometheus-url', prom.url, '--insecure-skip-tls-verify', '-o', 'json'], exit: [0, 1, 3] });
    expect(r.stderr).toMatch(/not verif/i);
  });
});

describe('proxy passwords (HTTPS_PROXY / HTTP_PROXY) never reach an output', () => {
  const proxyUrl = (password: string, port = proxy.port) => `http://${PROXY_USER}:${password}@127.0.0.1:${port}`;
  const promByName = () => prom.url.replace('127.0.0.1', PROM_HOST);

  test('a scan through a proxy that takes the password (Kubernetes API and --prometheus-url), --verbose --debug, --save-snapshot', async () => {
    const snap = join(tmp, 'snap-proxy');
    const tunnels = proxy.tunnels.length;
    for (const format of ['json', 'text', 'html']) {
      const r = await runAndSearch({
        label: `scan through proxy -o ${format}`,
        args: ['scan', '--kubeconfig', namedKubeconfig, '-A', '--prometheus-url', promByName(), '--prometheus-bearer-token-file', tokenFile, '-o', format, '--verbose', '--debug', '--save-snapshot', snap],
        env: { HTTPS_PROXY: proxyUrl(C.proxyPass), HTTP_PROXY: proxyUrl(C.proxyPass) },
        exit: [0, 1, 3],
        writes: [snap],
      });
      expect(r.stderr).toContain(`through the proxy 127.0.0.1:${proxy.port} (HTTPS_PROXY)`);
      expect(r.stderr).toContain(`through the proxy 127.0.0.1:${proxy.port} (HTTP_PROXY)`);
    }
    const mine = proxy.tunnels.slice(tunnels);
    expect(new Set(mine.map((t) => t.status))).toEqual(new Set([200]));
    // the proxy itself is sent CONNECT, Host and Proxy-Authorization only: tokens stay in the tunnel
    for (const t of mine) expect(t.headerNames.sort()).toEqual(['connection', 'host', 'proxy-authorization']);
  });

  test('a proxy that rejects the password (407), one that is not there, and one the tool cannot use: errors name the proxy, never the password', async () => {
    const runs: Run[] = [
      { label: 'kube proxy 407', args: ['scan', '--kubeconfig', namedKubeconfig, '-A', '--debug', '--verbose'], env: { HTTPS_PROXY: proxyUrl(C.proxyBadPass) }, exit: [2] },
      { label: 'kube proxy closed', args: ['scan', '--kubeconfig', namedKubeconfig, '-A', '--debug', '-o', 'json'], env: { https_proxy: proxyUrl(C.proxyPass, 9) }, exit: [2] },
      { label: 'kube socks proxy', args: ['scan', '--kubeconfig', namedKubeconfig, '-A', '--debug'], env: { HTTPS_PROXY: `socks5://${PROXY_USER}:${C.proxyPass}@127.0.0.1:1080` }, exit: [2] },
      { label: 'kube proxy garbage', args: ['scan', '--kubeconfig', namedKubeconfig, '-A', '--debug'], env: { HTTPS_PROXY: `http://${PROXY_USER}:${C.proxyPass}@exa mple:3128` }, exit: [2] },
      { label: 'prometheus proxy 407', args: ['scan', '-f', manifests, '--prometheus-url', promByName(), '--debug', '--verbose'], env: { HTTP_PROXY: proxyUrl(C.proxyBadPass) }, exit: [1, 3] },
      { label: 'prometheus proxy closed', args: ['scan', '-f', manifests, '--prometheus-url', promByName(), '-o', 'html', '--debug'], env: { HTTP_PROXY: proxyUrl(C.proxyPass, 9) }, exit: [1, 3] },
    ];
    for (const run of runs) {
      const r = await runAndSearch(run);
      expect(r.stderr, run.label).toMatch(/proxy/);
    }
  });
});

test('the canary searches ran', () => {
  // 6 check formats × 2 runs + baseline + 8 × (cluster + replay + -f) + rejections + malformed
  expect(searched).toBeGreaterThan(80);
});
