// check: 10,000 objects (~5 MB of Deployments + HPAs) with -o json, against js-yaml's
// loadAll of the same bytes (the floor: we parse with js-yaml); and start-up of
// `check small.yaml` / `--help` against `node -e 0`.
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import jsyaml from 'js-yaml';
import { main } from '../../dist/src/cli/main.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'queue-doctor.js');

/**
 * 5,000 Deployments + 5,000 HPAs, as a large platform repo looks: two thirds queue workers on
 * CPU HPAs (one QD101 finding each), one third web apps that CPU scaling suits (clean).
 */
export function generateManifests(pairs = 5000) {
  const docs = [];
  for (let i = 0; i < pairs; i++) {
    const worker = i % 3 !== 0;
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: ns-${i % 200}
  labels:
    app.kubernetes.io/name: app-${i}
    app.kubernetes.io/component: ${worker ? 'worker' : 'web'}
  annotations:
    queue-doctor.io/job-duration: "${5 + (i % 20)}s"
spec:
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
    spec:
      containers:
        - name: main
          image: registry.example.com/app:1.${i}
          ${worker ? `command: ["celery", "-A", "tasks", "worker", "-Q", "q${i}"]` : 'ports:\n            - containerPort: 8080'}
          env:
            - name: ${worker ? 'CELERY_BROKER_URL' : 'PORT'}
              value: "${worker ? 'amqp://rabbitmq:5672//' : '8080'}"
            - name: OPENAI_API_BASE
              value: http://llm.svc:8000/v1
          resources:
            requests:
              cpu: 250m
              memory: 256Mi
            limits:
              memory: 512Mi`);
    docs.push(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: app-${i}
  namespace: ns-${i % 200}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: app-${i}
  minReplicas: 1
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70`);
  }
  return docs.join('\n---\n') + '\n';
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeSpawn(args, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'qd-bench-check-'));
  try {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, generateManifests());
    const bytes = readFileSync(big);
    const sink = { write() {} };
    const io = { stdout: sink, stderr: sink, readStdin: async () => Buffer.alloc(0), stdinIsTTY: true, stderrIsTTY: false, stdoutIsTTY: false, cwd: dir, env: {} };
    const jsTimes = [];
    const qdTimes = [];
    let findings = 0;
    for (let i = 0; i < 5; i++) {
      let t0 = performance.now();
      const docs = jsyaml.loadAll(bytes.toString('utf8'));
      jsTimes.push(performance.now() - t0);
      if (docs.length !== 10000) throw new Error('generator produced ' + docs.length);
      let out = '';
      t0 = performance.now();
      await main(['check', big, '-o', 'json', '--no-color'], { ...io, stdout: { write: (s) => (out += s) } });
      qdTimes.push(performance.now() - t0);
      findings = JSON.parse(out).findings.length;
    }
    const js = median(jsTimes);
    const qd = median(qdTimes);
    const small = join(dir, 'small.yaml');
    writeFileSync(small, generateManifests(1));
    spawnSync(process.execPath, [bin, '--help'], { stdio: 'ignore' }); // warm the file cache
    const runs = 15;
    const node0 = timeSpawn(['-e', '0'], runs);
    const checkSmall = timeSpawn([bin, 'check', small], runs);
    const help = timeSpawn([bin, '--help'], runs);
    const rows = [
      { name: `check 10k objects (${(bytes.length / 1e6).toFixed(1)} MB, ${findings} findings) / js-yaml loadAll`, value: `${qd.toFixed(0)} ms / ${js.toFixed(0)} ms = ${(qd / js).toFixed(2)}x`, target: '<= 1.5x', met: qd / js <= 1.5 },
      { name: 'check small.yaml / node -e 0', value: `${checkSmall.toFixed(0)} ms / ${node0.toFixed(0)} ms = ${(checkSmall / node0).toFixed(2)}x`, target: '<= 2x', met: checkSmall / node0 <= 2 },
      { name: '--help / node -e 0', value: `${help.toFixed(0)} ms / ${node0.toFixed(0)} ms = ${(help / node0).toFixed(2)}x`, target: '<= 2x', met: help / node0 <= 2 },
    ];
    console.table(rows);
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
