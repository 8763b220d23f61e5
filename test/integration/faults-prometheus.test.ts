// A failing Prometheus, as users meet it: the built CLI (`scan -f … -o json --fail-on none`)
// against a real Prometheus that is down, frozen with SIGSTOP, or behind a small proxy that
// answers 429/500/503, truncates or cuts the JSON, or never answers. Each scenario: bounded
// retries (counted at the proxy), one-line messages, partial results marked (exit 3), no stack
// trace, and an end by --timeout (the watchdog that would kill a hung CLI never fires).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT, runCli, type CliResult } from '../helpers/cli.js';
import { backfill, startPrometheus, type Backfilled, type PrometheusServer } from '../helpers/prometheus.js';
import { FIXTURE_END } from '../helpers/series-gen.js';
import { recordFigure } from '../helpers/robustness-figures.js';

const MANIFESTS = join(ROOT, 'fixtures', 'series', 'edge-cases.yaml');

type Mode =
  | { type: 'pass' }
  | { type: 'status'; status: number; retryAfter?: number; times?: number }
  | { type: 'truncate'; times?: number }
  | { type: 'reset'; times?: number }
  | { type: 'stall' };

interface Proxy {
  url: string;
  mode: Mode;
  /** Query bodies seen (retries show up as repeats). */
  seen: string[];
  close(): Promise<void>;
}

/** An HTTP proxy in front of Prometheus that misbehaves on purpose. */
async function startProxy(upstream: string): Promise<Proxy> {
  const target = new URL(upstream);
  const sockets = new Set<import('node:net').Socket>();
  let hits = 0;
  const proxy: Proxy = { url: '', mode: { type: 'pass' }, seen: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url?.includes('/api/v1/query')) proxy.seen.push(`${req.url?.split('?')[0]} ${new URLSearchParams(body.toString()).get('query')}`);
      const m = proxy.mode;
      const active = m.type !== 'pass' && (!('times' in m) || m.times === undefined || hits < m.times);
      if (active && req.url?.includes('/api/v1/query')) hits++;
      if (active && m.type === 'stall') return; // never answer
      if (active && m.type === 'status') {
        res.writeHead(m.status, { 'content-type': 'application/json', ...(m.retryAfter !== undefined ? { 'retry-after': String(m.retryAfter) } : {}) });
        res.end(JSON.stringify({ status: 'error', errorType: m.status === 503 ? 'unavailable' : 'internal', error: `injected ${m.status}` }));
        return;
      }
      // identity encoding: the proxy cuts bodies byte-exactly and passes them on as they are
      const headers = { ...req.headers, host: target.host };
      delete headers['accept-encoding'];
      const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (ur) => {
        const parts: Buffer[] = [];
        ur.on('data', (c) => parts.push(c));
        ur.on('end', () => {
          const full = Buffer.concat(parts);
          if (active && (m.type === 'truncate' || m.type === 'reset')) {
            const half = full.subarray(0, Math.max(1, full.length >> 1));
            if (m.type === 'truncate') {
              res.writeHead(ur.statusCode ?? 200, { 'content-type': 'application/json', 'content-length': half.length });
              res.end(half);
            } else {
              res.writeHead(ur.statusCode ?? 200, { 'content-type': 'application/json', 'content-length': full.length });
              res.write(half, () => setTimeout(() => req.socket.destroy(), 5));
            }
            return;
          }
          res.writeHead(ur.statusCode ?? 502, { 'content-type': String(ur.headers['content-type'] ?? 'application/json'), 'content-length': full.length });
          res.end(full);
        });
      });
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  const setMode = (mode: Mode) => {
    proxy.mode = mode;
    hits = 0;
    proxy.seen.length = 0;
  };
  Object.defineProperty(proxy, 'set', { value: setMode });
  return proxy;
}

let bf: Backfilled;
let prom: PrometheusServer;
let proxy: Proxy & { set?: (m: Mode) => void };
let baseline: { code: number | null; report: any };

function setMode(m: Mode) {
  (proxy as unknown as { set: (m: Mode) => void }).set(m);
}

beforeAll(async () => {
  bf = backfill(['edge-cases']);
  prom = await startPrometheus({ dataDir: bf.data });
  proxy = await startProxy(prom.url);
  const r = await scan(prom.url);
  baseline = { code: r.r.code, report: r.report };
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await prom?.stop();
  bf?.cleanup();
});

async function scan(url: string, extra: string[] = [], watchdogMs = 60_000): Promise<{ r: CliResult; report: any }> {
  const r = await runCli(['scan', '-f', MANIFESTS, '--prometheus-url', url, '--at', String(FIXTURE_END), '--window', '2h', '-o', 'json', '--fail-on', 'none', ...extra], { timeoutMs: watchdogMs });
  expect(r.code, `the CLI did not end by itself within ${watchdogMs} ms\n${r.stderr}`).not.toBeNull();
  return { r, report: JSON.parse(r.stdout) };
}

function oneLiners(r: CliResult): string[] {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  for (const l of lines) expect(l).toMatch(/^queue-doctor: /);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return lines;
}

/** How many times each distinct query was sent. */
function attempts(seen: string[]): number[] {
  const m = new Map<string, number>();
  for (const q of seen) m.set(q, (m.get(q) ?? 0) + 1);
  return [...m.values()];
}

describe('Prometheus faults, end to end', () => {
  test('the healthy baseline: complete (the bad annotation query is the user’s, reported once)', () => {
    expect(baseline.report.scan.workloads.find((w: any) => w.name === 'weird-worker').backlog.now).toBe(7);
    expect(baseline.report.metadata.queryCount).toBeGreaterThan(5);
    // the broken annotation query of edge/bad-worker makes even the healthy run incomplete
    expect(baseline.code).toBe(3);
    expect(baseline.report.incomplete).toBe(true);
  });

  test('Prometheus down: one line naming it and what to do, the rest not sent, exit 3', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const { r, report } = await scan(`http://127.0.0.1:${port}`);
    expect(r.code, r.stderr).toBe(3);
    expect(report.incomplete).toBe(true);
    const lines = oneLiners(r).filter((l) => l.includes('unreachable'));
    expect(lines).toEqual([`queue-doctor: warning: Prometheus http://127.0.0.1:${port} is unreachable: ECONNREFUSED — check --prometheus-url and that the server is up`]);
    // inventory-only findings are still reported
    expect(report.findings.length).toBeGreaterThan(0);
    recordFigure('faultScenarios', 1);
  });

  test('Prometheus frozen (SIGSTOP): the scan ends by --timeout with a timeout message, exit 3', async () => {
    prom.pause();
    try {
      // the bound is --timeout plus slack for starting node: a run past it is killed and fails
      const { r, report } = await scan(prom.url, ['--timeout', '4s'], 10_000);
      expect(r.code, r.stderr).toBe(3);
      expect(report.incomplete).toBe(true);
      expect(oneLiners(r).some((l) => /timed out/.test(l))).toBe(true);
    } finally {
      prom.resume();
    }
    recordFigure('faultScenarios', 1);
  });

  test('503 on every query: each retried at most twice, exit 3, one line per failure', async () => {
    setMode({ type: 'status', status: 503 });
    const { r, report } = await scan(proxy.url);
    expect(r.code, r.stderr).toBe(3);
    expect(report.incomplete).toBe(true);
    expect(Math.max(...attempts(proxy.seen))).toBe(3);
    for (const l of oneLiners(r)) expect(l.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/503/);
    recordFigure('faultScenarios', 1);
  });

  test('500 on every query: not retried (a server error, not overload), exit 3', async () => {
    setMode({ type: 'status', status: 500 });
    const { r, report } = await scan(proxy.url);
    expect(r.code, r.stderr).toBe(3);
    expect(report.incomplete).toBe(true);
    expect(Math.max(...attempts(proxy.seen))).toBe(1);
    oneLiners(r);
    recordFigure('faultScenarios', 1);
  });

  test('429 with Retry-After, twice: retried, then complete as the baseline', async () => {
    setMode({ type: 'status', status: 429, retryAfter: 1, times: 2 });
    const { r, report } = await scan(proxy.url);
    expect(r.code, r.stderr).toBe(baseline.code);
    expect(report.incomplete).toBe(baseline.report.incomplete);
    expect(report.scan.workloads.find((w: any) => w.name === 'weird-worker').backlog.now).toBe(7);
    recordFigure('faultScenarios', 1);
  });

  test('truncated JSON on every query: a clear protocol error, bounded, exit 3', async () => {
    setMode({ type: 'truncate' });
    const { r, report } = await scan(proxy.url);
    expect(r.code, r.stderr).toBe(3);
    expect(report.incomplete).toBe(true);
    expect(Math.max(...attempts(proxy.seen))).toBeLessThanOrEqual(3);
    expect(oneLiners(r).length).toBeGreaterThan(0);
    recordFigure('faultScenarios', 1);
  });

  test('one connection reset mid-body: retried like any transient failure, then complete as the baseline', async () => {
    setMode({ type: 'reset', times: 1 });
    const { r, report } = await scan(proxy.url);
    oneLiners(r);
    expect(r.code, r.stderr).toBe(baseline.code);
    expect(report.incomplete).toBe(baseline.report.incomplete);
    expect(report.scan.workloads.find((w: any) => w.name === 'weird-worker').backlog?.now).toBe(7);
    expect(Math.max(...attempts(proxy.seen))).toBe(2);
    recordFigure('faultScenarios', 1);
  });

  test('a connection reset on every query: bounded, exit 3', async () => {
    setMode({ type: 'reset' });
    const { r, report } = await scan(proxy.url);
    expect(r.code, r.stderr).toBe(3);
    expect(report.incomplete).toBe(true);
    expect(Math.max(...attempts(proxy.seen))).toBeLessThanOrEqual(3);
    oneLiners(r);
    recordFigure('faultScenarios', 1);
  });

  test('a proxy that never answers: ends by --timeout, exit 3', async () => {
    setMode({ type: 'stall' });
    try {
      const { r, report } = await scan(proxy.url, ['--timeout', '4s'], 10_000);
      expect(r.code, r.stderr).toBe(3);
      expect(report.incomplete).toBe(true);
      expect(oneLiners(r).some((l) => /timed out/.test(l))).toBe(true);
    } finally {
      setMode({ type: 'pass' });
    }
    recordFigure('faultScenarios', 1);
  });
});
