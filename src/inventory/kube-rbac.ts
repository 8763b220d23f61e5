// What `scan` reads from Kubernetes, and the read-only RBAC that allows exactly that.
// One table serves the reader (what to list), `queue-doctor rbac` (what to grant) and the
// 403 warnings (which rule would have allowed the request), so they cannot drift apart.

export interface ScannedResource {
  /** API group ('' for the core group). */
  group: string;
  /** Versions queue-doctor understands, preferred first. */
  versions: string[];
  /** Plural resource name, as in URLs and RBAC rules. */
  resource: string;
  kind: string;
  namespaced: boolean;
  /** workload / autoscaler objects, KEDA authentication references. */
  role: 'workload' | 'autoscaler' | 'trigger-auth';
  /** Installed by a CRD that may be absent (KEDA, Argo Rollouts): absence is normal. */
  optional: boolean;
  /** Filtered by --selector (workloads); autoscalers are kept when their target is selected. */
  selectable: boolean;
}

export const SCANNED_RESOURCES: readonly ScannedResource[] = [
  { group: 'apps', versions: ['v1'], resource: 'deployments', kind: 'Deployment', namespaced: true, role: 'workload', optional: false, selectable: true },
  { group: 'apps', versions: ['v1'], resource: 'statefulsets', kind: 'StatefulSet', namespaced: true, role: 'workload', optional: false, selectable: true },
  { group: 'argoproj.io', versions: ['v1alpha1'], resource: 'rollouts', kind: 'Rollout', namespaced: true, role: 'workload', optional: true, selectable: true },
  // v2 since Kubernetes 1.23; v2beta2 for older servers
  { group: 'autoscaling', versions: ['v2', 'v2beta2'], resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true, role: 'autoscaler', optional: false, selectable: false },
  { group: 'keda.sh', versions: ['v1alpha1'], resource: 'scaledobjects', kind: 'ScaledObject', namespaced: true, role: 'autoscaler', optional: true, selectable: false },
  { group: 'keda.sh', versions: ['v1alpha1'], resource: 'scaledjobs', kind: 'ScaledJob', namespaced: true, role: 'autoscaler', optional: true, selectable: true },
  { group: 'keda.sh', versions: ['v1alpha1'], resource: 'triggerauthentications', kind: 'TriggerAuthentication', namespaced: true, role: 'trigger-auth', optional: true, selectable: false },
  { group: 'keda.sh', versions: ['v1alpha1'], resource: 'clustertriggerauthentications', kind: 'ClusterTriggerAuthentication', namespaced: false, role: 'trigger-auth', optional: true, selectable: false },
];

/** An RBAC PolicyRule (rbac.authorization.k8s.io/v1). */
export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

export interface RbacRuleDoc extends PolicyRule {
  /** Why queue-doctor needs it (printed as a comment). */
  why: string;
  /** Cluster-scoped resources and non-resource URLs cannot be granted by a Role. */
  clusterOnly?: boolean;
}

/** The minimal read-only rules `scan` needs (including Prometheus discovery). */
export const RBAC_RULES: readonly RbacRuleDoc[] = [
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'list'], why: 'workloads' },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'list'], why: 'CPU/memory autoscalers' },
  { apiGroups: ['keda.sh'], resources: ['scaledobjects', 'scaledjobs', 'triggerauthentications'], verbs: ['get', 'list'], why: 'KEDA autoscalers and the authentications their triggers name (no Secrets are read)' },
  { apiGroups: ['keda.sh'], resources: ['clustertriggerauthentications'], verbs: ['get', 'list'], why: 'cluster-wide KEDA authentications', clusterOnly: true },
  { apiGroups: ['argoproj.io'], resources: ['rollouts'], verbs: ['get', 'list'], why: 'Argo Rollouts workloads, when installed' },
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'list'], why: 'find Prometheus (kube-prometheus-stack, Thanos, VictoriaMetrics, Mimir)' },
  { apiGroups: [''], resources: ['services/proxy'], verbs: ['get'], why: 'query that Prometheus through the API server (GET only)' },
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'], why: 'enumerate namespaces when cluster-wide lists are not allowed', clusterOnly: true },
  { nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/version'], verbs: ['get'], why: 'API discovery (also granted to every authenticated user by system:discovery)', clusterOnly: true },
];

/** `deployments.apps`, `services` — the name kubectl and RBAC errors use. */
export function qualifiedResource(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

/** The RBAC rule that allows `verb` on a resource, written as YAML flow text for messages. */
export function ruleText(group: string, resource: string, verbs: string[] = ['get', 'list']): string {
  return `{apiGroups: ["${group}"], resources: ["${resource}"], verbs: [${verbs.map((v) => `"${v}"`).join(', ')}]}`;
}
