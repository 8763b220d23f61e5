#!/usr/bin/env node
// pretest: make sure the real components the tests use are on this machine.
// Debian packages: prometheus (+promtool) for integration tests, chromium for the HTML report
// test, kubectl (kubernetes-client) for the stand-in fidelity test. Installs only what is
// missing, only with apt-get as root; otherwise says what to install and goes on (the tests
// that need a missing tool then fail with a clear message).
import { execFileSync, spawnSync } from 'node:child_process';

const NEEDED = [
  { bin: 'prometheus', pkg: 'prometheus' },
  { bin: 'promtool', pkg: 'prometheus' },
  { bin: 'chromium', pkg: 'chromium' },
  { bin: 'kubectl', pkg: 'kubernetes-client' },
  { bin: 'openssl', pkg: 'openssl' },
  { bin: 'script', pkg: 'bsdutils' },
];

const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const missing = [...new Set(NEEDED.filter((n) => !has(n.bin)).map((n) => n.pkg))];
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !has('apt-get')) {
  console.error(`queue-doctor tests: missing Debian packages ${missing.join(', ')}; install them with: sudo apt-get install -y ${missing.join(' ')}`);
  process.exit(0);
}
console.error(`queue-doctor tests: installing ${missing.join(', ')} with apt-get (once)…`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env });
} catch (e) {
  console.error(`queue-doctor tests: apt-get install ${missing.join(' ')} failed (${e.message.split('\n')[0]}); the tests that need them will fail`);
}
