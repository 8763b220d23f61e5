// The recorded clusters are what generate.mjs writes, and look like real API list bodies.
import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../fixtures/clusters/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []));
}

describe.each([
  ['llm-platform', 'llmPlatform'],
  ['small-no-keda', 'smallNoKeda'],
])('%s', (name, builder) => {
  test('committed files equal the generator output (run node fixtures/clusters/generate.mjs after editing it)', async () => {
    const gen = await import(pathToFileURL(join(root, 'generate.mjs')).href);
    const expected: Map<string, unknown> = gen[builder]().files();
    const onDisk = files(join(root, name)).map((f) => relative(join(root, name), f).split('\\').join('/'));
    expect(onDisk.sort()).toEqual([...expected.keys()].sort());
    for (const [file, body] of expected) expect(JSON.parse(readFileSync(join(root, name, file), 'utf8')), file).toEqual(body);
  });

  test('items look as the API returns them', () => {
    for (const f of files(join(root, name))) {
      const body = JSON.parse(readFileSync(f, 'utf8'));
      if (!('items' in body)) continue;
      expect(body.kind).toMatch(/List$/);
      expect(body.metadata.resourceVersion).toMatch(/^\d+$/);
      const custom = body.apiVersion.includes('.');
      for (const item of body.items) {
        const where = `${f}: ${item.metadata?.name}`;
        expect(item.metadata.uid, where).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(item.metadata.resourceVersion, where).toMatch(/^\d+$/);
        expect(item.metadata.creationTimestamp, where).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        expect(item.metadata.managedFields?.[0]?.fieldsType, where).toBe('FieldsV1');
        // built-in list items carry no apiVersion/kind; custom resources do
        expect('apiVersion' in item, where).toBe(custom);
      }
    }
  });
});
