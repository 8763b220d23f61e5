// The committed fixtures/series/*.om (and their manifests) are exactly what the seeded generator
// in test/helpers/series-gen.ts produces. Regenerate with:
//   QD_UPDATE_FIXTURES=1 npx vitest run test/integration/prometheus-fixtures.test.ts
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarios, FIXTURE_END } from '../helpers/series-gen.js';
import { SERIES_DIR } from '../helpers/prometheus.js';

const update = process.env.QD_UPDATE_FIXTURES === '1';

describe('fixtures/series', () => {
  for (const s of scenarios()) {
    it(`${s.name}.om matches the generator`, () => {
      const om = join(SERIES_DIR, `${s.name}.om`);
      if (update) writeFileSync(om, s.om);
      expect(existsSync(om)).toBe(true);
      expect(readFileSync(om, 'utf8')).toBe(s.om);
      // timestamps are seconds and end at the fixed anchor
      const last = s.om.trimEnd().split('\n').at(-2)!;
      expect(Number(last.split(' ').at(-1))).toBeLessThanOrEqual(FIXTURE_END);
      expect(s.om.endsWith('# EOF\n')).toBe(true);
      if (s.manifests) {
        const yaml = join(SERIES_DIR, `${s.name}.yaml`);
        if (update) writeFileSync(yaml, s.manifests);
        expect(readFileSync(yaml, 'utf8')).toBe(s.manifests);
      }
    });
  }
});
