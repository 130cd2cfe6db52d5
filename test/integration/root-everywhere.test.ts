/**
 * Root done the same way whoever starts Probebook: `probebook run` and `probebook serve` as root
 * run cells in the kernel host too, so they get its containment (nothing a cell starts survives
 * the run or its stop, not even `env -i setsid`), its audit log, `user: true` cells as the
 * invoking user under sudo (a real user with a NOPASSWD rule), and a cleanup ledger that keeps a
 * run until its cleanup cells really ran — checked with real network namespaces and iptables
 * rules when the kernel host is killed and when serve gets Ctrl-C mid-run.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { needs } from '../support/needs.ts';
import { HostClient } from '../support/host-client.ts';
import { createTestUser } from '../support/test-users.ts';
import { writeNotebook, readNotebookJson, joinSource } from '../support/notebooks.ts';
import { startServe } from '../support/probebook-serve.ts';
import { childrenOf } from '../support/processes.ts';
import { isRunning, repoRoot, waitGone } from '../support/root.ts';
import type { AuditRecord } from '../../core/common/protocol.ts';

const cli = join(repoRoot, 'bin/probebook.mjs');

function folder(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The env of a CLI run: its own state folder, without the test runner's NODE_TEST_CONTEXT. */
function cliEnv(state: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  return { ...env, XDG_STATE_HOME: state };
}

/** Pids the cells wrote into `file`, one a line; every survivor is killed (by pid) after the test. */
function pidsIn(t: TestContext, file: string): number[] {
  const pids = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  t.after(() => {
    for (const pid of pids) {
      try {
        if (isRunning(pid)) process.kill(pid, 'SIGKILL');
      } catch (error) {
        // Gone between the check and the kill (a zombie reaped meanwhile): what we wanted.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
  });
  return pids;
}

function audit(state: string): AuditRecord[] {
  const file = join(state, 'probebook/audit.jsonl');
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditRecord)
    : [];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// `setsid` leaves the cell's process group; `env -i` also drops the marker the sweep looks for:
// only the kernel host's cgroup (or its reaper) stops those.
const ESCAPES = ['setsid sleep 300 & echo $! >> pids', 'env -i /usr/bin/setsid /bin/sleep 301 & echo $! >> pids'].join('\n');
const DETACHED_TS = [
  "import { spawn } from 'node:child_process';",
  "import { appendFileSync } from 'node:fs';",
  "const child = spawn('/bin/sleep', ['302'], { detached: true, stdio: 'ignore', env: {} });",
  'child.unref();',
  "appendFileSync('pids', `${child.pid}\\n`);",
].join('\n');

test('probebook run as root: nothing a cell started survives the run (setsid, env -i setsid, a detached TypeScript child), and every cell is audited', async (t) => {
  if (!needs(t, { root: true, tools: ['setsid', 'env'] })) return;
  const dir = folder(t, 'pb-run-contain-');
  const state = join(dir, '.state');
  writeNotebook(dir, 'lab.ipynb', [{ source: ESCAPES }, { source: DETACHED_TS, probebook: { language: 'typescript' } }]);
  const run = await execa(process.execPath, [cli, 'run', 'lab.ipynb', '--out', 'out.ipynb', '-q'], {
    cwd: dir,
    env: cliEnv(state),
    extendEnv: false,
    reject: false,
  });
  assert.equal(run.exitCode, 0, run.stderr);
  const pids = pidsIn(t, join(dir, 'pids'));
  assert.equal(pids.length, 3, 'three escapees were started');
  await waitGone(pids, 10_000);

  const records = audit(state);
  assert.deepEqual(
    records.map((r) => [r.language, r.runAs, r.uid, r.status]),
    [
      ['shell', 'root', 0, 'ok'],
      ['typescript', 'root', 0, 'ok'],
    ],
  );
  assert.equal(records[0]!.codeSha256, sha256(ESCAPES));
  assert.equal(records[0]!.notebookPath, join(dir, 'lab.ipynb'));
});

test('serve as root: a stopped cell leaves nothing behind, even an env -i setsid child; the run is audited', async (t) => {
  if (!needs(t, { root: true, tools: ['setsid', 'env'] })) return;
  const dir = folder(t, 'pb-serve-contain-');
  writeNotebook(dir, 'lab.ipynb', [{ source: `${ESCAPES}\necho started\nsleep 300` }]);
  const serve = await startServe(t, dir);
  const client = await HostClient.signIn(serve.origin, serve.token);
  t.after(() => client.close());
  const snapshot = await client.openTrusted('lab.ipynb');
  const cellId = snapshot.notebook.cells[0]!.id;
  client.send({ type: 'execute_request', requestId: client.id(), notebookId: snapshot.notebookId, cellIds: [cellId] });
  await client.next('output', (m) => m.cellId === cellId && client.text(cellId).includes('started'));
  const pids = pidsIn(t, join(dir, 'pids'));
  assert.equal(pids.length, 2);
  client.send({ type: 'interrupt_request', requestId: client.id(), notebookId: snapshot.notebookId, cellId });
  const ended = await client.next('execution_ended', (m) => m.cellId === cellId);
  assert.equal(ended.status, 'interrupted');
  await waitGone(pids, 10_000);
  const records = audit(join(dir, '.state'));
  assert.deepEqual(
    records.map((r) => [r.cellId, r.runAs, r.uid, r.status]),
    [[cellId, 'root', 0, 'interrupted']],
  );
});

test("sudo probebook run as a user with a NOPASSWD rule: root cells as root, user cells as the user, the file written is the user's, the audit names the user", async (t) => {
  if (!needs(t, { root: true, tools: ['sudo', 'useradd', 'visudo', 'setpriv'] })) return;
  const user = createTestUser(t, 'pb-sudo-run');
  // SETENV: the test keeps root's state (audit log) in its own folder instead of /root.
  user.allowSudo(`NOPASSWD:SETENV: ${process.execPath} ${cli} *`);
  const dir = folder(t, 'pb-sudo-run-');
  chownSync(dir, user.uid, user.gid);
  const state = join(dir, '.root-state');
  writeNotebook(dir, 'lab.ipynb', [{ source: 'echo "root $(id -u)"' }, { source: 'echo "user $(id -u)"; touch made-by-user-cell', probebook: { user: true } }]);
  chownSync(join(dir, 'lab.ipynb'), user.uid, user.gid);
  const run = await user.run('sudo', ['-n', `XDG_STATE_HOME=${state}`, process.execPath, cli, 'run', 'lab.ipynb', '--out', 'out.ipynb', '-q'], dir);
  assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
  const out = readNotebookJson(join(dir, 'out.ipynb'));
  const text = (i: number) => (out.cells[i]!.outputs ?? []).map((o) => joinSource(o.text ?? '')).join('');
  assert.equal(text(0).trim(), 'root 0');
  assert.equal(text(1).trim(), `user ${user.uid}`, 'a user cell runs as the user who ran sudo');
  assert.equal(statSync(join(dir, 'made-by-user-cell')).uid, user.uid);
  assert.equal(statSync(join(dir, 'out.ipynb')).uid, user.uid, 'the notebook written belongs to the user');
  assert.equal(statSync(join(dir, 'out.ipynb')).gid, user.gid);
  // Signed for the user who ran sudo, in their own trust store (by a process running as them).
  const check = await user.run(process.execPath, [cli, 'trust', '--check', 'out.ipynb'], dir);
  assert.equal(check.exitCode, 0, `the file opens trusted for the user: ${check.stdout}${check.stderr}`);
  for (const file of readdirSync(join(user.home, '.local/state/probebook'))) {
    assert.equal(statSync(join(user.home, '.local/state/probebook', file)).uid, user.uid, `${file} in the user's state is the user's`);
  }

  const records = audit(state);
  assert.deepEqual(
    records.map((r) => [r.runAs, r.uid, r.invokedByUid]),
    [
      ['root', 0, user.uid],
      ['user', user.uid, user.uid],
    ],
  );
});

test('sudo probebook serve as a user with a NOPASSWD rule: user cells run as the user and say so, root cells as root', async (t) => {
  if (!needs(t, { root: true, tools: ['sudo', 'useradd', 'visudo', 'setpriv'] })) return;
  const user = createTestUser(t, 'pb-sudo-serve');
  user.allowSudo(`NOPASSWD:SETENV: ${process.execPath} ${cli} *`);
  const dir = folder(t, 'pb-sudo-serve-');
  chownSync(dir, user.uid, user.gid);
  writeNotebook(dir, 'lab.ipynb', [{ source: 'echo "root $(id -u)"' }, { source: 'echo "user $(id -u)"', probebook: { user: true } }]);
  const state = join(dir, '.root-state');
  const serve = await startServe(t, dir, { as: { uid: user.uid, gid: user.gid, env: user.env(), prefix: ['sudo', '-n', `XDG_STATE_HOME=${state}`] } });
  const client = await HostClient.signIn(serve.origin, serve.token);
  t.after(() => client.close());
  const snapshot = await client.openTrusted('lab.ipynb');
  const ids = snapshot.notebook.cells.map((c) => c.id);
  client.send({ type: 'execute_request', requestId: client.id(), notebookId: snapshot.notebookId, cellIds: ids });
  const badges = await Promise.all(ids.map((id) => client.next('execution_state', (m) => m.cellId === id && m.state === 'running')));
  for (const id of ids) await client.next('execution_ended', (m) => m.cellId === id);
  assert.equal(client.text(ids[0]!).trim(), 'root 0');
  assert.equal(client.text(ids[1]!).trim(), `user ${user.uid}`);
  assert.deepEqual(
    badges.map((m) => m.runAs),
    ['root', 'user'],
    'the badge says who the cell ran as',
  );
  assert.deepEqual(
    audit(state).map((r) => [r.runAs, r.uid, r.invokedByUid]),
    [
      ['root', 0, user.uid],
      ['user', user.uid, user.uid],
    ],
  );
});

/** A lab that sets up a namespace and an iptables rule, traces, and undoes both in a cleanup cell. */
function netLab(t: TestContext, dir: string): { tag: string; leftovers(): { namespaces: string[]; rules: string[] } } {
  const tag = `pbt${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
  const rule = ['-m', 'comment', '--comment', tag, '-j', 'ACCEPT'];
  writeNotebook(dir, 'lab.ipynb', [
    { source: `ip netns add ${tag}\niptables -A INPUT ${rule.join(' ')}\necho set up`, probebook: { name: 'setup' } },
    { source: 'echo tracing\nsleep 300', probebook: { name: 'trace' } },
    { source: `ip netns del ${tag}\niptables -D INPUT ${rule.join(' ')}\necho undone`, probebook: { name: 'undo', cleanup: true } },
  ]);
  const leftovers = () => ({
    namespaces: execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.startsWith(tag)),
    rules: execFileSync('iptables', ['-S', 'INPUT'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(tag)),
  });
  t.after(() => {
    // Whatever failed above, the machine is left as it was.
    const left = leftovers();
    if (left.namespaces.length) execFileSync('ip', ['netns', 'del', tag]);
    for (const _ of left.rules) execFileSync('iptables', ['-D', 'INPUT', ...rule]);
  });
  return { tag, leftovers };
}

/** Run All of the net lab from a client, returning once its trace cell runs. */
async function runLabUntilTracing(client: HostClient): Promise<{ notebookId: string; ids: string[] }> {
  const snapshot = await client.openTrusted('lab.ipynb');
  const ids = snapshot.notebook.cells.map((c) => c.id);
  client.send({ type: 'execute_request', requestId: client.id(), notebookId: snapshot.notebookId, cellIds: ids, runAll: true });
  await client.next('output', (m) => m.cellId === ids[1] && client.text(ids[1]!).includes('tracing'));
  return { notebookId: snapshot.notebookId, ids };
}

const runsIn = (dir: string) => {
  const runs = join(dir, '.state/probebook/runs');
  return existsSync(runs) ? readdirSync(runs).filter((n) => n.endsWith('.json')) : [];
};

test('the kernel host killed mid-run: the cleanup stays in the ledger and is offered at once; running it starts a new kernel host and undoes the namespace and the rule', async (t) => {
  if (!needs(t, { root: true, tools: ['ip', 'iptables'] })) return;
  const dir = folder(t, 'pb-kill-host-');
  const lab = netLab(t, dir);
  const serve = await startServe(t, dir);
  const client = await HostClient.signIn(serve.origin, serve.token);
  t.after(() => client.close());
  const { notebookId, ids } = await runLabUntilTracing(client);
  assert.deepEqual(lab.leftovers().namespaces, [lab.tag], 'the lab set up its namespace');

  const hosts = childrenOf(serve.pid);
  assert.equal(hosts.length, 1, 'serve runs one kernel host');
  process.kill(hosts[0]!, 'SIGKILL');

  const undo = await client.next('execution_ended', (m) => m.cellId === ids[2]);
  assert.equal(undo.success, false, 'the cleanup cell could not run');
  const offered = await client.next('pending_cleanup', (m) => m.pendingCleanup.length === 1);
  assert.deepEqual(offered.pendingCleanup[0]!.cellIds, [ids[2]]);
  assert.equal(lab.leftovers().rules.length, 1, 'the rule is still there: nothing was undone');
  assert.equal(runsIn(dir).length, 1, 'the ledger keeps the run');

  const requestId = client.id();
  client.send({ type: 'run_pending_cleanup', requestId, notebookId, runId: offered.pendingCleanup[0]!.runId });
  const resolved = await client.next('pending_cleanup', (m) => m.requestId === requestId);
  assert.equal(resolved.resolved?.outcome, 'ran');
  assert.equal(resolved.resolved?.ok, true);
  assert.deepEqual(resolved.pendingCleanup, []);
  assert.deepEqual(lab.leftovers(), { namespaces: [], rules: [] });
  assert.deepEqual(runsIn(dir), []);
  assert.notEqual(childrenOf(serve.pid)[0], hosts[0], 'a new kernel host ran it');
});

test('serve gets Ctrl-C mid-run: the running cell stops, the cleanup cell runs before serve exits, the ledger is empty', async (t) => {
  if (!needs(t, { root: true, tools: ['ip', 'iptables'] })) return;
  const dir = folder(t, 'pb-ctrl-c-');
  const lab = netLab(t, dir);
  const serve = await startServe(t, dir);
  const client = await HostClient.signIn(serve.origin, serve.token);
  t.after(() => client.close());
  await runLabUntilTracing(client);
  assert.equal(lab.leftovers().rules.length, 1, 'the lab set up its rule');
  assert.equal(runsIn(dir).length, 1);

  process.kill(serve.pid, 'SIGINT');
  await waitGone([serve.pid], 30_000);
  assert.deepEqual(lab.leftovers(), { namespaces: [], rules: [] }, 'the cleanup cell ran before serve exited');
  assert.deepEqual(runsIn(dir), []);
  assert.match(serve.stderr(), /cleanup cells run/);
});

test('serve as root stops on the first Ctrl-C to its process group, as a terminal sends it, after a TypeScript cell ran', async (t) => {
  if (!needs(t, { root: true })) return;
  const dir = folder(t, 'pb-ts-ctrl-c-');
  writeNotebook(dir, 'lab.ipynb', [{ source: 'console.log("typescript ran")', probebook: { language: 'typescript' } }]);
  const serve = await startServe(t, dir, { ownGroup: true });
  const client = await HostClient.signIn(serve.origin, serve.token);
  t.after(() => client.close());
  const snapshot = await client.openTrusted('lab.ipynb');
  const cellId = snapshot.notebook.cells[0]!.id;
  client.send({ type: 'execute_request', requestId: client.id(), notebookId: snapshot.notebookId, cellIds: [cellId] });
  const ended = await client.next('execution_ended', (m) => m.cellId === cellId);
  assert.equal(ended.status, 'ok');
  serve.ctrlC();
  await waitGone([serve.pid], 15_000);
});
