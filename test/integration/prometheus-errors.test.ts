// Prometheus down, frozen, or slow: collectSignals never throws, says what failed in one line
// naming the URL, stops sending after a fatal failure, and marks the run incomplete (exit 3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill, inventoryFromCluster, startPrometheus, type Backfilled, type PrometheusServer } from '../helpers/prometheus.js';
import { FIXTURE_END, FIXTURE_WINDOW } from '../helpers/series-gen.js';
import { collectSignals, type CollectSignalsOptions } from '../../src/metrics/index.js';
import type { Inventory } from '../../src/inventory/model.js';

let bf: Backfilled;
let prom: PrometheusServer;
let inventory: Inventory;

beforeAll(async () => {
  bf = backfill(['llm-platform']);
  prom = await startPrometheus({ dataDir: bf.data });
  inventory = inventoryFromCluster('llm-platform');
});
afterAll(async () => {
  await prom?.stop();
  bf?.cleanup();
});

const options = (url: string, extra: Partial<CollectSignalsOptions> = {}): CollectSignalsOptions => ({
  prometheus: { url },
  at: FIXTURE_END,
  windowSeconds: FIXTURE_WINDOW,
  targetWaitSeconds: 30,
  ...extra,
});

describe('Prometheus down', () => {
  it('one clear error, one request, incomplete, inventory still described', async () => {
    // a port nothing listens on: start and stop a server to get one
    const dead = await startPrometheus({ dataDir: backfill([], ['# EOF\n']).data });
    const url = dead.url;
    await dead.stop();
    const r = await collectSignals(inventory, options(url, { retries: 2, backoffMs: 1 }));
    expect(r.incomplete).toBe(true);
    expect(r.queryCount).toBe(1); // unreachable is not retried and stops everything
    expect(r.byWorkload.size).toBe(0);
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]).toMatchObject({ kind: 'unreachable', errorType: 'network_error', origin: 'queue discovery' });
    expect(r.warnings).toEqual([`Prometheus ${url} is unreachable: ECONNREFUSED — check --prometheus-url and that the server is up`]);
  });

  it('a server that goes away mid-scan: the remaining requests are not sent', async () => {
    const bf2 = backfill(['llm-platform']);
    const p2 = await startPrometheus({ dataDir: bf2.data });
    try {
      let stopped = false;
      const r = await collectSignals(inventory, options(p2.url, {
        concurrency: 1,
        backoffMs: 1,
        onProgress: (done) => {
          if (done === 3 && !stopped) {
            stopped = true;
            process.kill(p2.pid, 'SIGKILL'); // synchronous: the next request finds no server
          }
        },
      }));
      expect(r.incomplete).toBe(true);
      expect(r.warnings[0]).toMatch(/^Prometheus http:\/\/127\.0\.0\.1:\d+ is unreachable: (ECONNREFUSED|ECONNRESET|socket hang up)/);
      expect(r.warnings.at(-1)).toMatch(/^\d+ planned request\(s\) not sent after that failure$/);
      expect(r.queryStats!.skipped).toBeGreaterThan(10);
      expect(r.queryCount).toBeLessThan(8);
      // what was read before the failure is kept
      expect(r.byWorkload.size).toBe(inventory.workloads.length);
    } finally {
      await p2.stop();
      bf2.cleanup();
    }
  });
});

describe('a frozen server (SIGSTOP)', () => {
  it('times out per query, retries with back-off, then stops: deterministic, no wall-clock assertion', async () => {
    prom.pause();
    try {
      const r = await collectSignals(inventory, options(prom.url, { queryTimeoutSeconds: 0.2, retries: 1, backoffMs: 10 }));
      expect(r.incomplete).toBe(true);
      expect(r.queryCount).toBe(2); // the discovery query and its one retry
      expect(r.queryStats!.retries).toBe(1);
      expect(r.errors![0]).toMatchObject({ kind: 'timeout', errorType: 'timeout_error', origin: 'queue discovery' });
      expect(r.warnings[0]).toBe(`Prometheus ${prom.url} timed out on queue discovery (timeout_error): timeout of 700ms exceeded — raise the query timeout or shorten --window`);
    } finally {
      prom.resume();
    }
    // and it answers again once resumed
    const ok = await collectSignals(inventory, options(prom.url));
    expect(ok.incomplete).toBe(false);
  });
});

describe('a server-side query timeout (503)', () => {
  it('is retried, then reported with Prometheus\'s own errorType, and the other queries still run', async () => {
    const bf3 = backfill(['llm-platform']);
    const slow = await startPrometheus({ dataDir: bf3.data, args: ['--query.timeout=1ms'] });
    try {
      const r = await collectSignals(inventory, options(slow.url, { retries: 1, backoffMs: 1 }));
      expect(r.incomplete).toBe(true);
      const e = r.errors!.find((x) => x.httpStatus === 503)!;
      expect(e).toMatchObject({ kind: 'timeout', errorType: 'timeout' });
      expect(r.queryStats!.retries).toBeGreaterThan(0);
      // not fatal: every planned request was tried
      expect(r.queryStats!.skipped).toBe(0);
      // (a 1 ms limit can also surface as a 422 "context deadline exceeded" on some queries)
      expect(r.warnings.some((w) => /^Prometheus http:\/\/127\.0\.0\.1:\d+ timed out on .* \(503 timeout\): query timed out in /.test(w))).toBe(true);
    } finally {
      await slow.stop();
      bf3.cleanup();
    }
  });
});
