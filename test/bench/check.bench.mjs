// check: 10,000 objects (~5 MB of Deployments + HPAs) with -o json, against js-yaml's
// loadAll of the same bytes (the floor: we parse with js-yaml); and start-up of
// `check small.yaml` / `--help` against `node -e 0`.
//
// Both sides of each ratio are measured in the same run, alternately (the order flips every
// round, so drift of a noisy machine hits both), after a warm-up round that is not counted;
// medians are reported. A per-stage breakdown of one more run is printed for information.
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import jsyaml from 'js-yaml';
import { main } from '../../dist/src/cli/main.js';
import { DEFAULT_READ_OPTIONS, readManifests } from '../../dist/src/inventory/read-manifests.js';
import { buildInventory } from '../../dist/src/inventory/build-inventory.js';
import { RULES } from '../../dist/rules/index.js';
import { runRules } from '../../dist/src/diagnose/run-rules.js';
import { buildReport } from '../../dist/src/cli/common.js';
import { formatReport } from '../../dist/src/report/format.js';

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

/** Spawn each command `runs` times, interleaved (a, b, c, a, b, c, …), after one warm-up each. */
function timeSpawns(commands, runs) {
  const times = commands.map(() => []);
  for (let i = -1; i < runs; i++) {
    commands.forEach((args, k) => {
      const t0 = performance.now();
      spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'] });
      if (i >= 0) times[k].push(performance.now() - t0);
    });
  }
  return times.map(median);
}

/** Where the time of one in-process `check -o json` goes (informational: not a target). */
async function breakdown(file, cwd) {
  const t = [performance.now()];
  const read = await readManifests([file], { ...DEFAULT_READ_OPTIONS, cwd });
  t.push(performance.now());
  const inventory = buildInventory(read.objects, { sources: read.sources, partialView: read.partialView, problems: read.problems, nonObjects: read.nonObjects });
  t.push(performance.now());
  const rules = RULES.filter((r) => !r.meta.needsSignals);
  const engine = runRules(rules, { inventory, options: { targetWaitSeconds: 30 } });
  t.push(performance.now());
  const report = buildReport({ command: 'check', inventory, engine, rules, failOn: 'error', incomplete: false, started: t[0] });
  await formatReport(report, 'json', { io: { env: {} }, color: false });
  t.push(performance.now());
  const ms = (i) => `${(t[i + 1] - t[i]).toFixed(0)} ms`;
  return `read+parse ${ms(0)}, inventory ${ms(1)}, rules ${ms(2)}, report+json ${ms(3)}`;
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
    const timeJs = () => {
      const t0 = performance.now();
      const docs = jsyaml.loadAll(bytes.toString('utf8'));
      const ms = performance.now() - t0;
      if (docs.length !== 10000) throw new Error('generator produced ' + docs.length);
      return ms;
    };
    const timeQd = async () => {
      let out = '';
      const t0 = performance.now();
      await main(['check', big, '-o', 'json', '--no-color'], { ...io, stdout: { write: (s) => (out += s) } });
      const ms = performance.now() - t0;
      findings = JSON.parse(out).findings.length;
      return ms;
    };
    const rounds = 7;
    for (let i = -1; i < rounds; i++) {
      // round -1 warms both up; then the order alternates
      let js;
      let qd;
      if (i % 2 === 0) {
        js = timeJs();
        qd = await timeQd();
      } else {
        qd = await timeQd();
        js = timeJs();
      }
      if (i >= 0) {
        jsTimes.push(js);
        qdTimes.push(qd);
      }
    }
    const js = median(jsTimes);
    const qd = median(qdTimes);
    console.log(`10k objects, rounds (ms): js-yaml ${jsTimes.map((x) => x.toFixed(0)).join(' ')} | check ${qdTimes.map((x) => x.toFixed(0)).join(' ')}`);
    console.log(`10k objects, one more check, by stage: ${await breakdown(big, dir)}`);
    const small = join(dir, 'small.yaml');
    writeFileSync(small, generateManifests(1));
    const [node0, checkSmall, help] = timeSpawns([['-e', '0'], [bin, 'check', small], [bin, '--help']], 21);
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
