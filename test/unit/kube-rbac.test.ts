import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderRbac, runRbac, RBAC_NAME } from '../../src/cli/rbac.js';
import { SCANNED_RESOURCES } from '../../src/inventory/kube-rbac.js';
import { UserError } from '../../src/cli/exit-codes.js';
import type { CliIo } from '../../src/cli/io.js';

const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS());

describe('queue-doctor rbac', () => {
  test('ClusterRole + ClusterRoleBinding: read-only, every scanned resource, Prometheus discovery, no Secrets', () => {
    const [role, binding, ...rest] = docs(renderRbac({}));
    expect(rest).toHaveLength(0);
    expect(role).toMatchObject({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: RBAC_NAME } });
    const rules = role.rules as Array<{ apiGroups?: string[]; resources?: string[]; verbs: string[]; nonResourceURLs?: string[] }>;
    const verbs = new Set(rules.flatMap((r) => r.verbs));
    expect([...verbs].sort()).toEqual(['get', 'list']);
    for (const r of SCANNED_RESOURCES) {
      expect(rules.some((x) => x.apiGroups?.includes(r.group) && x.resources?.includes(r.resource) && x.verbs.includes('list')), `${r.resource}.${r.group}`).toBe(true);
    }
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['services'], verbs: ['get', 'list'] });
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['services/proxy'], verbs: ['get'] });
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] });
    expect(JSON.stringify(rules)).not.toMatch(/secrets|pods\/exec/);
    // no wildcards on resources, groups or verbs (non-resource discovery URLs are path patterns)
    expect(rules.flatMap((r) => [...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs])).not.toContain('*');
    expect(binding).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: RBAC_NAME, labels: { 'app.kubernetes.io/name': 'queue-doctor' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: RBAC_NAME },
      subjects: [{ kind: 'ServiceAccount', name: 'queue-doctor', namespace: 'queue-doctor' }],
    });
  });

  test('--namespace: a Role + RoleBinding per namespace without cluster-scoped rules', () => {
    const out = renderRbac({ namespace: ['rag', 'billing'], serviceAccount: ['ci/scanner'], group: ['sre-team'] });
    const all = docs(out);
    expect(all.map((d) => `${d.kind}/${d.metadata.namespace}`)).toEqual(['Role/rag', 'RoleBinding/rag', 'Role/billing', 'RoleBinding/billing']);
    const rules = all[0].rules as Array<{ resources?: string[]; nonResourceURLs?: string[] }>;
    expect(rules.some((r) => r.nonResourceURLs)).toBe(false);
    expect(rules.flatMap((r) => r.resources ?? [])).not.toContain('namespaces');
    expect(rules.flatMap((r) => r.resources ?? [])).not.toContain('clustertriggerauthentications');
    expect(all[1].subjects).toEqual([
      { kind: 'ServiceAccount', name: 'scanner', namespace: 'ci' },
      { kind: 'Group', name: 'sre-team', apiGroup: 'rbac.authorization.k8s.io' },
    ]);
    expect(out).toContain('# Namespaced variant: run scan with -n rag -n billing.');
  });

  test('--user replaces the default service account', () => {
    const [, binding] = docs(renderRbac({ user: ['jane@example.com'] }));
    expect(binding.subjects).toEqual([{ kind: 'User', name: 'jane@example.com', apiGroup: 'rbac.authorization.k8s.io' }]);
  });

  test('invalid names are usage errors', () => {
    expect(() => renderRbac({ serviceAccount: 'no-slash' })).toThrow(UserError);
    expect(() => renderRbac({ serviceAccount: 'Bad/Name' })).toThrow(/must be namespace\/name/);
    expect(() => renderRbac({ namespace: 'Not_Valid' })).toThrow(/not a valid namespace name/);
  });

  test('runRbac writes the YAML to stdout and exits 0', async () => {
    let out = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } } as unknown as CliIo;
    expect(await runRbac(undefined, {}, io)).toBe(0);
    expect(out).toMatch(/^# Read-only access for queue-doctor scan/);
    expect(docs(out)).toHaveLength(2);
  });
});
