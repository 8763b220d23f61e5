// Sends planned PromQL requests gently: bounded concurrency, a per-query timeout, retries with
// exponential back-off on overload, dropped connections and timeouts, a hard budget of
// requests (--max-queries), the scan's deadline (no request, retry or wait past it), and a
// circuit breaker: once Prometheus is unreachable, refuses the credentials, or keeps dropping
// connections after retries, the remaining requests are not sent (one clear error instead of
// a hundred).
import { DEADLINE, PrometheusQueryError } from './errors.js';
import type { QueryRequest, QueryTransport, RawResult } from './transport.js';

export interface PlannedQuery {
  request: QueryRequest;
  /** The annotation or signal the query serves, named in errors. */
  origin?: string;
  /** True for per-workload (annotation/config) queries, false for batched ones. */
  perWorkload: boolean;
  /**
   * A shorter request whose answer holds every row of this one (the same query without its
   * scope filters), sent instead when this one is too long for the transport (a GET URL).
   */
  fallback?: QueryRequest;
}

export interface RunnerOptions {
  concurrency: number;
  /** Most HTTP requests to send, retries included. */
  maxQueries?: number;
  timeoutSeconds: number;
  /** Retries after the first attempt, for retryable failures. */
  retries: number;
  /** First back-off delay; doubles on each retry. */
  backoffMs: number;
  /** The scan's deadline, absolute ms (Date.now() clock): nothing is sent, retried or awaited past it. */
  deadline?: number;
  /** Injected for tests (default Date.now). */
  now?: () => number;
  onProgress?: (done: number, total: number) => void;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
}

export type QueryOutcome = RawResult | PrometheusQueryError;

export function isFailure(o: QueryOutcome | undefined): o is PrometheusQueryError {
  return o instanceof PrometheusQueryError;
}

export class QueryRunner {
  /** HTTP requests sent, retries included. */
  sent = 0;
  retries = 0;
  skipped = 0;
  batched = 0;
  perWorkload = 0;
  /** Distinct failures, in the order they happened (skips after a fatal one are not repeated). */
  readonly errors: PrometheusQueryError[] = [];
  private fatalError?: PrometheusQueryError;
  private done = 0;
  private total = 0;
  /** Requests sent as their shorter fallback (too long for the transport as planned). */
  fallbacks = 0;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly transport: QueryTransport,
    private readonly options: RunnerOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds left before the deadline (Infinity without one). */
  private remainingMs(): number {
    return this.options.deadline === undefined ? Infinity : this.options.deadline - this.now();
  }

  /** The failure that stopped all further requests, if any. */
  get fatal(): PrometheusQueryError | undefined {
    return this.fatalError;
  }

  /** Announce planned work so progress can show a total. */
  expect(count: number): void {
    this.total += count;
    this.options.onProgress?.(this.done, this.total);
  }

  /** Run queries with bounded concurrency; outcomes come back in the input order. */
  async runAll(planned: PlannedQuery[]): Promise<QueryOutcome[]> {
    const out = new Array<QueryOutcome>(planned.length);
    let next = 0;
    const worker = async () => {
      while (next < planned.length) {
        const i = next++;
        out[i] = await this.runOne(planned[i]);
      }
    };
    const n = Math.max(1, Math.min(this.options.concurrency, planned.length));
    await Promise.all(Array.from({ length: n }, worker));
    return out;
  }

  private async runOne(p: PlannedQuery): Promise<QueryOutcome> {
    let request = p.request;
    const context = () => ({ url: this.transport.url, query: request.query, ...(p.origin !== undefined ? { origin: p.origin } : {}) });
    const fail = (err: PrometheusQueryError, fatal = err.fatal) => {
      if (fatal && !this.fatalError) this.fatalError = err;
      this.errors.push(err);
      return err;
    };
    // too long to send as planned: its shorter equivalent (when there is one that fits)
    const useFallback = () => {
      if (!p.fallback || p.fallback === request || this.transport.tooLong?.(p.fallback)) return false;
      request = p.fallback;
      this.fallbacks++;
      return true;
    };
    try {
      for (let attempt = 0; ; attempt++) {
        if (this.fatalError) {
          this.skipped++;
          return this.fatalError;
        }
        const refused = this.transport.tooLong?.(request, p.origin);
        if (refused && !useFallback()) {
          this.skipped++;
          return fail(refused, false);
        }
        if (this.options.maxQueries !== undefined && this.sent >= this.options.maxQueries) {
          this.skipped++;
          return fail(new PrometheusQueryError({ kind: 'budget', context: context(), detail: `${this.options.maxQueries} requests already sent` }), false);
        }
        const remaining = this.remainingMs();
        if (remaining <= 0) {
          this.skipped++;
          return fail(new PrometheusQueryError({ kind: 'timeout', context: context(), errorType: DEADLINE, detail: 'the scan deadline (--timeout) passed before it was sent' }));
        }
        this.sent++;
        if (attempt === 0) {
          if (p.perWorkload) this.perWorkload++;
          else this.batched++;
        } else this.retries++;
        try {
          const timeout = Math.min(this.options.timeoutSeconds, remaining / 1000);
          return await this.transport.query(request, timeout, p.origin, this.options.deadline);
        } catch (e) {
          const err = e instanceof PrometheusQueryError ? e : new PrometheusQueryError({ kind: 'protocol', context: context(), detail: String(e) });
          // refused for its length on the way (414/431): the shorter equivalent, once
          if (err.kind === 'too_long' && useFallback()) continue;
          const delay = this.options.backoffMs * 2 ** attempt;
          const canRetry = err.retryable && !this.transport.offline && attempt < this.options.retries && delay < this.remainingMs();
          if (canRetry) {
            await this.sleep(delay);
            continue;
          }
          // a connection dropped again and again (or a timeout at the deadline): the next
          // queries would fare no better
          const exhausted = err.kind === 'network' && attempt >= this.options.retries;
          const pastDeadline = err.kind === 'timeout' && this.remainingMs() <= 0;
          return fail(err, err.fatal || exhausted || pastDeadline);
        }
      }
    } finally {
      this.done++;
      this.options.onProgress?.(this.done, Math.max(this.total, this.done));
    }
  }
}
