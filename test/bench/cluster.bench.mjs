// cluster: a generated stand-in cluster with 5,000 Deployments, 2,000 HPAs (1,000 of them
// created by KEDA) and 1,000 ScaledObjects across 200 namespaces. Measures
// readClusterInventory + buildInventory against the same paginated GETs done with plain
// node https (same TLS, token, gzip, page size and concurrency), in the same run, each in a
// fresh child process (so peak RSS is per client). Also the one-time cost of importing
// @kubernetes/client-node, and the namespace-by-namespace variant (-n for all 200).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const ROUNDS = Number(process.env.QD_BENCH_ROUNDS ?? 5);
const PAGE = 500;
const CONCURRENCY = 8;

/** Transpile the TypeScript stand-in (node built-ins only) so this plain .mjs can run it. */
async function loadStandin(dir) {
  const ts = (await import('typescript')).default;
  const src = readFileSync(join(root, 'test', 'helpers', 'k8s-standin.ts'), 'utf8');
  const out = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const file = join(dir, 'k8s-standin.mjs');
  writeFileSync(file, out);
  return import(pathToFileURL(file).href);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function child(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`bench child ${args.mode} exited ${code}`))));
  });
}

export async function run() {
  const work = mkdtempSync(join(tmpdir(), 'qd-cluster-bench-'));
  try {
    const { scaleCluster, writeCluster } = await import(pathToFileURL(join(root, 'fixtures', 'clusters', 'generate.mjs')).href);
    const clusterDir = join(work, 'cluster');
    writeCluster(clusterDir, scaleCluster({ deployments: 5000, hpas: 2000, scaledObjects: 1000, namespaces: 200 }));
    const { startStandin } = await loadStandin(work);
    // the server runs here; each client runs in its own child process
    const s = await startStandin({ cluster: clusterDir, dir: join(work, 'standin') });
    const kubeconfig = s.writeKubeconfig();
    const tls = { url: s.url, ca: s.caPem, token: s.token };
    const namespaces = Array.from({ length: 200 }, (_, n) => `team-${String(n).padStart(3, '0')}`);
    const rows = [];
    const table = [];
    try {
      for (const scenario of [
        { name: '-A (cluster-wide lists)', allNamespaces: true },
        { name: '-n × 200 (namespace by namespace)', namespaces },
      ]) {
        // 1. one cold run of each client in a fresh process: first-run time and peak RSS
        const before = s.requests.length;
        const coldOurs = await child({ mode: 'ours', kubeconfig, allNamespaces: scenario.allNamespaces, namespaces: scenario.namespaces });
        const sent = s.requests.slice(before);
        // the baseline repeats the same requests: discovery paths, then every list paginated the same way
        const discovery = [...new Set(sent.filter((q) => !q.query.limit).map((q) => q.path))];
        const lists = [...new Set(sent.filter((q) => q.query.limit).map((q) => q.path))];
        const rb = s.requests.length;
        const coldRaw = await child({ mode: 'raw', tls, discovery, lists });
        const rawSent = s.requests.length - rb;
        // 2. warm: both clients alternating in one process, ROUNDS times each (machine noise hits both alike)
        const warm = await child({ mode: 'both', kubeconfig, allNamespaces: scenario.allNamespaces, namespaces: scenario.namespaces, tls, discovery, lists, rounds: ROUNDS });
        const oMs = median(warm.ours);
        const rMs = median(warm.raw);
        const ratio = oMs / rMs;
        const coldRatio = coldOurs.ms / coldRaw.ms;
        table.push({
          scenario: scenario.name,
          'raw GETs ms': Math.round(rMs),
          'queue-doctor ms': Math.round(oMs),
          ratio: ratio.toFixed(2),
          'first run ms (qd / raw)': `${Math.round(coldOurs.ms)} / ${Math.round(coldRaw.ms)}`,
          'client-node import ms (once)': Math.round(coldOurs.importMs),
          'HTTP requests (qd / raw)': `${sent.length} / ${rawSent}`,
          'peak RSS MB (qd / raw)': `${Math.round(coldOurs.rssMb)} / ${Math.round(coldRaw.rssMb)}`,
          objects: coldOurs.objects,
          workloads: coldOurs.workloads,
        });
        rows.push({ name: `${scenario.name}: list + build / raw paginated GETs`, value: Number(ratio.toFixed(2)), target: '≤ 1.5', met: ratio <= 1.5 });
        rows.push({ name: `${scenario.name}: first run, same ratio`, value: Number(coldRatio.toFixed(2)) });
        rows.push({ name: `${scenario.name}: HTTP requests`, value: sent.length });
        rows.push({ name: `${scenario.name}: peak RSS MB`, value: Math.round(coldOurs.rssMb) });
      }
    } finally {
      await s.close();
    }
    console.log(`5,000 Deployments, 2,000 HPAs (1,000 KEDA-created), 1,000 ScaledObjects, 200 namespaces; page size ${PAGE}, ${CONCURRENCY} concurrent requests`);
    console.log(`ratio: median of ${ROUNDS} warm rounds, both clients alternating in one process; first run and peak RSS: a fresh process per client`);
    console.table(table);
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---- child processes ---------------------------------------------------------------------

async function childOurs(args) {
  const t0 = performance.now();
  await import('@kubernetes/client-node'); // one-time cost, reported apart
  const importMs = performance.now() - t0;
  return { importMs, ...(await oursOnce(args)) };
}

async function oursOnce(args) {
  const { readClusterInventory } = await import(pathToFileURL(join(root, 'dist', 'src', 'inventory', 'read-cluster.js')).href);
  const { buildInventory } = await import(pathToFileURL(join(root, 'dist', 'src', 'inventory', 'build-inventory.js')).href);
  const t1 = performance.now();
  const r = await readClusterInventory({ kubeconfig: args.kubeconfig, allNamespaces: args.allNamespaces, namespaces: args.namespaces, timeoutSeconds: 600, requestTimeoutSeconds: 120, env: {}, concurrency: CONCURRENCY, pageSize: PAGE });
  const inv = buildInventory(r.objects, { sources: r.contexts });
  const ms = performance.now() - t1;
  r.close();
  if (r.problems.length) throw new Error(`unexpected problems: ${r.problems.map((p) => p.message).join('; ')}`);
  return { ms, objects: r.objects.length, workloads: inv.workloads.length, requests: r.requestCount, rssMb: process.resourceUsage().maxRSS / 1024 };
}

async function childRaw(args) {
  const url = new URL(args.tls.url);
  const agent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: args.tls.ca });
  let requests = 0;
  const get = (path) =>
    new Promise((resolve, reject) => {
      requests++;
      https
        .get({ hostname: url.hostname, port: url.port, path, agent, headers: { Authorization: `Bearer ${args.tls.token}`, Accept: 'application/json', 'Accept-Encoding': 'gzip' } }, (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            let buf = Buffer.concat(chunks);
            if (res.headers['content-encoding'] === 'gzip') buf = gunzipSync(buf);
            resolve(JSON.parse(buf.toString('utf8')));
          });
          res.on('error', reject);
        })
        .on('error', reject);
    });
  let active = 0;
  const queue = [];
  const limited = async (fn) => {
    if (active >= CONCURRENCY) await new Promise((r) => queue.push(r));
    else active++;
    try {
      return await fn();
    } finally {
      const next = queue.shift();
      if (next) next();
      else active--;
    }
  };
  const t0 = performance.now();
  const [first, ...crds] = args.discovery;
  await get(first);
  await Promise.all(crds.map((p) => limited(() => get(p))));
  let items = 0;
  await Promise.all(
    args.lists.map(async (p) => {
      let cont;
      do {
        const body = await limited(() => get(`${p}?limit=${PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`));
        items += body.items.length;
        cont = body.metadata?.continue;
      } while (cont);
    }),
  );
  const ms = performance.now() - t0;
  agent.destroy();
  return { ms, items, requests, rssMb: process.resourceUsage().maxRSS / 1024 };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--child') {
  const args = JSON.parse(process.argv[3]);
  let result;
  if (args.mode === 'ours') result = await childOurs(args);
  else if (args.mode === 'raw') result = await childRaw(args);
  else {
    await import('@kubernetes/client-node');
    result = { ours: [], raw: [] };
    // one warm-up of each, then alternate
    await childRaw(args);
    await oursOnce(args);
    for (let i = 0; i < args.rounds; i++) {
      result.raw.push((await childRaw(args)).ms);
      result.ours.push((await oursOnce(args)).ms);
    }
  }
  process.stdout.write(JSON.stringify(result));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await run();
  console.table(rows);
}
