// A throw-away real Prometheus for integration tests (recipe: shared/prometheus-harness.md).
// Backfill fixtures/series/*.om with promtool into a fresh temporary TSDB *before* starting
// (blocks added to a running server only show up after ~1 min), start Debian's prometheus on
// 127.0.0.1:0 with an empty config (no scrapes: a scrape config would drop backfilled history
// as "out of bounds"), read the port from its log, wait for /-/ready, and stop it after.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Inventory, ManifestObject } from '../../src/inventory/model.js';
import { DEFAULT_READ_OPTIONS, parseFileInto, type ReadResult } from '../../src/inventory/read-manifests.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { toManifestObject } from '../../src/inventory/read-cluster.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERIES_DIR = join(REPO_ROOT, 'fixtures', 'series');

export interface Backfilled {
  /** Temporary directory holding everything (removed by cleanup()). */
  dir: string;
  /** The TSDB directory to start Prometheus on. */
  data: string;
  cleanup(): void;
}

/**
 * Concatenate the named fixtures (default: every fixtures/series/*.om) and backfill them with
 * promtool into a new TSDB. One promtool run keeps the blocks from overlapping.
 */
export function backfill(names?: string[], extraOm: string[] = []): Backfilled {
  const files = names ?? readdirSync(SERIES_DIR).filter((f) => f.endsWith('.om')).map((f) => f.replace(/\.om$/, ''));
  const dir = mkdtempSync(join(tmpdir(), 'qd-prom-'));
  const parts = files.map((f) => readFileSync(join(SERIES_DIR, `${f}.om`), 'utf8'));
  parts.push(...extraOm);
  // one document: drop each part's `# EOF`, end with a single one
  const text = parts.map((p) => p.replace(/# EOF\s*$/, '')).join('') + '# EOF\n';
  const om = join(dir, 'fixtures.om');
  writeFileSync(om, text);
  const data = join(dir, 'data');
  try {
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', om, data], { stdio: 'pipe' });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`promtool backfill failed: ${err.stderr?.toString() || err.message}`);
  }
  return { dir, data, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface PrometheusServer {
  /** http(s)://127.0.0.1:PORT plus the route prefix, if any. */
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Freeze the process (SIGSTOP): requests hang until resume(). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  log(): string;
}

export interface StartOptions {
  dataDir: string;
  /** Extra flags, e.g. ['--web.route-prefix=/prom']. */
  args?: string[];
  /** Contents of a --web.config.file (basic auth, TLS). */
  webConfig?: string;
  /** The path prefix the API is served under (with --web.route-prefix). */
  routePrefix?: string;
  /** Headers the readiness probe must send (basic auth makes /-/ready need them too). */
  readyHeaders?: Record<string, string>;
  /** Scheme of the listener (https with a web.config tls_server_config). */
  https?: boolean;
  /** CA to trust for the https readiness probe. */
  ca?: string;
  readyTimeoutMs?: number;
}

/** Start prometheus on 127.0.0.1:0 and wait until it is ready. */
export async function startPrometheus(options: StartOptions): Promise<PrometheusServer> {
  const cfg = join(options.dataDir, '..', 'prometheus.yml');
  writeFileSync(cfg, ''); // an empty file is a valid config: no scrapes
  const args = [`--config.file=${cfg}`, `--storage.tsdb.path=${options.dataDir}`, '--web.listen-address=127.0.0.1:0', ...(options.args ?? [])];
  if (options.webConfig !== undefined) {
    const web = join(options.dataDir, '..', 'web.yml');
    writeFileSync(web, options.webConfig);
    args.push(`--web.config.file=${web}`);
  }
  if (options.routePrefix) args.push(`--web.route-prefix=${options.routePrefix}`, `--web.external-url=http://127.0.0.1${options.routePrefix}`);
  const child = spawn('prometheus', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const timeout = options.readyTimeoutMs ?? 15_000;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('prometheus did not log its port:\n' + log)), timeout);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      log += d;
      // "Start listening for connections" shows :0; "Listening on" shows the real port
      const m = /msg="Listening on" address=127\.0\.0\.1:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start prometheus (is the Debian package installed?): ${e.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`prometheus exited ${code}:\n${log}`));
    });
  });
  const scheme = options.https ? 'https' : 'http';
  const url = `${scheme}://127.0.0.1:${port}${options.routePrefix ?? ''}`;
  await waitReady(url, options, timeout, () => log);
  let stopped = false;
  return {
    url,
    port,
    pid: child.pid!,
    child,
    pause: () => process.kill(child.pid!, 'SIGSTOP'),
    resume: () => process.kill(child.pid!, 'SIGCONT'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (stopped || child.exitCode !== null || child.signalCode !== null) return resolve();
        stopped = true;
        child.once('exit', () => resolve());
        try {
          process.kill(child.pid!, 'SIGCONT'); // a paused process cannot handle SIGTERM
        } catch {
          /* already gone */
        }
        child.kill('SIGTERM');
      }),
    log: () => log,
  };
}

async function waitReady(url: string, options: StartOptions, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const https = options.https ? await import('node:https') : undefined;
  for (;;) {
    try {
      if (https) {
        const ok = await new Promise<boolean>((resolve) => {
          const req = https.get(`${url}/-/ready`, { headers: options.readyHeaders, ...(options.ca ? { ca: options.ca } : {}) }, (res) => {
            res.resume();
            resolve(res.statusCode === 200);
          });
          req.on('error', () => resolve(false));
        });
        if (ok) return;
      } else if ((await fetch(`${url}/-/ready`, { headers: options.readyHeaders })).ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('prometheus not ready:\n' + log());
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A bcrypt hash (cost 4) of TEST_PASSWORD, for web.config basic_auth_users. */
export const TEST_USER = 'queue-doctor';
export const TEST_PASSWORD = 'qd-test-password';
export const TEST_PASSWORD_BCRYPT = '$2b$04$sXApFRpPkChh7Od.v3PmouvNO/CgXy5LJjGcZmaQVFcKafD3E8.Q.';

/** Raw instant query with fetch (for assertions independent of the library under test). */
export async function rawQuery(url: string, query: string, time: number, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(`${url}/api/v1/query`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams({ query, time: String(time) }) });
  return res.json();
}

// ---------------------------------------------------------------------------------------------
// Inventories for the fixtures: the scenario manifests next to the series (fixtures/series/*.yaml)
// and the recorded llm-platform cluster (fixtures/clusters/llm-platform).

export function inventoryFromSeriesManifests(...names: string[]): Inventory {
  const result: ReadResult = { objects: [], problems: [], sources: [], nonObjects: 0, partialView: false };
  for (const n of names) parseFileInto(`${n}.yaml`, readFileSync(join(SERIES_DIR, `${n}.yaml`)), DEFAULT_READ_OPTIONS, result);
  if (result.problems.length) throw new Error(JSON.stringify(result.problems));
  return buildInventory(result.objects, {});
}

const CLUSTER_LISTS: Array<[string, string, string]> = [
  ['apis/apps/v1/deployments.json', 'apps/v1', 'Deployment'],
  ['apis/apps/v1/statefulsets.json', 'apps/v1', 'StatefulSet'],
  ['apis/argoproj.io/v1alpha1/rollouts.json', 'argoproj.io/v1alpha1', 'Rollout'],
  ['apis/autoscaling/v2/horizontalpodautoscalers.json', 'autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['apis/keda.sh/v1alpha1/scaledobjects.json', 'keda.sh/v1alpha1', 'ScaledObject'],
];

/** The recorded cluster as `scan` would read it (HPAs owned by ScaledObjects left out, as the cluster reader does). */
export function inventoryFromCluster(name: string): Inventory {
  const objects: ManifestObject[] = [];
  for (const [file, apiVersion, kind] of CLUSTER_LISTS) {
    const list = JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures', 'clusters', name, file), 'utf8'));
    for (const item of list.items ?? []) {
      const owners = item.metadata?.ownerReferences ?? [];
      if (kind === 'HorizontalPodAutoscaler' && owners.some((o: { kind?: string }) => o.kind === 'ScaledObject')) continue;
      const o = toManifestObject(item, apiVersion, kind, '');
      if (o) objects.push(o);
    }
  }
  return buildInventory(objects, { sources: [name] });
}

/** Service objects of a recorded cluster (for auto-discovery tests). */
export function servicesFromCluster(name: string): Array<{ namespace: string; name: string; labels: Record<string, string>; ports: Array<{ name?: string; port: number }> }> {
  const list = JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures', 'clusters', name, 'api/v1/services.json'), 'utf8'));
  return list.items.map((s: any) => ({
    namespace: s.metadata.namespace,
    name: s.metadata.name,
    labels: s.metadata.labels ?? {},
    ports: (s.spec.ports ?? []).map((p: any) => ({ ...(p.name ? { name: p.name } : {}), port: p.port })),
  }));
}
