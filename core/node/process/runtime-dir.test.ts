import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { needs } from '../../../test/support/needs.ts';
import { gonePid } from '../../../test/support/gone-pid.ts';
import { processStartTime } from './process-identity.ts';
import { makePrivateDir, sweepDeadPrivateDirs } from './runtime-dir.ts';

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-runtime-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a private folder is 0700 and named for its process (pid and start time)', (t) => {
  const dir = makePrivateDir('probebook-test-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.match(basename(dir), new RegExp(`^probebook-test-${process.pid}-${processStartTime(process.pid)}-[A-Za-z0-9]{6}$`));
  assert.ok(['/dev/shm', tmpdir(), process.env.XDG_RUNTIME_DIR].includes(dirname(dir)));
});

test("the folders of gone processes are swept; a live process's, a link, other names stay", async (t) => {
  const base = scratch(t);
  const dead = await gonePid();
  const make = (name: string) => {
    mkdirSync(join(base, name));
    writeFileSync(join(base, name, 'cell.bt'), 'BEGIN {}');
    return name;
  };
  const gone = make(`probebook-bt-${dead}-12345-aaaaaa`);
  const reused = make(`probebook-shell-${process.pid}-1-bbbbbb`);
  const live = make(`probebook-stdio-${process.pid}-${processStartTime(process.pid)}-cccccc`);
  const other = make('probebook-shell-abcdef');
  const target = scratch(t);
  writeFileSync(join(target, 'keep'), 'x');
  symlinkSync(target, join(base, `probebook-shell-${dead}-1-dddddd`));
  assert.deepEqual(sweepDeadPrivateDirs(base).sort(), [join(base, gone), join(base, reused)].sort());
  assert.deepEqual(readdirSync(base).sort(), [live, other, `probebook-shell-${dead}-1-dddddd`].sort());
  assert.ok(existsSync(join(target, 'keep')), 'a link is not followed');
});

test("another user's folders stay, even of a gone process", async (t) => {
  if (!needs(t, { root: true })) return;
  const base = scratch(t);
  const theirs = join(base, `probebook-shell-${await gonePid()}-1-eeeeee`);
  mkdirSync(theirs);
  chownSync(theirs, 65534, 65534);
  assert.deepEqual(sweepDeadPrivateDirs(base), []);
  assert.ok(existsSync(theirs));
});
