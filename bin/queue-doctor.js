#!/usr/bin/env node
// Tiny shim: run the built CLI. `npm run build` compiles src/ with tsc (dist/src: the library)
// and bundles the CLI into a few files (dist/cli): far fewer modules to load at start-up.
import { main } from '../dist/cli/main.js';

// exitCode, not exit(): let stdout drain (large reports through a pipe)
process.exitCode = await main(process.argv.slice(2));
