// The rule registry: every rule file in this folder, in id order. A meta-test fails when
// this list and the folder disagree.
import type { Rule } from '../src/diagnose/rule.js';
import { rule as QD101 } from './QD101-cpu-hpa-on-queue-worker.js';
import { rule as QD102 } from './QD102-cpu-hpa-on-gpu-workload.js';
import { rule as QD103 } from './QD103-queue-worker-without-autoscaler.js';
import { rule as QD104 } from './QD104-double-scaled.js';
import { rule as QD105 } from './QD105-replicas-fights-autoscaler.js';
import { rule as QD106 } from './QD106-grace-shorter-than-job.js';
import { rule as QD107 } from './QD107-no-scale-down-stabilization.js';
import { rule as QD108 } from './QD108-prometheus-query-not-aggregated.js';
import { rule as QD109 } from './QD109-invalid-trigger-threshold.js';
import { rule as QD110 } from './QD110-replica-bounds.js';
import { rule as QD111 } from './QD111-cpu-utilization-without-requests.js';
import { rule as QD112 } from './QD112-dangling-scale-target.js';
import { rule as QD113 } from './QD113-depth-only-trigger.js';
import { rule as QD114 } from './QD114-empty-result-reads-zero.js';
import { rule as QD115 } from './QD115-trigger-metadata-not-string.js';
import { rule as QD116 } from './QD116-missing-trigger-metadata.js';
import { rule as QD117 } from './QD117-invalid-metric-type.js';
import { rule as QD118 } from './QD118-invalid-fallback.js';
import { rule as QD119 } from './QD119-duplicate-trigger-name.js';
import { rule as QD120 } from './QD120-slow-polling-for-wait-objective.js';
import { rule as QD201 } from './QD201-cpu-blind-scaling.js';
import { rule as QD202 } from './QD202-capped-at-max.js';
import { rule as QD203 } from './QD203-unscaled-queue-worker.js';
import { rule as QD204 } from './QD204-thrashing.js';
import { rule as QD205 } from './QD205-idle-capacity.js';
import { rule as QD206 } from './QD206-wait-objective-breached.js';
import { rule as QD207 } from './QD207-unbound-worker.js';
import { rule as QD208 } from './QD208-keda-threshold-mismatch.js';

export const RULES: Rule[] = [
  QD101,
  QD102,
  QD103,
  QD104,
  QD105,
  QD106,
  QD107,
  QD108,
  QD109,
  QD110,
  QD111,
  QD112,
  QD113,
  QD114,
  QD115,
  QD116,
  QD117,
  QD118,
  QD119,
  QD120,
  QD201,
  QD202,
  QD203,
  QD204,
  QD205,
  QD206,
  QD207,
  QD208,
];

export function findRule(id: string): Rule | undefined {
  const key = id.trim().toUpperCase();
  return RULES.find((r) => r.meta.id === key || r.meta.slug === id.trim().toLowerCase());
}
