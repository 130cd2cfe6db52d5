#!/usr/bin/env node
// The `probebook` command. Runs the bundled CLI; in a checkout that was never built, builds first.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/node/cli.js');
if (!existsSync(cli)) {
  process.stderr.write('probebook: first run in this checkout, building (npm run build)…\n');
  const built = spawnSync(process.execPath, [join(root, 'build/build.mjs')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(2);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
