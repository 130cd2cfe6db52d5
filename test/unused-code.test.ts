// knip as a test: no unused file, export or dependency (knip.jsonc says what starts code, and why
// each ignored dependency is used all the same).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

test('no unused files, exports or dependencies (npx knip lists them)', () => {
  const result = spawnSync(join(root, 'node_modules/.bin/knip'), ['--no-progress', '--no-config-hints'], { cwd: root, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});
