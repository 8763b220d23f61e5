#!/usr/bin/env node
// Tiny shim: run the built CLI (npm run build writes dist/).
import { main } from '../dist/src/cli/main.js';

const code = await main(process.argv.slice(2));
// Let stdout drain before exiting (large reports through a pipe).
process.exitCode = code;
