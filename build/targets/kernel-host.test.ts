import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

// The kernel host bundle reads the reaper script beside itself (core/node/process/reaper.ts).
test('the build ships the reaper script beside the kernel host bundle (npm test builds first)', () => {
  const shipped = join(root, 'dist/node/probebook-reaper.sh');
  assert.ok(existsSync(join(root, 'dist/node/kernel-host.js')) && existsSync(shipped), `${shipped} is missing: run "npm run build"`);
  assert.equal(readFileSync(shipped, 'utf8'), readFileSync(join(root, 'core/node/process/probebook-reaper.sh'), 'utf8'));
});
