// Reports for formatter tests, built by the real pipeline (parse -> inventory -> rules ->
// report) from manifests written here, for files and for cluster objects. Besides the
// registry's rules, two small test rules add a warning and an info finding whose messages
// carry the characters each output format must escape.
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { DEFAULT_READ_OPTIONS, parseFileInto, pointer, type ReadResult } from '../../src/inventory/read-manifests.js';
import { parseYamlStream } from '../../src/inventory/yaml-stream.js';
import type { FieldPath, InputProblem, ManifestObject, Severity } from '../../src/inventory/model.js';
import { finding, type Rule } from '../../src/diagnose/rule.js';
import { runRules } from '../../src/diagnose/run-rules.js';
import { buildReport } from '../../src/cli/common.js';
import type { Report } from '../../src/report/report-model.js';
import { RULES } from '../../rules/index.js';
import type { CliIo } from '../../src/cli/io.js';
import type { FormatContext } from '../../src/report/format.js';

/** A queue worker (celery) with a CPU-only HPA: QD101 fires on the HPA's metrics entry. */
export const WORKER_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: rag-worker
  namespace: rag
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: worker
          image: example/rag:1
          command: ["celery", "-A", "app", "worker"]
          env:
            - name: CELERY_BROKER_URL
              value: redis://redis:6379/0
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: rag-worker
  namespace: rag
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: rag-worker}
  minReplicas: 1
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: 70}
`;

/** A web Deployment: no rule fires on it. */
export const WEB_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: web
          image: example/web:1
          ports: [{containerPort: 8080}]
`;

/** The text the test rules put in their messages: what every format must escape. */
export const NASTY = '50% | <b>bold</b> & [link](x) *star* `tick` "q" a,b:c ]]> \u001b[31mred\u001b[0m\nsecond line';

function testRule(id: string, slug: string, severity: Severity, path: FieldPath, message: (name: string) => string): Rule {
  return {
    meta: {
      id,
      slug,
      severity,
      title: `${slug} (test rule)`,
      rationale: `Test rule ${id}.`,
      fix: `Fix ${id}.`,
      needsSignals: false,
      examples: { bad: 'kind: Deployment', good: 'kind: Deployment' },
    },
    check({ inventory }) {
      return inventory.workloads
        .filter((w) => w.replicas !== undefined)
        .map((w) => finding(this.meta, w, path, message(w.name), { replicas: w.replicas ?? null, note: 'x|y' }, { fix: `remove spec.replicas from ${w.name}` }));
    },
  };
}

/** QD9xx: ids outside the registry's range, so they never collide with real rules. */
export const WARNING_RULE = testRule('QD901', 'test-replicas-warning', 'warning', ['spec', 'replicas'], (n) => `${n} sets replicas: ${NASTY}`);
export const INFO_RULE = testRule('QD902', 'test-replicas-info', 'info', ['spec', 'template'], (n) => `${n} info note`);
/** A rule that never fires: clean-run output must still show it. */
export const QUIET_RULE: Rule = {
  meta: { ...WARNING_RULE.meta, id: 'QD903', slug: 'test-quiet', title: 'quiet (test rule)' },
  check: () => [],
};

// Formatter tests pin the registry to QD101, so adding rules does not change their counts.
export const TEST_RULES: Rule[] = [...RULES.filter((r) => r.meta.id === 'QD101'), WARNING_RULE, INFO_RULE, QUIET_RULE];

export interface FixtureOptions {
  failOn?: Severity | 'none';
  /** Fingerprints to treat as the baseline. */
  baseline?: Set<string>;
  /** Extra input problems (e.g. an invalid file). */
  problems?: InputProblem[];
  rules?: Rule[];
  metadata?: Record<string, unknown>;
}

/** Report for manifest files given as display path -> content. */
export function fileReport(files: Record<string, string>, options: FixtureOptions = {}): Report {
  const read: ReadResult = { objects: [], problems: [], sources: [], nonObjects: 0, partialView: false };
  for (const [display, text] of Object.entries(files)) {
    read.sources.push(display);
    parseFileInto(display, Buffer.from(text), DEFAULT_READ_OPTIONS, read);
  }
  return report(read.objects, read.sources, [...read.problems, ...(options.problems ?? [])], read.nonObjects, options);
}

/** Report for the same manifests read "from a cluster": locations are context/namespace/Kind/name. */
export function clusterReport(context: string, texts: string[], options: FixtureOptions = {}): Report {
  const objects: ManifestObject[] = [];
  for (const text of texts) {
    for (const doc of parseYamlStream(text).documents) {
      const raw = doc.value as Record<string, any>;
      const ref = { apiVersion: raw.apiVersion, kind: raw.kind, namespace: raw.metadata.namespace ?? 'default', name: raw.metadata.name };
      objects.push({
        ref,
        raw,
        context,
        locate: (path) => ({ type: 'cluster', context, namespace: ref.namespace, kind: ref.kind, name: ref.name, path: pointer(path) }),
      });
    }
  }
  return report(objects, [context], options.problems ?? [], 0, options);
}

function report(objects: ManifestObject[], sources: string[], problems: InputProblem[], nonObjects: number, options: FixtureOptions): Report {
  const inventory = buildInventory(objects, { sources, problems, nonObjects });
  const rules = options.rules ?? TEST_RULES;
  const engine = runRules(rules, { inventory, options: { targetWaitSeconds: 30 } }, { baseline: options.baseline });
  return buildReport({
    command: 'check',
    inventory,
    engine,
    rules,
    failOn: options.failOn ?? 'error',
    incomplete: false,
    started: performance.now(),
    metadata: options.metadata,
  });
}

export const INVALID_YAML_PROBLEM: InputProblem = {
  level: 'error',
  code: 'invalid-yaml',
  message: 'k8s/bad.yaml:3:5: invalid YAML: missed comma between flow collection entries',
  location: { type: 'file', file: 'k8s/bad.yaml', line: 3, column: 5 },
};

export const BINARY_PROBLEM: InputProblem = {
  level: 'warning',
  code: 'binary-file',
  message: 'k8s/logo.png: binary content (NUL bytes); skipped',
  location: { type: 'file', file: 'k8s/logo.png', line: 1, column: 1 },
};

export const PATH_PROBLEM: InputProblem = { level: 'error', code: 'path-not-found', message: 'missing/: no such file or directory', where: 'missing/' };

export function testContext(cwd = '/work/repo'): FormatContext {
  const io: CliIo = {
    stdout: { write: () => true },
    stderr: { write: () => true },
    readStdin: async () => Buffer.alloc(0),
    stdinIsTTY: false,
    stderrIsTTY: false,
    stdoutIsTTY: false,
    cwd,
    env: {},
  };
  return { io, color: false };
}

/** 1-based line of `needle` in `text` (the first line that equals it after trimming the end). */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.trimEnd() === needle);
  if (i < 0) throw new Error(`no line ${JSON.stringify(needle)}`);
  return i + 1;
}

/** Where QD101 points in WORKER_YAML: the HPA's first metrics entry, at `type`. */
export const QD101_AT = { line: lineOf(WORKER_YAML, '    - type: Resource'), column: 7 };
