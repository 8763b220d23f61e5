// `queue-doctor rules` and `queue-doctor explain ID`: both read rule meta only.
import type { CliIo } from './io.js';
import { EXIT, UserError } from './exit-codes.js';
import { RULES, findRule } from '../../rules/index.js';
import { makeChalk } from '../report/terminal.js';
import { ruleHelpUri } from '../report/report-model.js';
import type { RuleMeta } from '../diagnose/rule.js';

export async function runRules(_args: unknown, opts: { output?: string; color?: boolean }, io: CliIo): Promise<number> {
  const metas = RULES.map((r) => r.meta);
  if (opts.output === 'json') io.stdout.write(JSON.stringify(metas, null, 2) + '\n');
  else if (opts.output === 'markdown') io.stdout.write(rulesMarkdown(metas));
  else {
    const c = makeChalk(io, opts.color !== false);
    const lines = metas.map((m) => `${c.bold(m.id)}  ${m.severity.padEnd(7)}  ${(m.needsSignals ? 'scan' : 'check+scan').padEnd(10)}  ${m.slug.padEnd(34)}  ${m.title}`);
    io.stdout.write([c.dim(`${'id'.padEnd(5)}  ${'severity'.padEnd(7)} ${'runs in'.padEnd(10)}  ${'name'.padEnd(34)}  title`), ...lines, ''].join('\n'));
  }
  return EXIT.OK;
}

/** The README's rule reference: a table, then one section per rule (kept in sync with meta by a test). */
export function rulesMarkdown(metas: RuleMeta[]): string {
  const rows = metas.map((m) => `| [${m.id}](#${m.id.toLowerCase()}-${m.slug}) | \`${m.slug}\` | ${m.severity} | ${m.needsSignals ? 'scan' : 'check, scan'} | ${m.title} |`);
  const sections = metas.map((m) =>
    [
      `### ${m.id} ${m.slug}`,
      '',
      `**${m.title}** (${m.severity}${m.needsSignals ? '; scan only: needs Prometheus signals' : ''})`,
      '',
      m.rationale,
      '',
      `**Fix:** ${m.fix}`,
      '',
      '<details><summary>Example</summary>',
      '',
      '```yaml',
      '# bad',
      m.examples.bad.trimEnd(),
      '```',
      '',
      '```yaml',
      '# good',
      m.examples.good.trimEnd(),
      '```',
      '',
      '</details>',
      '',
    ].join('\n'),
  );
  return ['| id | name | severity | runs in | what it finds |', '| --- | --- | --- | --- | --- |', ...rows, '', ...sections].join('\n');
}

export async function runExplain(id: string, opts: { color?: boolean }, io: CliIo): Promise<number> {
  const rule = findRule(id ?? '');
  if (!rule) throw new UserError(`no rule "${id}" (run \`queue-doctor rules\` for the list)`);
  const m = rule.meta;
  const c = makeChalk(io, opts.color !== false);
  const indent = (s: string) => s.split('\n').map((l) => '    ' + l).join('\n');
  io.stdout.write(
    [
      `${c.bold(`${m.id} ${m.slug}`)} (${m.severity}${m.needsSignals ? ', needs Prometheus signals: scan only' : ''})`,
      m.title,
      '',
      c.bold('Why'),
      wrap(m.rationale, 96),
      '',
      c.bold('Bad'),
      c.red(indent(m.examples.bad)),
      '',
      c.bold('Good'),
      c.green(indent(m.examples.good)),
      '',
      c.bold('Fix'),
      wrap(m.fix, 96),
      '',
      `More: ${ruleHelpUri(m)}`,
      ...(m.references?.length ? ['Sources:', ...m.references.map((r) => `  ${r}`)] : []),
      '',
    ].join('\n'),
  );
  return EXIT.OK;
}

function wrap(text: string, width: number): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.join('\n');
}
