/**
 * The kernel link carries a kernel's output calls as they were made: each `OutputSink` call is one
 * message and is replayed as the same call on the other side, none dropped (clear and update
 * included), and the runner turns them into the edits that the page applies with the same
 * `applyOutputEdit`. A real kernel host process over a scripted kernel (kernel-link-host.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CellErrorData } from '../../core/common/mime.ts';
import { applyOutputEdit } from '../../core/common/notebook/edits.ts';
import type { Notebook, Output, OutputItem } from '../../core/common/notebook/model.ts';
import type { OutputEdit } from '../../core/common/protocol.ts';
import { startKernelHost } from '../../core/node/kernel-host/elevation.ts';
import { KernelHostClient } from '../../core/node/kernel-host/kernel-host-client.ts';
import { NotebookRunner } from '../../core/node/run/notebook-runner.ts';

const error: CellErrorData = { ename: 'LabError', evalue: 'veth0 is down', traceback: ['at step 2'] };
const plain = (text: string): OutputItem[] => [{ mime: 'text/plain', data: text }];

async function scriptedHost(t: { after(fn: () => unknown): void }): Promise<KernelHostClient> {
  // `root` is the plain-child method: no elevation, whoever runs the test.
  const started = await startKernelHost({
    entry: join(import.meta.dirname, 'kernel-link-host.ts'),
    nodeArgs: ['--import', 'tsx'],
    methods: ['root'],
    forwardStderr: null,
  });
  const client = new KernelHostClient(started.connection, started.method, started.welcome, () => undefined);
  t.after(() => client.dispose());
  return client;
}

test('every OutputSink call crosses the kernel link as itself, in order: stream, display, update, clear, error, state and the end', async (t) => {
  const client = await scriptedHost(t);
  const calls: unknown[][] = [];
  const result = await client.execute({
    notebookKey: 'nb',
    cellId: 'c1',
    language: 'shell',
    code: 'scripted',
    cwd: '/',
    env: {},
    args: [],
    signal: new AbortController().signal,
    onTracing: () => calls.push(['tracing']),
    sink: {
      stream: (name, text) => calls.push(['stream', name, text]),
      display: (items, options) => calls.push(['display', items, options]),
      update: (displayId, items) => calls.push(['update', displayId, items]),
      clear: () => calls.push(['clear']),
      error: (e) => calls.push(['error', e]),
    },
  });
  assert.deepEqual(calls, [
    ['stream', 'stdout', 'out 1\n'],
    ['stream', 'stdout', 'out 2\n'],
    ['stream', 'stderr', 'warn\n'],
    ['display', plain('rate 1'), { displayId: 'rate' }],
    ['display', plain('table'), undefined],
    ['update', 'rate', plain('rate 2')],
    ['clear'],
    ['tracing'],
    ['stream', 'stdout', 'after clear\n'],
    ['error', error],
  ]);
  assert.deepEqual(result, { status: 'failed', stopped: false, error, durationMs: 7, exitCode: 3, exitSignal: null });
});

test("the runner makes the calls edits of the cell, and the page that applies them holds the runner's outputs", async (t) => {
  const client = await scriptedHost(t);
  const notebook: Notebook = {
    nbformat: 4,
    nbformatMinor: 5,
    metadata: { probebook: { language: 'shell' } },
    cells: [{ id: 'c1', cellType: 'code', source: 'scripted', metadata: {}, outputs: [], executionCount: null }],
  };
  const edits: OutputEdit[] = [];
  const page: Output[] = [];
  const runner = new NotebookRunner({
    notebook,
    notebookPath: null,
    notebookKey: 'nb',
    executor: client,
    events: {
      output: (_cellId, edit) => {
        // As it crosses the wire to the page.
        const copy = JSON.parse(JSON.stringify(edit)) as OutputEdit;
        edits.push(copy);
        applyOutputEdit(page, copy);
      },
    },
  });
  const summary = await runner.run();
  assert.equal(summary.failedCellId, 'c1');
  const described = edits.map((e) =>
    e.kind === 'clear'
      ? 'clear'
      : e.kind === 'append'
        ? `append ${JSON.stringify(e.text)}`
        : `${e.kind} ${e.output.kind} ${JSON.stringify(e.output.items[0]!.data)}`,
  );
  assert.deepEqual(described, [
    'clear', // the execution begins
    'add stream "out 1\\n"',
    'append "out 2\\n"',
    'add stream "warn\\n"',
    'add display_data "rate 1"',
    'add display_data "table"',
    'replace display_data "rate 2"',
    'clear',
    'add stream "after clear\\n"',
    `add error ${JSON.stringify(error)}`,
  ]);
  const outputs = notebook.cells[0]!.outputs;
  assert.deepEqual(
    outputs.map((o) => o.kind),
    ['stream', 'error'],
  );
  assert.deepEqual(JSON.parse(JSON.stringify(page)), JSON.parse(JSON.stringify(outputs)), "the page's outputs are the runner's");
});
