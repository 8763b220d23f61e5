// `queue-doctor completion bash|zsh|fish`: shell completion generated from the commander
// program itself (buildProgram), so every command, option, choice list and file argument
// declared in main.ts is completed without a second list that could drift.
import type { Argument, Command, Option } from 'commander';
import type { CliIo } from './io.js';
import { EXIT, UserError } from './exit-codes.js';
import { buildProgram } from './main.js';
import { readPackageJson } from '../package-files.js';
import { RULES } from '../../rules/index.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What a value (of an option or a positional argument) completes to. */
export type ValueKind =
  | { type: 'none' }
  | { type: 'words'; words: string[] }
  | { type: 'files' }
  | { type: 'dirs' }
  | { type: 'contexts' };

export interface OptionSpec {
  short?: string;
  long?: string;
  description: string;
  /** undefined: a flag without a value */
  value?: ValueKind & { name: string };
  repeatable: boolean;
}

export interface ArgumentSpec {
  name: string;
  description: string;
  value: ValueKind;
  variadic: boolean;
}

export interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  arguments: ArgumentSpec[];
}

export interface CompletionSpec {
  /** Executable names to complete (package.json bin). */
  names: string[];
  globalOptions: OptionSpec[];
  commands: CommandSpec[];
}

export async function runCompletion(shell: string | undefined, _opts: unknown, io: CliIo): Promise<number> {
  const which = (shell ?? '').trim().toLowerCase();
  if (!(SHELLS as readonly string[]).includes(which)) throw new UserError(`unknown shell "${shell ?? ''}" (use one of: ${SHELLS.join(', ')})`);
  io.stdout.write(completionScript(which as Shell, completionSpec(buildProgram(io, () => undefined))));
  return EXIT.OK;
}

export function completionScript(shell: Shell, spec: CompletionSpec): string {
  return shell === 'bash' ? bashScript(spec) : shell === 'zsh' ? zshScript(spec) : fishScript(spec);
}

// ---------------------------------------------------------------------------------------------
// From commander to a neutral description

export function completionSpec(program: Command): CompletionSpec {
  const help = program.createHelp();
  const bin = readPackageJson('package.json').bin as Record<string, string> | undefined;
  const commandNames = help.visibleCommands(program).map((c) => c.name());
  return {
    names: bin ? Object.keys(bin) : [program.name()],
    globalOptions: help.visibleOptions(program).map(optionSpec),
    commands: help.visibleCommands(program).map((c) => {
      const h = c.createHelp();
      return {
        name: c.name(),
        description: oneLine(c.summary() || c.description()),
        options: h.visibleOptions(c).map(optionSpec),
        arguments: h.visibleArguments(c).map((a) => argumentSpec(a, commandNames)),
      };
    }),
  };
}

function optionSpec(o: Option): OptionSpec {
  const takesValue = o.required || o.optional;
  const name = /[<[]([^>\]]+?)(?:\.\.\.)?[>\]]/.exec(o.flags)?.[1] ?? 'value';
  return {
    short: o.short,
    long: o.long,
    description: oneLine(o.description),
    value: takesValue ? { name, ...valueKind(name, o.argChoices, o.long, o.description) } : undefined,
    repeatable: o.variadic,
  };
}

function argumentSpec(a: Argument, commandNames: string[]): ArgumentSpec {
  const name = a.name();
  let value = valueKind(name, a.argChoices);
  // arguments whose values are known to the program, not declared as choices in main.ts
  if (name === 'rule') value = { type: 'words', words: RULES.flatMap((r) => [r.meta.id, r.meta.slug]) };
  else if (name === 'shell') value = { type: 'words', words: [...SHELLS] };
  else if (name === 'command') value = { type: 'words', words: commandNames.filter((n) => n !== 'help') };
  return { name, description: oneLine(a.description), value, variadic: a.variadic };
}

/**
 * By the value's declared choices, else by its placeholder name (`<file>`, `<dir>`, `<path...>`)
 * or a help text that says the value is a file (`--policy <policy>`: "a … manifest file").
 */
function valueKind(name: string, choices: string[] | undefined, long?: string, description = ''): ValueKind {
  if (choices?.length) return { type: 'words', words: choices };
  if (long === '--context') return { type: 'contexts' };
  if (/^(dir|directory)$/i.test(name)) return { type: 'dirs' };
  if (/^(file|path|paths|files|filename)$/i.test(name) || /\bfile\b/i.test(description)) return { type: 'files' };
  return { type: 'none' };
}

function oneLine(s: string): string {
  return s.split('\n')[0].trim();
}

// ---------------------------------------------------------------------------------------------
// bash

const KUBE_CONTEXTS = 'kubectl config get-contexts -o name 2>/dev/null';

function bashScript(spec: CompletionSpec): string {
  const fn = `_${identifier(spec.names[0])}_completion`;
  const globalWords = flagWords(spec.globalOptions);
  const lines = [
    `# ${spec.names[0]} bash completion (generated by \`${spec.names[0]} completion bash\`).`,
    `# Load it now:      source <(${spec.names[0]} completion bash)`,
    `# Or for good:      ${spec.names[0]} completion bash > ~/.local/share/bash-completion/completions/${spec.names[0]}`,
    `${fn}() {`,
    '  local cur prev cmd i',
    '  cur="${COMP_WORDS[COMP_CWORD]}"',
    '  prev=""',
    '  (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"',
    '  cmd=""',
    '  for (( i = 1; i < COMP_CWORD; i++ )); do',
    '    case "${COMP_WORDS[i]}" in',
    `      ${spec.commands.map((c) => shellWord(c.name)).join('|')}) cmd="\${COMP_WORDS[i]}"; break ;;`,
    '    esac',
    '  done',
    '  COMPREPLY=()',
  ];
  // option values first: the word after an option that takes one
  const valueCases: string[] = [];
  const scopes: Array<{ cmd: string; options: OptionSpec[] }> = [
    { cmd: '*', options: spec.globalOptions },
    ...spec.commands.map((c) => ({ cmd: shellWord(c.name), options: c.options })),
  ];
  for (const scope of scopes) {
    for (const o of scope.options) {
      if (!o.value) continue;
      const flags = [o.short, o.long].filter(Boolean).map((f) => `${scope.cmd}:${shellWord(f!)}`);
      valueCases.push(`    ${flags.join('|')}) ${bashValue(o.value)}; return 0 ;;`);
    }
  }
  if (valueCases.length) lines.push('  case "$cmd:$prev" in', ...valueCases, '  esac');
  lines.push('  case "$cmd" in');
  lines.push(`    "") COMPREPLY=( $(compgen -W ${bashQuote([...spec.commands.map((c) => c.name), ...globalWords].join(' '))} -- "$cur") ) ;;`);
  for (const c of spec.commands) {
    const words = [...new Set([...flagWords(c.options), ...globalWords])];
    const arg = c.arguments[0];
    const positional = arg ? bashValue(arg.value) : ':';
    lines.push(
      `    ${shellWord(c.name)})`,
      '      if [[ "$cur" == -* ]]; then',
      `        COMPREPLY=( $(compgen -W ${bashQuote(words.join(' '))} -- "$cur") )`,
      '      else',
      `        ${positional}`,
      '      fi ;;',
    );
  }
  lines.push('  esac', '  return 0', '}');
  lines.push(`complete -F ${fn} ${spec.names.map(shellWord).join(' ')}`, '');
  return lines.join('\n');
}

function bashValue(v: ValueKind): string {
  switch (v.type) {
    case 'words':
      return `COMPREPLY=( $(compgen -W ${bashQuote(v.words.join(' '))} -- "$cur") )`;
    case 'files':
      return 'compopt -o filenames 2>/dev/null; COMPREPLY=( $(compgen -f -- "$cur") )';
    case 'dirs':
      return 'compopt -o filenames 2>/dev/null; COMPREPLY=( $(compgen -d -- "$cur") )';
    case 'contexts':
      return `COMPREPLY=( $(compgen -W "$(${KUBE_CONTEXTS})" -- "$cur") )`;
    default:
      return ':'; // a free value (a duration, a URL, a number): nothing to offer
  }
}

function flagWords(options: OptionSpec[]): string[] {
  return options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));
}

/** Single-quoted for sh. */
function bashQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A word safe unquoted in a case pattern (command and option names are plain). */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(s) ? s : bashQuote(s);
}

function identifier(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '_');
}

// ---------------------------------------------------------------------------------------------
// zsh

function zshScript(spec: CompletionSpec): string {
  const fn = `_${identifier(spec.names[0])}`;
  const lines = [
    `#compdef ${spec.names.join(' ')}`,
    `# ${spec.names[0]} zsh completion (generated by \`${spec.names[0]} completion zsh\`).`,
    `# Load it now:      source <(${spec.names[0]} completion zsh)   (after compinit)`,
    `# Or for good:      ${spec.names[0]} completion zsh > "\${fpath[1]}/_${spec.names[0]}"`,
    '',
    `${fn}_kube_contexts() {`,
    '  local -a contexts',
    `  contexts=( \${(f)"$(${KUBE_CONTEXTS})"} )`,
    "  _describe -t contexts 'kube context' contexts",
    '}',
    '',
    `${fn}() {`,
    '  local curcontext="$curcontext" state line ret=1',
    '  typeset -A opt_args',
    '  _arguments -C \\',
    ...spec.globalOptions.map((o) => `    ${zshOption(o, fn)} \\`),
    "    '1: :->command' \\",
    "    '*:: :->args' && ret=0",
    '  case $state in',
    '    command)',
    '      local -a commands',
    '      commands=(',
    ...spec.commands.map((c) => `        ${zshQuote(`${c.name.replace(/:/g, '\\:')}:${c.description}`)}`),
    '      )',
    `      _describe -t commands ${zshQuote(`${spec.names[0]} command`)} commands && ret=0 ;;`,
    '    args)',
    '      case $line[1] in',
  ];
  for (const c of spec.commands) {
    const own = new Set(flagWords(c.options));
    // global options work after the command too; the command's own --help wins over the global one
    const globals = spec.globalOptions.filter((o) => !flagWords([o]).some((f) => own.has(f)));
    const specs = [...c.options, ...globals].map((o) => zshOption(o, fn));
    for (const a of c.arguments) {
      const action = zshAction(a.value, fn);
      specs.push(zshQuote(a.variadic ? `*:${a.name}:${action}` : `:${a.name}:${action}`));
    }
    lines.push(`        ${c.name})`, '          _arguments \\', ...specs.map((s) => `            ${s} \\`), '            && ret=0 ;;');
  }
  lines.push('      esac ;;', '  esac', '  return ret', '}', '');
  // works both as an fpath autoload file and when sourced
  lines.push(`if [[ "\${funcstack[1]}" == "${fn}" ]]; then`, `  ${fn} "$@"`, 'else', `  compdef ${fn} ${spec.names.join(' ')}`, 'fi', '');
  return lines.join('\n');
}

function zshOption(o: OptionSpec, fn: string): string {
  const desc = `[${zshBracket(o.description)}]`;
  const value = o.value ? `:${zshBracket(o.value.name)}:${zshAction(o.value, fn)}` : '';
  const repeat = o.repeatable ? '*' : '';
  const flags = [o.short, o.long].filter((f): f is string => !!f);
  if (flags.length === 2 && !o.repeatable) {
    return `'(${flags.join(' ')})'{${flags.join(',')}}${zshQuote(`${desc}${value}`)}`;
  }
  if (flags.length === 2) return `{${flags.map((f) => `${repeat}${f}`).join(',')}}${zshQuote(`${desc}${value}`)}`;
  return zshQuote(`${repeat}${flags[0]}${desc}${value}`);
}

function zshAction(v: ValueKind, fn: string): string {
  switch (v.type) {
    case 'words':
      return `(${v.words.map((w) => w.replace(/([\\() :])/g, '\\$1')).join(' ')})`;
    case 'files':
      return '_files';
    case 'dirs':
      return '_files -/';
    case 'contexts':
      return `${fn}_kube_contexts`;
    default:
      return ' ';
  }
}

/** Text inside an _arguments `[description]` or message: brackets and colons are syntax. */
function zshBracket(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/([[\]:])/g, '\\$1');
}

function zshQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------------------------------------
// fish

function fishScript(spec: CompletionSpec): string {
  const lines = [
    `# ${spec.names[0]} fish completion (generated by \`${spec.names[0]} completion fish\`).`,
    `# Load it now:      ${spec.names[0]} completion fish | source`,
    `# Or for good:      ${spec.names[0]} completion fish > ~/.config/fish/completions/${spec.names[0]}.fish`,
  ];
  for (const name of spec.names) {
    const base = `complete -c ${fishQuote(name)}`;
    lines.push('', `# ${name}`, `${base} -f`);
    for (const o of spec.globalOptions) lines.push(`${base}${fishOption(o)}`);
    for (const c of spec.commands) {
      lines.push(`${base} -n ${fishQuote(`__fish_use_subcommand`)} -a ${fishQuote(c.name)} -d ${fishQuote(c.description)}`);
    }
    for (const c of spec.commands) {
      const when = ` -n ${fishQuote(`__fish_seen_subcommand_from ${c.name}`)}`;
      for (const o of c.options) lines.push(`${base}${when}${fishOption(o)}`);
      const arg = c.arguments[0];
      if (arg && arg.value.type !== 'none') lines.push(`${base}${when}${fishPositional(arg.value)} -d ${fishQuote(arg.description)}`);
    }
  }
  return lines.join('\n') + '\n';
}

function fishOption(o: OptionSpec): string {
  const parts: string[] = [];
  if (o.short) parts.push(`-s ${fishQuote(o.short.replace(/^-/, ''))}`);
  if (o.long) parts.push(`-l ${fishQuote(o.long.replace(/^--/, ''))}`);
  if (o.value) parts.push(fishValue(o.value).trim());
  parts.push(`-d ${fishQuote(o.description)}`);
  return ' ' + parts.join(' ');
}

function fishValue(v: ValueKind): string {
  switch (v.type) {
    case 'words':
      return ` -x -a ${fishQuote(v.words.join(' '))}`;
    case 'files':
      return ' -r -F';
    case 'dirs':
      return ` -x -a ${fishQuote('(__fish_complete_directories)')}`;
    case 'contexts':
      return ` -x -a ${fishQuote(`(${KUBE_CONTEXTS})`)}`;
    default:
      return ' -x';
  }
}

/** A positional argument: no option letter, so only the candidates (files are forced with -F). */
function fishPositional(v: ValueKind): string {
  return v.type === 'files' ? ' -F' : fishValue(v).replace(/^ -x/, '');
}

function fishQuote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
