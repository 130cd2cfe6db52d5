/**
 * `ready` of a `user: true` cell is checked by the user's own kernel host, as the user: its port
 * is found among that host's processes, and a file only root can see is not there for it. Run as
 * `sudo probebook run` runs for a real user made here (root, with SUDO_UID/SUDO_GID naming them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../support/needs.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { repoRoot } from '../support/root.ts';
import { createTestUser } from '../support/test-users.ts';

const cli = join(repoRoot, 'bin/probebook.mjs');

test("a user cell's ready: its port is watched by the user's host, and a file only root can see never makes it ready", async (t) => {
  if (!needs(t, { root: true, tools: ['useradd', 'usermod', 'setpriv', '/usr/bin/python3'] })) return;
  const user = createTestUser(t, 'pb-ready-user');
  const dir = mkdtempSync(join(tmpdir(), 'pb-ready-user-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A file in /root (mode 700): root sees it, the user does not.
  const rootOnly = `/root/.pb-ready-user-${process.pid}`;
  writeFileSync(rootOnly, '');
  t.after(() => rmSync(rootOnly, { force: true }));
  const port = 20_000 + ((process.pid + 7) % 20_000);
  const server = `import os, socket; s = socket.socket(); s.bind(("127.0.0.1", ${port})); s.listen(); print("listening as", os.getuid(), flush=True); s.accept()`;
  writeNotebook(dir, 'lab.ipynb', [
    { source: `/usr/bin/python3 -c '${server}'`, probebook: { name: 'server', user: true, background: true, ready: { port } } },
    { source: `/usr/bin/python3 -c 'import socket; socket.create_connection(("127.0.0.1", ${port})); print("connected")'`, probebook: { name: 'client' } },
    { source: 'exec sleep 600', probebook: { name: 'peek', user: true, background: true, ready: { file: rootOnly, timeout: '1s' } } },
    { source: 'echo "cleanup ran"', probebook: { name: 'undo', cleanup: true } },
  ]);
  chownSync(dir, user.uid, user.gid);
  chownSync(join(dir, 'lab.ipynb'), user.uid, user.gid);

  const env: NodeJS.ProcessEnv = { ...process.env, ...user.env(), SUDO_UID: String(user.uid), SUDO_GID: String(user.gid), SUDO_USER: user.name };
  delete env.NODE_TEST_CONTEXT;
  const run = await new Promise<{ exitCode: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [cli, 'run', 'lab.ipynb', '--out', 'out.ipynb'], { cwd: dir, env }, (error, stdout, stderr) =>
      resolve({ exitCode: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
  assert.equal(run.exitCode, 1, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stderr, /server ready after/);
  assert.match(run.stderr, new RegExp(`peek failed: cell 3 \\(peek\\) was not ready after 1s: it waited for file ${rootOnly}`));
  assert.match(run.stderr, /undo ok/);
  const nb = JSON.parse(readFileSync(join(dir, 'out.ipynb'), 'utf8'));
  const text = (i: number) => (nb.cells[i].outputs as { text?: string[] }[]).map((o) => (o.text ?? []).join('')).join('');
  assert.equal(text(0), `listening as ${user.uid}\n`);
  assert.equal(text(1), 'connected\n');
  assert.equal(text(3), 'cleanup ran\n');
});
