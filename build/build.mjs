#!/usr/bin/env node
// Bundles Probebook with esbuild. Each file in build/targets/ exports `targets`: an array of
// esbuild options (Node side into dist/node, page into dist/renderer, Electron into dist/electron).
// `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const watch = process.argv.includes('--watch');
const targetDir = join(root, 'build/targets');

const targets = [];
for (const file of readdirSync(targetDir)
  .filter((f) => f.endsWith('.mjs'))
  .sort()) {
  const mod = await import(pathToFileURL(join(targetDir, file)).href);
  targets.push(...(await mod.targets(root)));
}

// Every target is built even when another fails, so one broken bundle does not leave the rest stale.
const results = await Promise.allSettled(
  targets.map(async (options) => {
    if (watch) await (await esbuild.context(options)).watch();
    else await esbuild.build({ logLevel: 'warning', ...options });
  }),
);
const failed = results.filter((r) => r.status === 'rejected');
if (failed.length) {
  console.error(`build: ${failed.length} of ${targets.length} bundles failed (errors above)`);
  process.exit(1);
}
