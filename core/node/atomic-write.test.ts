import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gonePid } from '../../test/support/gone-pid.ts';
import { tempPathFor, writeFileAtomic, writeFileAtomicSync } from './atomic-write.ts';

function workdir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-atomic-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A temp file as a writer with this pid (and a start time no live process has) leaves it. */
function deadWritersTemp(path: string, pid: number): string {
  const temp = join(dirname(path), basename(tempPathFor(path)).replace(/-save-\d+-\d+-/, `-save-${pid}-1-`));
  writeFileSync(temp, 'half a file');
  return temp;
}

for (const [name, write] of [
  ['writeFileAtomic', writeFileAtomic],
  ['writeFileAtomicSync', writeFileAtomicSync],
] as const) {
  test(`${name} replaces a file whole, keeps its mode exactly when asked, and leaves no temp file`, async (t) => {
    const dir = workdir(t);
    const path = join(dir, 'state.json');
    await write(path, 'first', { mode: 0o600 });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    writeFileSync(join(dir, 'other'), 'untouched');
    await write(path, 'second', { mode: 0o640, exactMode: true });
    assert.equal(readFileSync(path, 'utf8'), 'second');
    assert.equal(statSync(path).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(dir).sort(), ['other', 'state.json']);
  });

  test(`${name} that fails leaves the target as it was and no temp file`, async (t) => {
    const dir = workdir(t);
    const target = join(dir, 'a-folder');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'kept');
    // rename() of a file over a non-empty folder fails: the write fails after its temp file was written.
    await assert.rejects(async () => write(target, 'new'), /EISDIR|ENOTEMPTY|EEXIST/);
    assert.deepEqual(readdirSync(dir), ['a-folder']);
    assert.equal(readFileSync(join(target, 'inside'), 'utf8'), 'kept');
  });

  test(`${name} removes the temp file a killed writer left in that folder, not a live writer's`, async (t) => {
    const dir = workdir(t);
    const path = join(dir, 'trust.json');
    const dead = deadWritersTemp(path, await gonePid());
    const reused = deadWritersTemp(path, process.pid);
    const ours = join(dir, basename(tempPathFor(path)));
    writeFileSync(ours, 'a write of this process, in flight');
    await write(path, '{}');
    // `live` names this pid with another start time: a reused pid, so its writer is gone too.
    assert.deepEqual(readdirSync(dir).sort(), [basename(ours), 'trust.json'].sort(), `left: ${readdirSync(dir)}; dead: ${dead}, reused pid: ${reused}`);
  });
}
