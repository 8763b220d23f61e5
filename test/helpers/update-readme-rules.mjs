#!/usr/bin/env node
// Regenerate the README's rule section from rule meta (npm run docs:rules). The unit test
// test/unit/readme.test.ts fails when the README and the rules disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULES } from '../../dist/rules/index.js';
import { rulesMarkdown } from '../../dist/src/cli/rules.js';

const readme = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');
const text = readFileSync(readme, 'utf8');
const start = '<!-- rules:start -->';
const end = '<!-- rules:end -->';
const a = text.indexOf(start);
const b = text.indexOf(end);
if (a === -1 || b === -1) throw new Error('README.md lacks the rules markers');
const next = text.slice(0, a + start.length) + '\n' + rulesMarkdown(RULES.map((r) => r.meta)) + text.slice(b);
writeFileSync(readme, next);
console.log(`README.md: ${RULES.length} rules written`);
