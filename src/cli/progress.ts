// Progress on stderr: an ora spinner per phase with its timing, only for a human watching
// (stderr is a TTY, CI unset, human-readable output, not --quiet). Otherwise phases are silent,
// except that --verbose prints each finished phase as one line.
import type { CliIo } from './io.js';
import { sanitize } from '../report/terminal.js';

export interface Phase {
  /** Replace the phase's text while it runs ("Querying Prometheus (7/12)…"). */
  update(text: string): void;
  succeed(text?: string): void;
  warn(text: string): void;
  fail(text: string): void;
}

export interface Progress {
  phase(text: string): Promise<Phase>;
  /** A line that must not be torn by a spinner (warnings). */
  log(line: string): void;
}

export function spinnersWanted(io: CliIo, opts: { quiet?: boolean; output?: string }): boolean {
  const ci = io.env.CI !== undefined && io.env.CI !== '' && io.env.CI !== '0' && io.env.CI !== 'false';
  return io.stderrIsTTY && !ci && !opts.quiet && (opts.output === undefined || opts.output === 'text') && io.env.TERM !== 'dumb';
}

export function createProgress(io: CliIo, opts: { quiet?: boolean; output?: string; verbose?: boolean }): Progress {
  // a pseudo-terminal that reports 0 columns (script(1) without a size, some CI runners) makes
  // ora clear an unbounded number of lines and never return: no spinner there
  const spinners = spinnersWanted(io, opts) && !(process.stderr.isTTY && process.stderr.columns === 0);
  let active: { stop(): void; start(): void } | undefined;
  return {
    async phase(text) {
      const t0 = performance.now();
      const took = () => {
        const ms = performance.now() - t0;
        return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
      };
      if (!spinners) {
        let current = text;
        const line = (mark: string, t: string) => {
          if (opts.verbose && !opts.quiet) io.stderr.write(`queue-doctor: ${mark} ${t} (${took()})\n`);
        };
        return {
          update: (t) => (current = t),
          succeed: (t) => line('done', t ?? current),
          warn: (t) => line('warning', t),
          fail: (t) => line('failed', t),
        };
      }
      const { default: ora } = await import('ora');
      // spinner texts name workloads and URLs from the cluster and go straight to the terminal
      const spinner = ora({ text: sanitize(text), stream: process.stderr, discardStdin: false }).start();
      active = spinner;
      const end = () => {
        if (active === spinner) active = undefined;
      };
      return {
        // render now: a phase busy on the main thread (a backtest) would otherwise show its update only after it ends
        update: (t) => {
          spinner.text = sanitize(t);
          spinner.render();
        },
        succeed: (t) => {
          spinner.succeed(`${sanitize(t ?? spinner.text)} (${took()})`);
          end();
        },
        warn: (t) => {
          spinner.warn(`${sanitize(t)} (${took()})`);
          end();
        },
        fail: (t) => {
          spinner.fail(`${sanitize(t)} (${took()})`);
          end();
        },
      };
    },
    log(line) {
      if (opts.quiet) return;
      const a = active;
      a?.stop();
      io.stderr.write(line.endsWith('\n') ? line : line + '\n');
      a?.start();
    },
  };
}
