// The README is the front door: its rule list is generated from rule meta and must match it,
// and the commands it tells a newcomer to run must exist.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../../rules/index.js';
import { rulesMarkdown } from '../../src/cli/rules.js';
import { ROOT } from '../helpers/cli.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('README', () => {
  it('lists every rule exactly as its meta says (run `npm run docs:rules` after changing a rule)', () => {
    const section = readme.slice(readme.indexOf('<!-- rules:start -->') + '<!-- rules:start -->'.length, readme.indexOf('<!-- rules:end -->'));
    expect(section.trim()).toBe(rulesMarkdown(RULES.map((r) => r.meta)).trim());
    for (const r of RULES) expect(readme).toContain(`### ${r.meta.id} ${r.meta.slug}`);
  });

  it('tells how to install, run the demo and run the tests with commands that exist', () => {
    expect(readme).toMatch(/npm ci/);
    expect(readme).toMatch(/node bin\/queue-doctor\.js scan --demo/);
    expect(readme).toMatch(/^npm test/m);
    for (const script of ['build', 'test', 'lint', 'typecheck', 'bench']) expect(pkg.scripts[script]).toBeTruthy();
  });

  it('documents every exit code the CLI uses', () => {
    for (const code of ['| 0 |', '| 1 |', '| 2 |', '| 3 |']) expect(readme).toContain(code);
  });
});
