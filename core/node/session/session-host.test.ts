/**
 * The session host's offer of a crashed run's cleanup, with real bash cells (local executor) and
 * a real on-disk ledger: listed in the snapshot, run through the same gate as any execution
 * (trust first), outputs to every window, cells gone since named, the run cleared afterwards;
 * dismissed; stopped (still pending); unknown and malformed run ids refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostMessage, RunAs } from '../../common/protocol.ts';
import { needs } from '../../../test/support/needs.ts';
import { createLocalExecutor } from '../run/local-executor.ts';
import { CleanupLedger } from './cleanup-ledger.ts';
import { ServedRoot } from './served-root.ts';
import { SessionHost, type Connection } from './session-host.ts';
import { TrustStore } from './trust.ts';

/** One window on the host: what it was sent, and waiting for a message. */
class Window implements Connection {
  readonly messages: HostMessage[] = [];
  #listener: (raw: unknown) => void = () => undefined;
  #waiters: { match: (m: HostMessage) => boolean; resolve: (m: HostMessage) => void }[] = [];
  send(message: HostMessage): void {
    const m = JSON.parse(JSON.stringify(message)) as HostMessage; // as it would cross the wire
    this.messages.push(m);
    this.#waiters = this.#waiters.filter((w) => (w.match(m) ? (w.resolve(m), false) : true));
  }
  onMessage(listener: (raw: unknown) => void): void {
    this.#listener = listener;
  }
  onClose(): void {}
  say(message: object): void {
    this.#listener(message);
  }
  next<T extends HostMessage['type']>(
    type: T,
    where: (m: Extract<HostMessage, { type: T }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<HostMessage, { type: T }>> {
    const match = (m: HostMessage) => m.type === type && where(m as Extract<HostMessage, { type: T }>);
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen as Extract<HostMessage, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms; got ${this.messages.map((x) => x.type).join(', ')}`)), timeoutMs);
      this.#waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m as Extract<HostMessage, { type: T }>)) });
    });
  }
}

interface Lab {
  dir: string;
  host: SessionHost;
  ledger: CleanupLedger;
  notebookPath: string;
  /** Records a run of the notebook by a process that is gone (as a crash leaves it). */
  crashedRun(cellIds: string[]): string;
  open(w: Window): Promise<Extract<HostMessage, { type: 'notebook_opened' }>['snapshot']>;
}

type TestCell = { id: string; source: string; type?: 'code' | 'markdown'; cleanup?: boolean };

async function lab(t: { after(fn: () => unknown): void }, cells: TestCell[]): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), 'pb-session-cleanup-'));
  const state = join(dir, '.state');
  const notebookPath = join(dir, 'lab.ipynb');
  writeFileSync(
    notebookPath,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: cells.map((c) =>
        c.type === 'markdown'
          ? { id: c.id, cell_type: 'markdown', metadata: {}, source: c.source }
          : { id: c.id, cell_type: 'code', metadata: c.cleanup ? { probebook: { cleanup: true } } : {}, source: c.source, outputs: [], execution_count: null },
      ),
    }),
  );
  const executor = createLocalExecutor();
  const host = new SessionHost({
    root: await ServedRoot.open(dir),
    executor: async () => executor,
    runAs: 'root',
    trust: new TrustStore(state),
    stateDir: state,
  });
  t.after(async () => {
    await host.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const ledger = new CleanupLedger(join(state, 'runs'));
  return {
    dir,
    host,
    ledger,
    notebookPath,
    crashedRun(cellIds) {
      const runId = ledger.beginRun(notebookPath, cellIds);
      // Its process is gone: the same pid, started at another time, is another process.
      const file = join(ledger.dir, `${runId}.json`);
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), startedAt: Date.parse('2024-05-01T10:00:00Z'), pidStartTime: '1' }));
      return runId;
    },
    async open(w) {
      host.attach(w);
      w.say({ type: 'open_notebook', requestId: `open-${Math.random()}`, path: 'lab.ipynb' });
      return (await w.next('notebook_opened')).snapshot;
    },
  };
}

test('a crashed run is offered on open; running it asks for trust first, runs the cells still there, names the gone ones, tells every window and clears the run', async (t) => {
  if (!needs(t, { tools: ['bash'] })) return;
  const l = await lab(t, [
    { id: 'setup', source: 'echo set up' },
    { id: 'undo', source: 'echo undoing; rm -f marker; echo undone', cleanup: true },
    { id: 'notes', source: 'was a cleanup cell once', type: 'markdown' },
  ]);
  writeFileSync(join(l.dir, 'marker'), '');
  const runId = l.crashedRun(['undo', 'deleted-since', 'notes']);
  const first = new Window();
  const second = new Window();
  const snapshot = await l.open(first);
  assert.deepEqual(snapshot.pendingCleanup, [{ runId, startedAt: Date.parse('2024-05-01T10:00:00Z'), cellIds: ['undo', 'deleted-since', 'notes'] }]);
  assert.equal((await l.open(second)).notebookId, snapshot.notebookId);

  // The notebook is not trusted here: the cleanup cells run as root, so the question comes first.
  first.say({ type: 'run_pending_cleanup', requestId: 'c0', notebookId: snapshot.notebookId, runId });
  assert.equal((await first.next('error', (m) => m.requestId === 'c0')).code, 'untrusted');
  assert.equal(l.ledger.pendingCleanups(l.notebookPath).length, 1, 'still pending');
  assert.ok(existsSync(join(l.dir, 'marker')), 'nothing ran');

  first.say({ type: 'trust_request', requestId: 't', notebookId: snapshot.notebookId });
  await first.next('pong');
  first.say({ type: 'run_pending_cleanup', requestId: 'c1', notebookId: snapshot.notebookId, runId });
  const done = await first.next('pending_cleanup', (m) => m.requestId === 'c1');
  assert.deepEqual(done.pendingCleanup, []);
  assert.deepEqual(done.resolved, {
    runId,
    outcome: 'ran',
    ranCellIds: ['undo'],
    ok: true,
    skippedCells: [
      { cellId: 'deleted-since', reason: 'deleted' },
      { cellId: 'notes', reason: 'not_code' },
    ],
  });
  assert.equal(existsSync(join(l.dir, 'marker')), false, 'the cleanup cell ran in the notebook folder');
  assert.deepEqual(l.ledger.pendingCleanups(l.notebookPath), [], 'the run left the ledger');

  // The other window saw the cell run, its output, and the offer go.
  for (const w of [first, second]) {
    assert.equal((await w.next('execution_state', (m) => m.cellId === 'undo' && m.state === 'running')).requestId, 'c1');
    const outputs = w.messages.filter((m): m is Extract<HostMessage, { type: 'output' }> => m.type === 'output' && m.cellId === 'undo');
    const text = outputs.map((m) => (m.edit.kind === 'add' ? String(m.edit.output.items[0]?.data) : m.edit.kind === 'append' ? m.edit.text : '')).join('');
    assert.equal(text, 'undoing\nundone\n');
    assert.equal((await w.next('execution_ended', (m) => m.cellId === 'undo')).success, true);
    assert.deepEqual((await w.next('pending_cleanup')).pendingCleanup, []);
    assert.equal(
      w.messages.some((m) => m.type === 'execution_state' && m.cellId === 'setup'),
      false,
      'only cleanup cells ran',
    );
  }

  // Done: a second ask names it as gone, and a reopened window is not offered it.
  second.say({ type: 'run_pending_cleanup', requestId: 'c2', notebookId: snapshot.notebookId, runId });
  const gone = await second.next('error', (m) => m.requestId === 'c2');
  assert.equal(gone.code, 'not_found');
  assert.match(gone.message, /no pending cleanup of a run .* it was run or dismissed already/);
  const third = new Window();
  assert.deepEqual((await l.open(third)).pendingCleanup, []);
});

test('dismissing forgets the run without running anything; unknown and malformed run ids are refused', async (t) => {
  if (!needs(t, { tools: ['bash'] })) return;
  const l = await lab(t, [{ id: 'undo', source: 'rm -f marker', cleanup: true }]);
  writeFileSync(join(l.dir, 'marker'), '');
  const older = l.crashedRun(['undo']);
  const newer = l.crashedRun(['undo']);
  const first = new Window();
  const second = new Window();
  const { notebookId, pendingCleanup } = await l.open(first);
  await l.open(second);
  assert.deepEqual(new Set(pendingCleanup?.map((p) => p.runId)), new Set([older, newer]));

  first.say({ type: 'dismiss_pending_cleanup', requestId: 'd1', notebookId, runId: older });
  const dismissed = await first.next('pending_cleanup', (m) => m.requestId === 'd1');
  assert.deepEqual(dismissed.resolved, { runId: older, outcome: 'dismissed', ranCellIds: [], ok: true, skippedCells: [] });
  assert.deepEqual(
    dismissed.pendingCleanup.map((p) => p.runId),
    [newer],
    'the other run is still offered',
  );
  assert.deepEqual(
    (await second.next('pending_cleanup')).pendingCleanup.map((p) => p.runId),
    [newer],
  );
  assert.ok(existsSync(join(l.dir, 'marker')), 'dismissing ran nothing');
  assert.equal(
    first.messages.some((m) => m.type === 'execution_state'),
    false,
  );

  first.say({ type: 'dismiss_pending_cleanup', requestId: 'd2', notebookId, runId: older });
  assert.equal((await first.next('error', (m) => m.requestId === 'd2')).code, 'not_found');
  first.say({ type: 'run_pending_cleanup', requestId: 'd3', notebookId, runId: '11111111-2222-4333-8444-555555555555' });
  assert.equal((await first.next('error', (m) => m.requestId === 'd3')).code, 'not_found');
  first.say({ type: 'run_pending_cleanup', requestId: 'd4', notebookId, runId: '../../trust-secret' });
  const bad = await first.next('error', (m) => m.requestId === 'd4');
  assert.equal(bad.code, 'bad_message');
  assert.match(bad.message, /runId must be a run id/);
  first.say({ type: 'dismiss_pending_cleanup', requestId: 'd5', notebookId: 'no-such-notebook', runId: newer });
  assert.equal((await first.next('error', (m) => m.requestId === 'd5')).code, 'not_found');
  assert.deepEqual(
    l.ledger.pendingCleanups(l.notebookPath).map((p) => p.runId),
    [newer],
  );
});

test('a cleanup the user stops stays pending, and one already running is not started twice', async (t) => {
  if (!needs(t, { tools: ['bash', 'sleep'] })) return;
  const l = await lab(t, [{ id: 'undo', source: 'echo slow-undo; sleep 30', cleanup: true }]);
  const runId = l.crashedRun(['undo']);
  const w = new Window();
  const { notebookId } = await l.open(w);
  w.say({ type: 'trust_request', requestId: 't', notebookId });
  await w.next('pong');
  w.say({ type: 'run_pending_cleanup', requestId: 'c1', notebookId, runId });
  await w.next('output', (m) => m.cellId === 'undo');
  w.say({ type: 'run_pending_cleanup', requestId: 'c2', notebookId, runId });
  assert.equal((await w.next('error', (m) => m.requestId === 'c2')).code, 'conflict');
  w.say({ type: 'dismiss_pending_cleanup', requestId: 'c3', notebookId, runId });
  assert.equal((await w.next('error', (m) => m.requestId === 'c3')).code, 'conflict');
  const other = new Window();
  assert.deepEqual((await l.open(other)).pendingCleanup, [], 'a window opened meanwhile is not offered the running one');

  w.say({ type: 'interrupt_request', requestId: 'i', notebookId });
  const stopped = await w.next('pending_cleanup', (m) => m.requestId === 'c1');
  assert.equal(stopped.resolved?.outcome, 'stopped');
  assert.equal(stopped.resolved?.ok, false);
  assert.deepEqual(
    stopped.pendingCleanup.map((p) => p.runId),
    [runId],
    'offered again',
  );
  assert.deepEqual(
    (await other.next('pending_cleanup')).pendingCleanup.map((p) => p.runId),
    [runId],
  );
  assert.equal(l.ledger.pendingCleanups(l.notebookPath).length, 1);
});

test('a trusted notebook stays trusted through its own edits; their signature is recorded when they leave memory (a save, a backup), not on every edit', async (t) => {
  const l = await lab(t, [{ id: 'a', source: 'echo one' }]);
  const signatures = () => Object.keys(JSON.parse(readFileSync(join(l.dir, '.state', 'trust-signatures.json'), 'utf8')).signatures as object);
  const w = new Window();
  const { notebookId } = await l.open(w);
  w.say({ type: 'trust_request', requestId: 't', notebookId });
  await w.next('pong');
  assert.equal(signatures().length, 1);
  const edit = (n: number) => {
    w.say({ type: 'edit', requestId: `e${n}`, notebookId, baseVersion: n, edits: [{ kind: 'set_source', cellId: 'a', source: `echo ${n + 2}` }] });
    return w.next('notebook_changed', (m) => m.version === n + 1);
  };
  for (let n = 0; n < 3; n++) await edit(n);
  assert.equal(signatures().length, 1, 'no signature per edit');
  assert.ok(!w.messages.some((m) => m.type === 'notebook_state' && m.trusted === false), 'still trusted');

  // Saved: the file as it is now opens trusted in another host.
  w.say({ type: 'save_request', requestId: 's', notebookId });
  await w.next('saved');
  assert.equal(signatures().length, 2);
  const other = new SessionHost({
    root: await ServedRoot.open(l.dir),
    executor: async () => createLocalExecutor(),
    runAs: 'root',
    trust: new TrustStore(join(l.dir, '.state')),
    stateDir: join(l.dir, '.state'),
  });
  t.after(() => other.dispose());
  const w2 = new Window();
  other.attach(w2);
  w2.say({ type: 'open_notebook', requestId: 'o2', path: 'lab.ipynb' });
  assert.equal((await w2.next('notebook_opened')).snapshot.trusted, true);

  // Edited again and never saved: the backup written when the host ends restores trusted.
  await edit(3);
  await l.host.dispose();
  const third = new SessionHost({
    root: await ServedRoot.open(l.dir),
    executor: async () => createLocalExecutor(),
    runAs: 'root',
    trust: new TrustStore(join(l.dir, '.state')),
    stateDir: join(l.dir, '.state'),
  });
  t.after(() => third.dispose());
  const w3 = new Window();
  third.attach(w3);
  w3.say({ type: 'open_notebook', requestId: 'o3', path: 'lab.ipynb' });
  const reopened = (await w3.next('notebook_opened')).snapshot;
  assert.ok(reopened.backup, 'the unsaved edit is offered back');
  w3.say({ type: 'restore_backup', requestId: 'r', notebookId: reopened.notebookId });
  const restored = (await w3.next('notebook_opened', (m) => m.requestId === 'r')).snapshot;
  assert.equal(restored.notebook.cells[0]!.source, 'echo 5');
  assert.equal(restored.trusted, true);
  assert.equal(restored.review, undefined);
});

/** Rewrites the lab's notebook with notebook metadata and cells of our own (probebook options per cell). */
function writeLabNotebook(path: string, metadata: Record<string, unknown>, cells: { id: string; source: string; probebook?: Record<string, unknown> }[]): void {
  writeFileSync(
    path,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata,
      cells: cells.map((c) => ({
        id: c.id,
        cell_type: 'code',
        metadata: c.probebook ? { probebook: c.probebook } : {},
        source: c.source,
        outputs: [],
        execution_count: null,
      })),
    }),
  );
}

/** A host on the lab's folder and state, as another start of Probebook would be. */
async function anotherHost(t: { after(fn: () => unknown): void }, l: Lab, runAs: RunAs = 'root'): Promise<SessionHost> {
  const state = join(l.dir, '.state');
  const host = new SessionHost({
    root: await ServedRoot.open(l.dir),
    executor: async () => createLocalExecutor(),
    runAs,
    trust: new TrustStore(state),
    stateDir: state,
  });
  t.after(() => host.dispose());
  return host;
}

async function openIn(host: SessionHost, path: string): Promise<{ w: Window; snapshot: Extract<HostMessage, { type: 'notebook_opened' }>['snapshot'] }> {
  const w = new Window();
  host.attach(w);
  w.say({ type: 'open_notebook', requestId: `open-${path}`, path });
  return { w, snapshot: (await w.next('notebook_opened')).snapshot };
}

test('saving never trusts: Save, Save As and a forced save leave an untrusted notebook untrusted, and running it still asks', async (t) => {
  if (!needs(t, { tools: ['bash'] })) return;
  const l = await lab(t, [{ id: 'a', source: 'echo ran > ran.txt' }]);
  const w = new Window();
  const { notebookId, trusted } = await l.open(w);
  assert.equal(trusted, false);
  w.say({ type: 'save_request', requestId: 's1', notebookId });
  await w.next('saved', (m) => m.requestId === 's1');
  w.say({ type: 'save_request', requestId: 's2', notebookId, path: 'copy.ipynb' });
  await w.next('saved', (m) => m.requestId === 's2');
  w.say({ type: 'save_request', requestId: 's3', notebookId, force: true });
  await w.next('saved', (m) => m.requestId === 's3');
  assert.deepEqual(
    w.messages.filter((m) => m.type === 'notebook_state').map((m) => m.type === 'notebook_state' && m.trusted),
    [false, false, false],
  );

  // Run All after the saves still meets the question, and nothing ran.
  w.say({ type: 'execute_request', requestId: 'x', notebookId, cellIds: ['a'], runAll: true });
  assert.equal((await w.next('error', (m) => m.requestId === 'x')).code, 'untrusted');
  assert.equal(existsSync(join(l.dir, 'ran.txt')), false);
  assert.equal(existsSync(join(l.dir, '.state', 'trust-signatures.json')), false, 'no signature was recorded');

  // Nor did the files become trusted for the next start.
  const next = await anotherHost(t, l);
  for (const path of ['lab.ipynb', 'copy.ipynb']) assert.equal((await openIn(next, path)).snapshot.trusted, false, path);
});

test('a run without the question (cells run as the user) does not make the notebook trusted', async (t) => {
  if (!needs(t, { tools: ['bash'] })) return;
  const l = await lab(t, [{ id: 'a', source: 'echo hi' }]);
  const host = await anotherHost(t, l, 'user');
  const { w, snapshot } = await openIn(host, 'lab.ipynb');
  assert.equal(snapshot.trusted, false);
  w.say({ type: 'execute_request', requestId: 'x', notebookId: snapshot.notebookId, cellIds: ['a'] });
  assert.equal((await w.next('execution_ended', (m) => m.cellId === 'a')).success, true);
  w.say({ type: 'save_request', requestId: 's', notebookId: snapshot.notebookId });
  await w.next('saved');
  assert.ok(!w.messages.some((m) => m.type === 'notebook_state' && m.trusted), 'never reported trusted');
  assert.equal((await openIn(await anotherHost(t, l), 'lab.ipynb')).snapshot.trusted, false, 'and not trusted as root later');
});

test("an untrusted notebook's snapshot shows every code cell with its language as it will run, and the parameters with their values", async (t) => {
  const l = await lab(t, []);
  writeLabNotebook(
    l.notebookPath,
    { kernelspec: { name: 'tslab', display_name: 'TypeScript' }, probebook: { parameters: { IFACE: 'veth0', N: 3, PATH: '.' } } },
    [
      { id: 'k', source: 'console.log(process.env.IFACE)' },
      { id: 'm', source: '%%bash\nip -br link' },
      { id: 'b', source: 'BEGIN { exit(); }', probebook: { language: 'bpftrace' } },
      { id: 'u', source: 'touch prepared', probebook: { user: true, language: 'shell' } },
      { id: 'x', source: 'ls', probebook: { timeout: 'soon' } },
    ],
  );
  const { review, trusted } = await l.open(new Window());
  assert.equal(trusted, false);
  assert.deepEqual(
    review?.cells.map((c) => [c.cellId, c.index, c.runAs, c.language, c.languageSource, c.source]),
    [
      ['k', 0, 'root', 'typescript', 'kernelspec', 'console.log(process.env.IFACE)'],
      ['m', 1, 'root', 'shell', 'magic', '%%bash\nip -br link'],
      ['b', 2, 'root', 'bpftrace', 'metadata', 'BEGIN { exit(); }'],
      ['u', 3, 'user', 'shell', 'metadata', 'touch prepared'],
      ['x', 4, 'root', null, null, 'ls'],
    ],
  );
  assert.match(review!.cells[4]!.problem ?? '', /cell 5: metadata\.probebook\.timeout: "soon" is not a duration/);
  assert.deepEqual(review?.parameters, [
    { name: 'IFACE', value: 'veth0' },
    { name: 'N', value: '3' },
    { name: 'PATH', value: '.', refused: 'parameter PATH is refused: it chooses which programs run; rename it (e.g. LAB_PATH)' },
  ]);
});

test('a notebook with a refused parameter cannot run: each cell fails naming it, and nothing runs', async (t) => {
  if (!needs(t, { tools: ['bash'] })) return;
  const l = await lab(t, []);
  writeLabNotebook(l.notebookPath, { probebook: { language: 'shell', parameters: { PATH: '.' } } }, [{ id: 'a', source: 'echo ran > ran.txt' }]);
  const w = new Window();
  const { notebookId } = await l.open(w);
  w.say({ type: 'trust_request', requestId: 't', notebookId });
  await w.next('pong');
  w.say({ type: 'execute_request', requestId: 'x', notebookId, cellIds: ['a'], runAll: true });
  const ended = await w.next('execution_ended', (m) => m.cellId === 'a');
  assert.equal(ended.success, false);
  assert.match(ended.error?.evalue ?? '', /parameter PATH is refused: it chooses which programs run/);
  assert.equal(existsSync(join(l.dir, 'ran.txt')), false);
});

test('a notebook created here is trusted from its first byte; its own edits and saves keep it so', async (t) => {
  const l = await lab(t, []);
  const w = new Window();
  l.host.attach(w);
  w.say({ type: 'create_notebook', requestId: 'c', path: 'new.ipynb' });
  const { snapshot } = await w.next('notebook_opened', (m) => m.requestId === 'c');
  assert.equal(snapshot.trusted, true);
  assert.equal(snapshot.review, undefined);
  const cellId = snapshot.notebook.cells[0]!.id;
  w.say({ type: 'edit', requestId: 'e', notebookId: snapshot.notebookId, baseVersion: 0, edits: [{ kind: 'set_source', cellId, source: 'ip -br link' }] });
  await w.next('notebook_changed');
  w.say({ type: 'save_request', requestId: 's', notebookId: snapshot.notebookId });
  await w.next('saved');
  assert.equal((await openIn(await anotherHost(t, l), 'new.ipynb')).snapshot.trusted, true);
});

test("a run ends on one execute_reply, after its last cell's end, with the run's summary; only the window that asked gets it", async (t) => {
  if (!needs(t, { tools: ['bash'] })) return;
  const l = await lab(t, [
    { id: 'a', source: 'echo a' },
    { id: 'b', source: 'exit 3' },
    { id: 'c', source: 'echo never' },
    { id: 'undo', source: 'echo undone', cleanup: true },
  ]);
  const w = new Window();
  const other = new Window();
  const { notebookId } = await l.open(w);
  await l.open(other);
  w.say({ type: 'trust_request', requestId: 't', notebookId });
  await w.next('pong');
  w.say({ type: 'execute_request', requestId: 'x', notebookId, cellIds: [], runAll: true });
  const reply = await w.next('execute_reply', (m) => m.requestId === 'x');
  assert.equal(reply.notebookId, notebookId);
  assert.deepEqual(reply.summary, {
    ok: false,
    interrupted: false,
    failedCellId: 'b',
    cells: [
      { cellId: 'a', status: 'ok', success: true, durationMs: reply.summary.cells[0]!.durationMs, ran: true },
      { cellId: 'b', status: 'failed', success: false, durationMs: reply.summary.cells[1]!.durationMs, ran: true },
      { cellId: 'undo', status: 'ok', success: true, durationMs: reply.summary.cells[2]!.durationMs, ran: true },
    ],
  });
  // Whatever the link carries next comes after it: nothing of the run may.
  w.say({ type: 'ping', requestId: 'p' });
  await w.next('pong', (m) => m.requestId === 'p');
  const ofRun = w.messages.filter((m) => 'requestId' in m && m.requestId === 'x').map((m) => (m.type === 'execution_ended' ? `${m.type}:${m.cellId}` : m.type));
  assert.equal(ofRun.at(-1), 'execute_reply', 'the reply comes last');
  assert.equal(ofRun.filter((type) => type === 'execute_reply').length, 1, 'once');
  assert.deepEqual(
    ofRun.filter((type) => type.startsWith('execution_ended')),
    ['execution_ended:a', 'execution_ended:b', 'execution_ended:c', 'execution_ended:undo'],
    'every cell ended before it, the skipped one too',
  );
  assert.ok(
    other.messages.some((m) => m.type === 'execution_ended' && m.cellId === 'undo'),
    'the other window sees the run',
  );
  assert.ok(!other.messages.some((m) => m.type === 'execute_reply'), 'but not the reply to a request it did not make');
});

test("after a run every window gets the run's environment as a notebook metadata edit; the notebook stays trusted and the saved file keeps it", async (t) => {
  if (!needs(t, { tools: ['bash'] })) return;
  const l = await lab(t, [{ id: 'a', source: 'echo a' }]);
  const w = new Window();
  const other = new Window();
  const { notebookId } = await l.open(w);
  await l.open(other);
  w.say({ type: 'trust_request', requestId: 't', notebookId });
  await w.next('pong');
  const before = Date.now();
  w.say({ type: 'execute_request', requestId: 'x', notebookId, cellIds: ['a'] });
  await w.next('execute_reply', (m) => m.requestId === 'x');
  const isEnvironment = (m: Extract<HostMessage, { type: 'notebook_changed' }>) => m.edits.some((e) => e.kind === 'set_notebook_metadata');
  const changed = await other.next('notebook_changed', isEnvironment);
  const edit = changed.edits[0] as unknown as { metadata: { probebook: { environment: Record<string, unknown> } } };
  const env = edit.metadata.probebook.environment;
  assert.deepEqual(Object.keys(env).sort(), ['cpus', 'distribution', 'features', 'kernel', 'recordedAt', 'tools']);
  assert.ok(Date.parse(env.recordedAt as string) >= before - 1000);
  w.say({ type: 'save_request', requestId: 's', notebookId });
  await w.next('saved');
  const saved = JSON.parse(readFileSync(l.notebookPath, 'utf8'));
  assert.deepEqual(saved.metadata.probebook.environment, env);
  assert.equal((await openIn(await anotherHost(t, l), 'lab.ipynb')).snapshot.trusted, true, 'still trusted when opened again');
});

test('an nbformat 3 file opens with a note that it was converted; its first save keeps the original and says where', async (t) => {
  const l = await lab(t, []);
  copyFileSync(join(import.meta.dirname, '../../../test/fixtures/notebooks/nbformat3-bash-worksheets.ipynb'), l.notebookPath);
  const original = readFileSync(l.notebookPath);
  const w = new Window();
  const snapshot = await l.open(w);
  assert.deepEqual(snapshot.converted, { from: '3.0' });
  assert.deepEqual(
    snapshot.notebook.cells.map((c) => c.source),
    ['First worksheet', 'echo one', '### Second worksheet', 'echo two'],
  );
  w.say({ type: 'save_request', requestId: 's', notebookId: snapshot.notebookId });
  const saved = await w.next('saved', (m) => m.requestId === 's');
  assert.equal(saved.originalKept, 'lab.nbformat3.ipynb');
  assert.deepEqual(readFileSync(join(l.dir, 'lab.nbformat3.ipynb')), original);
  assert.equal(JSON.parse(readFileSync(l.notebookPath, 'utf8')).nbformat_minor, 5);
  w.say({ type: 'save_request', requestId: 's2', notebookId: snapshot.notebookId });
  assert.equal((await w.next('saved', (m) => m.requestId === 's2')).originalKept, undefined, 'once');
  const again = new Window();
  l.host.attach(again);
  again.say({ type: 'open_notebook', requestId: 'o2', path: 'lab.ipynb' });
  assert.equal((await again.next('notebook_opened')).snapshot.converted, undefined, 'the file is 4.5 now');
});
