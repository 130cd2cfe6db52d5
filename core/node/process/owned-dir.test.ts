import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../../../test/support/needs.ts';
import { ensurePrivateDir, ownUids, privateDirProblem, sharedDirProblem } from './owned-dir.ts';

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-owned-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a 0700 folder of ours under safe folders is private', (t) => {
  const dir = scratch(t);
  assert.equal(privateDirProblem(dir), null);
});

test('a folder others can use, a link to a good folder, a file or nothing are not', (t) => {
  const dir = scratch(t);
  const open = join(dir, 'open');
  mkdirSync(open, { mode: 0o700 });
  chmodSync(open, 0o755);
  assert.match(privateDirProblem(open)!, /other users can use it \(mode 0755; it must be 0700\)/);
  const good = join(dir, 'good');
  mkdirSync(good, { mode: 0o700 });
  symlinkSync(good, join(dir, 'link'));
  assert.equal(privateDirProblem(join(dir, 'link')), 'it is a symbolic link');
  writeFileSync(join(dir, 'file'), '');
  assert.equal(privateDirProblem(join(dir, 'file')), 'it is not a folder');
  assert.equal(privateDirProblem(join(dir, 'missing')), 'it does not exist');
});

test("another user's folder, or our folder inside one, is not ours", (t) => {
  if (!needs(t, { root: true })) return;
  const dir = scratch(t);
  const theirs = join(dir, 'theirs');
  mkdirSync(theirs, { mode: 0o700 });
  chownSync(theirs, 65534, 65534);
  assert.match(privateDirProblem(theirs)!, /^it belongs to uid 65534, not to you$/);
  const inside = join(theirs, 'mine');
  mkdirSync(inside, { mode: 0o700 });
  assert.match(privateDirProblem(inside)!, new RegExp(`^${theirs}, a folder above it: it belongs to uid 65534$`));
});

test('a folder under one that others can write to (no sticky bit) is not private; /tmp and /dev/shm are fine to share', (t) => {
  const dir = scratch(t);
  chmodSync(dir, 0o777);
  const inside = join(dir, 'mine');
  mkdirSync(inside, { mode: 0o700 });
  assert.match(privateDirProblem(inside)!, /a folder above it: other users can write to it \(mode 0777\)/);
  assert.match(sharedDirProblem(dir)!, /other users can write to it/);
  chmodSync(dir, 0o1777);
  assert.equal(privateDirProblem(inside), null, 'the sticky bit keeps others from renaming our folder');
  assert.equal(sharedDirProblem('/tmp'), null);
  if (existsSync('/dev/shm')) assert.equal(sharedDirProblem('/dev/shm'), null);
});

test('ensurePrivateDir makes a 0700 folder, and refuses an existing one that is not ours alone, naming it', (t) => {
  const dir = scratch(t);
  const made = ensurePrivateDir(join(dir, 'run'), 'the token');
  assert.equal(statSync(made).mode & 0o777, 0o700);
  assert.equal(ensurePrivateDir(made, 'the token'), made, 'an existing good one is used');
  chmodSync(made, 0o777);
  assert.throws(
    () => ensurePrivateDir(made, 'the token'),
    (error: Error) => error.message.startsWith(`${made} is not safe for the token: other users can use it (mode 0777`),
  );
  symlinkSync(dir, join(dir, 'link'));
  assert.throws(() => ensurePrivateDir(join(dir, 'link'), 'the token'), /link is not safe for the token: it is a symbolic link/);
});

test("root through sudo may also use the invoking user's folders", () => {
  const euid = process.geteuid!();
  assert.deepEqual(ownUids({ SUDO_UID: '1234' }), euid === 0 ? [0, 1234] : [euid]);
  assert.deepEqual(ownUids({}), [euid]);
  assert.deepEqual(ownUids({ SUDO_UID: 'x' }), [euid]);
});
