import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIME } from '../../core/common/mime.ts';
import type { Notebook } from '../../core/common/notebook/model.ts';
import type { NotebookEdit, NotebookSnapshot } from '../../core/common/protocol.ts';
import { within } from '../../test/support/within.ts';
import { NotebookDocument, type DocumentEvent } from './notebook-document.ts';

function notebook(): Notebook {
  const cell = (id: string, source: string) => ({ id, cellType: 'code' as const, source, metadata: {}, outputs: [], executionCount: null });
  return { nbformat: 4, nbformatMinor: 5, metadata: {}, cells: [cell('a', 'echo a'), cell('b', 'echo b'), cell('c', 'echo c')] };
}

function open(delayMs = 1000) {
  const sent: { id: string; edits: NotebookEdit[]; baseVersion: number }[] = [];
  let onSend: (() => void) | undefined;
  /** Resolves when the document sends its next batch of edits. */
  const nextSend = () => within(new Promise<void>((resolve) => (onSend = resolve)), 5000, 'the edits to be sent');
  const snapshot: NotebookSnapshot = {
    notebookId: 'n1',
    path: 'lab.ipynb',
    title: 'lab.ipynb',
    version: 3,
    dirty: false,
    readOnly: false,
    trusted: true,
    notebook: notebook(),
    cellStates: {},
  };
  const doc = new NotebookDocument(
    snapshot,
    {
      sendEdits(edits, baseVersion) {
        const id = `r${sent.length + 1}`;
        sent.push({ id, edits, baseVersion });
        onSend?.();
        return id;
      },
    },
    delayMs,
  );
  const events: DocumentEvent[] = [];
  doc.on((e) => events.push(e));
  return { doc, sent, events, nextSend };
}

test('local edits apply at once, are sent against the known version, and their echo is not applied twice', () => {
  const { doc, sent } = open();
  doc.edit([{ kind: 'insert_cell', index: 1, cell: { id: 'x', cellType: 'markdown', source: '# hi', metadata: {} } }]);
  assert.deepEqual(
    doc.cells.map((c) => c.id),
    ['a', 'x', 'b', 'c'],
  );
  assert.equal(sent[0]!.baseVersion, 3);
  assert.equal(doc.dirty, true, 'unconfirmed edits count as unsaved');
  assert.equal(doc.applyChanged({ type: 'notebook_changed', notebookId: 'n1', version: 4, edits: sent[0]!.edits, origin: sent[0]!.id }), true);
  assert.deepEqual(
    doc.cells.map((c) => c.id),
    ['a', 'x', 'b', 'c'],
    'the echo is not inserted again',
  );
  assert.equal(doc.version, 4);
  assert.equal(doc.lastChangeWasOurs, true);
  doc.applyChanged({ type: 'notebook_changed', notebookId: 'n1', version: 5, edits: [{ kind: 'set_source', cellId: 'a', source: 'x' }], origin: 'other-tab' });
  assert.equal(doc.lastChangeWasOurs, false, "another window's change is not ours");
});

test("another window's edits apply here, and one that does not fit asks for a fresh snapshot", () => {
  const { doc, events } = open();
  assert.equal(
    doc.applyChanged({
      type: 'notebook_changed',
      notebookId: 'n1',
      version: 4,
      edits: [
        { kind: 'move_cell', cellId: 'c', toIndex: 0 },
        { kind: 'set_source', cellId: 'a', source: 'ls' },
      ],
      origin: 'other-tab',
    }),
    true,
  );
  assert.deepEqual(
    doc.cells.map((c) => c.id),
    ['c', 'a', 'b'],
  );
  assert.equal(doc.cell('a')!.source, 'ls');
  assert.deepEqual(
    events.filter((e) => e.kind === 'source'),
    [{ kind: 'source', cellId: 'a', remote: true }],
  );
  assert.equal(doc.applyChanged({ type: 'notebook_changed', notebookId: 'n1', version: 5, edits: [{ kind: 'delete_cell', cellId: 'gone' }] }), false);
});

test('typing is coalesced into one set_source, sent before the next edit', () => {
  const { doc, sent } = open();
  doc.setSource('b', 'e');
  doc.setSource('b', 'ec');
  doc.setSource('b', 'echo');
  assert.equal(sent.length, 0, 'nothing sent while typing');
  assert.equal(doc.dirty, true);
  doc.edit([{ kind: 'delete_cell', cellId: 'c' }]);
  assert.deepEqual(
    sent.map((s) => s.edits),
    [[{ kind: 'set_source', cellId: 'b', source: 'echo' }], [{ kind: 'delete_cell', cellId: 'c' }]],
  );
});

test('typing is sent after a pause', async () => {
  const { doc, sent, nextSend } = open(5);
  const sending = nextSend();
  doc.setSource('a', 'uname -a');
  assert.equal(sent.length, 0, 'not at once');
  await sending;
  assert.deepEqual(sent[0]?.edits, [{ kind: 'set_source', cellId: 'a', source: 'uname -a' }]);
});

test("a remote source does not overwrite this window's unsent typing", () => {
  const { doc, sent } = open();
  doc.setSource('a', 'mine');
  doc.applyChanged({ type: 'notebook_changed', notebookId: 'n1', version: 4, edits: [{ kind: 'set_source', cellId: 'a', source: 'theirs' }] });
  assert.equal(doc.cell('a')!.source, 'mine');
  doc.flush();
  assert.equal(sent[0]!.edits[0]!.kind === 'set_source' && sent[0]!.edits[0]!.source, 'mine');
});

test('stream appends grow a copy of the output, leaving the original object as it was', () => {
  const { doc, events } = open();
  const first = { outputId: 'o1', kind: 'stream' as const, items: [{ mime: MIME.stdout, data: 'one\n' }] };
  const base = { type: 'output' as const, requestId: 'r', notebookId: 'n1', cellId: 'a' };
  doc.applyOutput({ ...base, edit: { kind: 'add', output: first } });
  doc.applyOutput({ ...base, edit: { kind: 'append', outputId: 'o1', text: 'two\n' } });
  assert.equal(doc.cell('a')!.outputs[0]!.items[0]!.data, 'one\ntwo\n');
  assert.equal(first.items[0]!.data, 'one\n', 'the output area may share the added object');
  doc.applyOutput({ ...base, edit: { kind: 'clear' } });
  assert.equal(doc.cell('a')!.outputs.length, 0);
  assert.equal(events.filter((e) => e.kind === 'outputs').length, 3);
});

test('run states follow execution messages; a skipped cell returns to idle', () => {
  const { doc } = open();
  const base = { requestId: 'r', notebookId: 'n1' };
  doc.applyExecutionState({ ...base, type: 'execution_state', cellId: 'a', state: 'queued' });
  doc.applyExecutionState({ ...base, type: 'execution_state', cellId: 'b', state: 'queued' });
  doc.applyExecutionState({ ...base, type: 'execution_state', cellId: 'a', state: 'running', executionCount: 4, startedAt: 1000, runAs: 'root' });
  assert.equal(doc.runState('a').status, 'running');
  assert.equal(doc.cell('a')!.executionCount, 4);
  assert.deepEqual(doc.busyCellIds.sort(), ['a', 'b']);
  doc.applyExecutionEnded({ ...base, type: 'execution_ended', cellId: 'a', status: 'failed', success: false, durationMs: 120, stopped: false });
  doc.applyExecutionEnded({ ...base, type: 'execution_ended', cellId: 'b', status: 'interrupted', success: false, durationMs: 0, stopped: false });
  assert.equal(doc.runState('a').status, 'failed');
  assert.equal(doc.runState('a').durationMs, 120);
  assert.equal(doc.runState('b').status, 'idle');
  assert.deepEqual(doc.busyCellIds, []);
});

test('clearing outputs resets the execution count and status', () => {
  const { doc } = open();
  doc.applyExecutionState({ type: 'execution_state', requestId: 'r', notebookId: 'n1', cellId: 'a', state: 'running', executionCount: 2 });
  doc.applyExecutionEnded({
    type: 'execution_ended',
    requestId: 'r',
    notebookId: 'n1',
    cellId: 'a',
    status: 'ok',
    success: true,
    durationMs: 3,
    stopped: false,
  });
  doc.edit([{ kind: 'clear_outputs', cellId: 'a' }]);
  assert.equal(doc.cell('a')!.executionCount, null);
  assert.equal(doc.runState('a').status, 'idle');
});

test("a crashed run's cleanup cells are pending until the host's list says otherwise", () => {
  const { doc, events } = open();
  assert.deepEqual(doc.pendingCleanup, [], 'a snapshot without the field has none');
  doc.applyPendingCleanup([
    { runId: 'r-old', startedAt: 1, cellIds: ['c'] },
    { runId: 'r-new', startedAt: 2, cellIds: ['b', 'gone'] },
  ]);
  assert.deepEqual(
    ['a', 'b', 'c'].map((id) => doc.isPendingCleanup(id)),
    [false, true, true],
  );
  assert.deepEqual(events.at(-1), { kind: 'pending-cleanup' });
  doc.applyPendingCleanup([{ runId: 'r-new', startedAt: 2, cellIds: ['b', 'gone'] }]);
  assert.deepEqual(
    ['a', 'b', 'c'].map((id) => doc.isPendingCleanup(id)),
    [false, true, false],
  );
});
