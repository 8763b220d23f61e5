import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { completionScript, completionSpec, runCompletion, SHELLS, type Shell } from '../../src/cli/completion.js';
import { buildProgram } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { UserError } from '../../src/cli/exit-codes.js';
import { RULES } from '../../rules/index.js';

function io(cwd: string): CliIo & { out: string[] } {
  const out: string[] = [];
  return {
    out,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: () => true },
    readStdin: async () => Buffer.alloc(0),
    stdinIsTTY: true,
    stderrIsTTY: false,
    stdoutIsTTY: false,
    cwd,
    env: {},
  };
}

async function script(shell: Shell): Promise<string> {
  const o = io(process.cwd());
  expect(await runCompletion(shell, {}, o)).toBe(0);
  return o.out.join('');
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** Every command and option that main.ts declares, read straight from commander. */
function declared(): Array<{ command: string; flags: string[] }> {
  const program = buildProgram(io('/'), () => undefined);
  return program.commands.map((c) => ({ command: c.name(), flags: c.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)) }));
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qd-completion-'));
  mkdirSync(join(dir, 'k8s'));
  writeFileSync(join(dir, 'k8s', 'worker.yaml'), 'kind: Deployment\n');
  writeFileSync(join(dir, 'baseline.json'), '{}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('completion: generated from the commander program', () => {
  it('covers every command and option of main.ts', () => {
    const spec = completionSpec(buildProgram(io('/'), () => undefined));
    for (const d of declared()) {
      const c = spec.commands.find((x) => x.name === d.command);
      expect(c, d.command).toBeDefined();
      expect(c!.options.flatMap((o) => [o.long, o.short].filter(Boolean)).sort()).toEqual(expect.arrayContaining(d.flags));
    }
    expect(spec.names).toEqual(['queue-doctor', 'kubectl-queue_doctor']);
    expect(spec.globalOptions.map((o) => o.long)).toEqual(expect.arrayContaining(['--version', '--debug', '--no-color', '--quiet']));
  });

  it('follows the program: a new command, option or choice appears without touching completion.ts', () => {
    const program = new Command('tool');
    program
      .command('audit')
      .description('audit things')
      .addOption(new Option('--mode <mode>', 'how').choices(['fast', 'deep']))
      .option('--report-dir <dir>', 'where')
      .argument('[files...]', 'inputs');
    const spec = completionSpec(program);
    const audit = spec.commands.find((c) => c.name === 'audit')!;
    expect(audit.options.find((o) => o.long === '--mode')!.value).toMatchObject({ type: 'words', words: ['fast', 'deep'] });
    expect(audit.options.find((o) => o.long === '--report-dir')!.value).toMatchObject({ type: 'dirs' });
    expect(audit.arguments[0].value).toEqual({ type: 'files' });
    for (const shell of SHELLS) {
      const text = completionScript(shell, spec);
      expect(text).toContain('audit');
      expect(text).toMatch(/fast deep/);
    }
  });

  it('refuses an unknown shell with a usage error', async () => {
    await expect(runCompletion('tcsh', {}, io('/'))).rejects.toThrow(UserError);
    await expect(runCompletion('tcsh', {}, io('/'))).rejects.toThrow('unknown shell "tcsh" (use one of: bash, zsh, fish)');
  });
});

/** Run bash completion for a command line (a trailing space means "a new, empty word"). */
function bashComplete(scriptText: string, line: string): string[] {
  const words = line.split(' ');
  const program = [
    scriptText,
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    `COMP_LINE='${line}'`,
    `COMP_POINT=${line.length}`,
    '_queue_doctor_completion',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', program], { cwd: dir, encoding: 'utf8' });
  return out.split('\n').filter(Boolean).sort();
}

describe('completion: bash (run in a real bash)', () => {
  let text: string;
  beforeAll(async () => {
    text = await script('bash');
  });

  it('registers for both executable names', () => {
    expect(text).toMatch(/^complete -F _queue_doctor_completion queue-doctor kubectl-queue_doctor$/m);
  });

  it('completes commands and global options', () => {
    expect(bashComplete(text, 'queue-doctor ')).toEqual(expect.arrayContaining(['check', 'scan', 'simulate', 'rules', 'explain', 'rbac', 'completion']));
    expect(bashComplete(text, 'queue-doctor s')).toEqual(['scan', 'simulate']);
    expect(bashComplete(text, 'queue-doctor --de')).toEqual(['--debug']);
  });

  it("completes a command's options, including the global ones", () => {
    expect(bashComplete(text, 'queue-doctor check --fail')).toEqual(['--fail-on']);
    expect(bashComplete(text, 'queue-doctor check --')).toEqual(expect.arrayContaining(['--output', '--baseline', '--write-baseline', '--allow-empty', '--debug']));
    expect(bashComplete(text, 'queue-doctor scan --prometheus-')).toEqual([
      '--prometheus-bearer-token-file',
      '--prometheus-ca-file',
      '--prometheus-header',
      '--prometheus-url',
    ]);
  });

  it('completes option choices per command', () => {
    expect(bashComplete(text, 'queue-doctor check -o ')).toEqual(['github', 'json', 'junit', 'markdown', 'sarif', 'text']);
    expect(bashComplete(text, 'queue-doctor scan --output h')).toEqual(['html']);
    expect(bashComplete(text, 'queue-doctor check --fail-on w')).toEqual(['warning']);
  });

  it('completes files for file options and path arguments, nothing for free values', () => {
    expect(bashComplete(text, 'queue-doctor check --baseline b')).toEqual(['baseline.json']);
    expect(bashComplete(text, 'queue-doctor check k8s/')).toEqual(['k8s/worker.yaml']);
    expect(bashComplete(text, 'queue-doctor check --max-warnings ')).toEqual([]);
  });

  it('completes rule ids for explain and shells for completion', () => {
    expect(bashComplete(text, 'queue-doctor explain QD')).toEqual(RULES.map((r) => r.meta.id).sort());
    expect(bashComplete(text, 'queue-doctor completion ')).toEqual(['bash', 'fish', 'zsh']);
  });
});

describe.skipIf(!has('fish'))('completion: fish (run in a real fish)', () => {
  let file: string;
  beforeAll(async () => {
    file = join(dir, 'queue-doctor.fish');
    writeFileSync(file, await script('fish'));
  });
  const complete = (line: string) =>
    execFileSync('fish', ['--no-config', '-c', `source ${file}; complete -C '${line}'`], { cwd: dir, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0])
      .sort();

  it('parses', () => {
    expect(spawnSync('fish', ['--no-execute', file]).status).toBe(0);
  });

  it('completes commands, options, choices, files and rule ids', () => {
    expect(complete('queue-doctor ')).toEqual(expect.arrayContaining(['check', 'scan', 'completion']));
    expect(complete('queue-doctor check --fail')).toEqual(['--fail-on']);
    expect(complete('queue-doctor check -o ')).toEqual(['github', 'json', 'junit', 'markdown', 'sarif', 'text']);
    expect(complete('queue-doctor check --baseline b')).toEqual(['baseline.json']);
    expect(complete('queue-doctor explain QD')).toEqual(RULES.map((r) => r.meta.id).sort());
  });
});

// zsh completion only runs inside the line editor: drive an interactive zsh through zpty and
// capture what the completion functions hand to compadd.
const ZSH_CAPTURE = `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1=''; autoload -U compinit; compinit -u -D 2>/dev/null"
zpty -w z "source \${1:A}"
zpty -w z "compadd () { builtin compadd -O __hits \\"\\$@\\"; print -rl -- '<<' \\\${__hits[@]} '>>' }"
# TAB completes, then says it is done: no guessing how long completion takes
zpty -w z "_capture_complete () { zle complete-word; print -n -- COMPLETION'-'DONE }; zle -N _capture_complete; bindkey '^I' _capture_complete"
zpty -w z "print -r -- READY'-'MARK"
zpty -r z line '*READY-MARK*'
zpty -w -n z "$2"$'\\t'
zpty -r z out '*COMPLETION-DONE*'
print -r -- $out
zpty -d z
`;

describe.skipIf(!has('zsh'))('completion: zsh (run in a real zsh)', () => {
  let file: string;
  let capture: string;
  beforeAll(async () => {
    file = join(dir, '_queue-doctor');
    writeFileSync(file, await script('zsh'));
    capture = join(dir, 'capture.zsh');
    writeFileSync(capture, ZSH_CAPTURE);
  });
  const complete = (line: string) => {
    const out = execFileSync('zsh', ['-f', capture, file, line], { cwd: dir, encoding: 'utf8' }).replace(/\r/g, '');
    const hits = new Set<string>();
    for (const m of out.matchAll(/<<\n([\s\S]*?)>>/g)) for (const w of m[1].split('\n')) if (w) hits.add(w);
    return [...hits].sort();
  };

  it('parses', () => {
    expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
  });

  it('completes commands, options, choices, files and rule ids', () => {
    expect(complete('queue-doctor ')).toEqual(expect.arrayContaining(['check', 'scan', 'completion']));
    expect(complete('queue-doctor check --fail')).toEqual(['--fail-on']);
    expect(complete('queue-doctor check -o ')).toEqual(['github', 'json', 'junit', 'markdown', 'sarif', 'text']);
    expect(complete('queue-doctor check --baseline b')).toEqual(['baseline.json']);
    expect(complete('queue-doctor explain ')).toEqual(RULES.flatMap((r) => [r.meta.id, r.meta.slug]).sort());
  });
});
