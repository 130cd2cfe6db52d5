/**
 * `probebook run` gets root as the app does, checked as real users made here: with a NOPASSWD
 * rule for the kernel host, root cells (a bpftrace one too) run as root and user cells as the
 * user, and the file written is the user's and opens trusted; without any way to root, nothing
 * runs, the message says how to get it, and nothing hangs; `--as-user` runs every cell as the user.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../support/needs.ts';
import { createTestUser, type TestUser } from '../support/test-users.ts';
import { joinSource, readNotebookJson, writeNotebook } from '../support/notebooks.ts';
import { kernelHostUnderTest, repoRoot } from '../support/root.ts';

const cli = join(repoRoot, 'bin/probebook.mjs');
const TOOLS = ['sudo', 'useradd', 'usermod', 'visudo', 'setpriv'];

/** A folder the user owns, with the lab notebook in it. */
function labFolder(t: TestContext, user: TestUser, cells: Parameters<typeof writeNotebook>[2]): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-cli-root-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeNotebook(dir, 'lab.ipynb', cells);
  chownSync(dir, user.uid, user.gid);
  chownSync(join(dir, 'lab.ipynb'), user.uid, user.gid);
  return dir;
}

/** Runs the CLI as `user`, as they would from their shell (no sudo). */
function probebookAs(user: TestUser, dir: string, args: string[]) {
  return user.run(process.execPath, [cli, ...args], dir);
}

const outputText = (path: string, i: number) =>
  (readNotebookJson(path).cells[i]!.outputs ?? [])
    .map((o) => joinSource(o.text ?? ''))
    .join('')
    .trim();

test('probebook run as a user with a NOPASSWD rule: root cells (bpftrace too) as root, user cells as the user, the file is theirs and opens trusted', async (t) => {
  if (!needs(t, { root: true, tools: [...TOOLS, 'bpftrace'] })) return;
  const user = createTestUser(t, 'pb-cli-sudo');
  const { entry, nodeArgs } = kernelHostUnderTest();
  user.allowSudo(`NOPASSWD: ${[process.execPath, ...nodeArgs, entry].join(' ')} *`);
  const dir = labFolder(t, user, [
    { source: 'echo "root $(id -u)"' },
    { source: 'BEGIN { printf("bpftrace uid %d\\n", uid); exit(); }', probebook: { language: 'bpftrace' } },
    { source: 'echo "user $(id -u)"; touch made-by-user-cell', probebook: { user: true } },
    { source: 'seq 20000 # more than the output limit: the file keeps less than the run saw' },
  ]);
  const run = await probebookAs(user, dir, ['run', 'lab.ipynb', '--out', 'out.ipynb', '-q', '--output-limit', '16KiB']);
  assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
  const out = join(dir, 'out.ipynb');
  assert.equal(outputText(out, 0), 'root 0');
  assert.match(outputText(out, 1), /bpftrace uid 0/);
  assert.equal(outputText(out, 2), `user ${user.uid}`);
  assert.equal(statSync(join(dir, 'made-by-user-cell')).uid, user.uid);
  assert.equal(statSync(out).uid, user.uid, 'the notebook written belongs to the user');

  const check = await probebookAs(user, dir, ['trust', '--check', 'out.ipynb']);
  assert.equal(check.exitCode, 0, `the written notebook opens trusted for the user: ${check.stdout}${check.stderr}`);
  const original = await probebookAs(user, dir, ['trust', '--check', 'lab.ipynb']);
  assert.equal(original.exitCode, 1, 'only what the run wrote is signed');
  assert.match(original.stdout, /not trusted \(3 root cells\)/);
});

test('probebook run as a user with no way to root: nothing runs, the message says how to get root, no hang; --as-user runs every cell as the user', async (t) => {
  if (!needs(t, { root: true, tools: TOOLS })) return;
  const user = createTestUser(t, 'pb-cli-nosudo');
  const dir = labFolder(t, user, [{ source: 'touch user-cell-ran; echo "user $(id -u)"', probebook: { user: true } }, { source: 'echo "root cell $(id -u)"' }]);
  const started = Date.now();
  const run = await probebookAs(user, dir, ['run', 'lab.ipynb', '--out', 'out.ipynb']);
  assert.equal(run.exitCode, 1, `${run.stdout}\n${run.stderr}`);
  assert.ok(Date.now() - started < 30_000, 'no password prompt to hang on');
  assert.match(run.stderr, /nothing ran\. Probebook runs cells as root and could not get root privileges/);
  assert.match(run.stderr, /sudo -n: a password is required/);
  assert.match(run.stderr, /NOPASSWD: .*kernel-host\.js \*/, 'the sudoers line to add');
  assert.match(run.stderr, /pkexec/);
  assert.match(run.stderr, /sudo probebook run NOTEBOOK\.ipynb/);
  assert.match(run.stderr, /probebook run --as-user lab\.ipynb/);
  assert.equal(existsSync(join(dir, 'user-cell-ran')), false, 'no cell ran');
  assert.equal(existsSync(join(dir, 'out.ipynb')), false, 'no file written');

  const asUser = await probebookAs(user, dir, ['run', 'lab.ipynb', '--out', 'out.ipynb', '--as-user']);
  assert.equal(asUser.exitCode, 0, `${asUser.stdout}\n${asUser.stderr}`);
  assert.match(asUser.stderr, new RegExp(`--as-user: every cell runs as ${user.name}, root cells too`));
  const out = join(dir, 'out.ipynb');
  assert.equal(outputText(out, 0), `user ${user.uid}`);
  assert.equal(outputText(out, 1), `root cell ${user.uid}`, 'the root cell ran as the user, as asked');
  const check = await probebookAs(user, dir, ['trust', '--check', 'out.ipynb']);
  assert.equal(check.exitCode, 0, `${check.stdout}${check.stderr}${asUser.stderr}`);
});
