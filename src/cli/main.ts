// The commander program. Every command's implementation is imported only when it runs,
// so `--help` and `check` never load @kubernetes/client-node or prometheus-query.
import { createRequire } from 'node:module';
import type { Command as CommanderCommand } from 'commander';
import { EXIT, UserError } from './exit-codes.js';
import { packageVersion } from '../package-files.js';
import { defaultIo, type CliIo } from './io.js';
import { preloadChalk, sanitize } from '../report/terminal.js';

// commander is a CommonJS package: require() it, skipping its ESM wrapper and Node's
// analysis of CommonJS exports (a few ms of every start-up). The same module either way.
const { Command, Option } = createRequire(import.meta.url)('commander') as typeof import('commander');

const CHECK_FORMATS = ['text', 'json', 'sarif', 'junit', 'github', 'markdown'];
const SCAN_FORMATS = ['text', 'json', 'yaml', 'markdown', 'html', 'sarif', 'junit', 'github'];

export function buildProgram(io: CliIo, setExit: (code: number) => void): CommanderCommand {
  const program = new Command();
  program
    .name(io.argv0 ?? 'queue-doctor')
    .description('Find queue workers that CPU autoscaling cannot scale, prove it with their metrics, and print the KEDA config that fixes it.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--debug', 'print stack traces and internal details on errors')
    .option('--no-color', 'no colours (NO_COLOR and FORCE_COLOR are honoured too)')
    .option('-q, --quiet', 'no progress or warnings on stderr')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  const run = (loader: () => Promise<(args: any, opts: any, io: CliIo) => Promise<number>>) =>
    async (...args: any[]) => {
      const cmd = args[args.length - 1] as CommanderCommand;
      const opts = { ...program.opts(), ...cmd.opts() };
      const positional = args.slice(0, -2);
      const impl = await loader();
      setExit(await impl(positional.length <= 1 ? positional[0] : positional, opts, io));
    };

  program
    .command('check')
    .summary('check manifests in CI (files, folders, or - for stdin)')
    .description('Check Kubernetes manifests for queue workers that will not scale, and for KEDA/HPA mistakes. Reads .yaml, .yml and .json files (folders recursively) and `-` for stdin.')
    .argument('[paths...]', 'files, folders, or - for stdin (default: stdin when piped, else .)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(CHECK_FORMATS).default('text'))
    .option('--output-file <file>', 'write the result to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning', 'info', 'none']))
    .option('--max-warnings <n>', 'exit 1 when there are more than n warnings', parseCount)
    .option('-c, --config <file>', 'configuration file (default: .queue-doctor.yaml found upward)')
    .option('-n, --namespace <ns>', 'namespace for objects without one (default: default)')
    .option('--target-wait <duration>', 'default queue-wait objective (e.g. 30s)')
    .option('--allow-empty', 'do not fail when no Kubernetes objects are found')
    .option('--baseline <file>', 'report findings recorded in this baseline but do not fail on them')
    .option('--write-baseline <file>', 'record the current findings as the baseline and exit 0')
    .option('--max-file-size <size>', 'refuse files larger than this (e.g. 32MiB)')
    .addHelpText(
      'after',
      `
Examples:
  $ queue-doctor check k8s/
  $ helm template . | queue-doctor check -
  $ kustomize build overlays/prod | queue-doctor check - -o sarif > queue-doctor.sarif
  $ queue-doctor check k8s/ -o github --fail-on warning
  $ queue-doctor check k8s/ --write-baseline .queue-doctor-baseline.json`,
    )
    .action(run(async () => (await import('./check.js')).runCheck));

  program
    .command('scan')
    .summary('diagnose live workloads (cluster + Prometheus) and recommend KEDA configs')
    .description('Read Deployments, StatefulSets, HPAs and KEDA ScaledObjects from the current kube context (or -f manifests), read their queue and CPU series from Prometheus, diagnose, and print the KEDA configuration that fixes them.')
    .option('--demo', 'run on the bundled demo platform (no cluster, no Prometheus)')
    .option('-f, --filename <path...>', 'use manifests as the inventory instead of the cluster (GitOps repositories)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
    .option('--context <name...>', 'kube context (repeatable: several clusters in one run)')
    .option('--all-contexts', 'scan every context in the kubeconfig')
    .option('-n, --namespace <ns...>', 'namespace (repeatable; default: the context\'s)')
    .option('-A, --all-namespaces', 'scan every namespace')
    .option('-l, --selector <selector>', 'label selector, as kubectl (e.g. app.kubernetes.io/component=worker)')
    .option('--timeout <duration>', 'overall deadline for reading the cluster and Prometheus', '2m')
    .option('--request-timeout <duration>', 'timeout of one API request', '30s')
    .option('--prometheus-url <url>', 'Prometheus-compatible API (Prometheus, Thanos, Mimir, VictoriaMetrics) [env QUEUE_DOCTOR_PROMETHEUS_URL]')
    .option('--prometheus-header <header...>', '"Name: value" header for Prometheus (repeatable) [env QUEUE_DOCTOR_PROMETHEUS_HEADERS, newline-separated]')
    .option('--prometheus-bearer-token-file <file>', 'bearer token for Prometheus [env QUEUE_DOCTOR_PROMETHEUS_BEARER_TOKEN_FILE]')
    .option('--prometheus-ca-file <file>', 'CA bundle for Prometheus TLS [env QUEUE_DOCTOR_PROMETHEUS_CA_FILE]')
    .option('--insecure-skip-tls-verify', 'do not verify TLS certificates (warns on every run)')
    .option('--at <time>', 'evaluation time: RFC 3339 or unix seconds (default: now)')
    .option('--window <duration>', 'history window read from Prometheus (default: 6h, or the snapshot\'s)')
    .option('--max-queries <n>', 'budget of PromQL requests', parseCount)
    .option('--target-wait <duration>', 'default queue-wait objective (e.g. 30s)')
    .option('--snapshot <dir>', 'replay a snapshot saved with --save-snapshot (offline)')
    .option('--save-snapshot <dir>', 'save what was read (inventory and series) for offline replay')
    .addOption(new Option('-o, --output <format>', 'output format').choices(SCAN_FORMATS).default('text'))
    .option('--output-file <file>', 'write the result to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning', 'info', 'none']))
    .option('--max-warnings <n>', 'exit 1 when there are more than n warnings', parseCount)
    .option('-c, --config <file>', 'configuration file (default: .queue-doctor.yaml found upward)')
    .option('-v, --verbose', 'print bindings, query counts and timings on stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ queue-doctor scan --demo
  $ queue-doctor scan -A --prometheus-url http://localhost:9090
  $ queue-doctor scan -n rag -o yaml | kubectl apply -f -
  $ queue-doctor scan --context prod-eu --context prod-us -o html > audit.html
  $ queue-doctor scan -f k8s/ --prometheus-url https://mimir.example.com/prometheus --prometheus-header "X-Scope-OrgID: team-a"
  $ queue-doctor scan --at 2026-11-20T14:00:00Z --window 3h   # audit a past incident`,
    )
    .action(run(async () => (await import('./scan.js')).runScan));

  program
    .command('simulate')
    .summary('replay a trace through HPA/KEDA policies and compare wait and cost')
    .description('Simulate a queue-fed worker pool under one or more autoscaling policies on an arrival trace.')
    .requiredOption('--trace <file>', 'arrival trace CSV: t_s,arrivals,mean_service_s,p95_service_s')
    .requiredOption('--policy <policy...>', 'a ScaledObject or HPA manifest file, or fixed:N (repeatable)')
    .option('--startup <duration>', 'pod start-up delay before a new pod serves', '30s')
    .option('--concurrency <n>', 'jobs one pod runs at once', parseCount, 1)
    .option('--target-wait <duration>', 'queue-wait objective', '30s')
    .option('--grace <duration>', 'terminationGracePeriodSeconds for scale-in', '30s')
    .option('--seed <n>', 'random seed', parseCount, 1)
    .addOption(new Option('--measure <what>', 'what queue triggers count when the manifest does not say (default: inferred, else backlog)').choices(['backlog', 'backlog+inflight']))
    .option('--scrape-interval <duration>', 'Prometheus scrape interval: staleness of prometheus triggers (default 15s)')
    .option('--cpu-idle <percent>', 'CPU of an idle pod, % of its request (cpu HPAs; default 5)')
    .option('--cpu-busy <percent>', 'CPU added per busy job slot, % of request (default 10 ÷ concurrency: an I/O-bound worker)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--output-file <file>', 'write the result to a file instead of stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ queue-doctor simulate --trace fixtures/traces/synthetic-onoff-ramp-burst-6h.csv --policy fixed:10 --policy so.yaml
  $ queue-doctor simulate --trace trace.csv --policy hpa.yaml --policy keda.yaml --startup 45s -o json`,
    )
    .action(run(async () => (await import('./simulate.js')).runSimulate));

  program
    .command('rules')
    .summary('list the rules')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .action(run(async () => (await import('./rules.js')).runRules));

  program
    .command('explain')
    .summary('explain a rule: rationale, a bad and a good example, the fix')
    .argument('<rule>', 'rule id or slug, e.g. QD101 or cpu-hpa-on-queue-worker')
    .action(run(async () => (await import('./rules.js')).runExplain));

  program
    .command('rbac')
    .summary('print the read-only RBAC that scan needs')
    .option('-n, --namespace <ns...>', 'print a namespaced Role + RoleBinding for each namespace instead of a ClusterRole')
    .option('--service-account <namespace/name...>', 'service account to bind (repeatable; default: queue-doctor/queue-doctor)')
    .option('--user <name...>', 'user to bind, e.g. your SSO identity (repeatable)')
    .option('--group <name...>', 'group to bind (repeatable)')
    .addHelpText(
      'after',
      `
Examples:
  $ queue-doctor rbac | kubectl apply -f -
  $ queue-doctor rbac --group sre-team | kubectl apply -f -
  $ queue-doctor rbac -n rag -n payments --service-account ci/queue-doctor`,
    )
    .action(run(async () => (await import('./rbac.js')).runRbac));

  program
    .command('completion')
    .summary('print shell completion (bash, zsh or fish)')
    .argument('<shell>', 'bash, zsh or fish')
    .action(run(async () => (await import('./completion.js')).runCompletion));

  return program;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`"${value}" is not a whole number`);
  return n;
}

export async function main(argv: string[], rawIo: CliIo = defaultIo()): Promise<number> {
  // stderr carries messages built from file and cluster data (names, annotations, paths): no
  // escape sequence in them may reach the terminal (results on stdout are sanitised by format)
  const io: CliIo = { ...rawIo, stderr: { write: (chunk: string) => rawIo.stderr.write(sanitize(String(chunk))) } };
  let exitCode: number = EXIT.OK;
  const program = buildProgram(io, (c) => (exitCode = c));
  const debug = argv.includes('--debug');
  try {
    if (!argv.includes('--no-color')) await preloadChalk(io);
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    return reportError(e, io, debug);
  }
}

export function reportError(e: unknown, io: CliIo, debug: boolean): number {
  const err = e as { code?: string; exitCode?: number; message?: string; stack?: string };
  if (typeof err?.code === 'string' && err.code.startsWith('commander.')) {
    // help and version exit 0; usage errors were printed by commander
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? EXIT.OK : EXIT.USAGE;
  }
  if (e instanceof UserError) {
    io.stderr.write(`queue-doctor: ${e.message}\n`);
    if (debug && e.stack) io.stderr.write(e.stack + '\n');
    return e.code;
  }
  io.stderr.write(`queue-doctor: internal error: ${oneLine(err?.message ?? String(e))}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && err?.stack) io.stderr.write(err.stack + '\n');
  return EXIT.USAGE;
}

function oneLine(s: string): string {
  return s.split('\n')[0];
}
