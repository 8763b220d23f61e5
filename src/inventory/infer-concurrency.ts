// Jobs one pod runs at once, read from the worker's own command line or environment when the
// `queue-doctor.io/concurrency` annotation does not say: `celery worker --concurrency=4`,
// `sidekiq -c 10`, `SIDEKIQ_CONCURRENCY=10`, `WORKER_CONCURRENCY=8`, `rq worker-pool -n 3`…
import type { Container } from './model.js';

export interface InferredConcurrency {
  value: number;
  /** Where it came from, for derivations: "container worker: --concurrency=4". */
  source: string;
}

const ENV_NAMES = /^(CELERY_WORKER_CONCURRENCY|CELERYD_CONCURRENCY|SIDEKIQ_CONCURRENCY|WORKER_CONCURRENCY|QUEUE_CONCURRENCY|JOB_CONCURRENCY|BULLMQ_CONCURRENCY|BULL_CONCURRENCY|MAX_CONCURRENT_JOBS|CONCURRENCY)$/;

// Flags by worker family; `-c` means concurrency only for celery and sidekiq.
const FLAG_PATTERNS: Array<{ worker: RegExp; flag: RegExp }> = [
  { worker: /\bcelery\b/, flag: /(?:^|\s)(?:--concurrency[=\s]|-c\s*)(\d+)\b/ },
  { worker: /\bsidekiq\b/, flag: /(?:^|\s)(?:--concurrency[=\s]|-c\s*)(\d+)\b/ },
  { worker: /\brq\b.*\bworker-pool\b/, flag: /(?:^|\s)(?:--num-workers[=\s]|-n\s*)(\d+)\b/ },
  { worker: /\bfaust\b/, flag: /(?:^|\s)--concurrency[=\s](\d+)\b/ },
  { worker: /./, flag: /(?:^|\s)--(?:concurrency|worker-concurrency|max-concurrent-jobs)[=\s](\d+)\b/ },
];

export function inferConcurrency(containers: Container[]): InferredConcurrency | undefined {
  for (const c of containers) {
    const cmd = [...c.command, ...c.args].join(' ');
    for (const { worker, flag } of FLAG_PATTERNS) {
      if (!worker.test(cmd)) continue;
      const m = flag.exec(cmd);
      const n = m ? Number(m[1]) : NaN;
      if (Number.isInteger(n) && n >= 1 && n <= 10_000) return { value: n, source: `container ${c.name}: \`${m![0].trim()}\`` };
    }
    for (const e of c.env) {
      if (!ENV_NAMES.test(e.name) || e.value === undefined) continue;
      const n = Number(e.value.trim());
      if (Number.isInteger(n) && n >= 1 && n <= 10_000) return { value: n, source: `container ${c.name}: env ${e.name}=${n}` };
    }
  }
  return undefined;
}
