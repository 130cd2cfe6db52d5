// The Node side: the CLI (which also hosts sessions and serves the page) and other Node entries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Packages carried in the chunks: every `probebook run` loads them, and resolving and loading
 * execa's dozens of files from node_modules took 40–100 ms of the CLI's start-up. The other
 * packages stay in node_modules (big, served as files, native or loaded by a few commands only).
 */
const BUNDLED = new Set(['execa', 'lossless-json', 'signal-exit']);

/** @param {string} root */
function externalPackages(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((name) => !BUNDLED.has(name));
}

/** @param {string} root */
export function targets(root) {
  return [
    {
      entryPoints: {
        cli: join(root, 'core/node/cli.ts'),
        // A notebook's TypeScript context runs in its own process (typescript-kernel.ts).
        'ts-context': join(root, 'core/node/kernels/typescript/context-main.ts'),
        // Its module hooks, which module.register() loads in a thread of their own when it runs as root.
        'ts-module-hooks': join(root, 'core/node/kernels/typescript/module-trust-hooks.ts'),
      },
      outdir: join(root, 'dist/node'),
      platform: 'node',
      format: 'esm',
      target: 'node20',
      bundle: true,
      // One chunk per command, loaded on demand: `probebook run` does not load the server.
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      external: externalPackages(root),
      // CommonJS packages inside (cross-spawn…) call require() for Node's modules.
      banner: { js: "import { createRequire as __probebookRequire } from 'node:module'; const require = __probebookRequire(import.meta.url);" },
      sourcemap: 'linked',
    },
  ];
}
