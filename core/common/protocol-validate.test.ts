// Validation at the edge: what a UI may send, and the errors that name the wrong field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KernelRequestType } from './protocol.ts';
import { parseClientMessage, ProtocolError } from './protocol-validate.ts';
import { METADATA_NESTING } from './notebook/ipynb.ts';
import { MAX_JSON_DEPTH } from './notebook/json-text.ts';

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
    assert.throws(
      () => parseClientMessage({ type: 'run_pending_cleanup', requestId: 'r', notebookId: 'n', runId }),
      (e: unknown) => e instanceof ProtocolError && /^runId must be a run id/.test((e as Error).message),
      String(runId),
    );
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
  assert.deepEqual(parseClientMessage({ type: 'execute_request', requestId: 'r', notebookId: 'n', cellIds: ['a'], runAll: true }), {
    type: 'execute_request',
    requestId: 'r',
    notebookId: 'n',
    cellIds: ['a'],
    runAll: true,
  });
});

test("a page cannot speak the kernel link: the kernel host's requests and messages are unknown types here", () => {
  const kernelTypes: Record<KernelRequestType, true> = {
    kernel_hello: true,
    kernel_execute_request: true,
    kernel_interrupt_request: true,
    kernel_reset_request: true,
    kernel_notebook_result: true,
    heartbeat: true,
    shutdown_request: true,
  };
  for (const type of [...Object.keys(kernelTypes), 'kernel_stream', 'execute_reply', 'welcome']) {
    assert.throws(() => parseClientMessage({ type, requestId: 'r', notebookKey: 'n', code: 'id' }), /type must be a known message type/, type);
  }
});

/** An object nested `levels` deep, its innermost level `{ a: 1 }`. */
function nestedObject(levels: number): Record<string, unknown> {
  let v: Record<string, unknown> = { a: 1 };
  for (let i = 1; i < levels; i++) v = { a: v };
  return v;
}

test('metadata edits nested deeper than a notebook file may be are refused with the limit named, at any depth', () => {
  const edit = (e: object) => ({ type: 'edit', requestId: 'r', notebookId: 'n', baseVersion: 0, edits: [e] });
  // The deepest the reader reads back: a cell's metadata sits 3 levels down, the notebook's 1.
  const cellMax = MAX_JSON_DEPTH - METADATA_NESTING.cell;
  const notebookMax = MAX_JSON_DEPTH - METADATA_NESTING.notebook;
  assert.doesNotThrow(() => parseClientMessage(edit({ kind: 'set_cell_metadata', cellId: 'c', metadata: nestedObject(cellMax) })));
  assert.doesNotThrow(() => parseClientMessage(edit({ kind: 'set_notebook_metadata', metadata: nestedObject(notebookMax) })));
  for (const levels of [cellMax + 1, 1_500, 200_000]) {
    const deep = nestedObject(levels);
    const refused = (field: string) => (e: unknown) =>
      e instanceof ProtocolError && (e as Error).message.startsWith(`${field} nests deeper than ${cellMax} levels`);
    assert.throws(() => parseClientMessage(edit({ kind: 'set_cell_metadata', cellId: 'c', metadata: deep })), refused('edits[0].metadata'), `${levels}`);
    assert.throws(
      () => parseClientMessage(edit({ kind: 'insert_cell', index: 0, cell: { id: 'c', cellType: 'code', source: '', metadata: deep } })),
      refused('edits[0].cell.metadata'),
    );
  }
  assert.throws(
    () => parseClientMessage(edit({ kind: 'set_notebook_metadata', metadata: nestedObject(notebookMax + 1) })),
    new RegExp(`edits\\[0\\]\\.metadata nests deeper than ${notebookMax} levels`),
  );
});

test('dissect_packet: a file name and a packet number from 1, nothing else', () => {
  const ok = parseClientMessage({ type: 'dissect_packet', requestId: 'r', notebookId: 'n', file: 'lab.captures/c1.pcap', packet: 3, extra: 1 });
  assert.deepEqual(ok, { type: 'dissect_packet', requestId: 'r', notebookId: 'n', file: 'lab.captures/c1.pcap', packet: 3 });
  assert.throws(
    () => parseClientMessage({ type: 'dissect_packet', requestId: 'r', notebookId: 'n', file: 'x.pcap', packet: 0 }),
    /packet must be a packet number from 1/,
  );
  assert.throws(() => parseClientMessage({ type: 'dissect_packet', requestId: 'r', notebookId: 'n', file: 'x.pcap', packet: 1.5 }), /packet/);
  assert.throws(() => parseClientMessage({ type: 'dissect_packet', requestId: 'r', notebookId: 'n', packet: 1 }), /file must be a string/);
});

test('read_capture: a file, an offset from 0 and a length of at most 4 MiB', () => {
  const ok = parseClientMessage({ type: 'read_capture', requestId: 'r', notebookId: 'n', file: 'a.pcap', offset: 0, length: 4096 });
  assert.deepEqual(ok, { type: 'read_capture', requestId: 'r', notebookId: 'n', file: 'a.pcap', offset: 0, length: 4096 });
  assert.throws(() => parseClientMessage({ type: 'read_capture', requestId: 'r', notebookId: 'n', file: 'a.pcap', offset: -1, length: 1 }), /offset/);
  assert.throws(
    () => parseClientMessage({ type: 'read_capture', requestId: 'r', notebookId: 'n', file: 'a.pcap', offset: 0, length: 5 * 1024 * 1024 }),
    /length/,
  );
  assert.throws(() => parseClientMessage({ type: 'read_capture', requestId: 'r', notebookId: 'n', file: 'a.pcap', offset: 0, length: 0 }), /length/);
});

test('export_notebook: html, pdf or md, a4 or letter, optional flags and author, nothing else', () => {
  const ok = parseClientMessage({
    type: 'export_notebook',
    requestId: 'r',
    notebookId: 'n',
    format: 'pdf',
    paper: 'letter',
    showCode: false,
    author: 'Ada',
    x: 1,
  });
  assert.deepEqual(ok, {
    type: 'export_notebook',
    requestId: 'r',
    notebookId: 'n',
    format: 'pdf',
    paper: 'letter',
    showCode: false,
    showOutputs: undefined,
    author: 'Ada',
  });
  assert.deepEqual(parseClientMessage({ type: 'export_notebook', requestId: 'r', notebookId: 'n', format: 'md' }), {
    type: 'export_notebook',
    requestId: 'r',
    notebookId: 'n',
    format: 'md',
    paper: undefined,
    showCode: undefined,
    showOutputs: undefined,
    author: undefined,
  });
  for (const format of ['docx', 'MD', 'markdown', '.md', 'md ', 1, null, undefined, ['md']]) {
    assert.throws(() => parseClientMessage({ type: 'export_notebook', requestId: 'r', notebookId: 'n', format }), /format must be "html", "pdf" or "md"/);
  }
  assert.throws(
    () => parseClientMessage({ type: 'export_notebook', requestId: 'r', notebookId: 'n', format: 'html', paper: 'a3' }),
    /paper must be "a4" or "letter"/,
  );
  assert.throws(() => parseClientMessage({ type: 'export_notebook', requestId: 'r', notebookId: 'n', format: 'html', showCode: 'no' }), /showCode/);
  assert.throws(() => parseClientMessage({ type: 'export_notebook', requestId: 'r', notebookId: 'n', format: 'html', author: 'x'.repeat(201) }), /author/);
});
