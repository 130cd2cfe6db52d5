// The Node side: the CLI (which also hosts sessions and serves the page) and other Node entries.
import { join } from 'node:path';

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
      packages: 'external',
      sourcemap: 'linked',
    },
  ];
}
