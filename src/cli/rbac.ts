// `queue-doctor rbac`: print the minimal read-only RBAC that `scan` needs, as YAML ready for
// `kubectl apply -f -`. The rules come from the same table the cluster reader uses.
import type { CliIo } from './io.js';
import { EXIT, UserError } from './exit-codes.js';
import { RBAC_RULES, type RbacRuleDoc } from '../inventory/kube-rbac.js';
import { packageVersion } from '../package-files.js';

export interface RbacOptions {
  namespace?: string[] | string;
  serviceAccount?: string[] | string;
  user?: string[] | string;
  group?: string[] | string;
}

export const RBAC_NAME = 'queue-doctor-read';

interface Subject {
  kind: 'ServiceAccount' | 'User' | 'Group';
  name: string;
  namespace?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export async function runRbac(_args: unknown, opts: RbacOptions, io: CliIo): Promise<number> {
  io.stdout.write(renderRbac(opts));
  return EXIT.OK;
}

/** The RBAC manifests as YAML (pure; throws UserError for invalid names). */
export function renderRbac(opts: RbacOptions): string {
  const namespaces = list(opts.namespace);
  for (const ns of namespaces) {
    if (!DNS_LABEL.test(ns) || ns.length > 63) throw new UserError(`--namespace "${ns}" is not a valid namespace name (lower-case letters, digits and -)`);
  }
  const subjects = resolveSubjects(opts);
  const header = [
    `# Read-only access for queue-doctor scan (queue-doctor ${packageVersion()}).`,
    '# queue-doctor only ever sends GET requests to the API server and never reads Secrets.',
    '# Apply with: queue-doctor rbac | kubectl apply -f -',
  ];
  const docs: string[] = [];
  if (namespaces.length === 0) {
    docs.push(
      [
        ...header,
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: ClusterRole',
        'metadata:',
        `  name: ${RBAC_NAME}`,
        '  labels:',
        '    app.kubernetes.io/name: queue-doctor',
        'rules:',
        ...RBAC_RULES.flatMap(ruleYaml),
      ].join('\n'),
    );
    docs.push(
      [
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: ClusterRoleBinding',
        'metadata:',
        `  name: ${RBAC_NAME}`,
        '  labels:',
        '    app.kubernetes.io/name: queue-doctor',
        'roleRef:',
        '  apiGroup: rbac.authorization.k8s.io',
        '  kind: ClusterRole',
        `  name: ${RBAC_NAME}`,
        'subjects:',
        ...subjects.flatMap(subjectYaml),
      ].join('\n'),
    );
  } else {
    const namespaced = RBAC_RULES.filter((r) => !r.clusterOnly);
    const omitted = RBAC_RULES.filter((r) => r.clusterOnly);
    namespaces.forEach((ns, i) => {
      docs.push(
        [
          ...(i === 0
            ? [
                ...header,
                `# Namespaced variant: run scan with ${namespaces.map((n) => `-n ${n}`).join(' ')}.`,
                '# A Role cannot grant cluster-scoped access, so these are left out:',
                ...omitted.map((r) => `#   ${r.nonResourceURLs ? `nonResourceURLs ${r.nonResourceURLs.join(', ')}` : (r.resources ?? []).join(', ')}: ${r.why}`),
                '# Prometheus discovery only sees Services in these namespaces; otherwise pass --prometheus-url.',
              ]
            : []),
          'apiVersion: rbac.authorization.k8s.io/v1',
          'kind: Role',
          'metadata:',
          `  name: ${RBAC_NAME}`,
          `  namespace: ${ns}`,
          '  labels:',
          '    app.kubernetes.io/name: queue-doctor',
          'rules:',
          ...namespaced.flatMap(ruleYaml),
        ].join('\n'),
      );
      docs.push(
        [
          'apiVersion: rbac.authorization.k8s.io/v1',
          'kind: RoleBinding',
          'metadata:',
          `  name: ${RBAC_NAME}`,
          `  namespace: ${ns}`,
          '  labels:',
          '    app.kubernetes.io/name: queue-doctor',
          'roleRef:',
          '  apiGroup: rbac.authorization.k8s.io',
          '  kind: Role',
          `  name: ${RBAC_NAME}`,
          'subjects:',
          ...subjects.flatMap(subjectYaml),
        ].join('\n'),
      );
    });
  }
  return docs.join('\n---\n') + '\n';
}

function list(v: string[] | string | undefined): string[] {
  if (v === undefined) return [];
  return [...new Set(Array.isArray(v) ? v : [v])];
}

function resolveSubjects(opts: RbacOptions): Subject[] {
  const subjects: Subject[] = [];
  const users = list(opts.user);
  const groups = list(opts.group);
  let sas = list(opts.serviceAccount);
  if (sas.length === 0 && users.length === 0 && groups.length === 0) sas = ['queue-doctor/queue-doctor'];
  for (const sa of sas) {
    const parts = sa.split('/');
    if (parts.length !== 2 || !DNS_LABEL.test(parts[0]) || !DNS_SUBDOMAIN.test(parts[1]) || parts[1].length > 253) {
      throw new UserError(`--service-account "${sa}" must be namespace/name, e.g. queue-doctor/queue-doctor (lower-case letters, digits, - and .)`);
    }
    subjects.push({ kind: 'ServiceAccount', namespace: parts[0], name: parts[1] });
  }
  for (const [kind, names] of [['User', users], ['Group', groups]] as const) {
    for (const name of names) {
      // user and group names are free-form in Kubernetes (emails, oidc: prefixes): refuse only what breaks YAML
      if (name.trim() === '' || /[\n\r\t]/.test(name)) throw new UserError(`--${kind.toLowerCase()} "${name}" is not a usable ${kind.toLowerCase()} name`);
      subjects.push({ kind, name });
    }
  }
  return subjects;
}

function flow(items: string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
}

function ruleYaml(r: RbacRuleDoc): string[] {
  const lines = [`  # ${r.why}`];
  if (r.nonResourceURLs) {
    lines.push(`  - nonResourceURLs: ${flow(r.nonResourceURLs)}`);
  } else {
    lines.push(`  - apiGroups: ${flow(r.apiGroups ?? [])}`, `    resources: ${flow(r.resources ?? [])}`);
  }
  lines.push(`    verbs: ${flow(r.verbs)}`);
  return lines;
}

function subjectYaml(s: Subject): string[] {
  const lines = [`  - kind: ${s.kind}`, `    name: ${JSON.stringify(s.name)}`];
  if (s.namespace) lines.push(`    namespace: ${s.namespace}`);
  if (s.kind !== 'ServiceAccount') lines.push('    apiGroup: rbac.authorization.k8s.io');
  return lines;
}
