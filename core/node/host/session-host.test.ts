/**
 * The session host's offer of a crashed run's cleanup, with real bash cells (local executor) and
 * a real on-disk ledger: listed in the snapshot, run through the same gate as any execution
 * (trust first), outputs to every window, cells gone since named, the run cleared afterwards;
 * dismissed; stopped (still pending); unknown and malformed run ids refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostMessage } from '../../common/protocol.ts';
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
  next<T extends HostMessage['type']>(type: T, where: (m: Extract<HostMessage, { type: T }>) => boolean = () => true, timeoutMs = 10_000): Promise<Extract<HostMessage, { type: T }>> {
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
  const host = new SessionHost({ root: await ServedRoot.open(dir), executor: async () => executor, runAs: 'root', trust: new TrustStore(state), stateDir: state });
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
    assert.equal(w.messages.some((m) => m.type === 'execution_state' && m.cellId === 'setup'), false, 'only cleanup cells ran');
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
  assert.deepEqual(dismissed.pendingCleanup.map((p) => p.runId), [newer], 'the other run is still offered');
  assert.deepEqual((await second.next('pending_cleanup')).pendingCleanup.map((p) => p.runId), [newer]);
  assert.ok(existsSync(join(l.dir, 'marker')), 'dismissing ran nothing');
  assert.equal(first.messages.some((m) => m.type === 'execution_state'), false);

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
  assert.deepEqual(l.ledger.pendingCleanups(l.notebookPath).map((p) => p.runId), [newer]);
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
  assert.deepEqual(stopped.pendingCleanup.map((p) => p.runId), [runId], 'offered again');
  assert.deepEqual((await other.next('pending_cleanup')).pendingCleanup.map((p) => p.runId), [runId]);
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
  const other = new SessionHost({ root: await ServedRoot.open(l.dir), executor: async () => createLocalExecutor(), runAs: 'root', trust: new TrustStore(join(l.dir, '.state')), stateDir: join(l.dir, '.state') });
  t.after(() => other.dispose());
  const w2 = new Window();
  other.attach(w2);
  w2.say({ type: 'open_notebook', requestId: 'o2', path: 'lab.ipynb' });
  assert.equal((await w2.next('notebook_opened')).snapshot.trusted, true);

  // Edited again and never saved: the backup written when the host ends restores trusted.
  await edit(3);
  await l.host.dispose();
  const third = new SessionHost({ root: await ServedRoot.open(l.dir), executor: async () => createLocalExecutor(), runAs: 'root', trust: new TrustStore(join(l.dir, '.state')), stateDir: join(l.dir, '.state') });
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
  assert.equal(restored.rootCells, undefined);
});
