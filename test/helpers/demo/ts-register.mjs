// `node --import ./test/helpers/demo/ts-register.mjs some-script.ts`: run a TypeScript dev script
// (the demo generator) on Node 20 without a build step. Node 20 cannot strip types itself, so
// this registers loader hooks (ts-hooks.mjs) that transpile .ts files with the project's own
// `typescript` devDependency. Dev tooling only: nothing shipped imports it.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
