// Validation at the edge: what a UI may send, and the errors that name the wrong field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientMessage, ProtocolError } from './protocol-validate.ts';

const RUN_ID = '0b5e3c52-6f1e-4a59-9d1c-3f0e2a7b8c91';

test('run_pending_cleanup and dismiss_pending_cleanup pass with a run id and come back with only their fields', () => {
  for (const type of ['run_pending_cleanup', 'dismiss_pending_cleanup'] as const) {
    const parsed = parseClientMessage({ type, requestId: 'r1', notebookId: 'n1', runId: RUN_ID, extra: 'dropped' });
    assert.deepEqual(parsed, { type, requestId: 'r1', notebookId: 'n1', runId: RUN_ID });
  }
});

test('a pending cleanup request without a UUID run id is refused, naming runId (run ids name ledger files)', () => {
  const bad: unknown[] = [undefined, 42, '', '../../etc/passwd', `${RUN_ID}/../x`, RUN_ID.toUpperCase(), `${RUN_ID}0`, '------------------------------------'];
  for (const runId of bad) {
    assert.throws(() => parseClientMessage({ type: 'run_pending_cleanup', requestId: 'r', notebookId: 'n', runId }), (e: unknown) => e instanceof ProtocolError && /^runId must be a run id/.test((e as Error).message), String(runId));
    assert.throws(() => parseClientMessage({ type: 'dismiss_pending_cleanup', requestId: 'r', notebookId: 'n', runId }), /runId must be a run id/);
  }
  assert.throws(() => parseClientMessage({ type: 'run_pending_cleanup', requestId: 'r', runId: RUN_ID }), /notebookId must be a string/);
  assert.throws(() => parseClientMessage({ type: 'dismiss_pending_cleanup', notebookId: 'n', runId: RUN_ID }), /requestId must be a string/);
});

test('unknown types, non-objects and wrong field types are refused with the field named', () => {
  assert.throws(() => parseClientMessage({ type: 'exec_shell', cmd: 'id' }), /type must be a known message type/);
  assert.throws(() => parseClientMessage('hello'), /message must be an object \(got a string/);
  assert.throws(() => parseClientMessage({ type: 'execute_request', requestId: 'r', notebookId: 'n', cellIds: 'all' }), /cellIds must be a list of cell ids/);
  assert.throws(() => parseClientMessage({ type: 'open_notebook', requestId: 'r', path: 42 }), /path must be a string/);
  assert.deepEqual(parseClientMessage({ type: 'execute_request', requestId: 'r', notebookId: 'n', cellIds: ['a'], runAll: true }), { type: 'execute_request', requestId: 'r', notebookId: 'n', cellIds: ['a'], runAll: true });
});
