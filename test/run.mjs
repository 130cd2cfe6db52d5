#!/usr/bin/env node
// The README's test command. Builds, then runs every *.test.ts under the source folders with
// node's test runner (TypeScript through tsx), then prints what was not tested and why.
//   npm test                       everything
//   npm test -- core/common        only tests under these paths
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const root = resolve(import.meta.dirname, '..');
const roots = ['core', 'electron', 'renderer', 'build', 'test', 'bench'];
const filters = process.argv.slice(2).map((p) => relative(root, resolve(p)));

function findTests(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) findTests(full, out);
    else if (entry.name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out;
}

const files = roots
  .filter((r) => existsSync(join(root, r)) && statSync(join(root, r)).isDirectory())
  .flatMap((r) => findTests(join(root, r), []))
  .filter((f) => filters.length === 0 || filters.some((p) => f === p || f.startsWith(`${p}/`)))
  .sort();

if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}

const build = spawnSync(process.execPath, [join(root, 'build/build.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

const skipLog = join(tmpdir(), `probebook-skips-${process.pid}.ndjson`);
rmSync(skipLog, { force: true });
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.PROBEBOOK_TEST_CONCURRENCY ?? 2}`, ...files],
  { stdio: 'inherit', cwd: root, env: { ...process.env, PROBEBOOK_SKIP_LOG: skipLog } },
);

if (existsSync(skipLog)) {
  const skips = readFileSync(skipLog, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  if (skips.length) {
    console.log(`\nNot tested on this machine (${skips.length}):`);
    for (const s of skips) console.log(`  - ${s.test}: ${s.reason}`);
    console.log('Run as root with the tools installed (see .ci/run) to test these.');
  }
  rmSync(skipLog, { force: true });
}
process.exit(result.status ?? 1);
