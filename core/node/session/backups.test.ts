import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNotebook } from '../../common/notebook/ipynb.ts';
import { BackupStore } from './backups.ts';

test('backups written at the same moment all land whole, private, with no temp file left', async (t) => {
  const state = mkdtempSync(join(tmpdir(), 'pb-backups-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));
  const store = new BackupStore(state);
  t.after(() => store.dispose());
  const fixture = join(import.meta.dirname, '../../../test/fixtures/notebooks/jupyter-4.5.ipynb');
  const versions = Array.from({ length: 8 }, (_, i) => {
    const notebook = parseNotebook(readFileSync(fixture, 'utf8'), fixture);
    notebook.metadata.version = i;
    return notebook;
  });
  await Promise.all(versions.map((notebook) => store.writeNow('/labs/a.ipynb', notebook)));
  const backup = await store.read('/labs/a.ipynb');
  assert.ok(backup, 'the backup reads back');
  assert.ok(versions.some((v) => v.metadata.version === backup.notebook.metadata.version));
  const files = readdirSync(join(state, 'backups'));
  assert.equal(files.length, 1, `one backup and nothing else: ${files}`);
  assert.equal(statSync(join(state, 'backups', files[0]!)).mode & 0o777, 0o600);
});

test('a backup asked for while the host shuts down is not written, and one whose notebook cannot be had is reported, not thrown from its timer', async (t) => {
  const state = mkdtempSync(join(tmpdir(), 'pb-backups-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));
  const fixture = join(import.meta.dirname, '../../../test/fixtures/notebooks/jupyter-4.5.ipynb');
  const notebook = parseNotebook(readFileSync(fixture, 'utf8'), fixture);

  const disposed = new BackupStore(state, 0);
  disposed.dispose();
  let asked = false;
  disposed.schedule('/labs/late.ipynb', () => ((asked = true), notebook));

  const store = new BackupStore(state, 0);
  t.after(() => store.dispose());
  // The store's timers are unref'd (a backup never keeps a process alive): keep this one alive meanwhile.
  const alive = setInterval(() => undefined, 1000);
  t.after(() => clearInterval(alive));
  const reported = new Promise<string>((resolve) => {
    const write = process.stderr.write.bind(process.stderr);
    t.after(() => void (process.stderr.write = write));
    process.stderr.write = ((chunk: string) => (resolve(String(chunk)), true)) as typeof process.stderr.write;
  });
  store.schedule('/labs/a.ipynb', () => {
    throw new Error('the signature file could not be written');
  });
  assert.match(await reported, /could not back up unsaved edits of \/labs\/a\.ipynb: the signature file could not be written/);
  assert.equal(asked, false, 'the disposed store never asked for the notebook');
  assert.equal(await disposed.read('/labs/late.ipynb'), undefined);
});
