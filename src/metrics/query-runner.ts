// Sends planned PromQL requests gently: bounded concurrency, a per-query timeout, retries with
// exponential back-off on overload and timeouts, a hard budget of requests (--max-queries),
// and a circuit breaker: once Prometheus is unreachable or refuses the credentials, the
// remaining requests are not sent (one clear error instead of a hundred).
import { PrometheusQueryError } from './errors.js';
import type { QueryRequest, QueryTransport, RawResult } from './transport.js';

export interface PlannedQuery {
  request: QueryRequest;
  /** The annotation or signal the query serves, named in errors. */
  origin?: string;
  /** True for per-workload (annotation/config) queries, false for batched ones. */
  perWorkload: boolean;
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
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly transport: QueryTransport,
    private readonly options: RunnerOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
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
    try {
      for (let attempt = 0; ; attempt++) {
        if (this.fatalError) {
          this.skipped++;
          return this.fatalError;
        }
        if (this.options.maxQueries !== undefined && this.sent >= this.options.maxQueries) {
          this.skipped++;
          const err = new PrometheusQueryError({
            kind: 'budget',
            context: { url: this.transport.url, query: p.request.query, ...(p.origin !== undefined ? { origin: p.origin } : {}) },
            detail: `${this.options.maxQueries} requests already sent`,
          });
          this.errors.push(err);
          return err;
        }
        this.sent++;
        if (attempt === 0) {
          if (p.perWorkload) this.perWorkload++;
          else this.batched++;
        } else this.retries++;
        try {
          return await this.transport.query(p.request, this.options.timeoutSeconds, p.origin);
        } catch (e) {
          const err = e instanceof PrometheusQueryError ? e : new PrometheusQueryError({ kind: 'protocol', context: { url: this.transport.url, query: p.request.query }, detail: String(e) });
          const canRetry = err.retryable && !this.transport.offline && attempt < this.options.retries;
          if (canRetry) {
            await this.sleep(this.options.backoffMs * 2 ** attempt);
            continue;
          }
          if (err.fatal && !this.fatalError) this.fatalError = err;
          this.errors.push(err);
          return err;
        }
      }
    } finally {
      this.done++;
      this.options.onProgress?.(this.done, Math.max(this.total, this.done));
    }
  }
}
