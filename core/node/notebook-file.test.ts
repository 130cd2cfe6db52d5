import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../../test/support/needs.ts';
import { ChangedOnDiskError, MalformedTargetError, readNotebookFile, writeNotebookFile } from './notebook-file.ts';
import { streamOutput } from '../common/notebook/outputs.ts';

const fixtures = join(import.meta.dirname, '../../test/fixtures/notebooks');

function workdir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Jupyter's own validator (Debian's python3-nbformat). */
export function validateWithNbformat(path: string): void {
  execFileSync('/usr/bin/python3', ['-c', 'import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', path], { stdio: 'pipe' });
}
const hasNbformat = () => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import nbformat'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'python3-nbformat (sudo apt install python3-nbformat)';
  }
};

test('every file Probebook writes passes Jupyter\'s validator', async (t) => {
  if (!needs(t, { check: hasNbformat })) return;
  const dir = workdir(t);
  for (const name of readdirSync(fixtures).filter((f) => f.startsWith('jupyter-') || f === 'vscode.ipynb')) {
    const { notebook } = await readNotebookFile(join(fixtures, name));
    notebook.cells.find((c) => c.cellType === 'code')!.outputs.push(streamOutput('stdout', 'x\n'.repeat(10), Date.now()));
    const out = join(dir, name);
    await writeNotebookFile(out, notebook, { outputLimitBytes: 8 });
    validateWithNbformat(out);
  }
});

test('saving keeps the file mode and leaves no temp file behind', async (t) => {
  const dir = workdir(t);
  const path = join(dir, 'lab.ipynb');
  writeFileSync(path, readFileSync(join(fixtures, 'jupyter-4.5.ipynb')));
  chmodSync(path, 0o600);
  const { notebook, fingerprint } = await readNotebookFile(path);
  notebook.cells[0]!.source = 'changed';
  await writeNotebookFile(path, notebook, { expected: fingerprint });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['lab.ipynb']);
  assert.match(readFileSync(path, 'utf8'), /"changed"/);
});

test('a file changed on disk since it was read is not overwritten unless forced', async (t) => {
  const dir = workdir(t);
  const path = join(dir, 'lab.ipynb');
  writeFileSync(path, readFileSync(join(fixtures, 'jupyter-4.5.ipynb')));
  const { notebook, fingerprint } = await readNotebookFile(path);
  const theirs = readFileSync(path, 'utf8').replace('Lab 06', 'Lab 07');
  writeFileSync(path, theirs);
  await assert.rejects(writeNotebookFile(path, notebook, { expected: fingerprint }), ChangedOnDiskError);
  assert.equal(readFileSync(path, 'utf8'), theirs);
  await writeNotebookFile(path, notebook, { expected: fingerprint, force: true });
  assert.match(readFileSync(path, 'utf8'), /Lab 06/);
});

test('a malformed file is never written over, and reading it names the file and position', async (t) => {
  const dir = workdir(t);
  const path = join(dir, 'broken.ipynb');
  const bytes = readFileSync(join(fixtures, 'malformed-json.ipynb'));
  writeFileSync(path, bytes);
  await assert.rejects(readNotebookFile(path), new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:45: is not valid JSON`));
  const { notebook } = await readNotebookFile(join(fixtures, 'jupyter-4.5.ipynb'));
  await assert.rejects(writeNotebookFile(path, notebook), MalformedTargetError);
  assert.deepEqual(readFileSync(path), bytes);
  assert.deepEqual(readdirSync(dir), ['broken.ipynb']);
});

test('a failed write leaves the old file whole and no temp file', async (t) => {
  const dir = join(workdir(t), 'fs');
  mkdirSync(dir);
  const path = join(dir, 'lab.ipynb');
  const original = readFileSync(join(fixtures, 'jupyter-4.5.ipynb'));
  const root = process.geteuid?.() === 0;
  // Root ignores permissions: as root the write fails for real on a full (tiny) file system.
  if (root) execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
  try {
    writeFileSync(path, original);
    if (root) {
      try {
        writeFileSync(join(dir, 'filler'), Buffer.alloc(128 * 1024));
      } catch {
        // ENOSPC: the disk is full now, as intended
      }
    } else {
      chmodSync(dir, 0o500);
    }
    const { notebook, fingerprint } = await readNotebookFile(path);
    notebook.cells[1]!.outputs.push(streamOutput('stdout', 'x'.repeat(100_000) + '\n'));
    await assert.rejects(writeNotebookFile(path, notebook, { expected: fingerprint }), root ? /the disk is full/ : /permission denied/);
    assert.deepEqual(readFileSync(path), original);
    assert.deepEqual(readdirSync(dir).filter((f) => f !== 'filler'), ['lab.ipynb']);
  } finally {
    if (root) execFileSync('umount', [dir]);
    else chmodSync(dir, 0o700);
  }
});

test('reading errors are worded for people', async () => {
  await assert.rejects(readNotebookFile('/nonexistent/lab.ipynb'), /^Error: \/nonexistent\/lab\.ipynb does not exist\.$/);
  await assert.rejects(readNotebookFile(tmpdir()), /is a folder, not a notebook file/);
});
