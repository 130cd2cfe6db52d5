import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { refusedEnvName, refusedEnvNames } from './env-names.ts';

test('names that change what root runs or loads are refused, each with why; others pass', () => {
  assert.equal(refusedEnvName('PATH'), 'it chooses which programs run');
  assert.equal(refusedEnvName('LD_AUDIT'), 'the dynamic loader loads libraries it names');
  for (const name of [
    'LD_PRELOAD',
    'BASH_ENV',
    'ENV',
    'PYTHONPATH',
    'PYTHONWARNINGS',
    'NODE_OPTIONS',
    'PERL5LIB',
    'RUBYOPT',
    'BASH_FUNC_ip%%',
    'PROBEBOOK_CELL_RUN',
    'GIT_CONFIG_GLOBAL',
  ]) {
    assert.ok(refusedEnvName(name), name);
  }
  // Environment names are case-sensitive: `path` is a plain variable to every tool.
  for (const name of ['IFACE', 'N', 'SECONDS', 'LAB_PATH', 'path', 'constructor', 'toString', '__proto__']) assert.equal(refusedEnvName(name), undefined, name);
});

test('the root-and-trust page lists every refused name', () => {
  const page = readFileSync(join(import.meta.dirname, '../../docs/root-and-trust.md'), 'utf8');
  const missing = refusedEnvNames().filter((name) => !page.includes(`\`${name.replace(/\*$/, '')}\``));
  assert.deepEqual(missing, []);
});
