#!/usr/bin/env node
// Bundles Probebook with esbuild: the Node side (CLI, kernel host) into dist/node, the page into
// dist/renderer, the Electron main and preload into dist/electron. `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const watch = process.argv.includes('--watch');

/** Node entry points: one bundle each, dependencies left in node_modules. */
const nodeEntries = {
  cli: 'core/node/cli.ts',
};

const builds = [
  {
    entryPoints: Object.fromEntries(
      Object.entries(nodeEntries).filter(([, file]) => existsSync(join(root, file))),
    ),
    outdir: join(root, 'dist/node'),
    platform: 'node',
    format: 'esm',
    target: 'node20',
    bundle: true,
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  },
];

for (const options of builds) {
  if (Object.keys(options.entryPoints).length === 0) continue;
  if (watch) await (await esbuild.context(options)).watch();
  else await esbuild.build(options);
}
