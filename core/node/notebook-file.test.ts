import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { needs } from '../../test/support/needs.ts';
import { nbformatMissing as hasNbformat, validateWithNbformat } from '../../test/support/nbformat.ts';
import type { Json } from '../common/notebook/model.ts';
import { ChangedOnDiskError, MalformedTargetError, NotRegularFileError, readNotebookFile, writeNotebookFile } from './notebook-file.ts';
import { streamOutput } from '../common/notebook/outputs.ts';
import { serializeNotebook } from '../common/notebook/ipynb.ts';

const fixtures = join(import.meta.dirname, '../../test/fixtures/notebooks');

function workdir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("every file Probebook writes passes Jupyter's validator", async (t) => {
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

test("as root under sudo, a saved notebook stays its owner's, and a new one belongs to the user who ran sudo", async (t) => {
  if (!needs(t, { root: true })) return;
  const dir = workdir(t);
  const path = join(dir, 'lab.ipynb');
  writeFileSync(path, readFileSync(join(fixtures, 'jupyter-4.5.ipynb')));
  chownSync(path, 4321, 4322);
  chmodSync(path, 0o640);
  const saved = { SUDO_UID: process.env.SUDO_UID, SUDO_GID: process.env.SUDO_GID };
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  });
  Object.assign(process.env, { SUDO_UID: '5432', SUDO_GID: '5433' });
  const { notebook, fingerprint } = await readNotebookFile(path);
  await writeNotebookFile(path, notebook, { expected: fingerprint });
  assert.deepEqual([statSync(path).uid, statSync(path).gid, statSync(path).mode & 0o777], [4321, 4322, 0o640], 'the owner it had');
  const copy = join(dir, 'copy.ipynb');
  await writeNotebookFile(copy, notebook);
  assert.deepEqual([statSync(copy).uid, statSync(copy).gid], [5432, 5433], 'the invoking user, not root');
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
    notebook.cells[1]!.outputs.push(streamOutput('stdout', `${'x'.repeat(100_000)}\n`));
    await assert.rejects(writeNotebookFile(path, notebook, { expected: fingerprint }), root ? /the disk is full/ : /permission denied/);
    assert.deepEqual(readFileSync(path), original);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f !== 'filler'),
      ['lab.ipynb'],
    );
  } finally {
    if (root) execFileSync('umount', [dir]);
    else chmodSync(dir, 0o700);
  }
});

test('reading errors are worded for people', async () => {
  await assert.rejects(readNotebookFile('/nonexistent/lab.ipynb'), /^Error: \/nonexistent\/lab\.ipynb does not exist\.$/);
  await assert.rejects(readNotebookFile(tmpdir()), /is a folder, not a notebook file/);
});

/** A FIFO in `dir`; after the test, any reader still blocked on it (today's code) is let go. */
function fifo(t: { after(fn: () => void): void }, dir: string, name: string): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  t.after(() => {
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)); // EOF for a blocked open
    } catch {
      // no reader: nothing blocked on it
    }
  });
  return path;
}

/** A listening Unix socket at `path`, closed after the test. */
async function unixSocket(t: { after(fn: () => unknown): void }, path: string): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
}

test('a FIFO, a device or a socket is refused at once, naming it, and other file I/O goes on', { timeout: 20_000 }, async (t) => {
  const dir = workdir(t);
  // Eight FIFOs: more than libuv's four file threads, which a blocking open would hold for good.
  const fifos = Array.from({ length: 8 }, (_, i) => fifo(t, dir, `pipe${i}.ipynb`));
  await unixSocket(t, join(dir, 'sock.ipynb'));
  const refusals = await Promise.allSettled(fifos.map((p) => readNotebookFile(p)));
  for (const [i, r] of refusals.entries()) {
    assert.equal(r.status, 'rejected');
    assert.ok((r as PromiseRejectedResult).reason instanceof NotRegularFileError);
    assert.equal((r as PromiseRejectedResult).reason.message, `${fifos[i]} is a named pipe (FIFO), not a notebook file: Probebook reads only regular files.`);
  }
  await assert.rejects(readNotebookFile('/dev/zero'), /^NotRegularFileError: \/dev\/zero is a device, not a notebook file/);
  await assert.rejects(readNotebookFile(join(dir, 'sock.ipynb')), /sock\.ipynb is a socket, not a notebook file/);
  const { notebook } = await readNotebookFile(join(fixtures, 'jupyter-4.5.ipynb'));
  assert.ok(notebook.cells.length > 0, 'a regular notebook still reads');
});

test('a FIFO or a device as the save target is never written over, forced or not, and the save does not block', { timeout: 20_000 }, async (t) => {
  const dir = workdir(t);
  const target = fifo(t, dir, 'lab.ipynb');
  const { notebook } = await readNotebookFile(join(fixtures, 'jupyter-4.5.ipynb'));
  for (const force of [false, true]) {
    await assert.rejects(
      writeNotebookFile(target, notebook, { force }),
      (e: unknown) => e instanceof MalformedTargetError && /it is a named pipe \(FIFO\)/.test((e as Error).message),
    );
  }
  assert.ok(statSync(target).isFIFO(), 'the FIFO is still there');
  assert.deepEqual(readdirSync(dir), ['lab.ipynb'], 'no temp file');
});

test('a file that is not a notebook is never written over, even with force: force answers only "changed on disk"', async (t) => {
  const dir = workdir(t);
  const { notebook } = await readNotebookFile(join(fixtures, 'jupyter-4.5.ipynb'));
  const other = join(dir, 'notes.ipynb');
  writeFileSync(other, 'my notes, not JSON\n');
  await assert.rejects(writeNotebookFile(other, notebook, { force: true }), MalformedTargetError);
  assert.equal(readFileSync(other, 'utf8'), 'my notes, not JSON\n');
  // The notebook we read was replaced on disk by something that is not a notebook.
  const path = join(dir, 'lab.ipynb');
  writeFileSync(path, readFileSync(join(fixtures, 'jupyter-4.5.ipynb')));
  const ours = await readNotebookFile(path);
  writeFileSync(path, '{"not": "a notebook"}\n');
  await assert.rejects(
    writeNotebookFile(path, ours.notebook, { expected: ours.fingerprint, force: true }),
    (e: unknown) => e instanceof MalformedTargetError && /there is no nbformat version/.test((e as Error).message),
  );
  assert.equal(readFileSync(path, 'utf8'), '{"not": "a notebook"}\n');
});

test("a temp file left by a killed save is removed by the next save into that folder; a live writer's stays", async (t) => {
  const dir = workdir(t);
  const path = join(dir, 'lab.ipynb');
  writeFileSync(path, readFileSync(join(fixtures, 'jupyter-4.5.ipynb')));
  // A real writer: a child process that creates its temp file as a save does, then is killed.
  const writer = () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `
      import { tempPathFor } from ${JSON.stringify(join(import.meta.dirname, 'atomic-write.ts'))};
      import { writeFileSync } from 'node:fs';
      const temp = tempPathFor(${JSON.stringify(path)});
      writeFileSync(temp, 'x'.repeat(100000));
      process.stdout.write(temp + '\\n');
      setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    t.after(() => child.kill('SIGKILL'));
    return new Promise<{ temp: string; child: ChildProcess }>((resolve) => child.stdout!.once('data', (d) => resolve({ temp: String(d).trim(), child })));
  };
  const killed = await writer();
  const live = await writer();
  assert.match(basename(killed.temp), /^\.lab\.ipynb\.probebook-save-\d+-\d+-[0-9a-f]{12}\.tmp$/, 'a name that says whose it is');
  const gone = new Promise((resolve) => killed.child.once('exit', resolve));
  killed.child.kill('SIGKILL');
  await gone;
  const { notebook, fingerprint } = await readNotebookFile(path);
  await writeNotebookFile(path, notebook, { expected: fingerprint });
  assert.deepEqual(readdirSync(dir).sort(), [basename(live.temp), 'lab.ipynb'].sort(), "the dead writer's temp file is gone, the live one's kept");
});

test('a notebook whose metadata nests deeper than any reader accepts is refused by the save, naming the file', async (t) => {
  const dir = workdir(t);
  const { notebook } = await readNotebookFile(join(fixtures, 'jupyter-4.5.ipynb'));
  let deep: Json = 1;
  for (let i = 0; i < 1_500; i++) deep = { a: deep };
  notebook.cells[0]!.metadata = { deep };
  const path = join(dir, 'deep.ipynb');
  await assert.rejects(
    writeNotebookFile(path, notebook),
    new RegExp(`^Error: cannot save ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: the JSON nests deeper than 256 levels`),
  );
  assert.deepEqual(readdirSync(dir), []);
});

test('streams are saved byte for byte as serializeNotebook writes them, whatever their text holds', async (t) => {
  const dir = workdir(t);
  const texts = [
    '',
    '\n',
    '\n\n',
    'one',
    'one\ntwo',
    'one\ntwo\n',
    Array.from({ length: 1000 }, (_, i) => `${i}\n`).join(''),
    'tab\there\n',
    'a "quote" and a \\ backslash\n',
    'crlf\r\nand cr\rend\n',
    'vt\x0bff\x0cfs\x1c\n',
    'nel\x85ls\u2028ps\u2029\n',
    'é ü 日本 \x7f\n',
    'emoji 🙂 pair\n',
    'lone \ud800 surrogate\n',
    'nul \x00 bell \x07\n',
  ];
  const { notebook } = await readNotebookFile(join(fixtures, 'jupyter-4.5.ipynb'));
  const code = notebook.cells.find((c) => c.cellType === 'code')!;
  code.outputs = texts.flatMap((text) => [streamOutput('stdout', text), streamOutput('stderr', text)]);
  const path = join(dir, 'streams.ipynb');
  await writeNotebookFile(path, notebook);
  assert.equal(readFileSync(path, 'utf8'), serializeNotebook(notebook));
  // Cut to the limit, with its note, the same way too.
  await writeNotebookFile(path, notebook, { outputLimitBytes: 1000, force: true });
  assert.equal(readFileSync(path, 'utf8'), serializeNotebook(notebook, { outputLimitBytes: 1000 }));
});
