// signals: 2,000 queue workers with 24 h of series in a real Prometheus (Debian's, backfilled
// with promtool). collectSignals must extract every signal with a constant number of PromQL
// requests, in at most 1.5× the time of the very same HTTP requests sent with plain fetch
// (+ JSON.parse) in the same run; peak RSS is printed.
//
//   npm run bench -- signals          (QD_BENCH_WORKLOADS=200 for a quick run)
//
// Series per workload (24 h at a 240 s interval, so 5-minute-plus rate windows hold two samples):
// agent_queue_depth, agent_jobs_inflight, agent_jobs_completed_total, cAdvisor CPU, and
// kube-state-metrics pod owner, ReplicaSet owner, CPU request, replicas; every other workload
// has a CPU HPA (min, max, current, desired, target). The TSDB is cached in the temp dir
// between runs (keyed by size and generator version).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL, URLSearchParams } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', 'src', p)).href);

const WORKLOADS = Number(process.env.QD_BENCH_WORKLOADS ?? 2000);
const NAMESPACES = 40;
const WINDOW = 24 * 3600;
const INTERVAL = 240;
const END = 1767225600; // 2026-01-01T00:00:00Z
const START = END - WINDOW - 900;
const GENERATOR_VERSION = 2;
const ROUNDS = 3;

const ns = (i) => `team-${String(i % NAMESPACES).padStart(2, '0')}`;
const hash = (i) => (0x5d8f7b6c9 + i * 7919).toString(36).slice(-10);
const rs = (i) => `w-${i}-${hash(i)}`;
const pod = (i) => `${rs(i)}-${(i * 48271).toString(36).padStart(5, 'x').slice(-5)}`;

/** Stream the OpenMetrics file (hundreds of MB) without holding it in memory. */
async function generate(file) {
  const out = createWriteStream(file);
  let buf = '';
  const write = async (s) => {
    buf += s;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  };
  const family = async (name, type, each) => {
    await write(`# TYPE ${name} ${type}\n`);
    for (let i = 0; i < WORKLOADS; i++) await each(i);
  };
  const series = async (sample, labels, f) => {
    for (let t = START; t <= END; t += INTERVAL) {
      const v = f(t);
      if (v !== undefined) await write(`${sample}{${labels}} ${v} ${t}\n`);
    }
  };
  const q = (i) => `namespace="${ns(i)}",queue="q-${i}",job="w-${i}",pod="${pod(i)}"`;
  const rate = (i) => 0.02 + (i % 7) * 0.01;
  await family('agent_queue_depth', 'gauge', (i) => series('agent_queue_depth', q(i), (t) => Math.round(20 + (i % 13) * 3 + ((t - START) / WINDOW) * (i % 5) * 10 + 5 * Math.sin(t / 3000 + i))));
  await family('agent_jobs_inflight', 'gauge', (i) => series('agent_jobs_inflight', q(i), () => 1 + (i % 4)));
  await family('agent_jobs_completed', 'counter', (i) => series('agent_jobs_completed_total', q(i), (t) => Math.floor(rate(i) * (t - START))));
  await family('container_cpu_usage_seconds', 'counter', (i) =>
    series('container_cpu_usage_seconds_total', `namespace="${ns(i)}",pod="${pod(i)}",container="main"`, (t) => (0.05 * (1 + (i % 3)) * (t - START)).toFixed(2)),
  );
  await family('kube_pod_owner', 'gauge', (i) => series('kube_pod_owner', `namespace="${ns(i)}",pod="${pod(i)}",owner_kind="ReplicaSet",owner_name="${rs(i)}"`, () => 1));
  await family('kube_replicaset_owner', 'gauge', (i) => series('kube_replicaset_owner', `namespace="${ns(i)}",replicaset="${rs(i)}",owner_kind="Deployment",owner_name="w-${i}"`, () => 1));
  await family('kube_pod_container_resource_requests', 'gauge', (i) => series('kube_pod_container_resource_requests', `namespace="${ns(i)}",pod="${pod(i)}",container="main",resource="cpu",unit="core"`, () => 0.5));
  await family('kube_deployment_status_replicas', 'gauge', (i) => series('kube_deployment_status_replicas', `namespace="${ns(i)}",deployment="w-${i}"`, () => 1));
  const hpa = (name, f) => family(name, 'gauge', (i) => (i % 2 === 0 ? series(name, `namespace="${ns(i)}",horizontalpodautoscaler="w-${i}"${name.endsWith('target_metric') ? ',metric_name="cpu",metric_target_type="utilization"' : ''}`, () => f(i)) : undefined));
  await hpa('kube_horizontalpodautoscaler_spec_min_replicas', () => 1);
  await hpa('kube_horizontalpodautoscaler_spec_max_replicas', () => 10);
  await hpa('kube_horizontalpodautoscaler_status_current_replicas', () => 1);
  await hpa('kube_horizontalpodautoscaler_status_desired_replicas', () => 1);
  await hpa('kube_horizontalpodautoscaler_spec_target_metric', () => 70);
  await write('# EOF\n');
  out.end(buf);
  await new Promise((r) => out.once('finish', r));
}

export async function tsdb() {
  const dir = join(tmpdir(), `queue-doctor-bench-signals-v${GENERATOR_VERSION}-${WORKLOADS}`);
  const data = join(dir, 'data');
  if (existsSync(join(dir, 'ready'))) return { dir, data, cached: true };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const om = join(dir, 'series.om');
  const t0 = performance.now();
  // generate in a child process so its memory does not count in this process's peak RSS
  const gen = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, QD_BENCH_GENERATE: om }, stdio: 'inherit' });
  if (gen.status !== 0) throw new Error('generating the bench series failed');
  const t1 = performance.now();
  const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', '--max-block-duration=24h', om, data], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`promtool failed: ${r.stderr}`);
  rmSync(om);
  writeFileSync(join(dir, 'ready'), '');
  console.log(`generated ${WORKLOADS} workloads × 24 h in ${((t1 - t0) / 1000).toFixed(1)} s, backfilled in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  return { dir, data, cached: false };
}

export async function startPrometheus(dataDir) {
  const cfg = join(dataDir, '..', 'prometheus.yml');
  writeFileSync(cfg, '');
  const child = spawn('prometheus', [`--config.file=${cfg}`, `--storage.tsdb.path=${dataDir}`, '--web.listen-address=127.0.0.1:0', '--storage.tsdb.retention.time=100y'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      log += d;
      const m = /msg="Listening on" address=127\.0\.0\.1:(\d+)/.exec(log);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`prometheus exited ${c}: ${log}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 500; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { url, stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))) };
}

export async function inventory() {
  const { buildInventory } = await dist('inventory/build-inventory.js');
  const { clusterObject } = await dist('inventory/read-cluster.js');
  const objects = [];
  for (let i = 0; i < WORKLOADS; i++) {
    objects.push(
      clusterObject(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: `w-${i}`, namespace: ns(i) },
          spec: {
            replicas: 1,
            template: { spec: { containers: [{ name: 'main', image: 'app', command: ['python', 'worker.py'], env: [{ name: 'QUEUE_NAME', value: `q-${i}` }], resources: { requests: { cpu: '500m' } } }] } },
          },
        },
        'bench',
      ),
    );
    if (i % 2 === 0) {
      objects.push(
        clusterObject(
          {
            apiVersion: 'autoscaling/v2',
            kind: 'HorizontalPodAutoscaler',
            metadata: { name: `w-${i}`, namespace: ns(i) },
            spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `w-${i}` }, minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
          },
          'bench',
        ),
      );
    }
  }
  return buildInventory(objects, {});
}

/** The same requests, sent with fetch (form POST, same concurrency), bodies parsed with JSON.parse. */
async function plainFetch(url, entries, concurrency) {
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < entries.length) {
      const { request: r } = entries[next++];
      const form = r.kind === 'instant' ? { query: r.query, time: String(r.time) } : { query: r.query, start: String(r.start), end: String(r.end), step: String(r.step) };
      const res = await fetch(`${url}/api/v1/${r.kind === 'instant' ? 'query' : 'query_range'}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
      const body = await res.json();
      if (body.status !== 'success') throw new Error(`baseline query failed: ${body.error}`);
      bytes += JSON.stringify(body.data.result.length).length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return bytes;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const gc = () => globalThis.gc?.();

export async function run() {
  const { collectSignals, createRecorder } = await dist('metrics/index.js');
  const db = await tsdb();
  const prom = await startPrometheus(db.data);
  try {
    const inv = await inventory();
    const concurrency = 4;
    const opts = { prometheus: { url: prom.url }, at: END, windowSeconds: WINDOW, targetWaitSeconds: 30, concurrency, queryTimeoutSeconds: 120 };

    // warm-up: JIT, Prometheus's page cache, and the list of requests the baseline replays
    let recorder = createRecorder();
    const first = await collectSignals(inv, { ...opts, recorder });
    if (first.incomplete) throw new Error(`bench scan incomplete: ${first.warnings.join('; ')}`);
    const entries = recorder.toJSON().entries.map((e) => ({ request: e.request }));
    recorder = undefined;
    const bound = first.bindings.filter((b) => b.confidence >= 0.5).length;
    const withCpu = [...first.byWorkload.values()].filter((s) => s.cpuUtilization).length;
    const withHpa = [...first.byWorkload.values()].filter((s) => s.hpa?.targetCpuUtilization === 70).length;
    const rising = [...first.byWorkload.values()].filter((s) => s.backlogTrend?.rising).length;

    // alternate the two, so both see the same Prometheus conditions; compare round by round.
    // The peak RSS of collectSignals alone is read after round 1's scan, before any baseline
    // (JSON.parse of the same answers) has run in this process.
    let result = first;
    let libPeakRss = 0;
    const lib = [];
    const base = [];
    const libCpu = [];
    const baseCpu = [];
    for (let i = 0; i < ROUNDS; i++) {
      gc();
      let c = process.cpuUsage();
      let t = performance.now();
      result = await collectSignals(inv, opts);
      lib.push(performance.now() - t);
      c = process.cpuUsage(c);
      libCpu.push((c.user + c.system) / 1e6);
      if (i === 0) libPeakRss = process.resourceUsage().maxRSS / 1024;
      gc();
      c = process.cpuUsage();
      t = performance.now();
      await plainFetch(prom.url, entries, concurrency);
      base.push(performance.now() - t);
      c = process.cpuUsage(c);
      baseCpu.push((c.user + c.system) / 1e6);
    }
    const peakRss = process.resourceUsage().maxRSS / 1024;
    const ratios = lib.map((x, i) => x / base[i]);
    const ratio = median(ratios);
    const points = result.queryStats.points;
    const seriesRead = WORKLOADS * 5 + (WORKLOADS / 2) * 5;
    const s = (ms) => (ms / 1000).toFixed(2);

    console.log(`Prometheus ${db.cached ? '(cached TSDB)' : ''}: ${WORKLOADS} workloads in ${NAMESPACES} namespaces, window 24 h, step ${result.queryStats.step} s (${points} points/series), concurrency ${concurrency}`);
    console.table([
      { measure: 'PromQL requests per scan', value: result.queryCount, note: `batched ${result.queryStats.batched}, per-workload ${result.queryStats.perWorkload} — constant in the number of workloads` },
      { measure: 'workloads bound (confidence ≥ 0.5)', value: bound, note: `CPU joined for ${withCpu}, HPA read for ${withHpa}, rising backlog for ${rising}` },
      { measure: 'series decoded', value: seriesRead, note: `≈ ${((seriesRead * points) / 1e6).toFixed(1)} M points` },
      { measure: 'collectSignals wall time', value: `${s(median(lib))} s`, note: `rounds ${lib.map(s).join(' / ')}` },
      { measure: 'same requests, plain fetch + JSON.parse', value: `${s(median(base))} s`, note: `rounds ${base.map(s).join(' / ')}` },
      { measure: 'ratio, median of per-round ratios (target ≤ 1.5)', value: ratio.toFixed(2), note: `${ratios.map((r) => r.toFixed(2)).join(' / ')} — ${ratio <= 1.5 ? 'met' : 'NOT met'}` },
      { measure: 'client CPU: collectSignals vs fetch+JSON.parse', value: `${median(libCpu).toFixed(2)} s vs ${median(baseCpu).toFixed(2)} s`, note: 'this process only; the rest of the wall time is Prometheus evaluating the queries' },
      { measure: 'peak RSS, collectSignals', value: `${libPeakRss.toFixed(0)} MiB`, note: 'before any baseline run' },
      { measure: 'peak RSS, whole run', value: `${peakRss.toFixed(0)} MiB`, note: 'includes the baseline: JSON.parse of the same answers' },
    ]);
    return [
      { name: 'PromQL requests for 2,000 workloads', value: result.queryCount, target: 'constant' },
      { name: 'wall time vs plain fetch', value: Number(ratio.toFixed(2)), target: '≤ 1.5', met: ratio <= 1.5 },
      { name: 'peak RSS MiB (collectSignals)', value: Math.round(libPeakRss) },
    ];
  } finally {
    await prom.stop();
  }
}

if (process.env.QD_BENCH_GENERATE) {
  await generate(process.env.QD_BENCH_GENERATE);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run();
}
