import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIXES, fixCommandLine, runFix } from './fixes.ts';

test('every fix is a fixed command of plain words', () => {
  for (const fix of Object.values(FIXES)) {
    assert.ok(Object.isFrozen(fix));
    assert.equal(fixCommandLine(fix), fix.argv.join(' '));
  }
  assert.equal(fixCommandLine(FIXES['mount-tracefs']!), 'mount -t tracefs nodev /sys/kernel/tracing');
});

test('the table cannot be extended at run time', () => {
  assert.throws(() => {
    (FIXES as Record<string, unknown>)['evil'] = { id: 'evil', description: '', argv: ['sh', '-c', 'id'] };
  }, TypeError);
});

test('a name outside the table is refused, prototype keys included', async () => {
  await assert.rejects(runFix('rm -rf /'), /no fix named "rm -rf \/"/);
  await assert.rejects(runFix('constructor'), /no fix named "constructor"/);
});

test('a table entry with a shell word is refused before anything runs', () => {
  assert.throws(() => fixCommandLine({ id: 'x', description: '', argv: ['echo', '$(id)'] }), /not a plain word/);
});
