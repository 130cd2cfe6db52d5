// Biome as a test: the tree is formatted and lint-clean (biome.jsonc says which rules are off and
// why), and no test is focused with `.only`, which would silently skip the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

test('the tree is formatted and passes the linter (npx biome check --write fixes most of it)', () => {
  const result = spawnSync(join(root, 'node_modules/.bin/biome'), ['ci', '--max-diagnostics=20', '.'], { cwd: root, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test('no test is focused with .only', () => {
  const files = spawnSync('git', ['ls-files', '*.test.ts'], { cwd: root, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  assert.ok(files.length > 50, 'the test files were listed');
  const focused = files.filter((f) => /\b(?:test|it|describe)\.only\s*\(|\{\s*only:\s*true/.test(readFileSync(join(root, f), 'utf8')));
  assert.deepEqual(focused, []);
});
