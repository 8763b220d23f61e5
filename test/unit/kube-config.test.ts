import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { loadKubeconfig, resolveKubeTargets } from '../../src/inventory/kube-config.js';
import { UserError, EXIT } from '../../src/cli/exit-codes.js';

let dir: string;

const kubeconfig = (o: { contexts: Array<{ name: string; cluster?: string; user?: string; namespace?: string }>; clusters?: Array<{ name: string; server: string; ca?: string }>; users?: Array<{ name: string; token?: string }>; current?: string }) =>
  [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    ...(o.clusters ?? []).flatMap((c) => [`- name: ${c.name}`, '  cluster:', `    server: ${c.server}`, ...(c.ca ? [`    certificate-authority: ${c.ca}`] : [])]),
    'users:',
    ...(o.users ?? []).flatMap((u) => [`- name: ${u.name}`, '  user:', `    token: ${u.token ?? 'tok'}`]),
    'contexts:',
    ...o.contexts.flatMap((c) => [`- name: ${c.name}`, '  context:', `    cluster: ${c.cluster ?? c.name}`, `    user: ${c.user ?? c.name}`, ...(c.namespace ? [`    namespace: ${c.namespace}`] : [])]),
    ...(o.current !== undefined ? [`current-context: ${o.current}`] : []),
    '',
  ].join('\n');

const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function userError(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qd-kubeconfig-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kubeconfig resolution', () => {
  test('--kubeconfig: current context, its namespace and server', async () => {
    const p = write('one', kubeconfig({ clusters: [{ name: 'prod', server: 'https://10.0.0.1:6443/' }], users: [{ name: 'prod' }], contexts: [{ name: 'prod', namespace: 'rag' }], current: 'prod' }));
    const [t] = await resolveKubeTargets({ kubeconfig: p, env: {} });
    expect(t).toMatchObject({ context: 'prod', cluster: 'prod', user: 'prod', server: 'https://10.0.0.1:6443', namespace: 'rag', source: p });
  });

  test('the namespace defaults to "default" like kubectl', async () => {
    const p = write('nons', kubeconfig({ clusters: [{ name: 'c', server: 'https://h' }], users: [{ name: 'c' }], contexts: [{ name: 'c' }], current: 'c' }));
    const [t] = await resolveKubeTargets({ kubeconfig: p, env: {} });
    expect(t.namespace).toBe('default');
  });

  test('KUBECONFIG merges files; the first to define a name or current-context wins; missing files are skipped', async () => {
    const a = write('a', kubeconfig({ clusters: [{ name: 'shared', server: 'https://first' }], users: [{ name: 'u' }], contexts: [{ name: 'ctx-a', cluster: 'shared', user: 'u' }], current: 'ctx-a' }));
    const b = write('b', kubeconfig({ clusters: [{ name: 'shared', server: 'https://second' }, { name: 'b', server: 'https://b' }], users: [{ name: 'u' }], contexts: [{ name: 'ctx-b', cluster: 'b', user: 'u' }], current: 'ctx-b' }));
    const env = { KUBECONFIG: [join(dir, 'does-not-exist'), a, b].join(delimiter) };
    const loaded = await loadKubeconfig({ env });
    expect(loaded.kubeConfig.getCurrentContext()).toBe('ctx-a');
    expect(loaded.kubeConfig.getCluster('shared')?.server).toBe('https://first');
    const all = await resolveKubeTargets({ env, allContexts: true });
    expect(all.map((t) => [t.context, t.server])).toEqual([
      ['ctx-a', 'https://first'],
      ['ctx-b', 'https://b'],
    ]);
    const picked = await resolveKubeTargets({ env, contexts: ['ctx-b', 'ctx-b'] });
    expect(picked.map((t) => t.context)).toEqual(['ctx-b']);
  });

  test('~/.kube/config from HOME', async () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(join(home, '.kube', 'config'), kubeconfig({ clusters: [{ name: 'h', server: 'https://home' }], users: [{ name: 'h' }], contexts: [{ name: 'h' }], current: 'h' }));
    const [t] = await resolveKubeTargets({ env: { HOME: home } });
    expect(t.server).toBe('https://home');
  });

  test('relative certificate-authority paths are resolved against the kubeconfig folder', async () => {
    const sub = join(dir, 'rel');
    mkdirSync(sub, { recursive: true });
    const p = join(sub, 'config');
    writeFileSync(p, kubeconfig({ clusters: [{ name: 'c', server: 'https://h', ca: 'certs/ca.crt' }], users: [{ name: 'c' }], contexts: [{ name: 'c' }], current: 'c' }));
    const [t] = await resolveKubeTargets({ kubeconfig: p, env: {} });
    expect(t.kubeConfig.getCurrentCluster()?.caFile).toBe(join(sub, 'certs', 'ca.crt'));
  });

  test('in-cluster service account when nothing else exists', async () => {
    const sa = join(dir, 'sa');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'sa-token');
    writeFileSync(join(sa, 'ca.crt'), 'x');
    writeFileSync(join(sa, 'namespace'), 'queue-doctor\n');
    const [t] = await resolveKubeTargets({ env: { HOME: join(dir, 'nohome'), KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: sa });
    expect(t).toMatchObject({ context: 'in-cluster', server: 'https://[fd00::1]:443', namespace: 'queue-doctor', source: 'in-cluster service account' });
  });
});

describe('kubeconfig errors: one line, exit 2, the fix named', () => {
  test('no kubeconfig anywhere', async () => {
    const e = await userError(resolveKubeTargets({ env: { HOME: join(dir, 'nohome') }, serviceAccountDir: join(dir, 'nosa') }));
    expect(e.code).toBe(EXIT.USAGE);
    expect(e.message).toMatch(/^no kubeconfig found: .*--kubeconfig/);
  });

  test('--kubeconfig that does not exist', async () => {
    const e = await userError(resolveKubeTargets({ kubeconfig: join(dir, 'nope'), env: {} }));
    expect(e.message).toBe(`--kubeconfig ${join(dir, 'nope')}: no such file; pass the path of a kubeconfig file`);
  });

  test('KUBECONFIG naming only missing files', async () => {
    const e = await userError(resolveKubeTargets({ env: { KUBECONFIG: join(dir, 'x1') } }));
    expect(e.message).toMatch(/none of these files exists; fix KUBECONFIG or pass --kubeconfig$/);
  });

  test('malformed YAML: file, line and column', async () => {
    const p = write('broken', 'apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: "https://x"\nusers: []\n');
    const e = await userError(resolveKubeTargets({ kubeconfig: p, env: {} }));
    expect(e.message).toMatch(new RegExp(`^kubeconfig ${p.replace(/[/\\.]/g, '\\$&')}:\\d+:\\d+: invalid YAML \\(.+\\); fix the file`));
    expect(e.message.split('\n')).toHaveLength(1);
  });

  test('structurally wrong kubeconfig', async () => {
    const p = write('wrong', 'clusters: {a: 1}\n');
    expect((await userError(resolveKubeTargets({ kubeconfig: p, env: {} }))).message).toMatch(/"clusters" must be a list/);
    const q = write('noserver', 'clusters:\n- name: a\n  cluster: {}\ncontexts: []\nusers: []\n');
    expect((await userError(resolveKubeTargets({ kubeconfig: q, env: {} }))).message).toMatch(/clusters\[0\]\.cluster\.server is missing; fix the file/);
    const r = write('scalar', 'just a string\n');
    expect((await userError(resolveKubeTargets({ kubeconfig: r, env: {} }))).message).toMatch(/not a kubeconfig/);
  });

  test('unknown context lists the available ones', async () => {
    const p = write('ctx', kubeconfig({ clusters: [{ name: 'a', server: 'https://a' }, { name: 'b', server: 'https://b' }], users: [{ name: 'a' }, { name: 'b' }], contexts: [{ name: 'a' }, { name: 'b' }], current: 'a' }));
    const e = await userError(resolveKubeTargets({ kubeconfig: p, env: {}, contexts: ['prod'] }));
    expect(e.message).toBe(`context "prod" not found in kubeconfig ${p}; available: a, b (kubectl config get-contexts lists them)`);
  });

  test('no current-context', async () => {
    const p = write('nocur', kubeconfig({ clusters: [{ name: 'a', server: 'https://a' }], users: [{ name: 'a' }], contexts: [{ name: 'a' }] }));
    const e = await userError(resolveKubeTargets({ kubeconfig: p, env: {} }));
    expect(e.message).toMatch(/has no current-context; pass --context NAME \(available: a\)/);
  });

  test('context naming a cluster or user that does not exist', async () => {
    const p = write('dangling', kubeconfig({ clusters: [{ name: 'a', server: 'https://a' }], users: [{ name: 'a' }], contexts: [{ name: 'x', cluster: 'gone', user: 'a' }, { name: 'y', cluster: 'a', user: 'ghost' }], current: 'x' }));
    expect((await userError(resolveKubeTargets({ kubeconfig: p, env: {} }))).message).toMatch(/context "x" refers to cluster "gone", which kubeconfig .* does not define/);
    expect((await userError(resolveKubeTargets({ kubeconfig: p, env: {}, contexts: ['y'] }))).message).toMatch(/context "y" refers to user "ghost"/);
  });

  test('a server that is not an http(s) URL', async () => {
    const p = write('badserver', kubeconfig({ clusters: [{ name: 'a', server: 'ftp://a' }], users: [{ name: 'a' }], contexts: [{ name: 'a' }], current: 'a' }));
    expect((await userError(resolveKubeTargets({ kubeconfig: p, env: {} }))).message).toMatch(/server "ftp:\/\/a" is not an http\(s\) URL/);
  });
});
