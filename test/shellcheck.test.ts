// Shell scripts as a test: every *.sh of the tree, and every file that starts with a sh/bash
// shebang (.ci/run), passes shellcheck (apt install shellcheck; .ci/run installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { needs } from './support/needs.ts';

const root = resolve(import.meta.dirname, '..');

/** Tracked and new (not ignored) files that are shell scripts by name or by shebang. */
function shellScripts(): string[] {
  const files = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);
  return files.filter((f) => {
    if (f.endsWith('.sh')) return true;
    try {
      return /^#!\S*(?:\/env\s+)?\S*\b(?:ba|da)?sh\b/.test(readFileSync(join(root, f), 'latin1').slice(0, 80));
    } catch {
      return false; // listed but deleted in the work tree
    }
  });
}

test('every shell script passes shellcheck', (t) => {
  if (!needs(t, { tools: ['shellcheck'] })) return;
  const scripts = shellScripts();
  assert.ok(scripts.includes('core/node/process/probebook-reaper.sh') && scripts.includes('.ci/run'), `the scripts were found: ${scripts}`);
  const result = spawnSync('shellcheck', ['--format=gcc', ...scripts], { cwd: root, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});
