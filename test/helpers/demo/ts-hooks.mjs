// Loader hooks for ts-register.mjs: `./x.js` imports that name a TypeScript source resolve to
// `./x.ts` (the NodeNext convention the sources follow), and .ts files are transpiled per file
// (types erased, no type check — `npm run typecheck` does that).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (e) {
    const path = specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:');
    if (path && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
      return nextResolve(specifier.slice(0, -3) + '.ts', context);
    }
    throw e;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const source = await readFile(file, 'utf8');
  const out = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true, isolatedModules: true },
  });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
