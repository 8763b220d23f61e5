import { describe, expect, it } from 'vitest';
import { parseYamlStream } from '../../src/inventory/yaml-stream.js';

const doc = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: 70}
    - type: External
      external: { metric: { name: q }, target: { type: AverageValue, "averageValue": 5 } }
  list: [a, "b,c", {x: 1}]
---
# second
a: &anchor
  b: 1
c: *anchor
"quoted": 2
`;

/** 1-based line/column of the n-th occurrence of `needle` in `doc`. */
function at(needle: string, nth = 0): { line: number; column: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = doc.indexOf(needle, i + 1);
  const before = doc.slice(0, i);
  return { line: before.split('\n').length, column: i - before.lastIndexOf('\n') };
}

describe('parseYamlStream', () => {
  const s = parseYamlStream(doc);
  const [first, second] = s.documents.map((d) => d.value);

  it('parses every document', () => {
    expect(s.error).toBeUndefined();
    expect(s.documents).toHaveLength(2);
  });

  it('locates block keys', () => {
    expect(s.locate(first, ['spec', 'metrics'])).toEqual({ line: 6, column: 3 });
    expect(s.locate(first, ['spec', 'metrics', 0])).toEqual({ line: 7, column: 7 });
    expect(s.locate(first, ['spec', 'metrics', 1])).toEqual({ line: 11, column: 7 });
    expect(s.locate(first, ['spec', 'metrics', 0, 'resource', 'name'])).toEqual({ line: 9, column: 9 });
  });

  it('locates flow keys and items', () => {
    expect(s.locate(first, ['spec', 'metrics', 0, 'resource', 'target', 'averageUtilization'])).toEqual(at('averageUtilization'));
    expect(s.locate(first, ['spec', 'metrics', 1, 'external', 'target', 'averageValue'])).toEqual(at('"averageValue"'));
    expect(s.locate(first, ['spec', 'list', 1])).toEqual(at('"b,c"'));
    expect(s.locate(first, ['spec', 'list', 2, 'x'])).toEqual(at('x: 1'));
  });

  it('points at the parent when a field is missing', () => {
    expect(s.locate(first, ['spec', 'behavior', 'scaleDown'])).toEqual({ line: 5, column: 1 });
  });

  it('locates in later documents, past anchors and quoted keys', () => {
    expect(s.locate(second, ['a', 'b'])).toEqual({ line: 17, column: 3 });
    expect(s.locate(second, ['quoted'])).toEqual({ line: 19, column: 1 });
  });

  it('applies merge keys as kubectl does, and locates merged fields inside the file', () => {
    const text = `defaults: &defaults
  requests: {cpu: 250m}
  limits: {memory: 1Gi}
resources:
  <<: *defaults
  limits: {memory: 2Gi}
`;
    const m = parseYamlStream(text);
    const root = m.documents[0].value as Record<string, any>;
    // merged keys are present, and the mapping's own keys win over merged ones
    expect(root.resources).toEqual({ requests: { cpu: '250m' }, limits: { memory: '2Gi' } });
    expect(Object.keys(root.resources)).not.toContain('<<');
    expect(m.locate(root, ['resources', 'limits'])).toEqual({ line: 6, column: 3 });
    const merged = m.locate(root, ['resources', 'requests', 'cpu']);
    expect(merged.line).toBeGreaterThanOrEqual(1);
    expect(merged.line).toBeLessThanOrEqual(6);
  });

  it('reports syntax errors with line and column and keeps earlier documents', () => {
    const bad = parseYamlStream('a: 1\n---\nb: [1, 2\nc: 3\n');
    expect(bad.documents).toHaveLength(1);
    expect(bad.error?.line).toBeGreaterThanOrEqual(3);
    expect(bad.error?.message).toMatch(/flow|unexpected|end of the stream|missed comma/i);
  });

  it('refuses alias bombs quickly', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    const names = 'abcdefghij';
    for (let i = 1; i < names.length; i++) {
      const prev = names[i - 1];
      lines.push(`${names[i]}: &${names[i]} [${Array(10).fill('*' + prev).join(',')}]`);
    }
    const t0 = performance.now();
    const r = parseYamlStream(lines.join('\n') + '\n');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.error?.message).toMatch(/alias/);
    expect(r.documents).toHaveLength(0);
  });
});
