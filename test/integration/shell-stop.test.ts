import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShellKernel } from '../../core/node/kernels/shell-kernel.ts';
import type { ExecutionRequest } from '../../core/node/kernels/kernel.ts';
import { killMarked, pidsWith, uniqueMarker } from '../support/process-markers.ts';
import { shellRequest as request } from '../support/shell-request.ts';

function kernelFor(t: { after(fn: () => Promise<void>): void }) {
  const kernel = new ShellKernel();
  t.after(() => kernel.dispose());
  return kernel;
}

/** Starts a cell that prints "ready" and returns once it did. */
async function startReady(kernel: ShellKernel, code: string, over: Partial<ExecutionRequest> = {}) {
  const controller = new AbortController();
  const cell = request(code, { signal: controller.signal, ...over });
  const done = kernel.execute(cell.req);
  await cell.printed('ready');
  return { cell, controller, done };
}

test('interrupt sends SIGINT to the cell: its trap runs, the cell is interrupted, no error output', async (t) => {
  const kernel = kernelFor(t);
  const { cell, controller, done } = await startReady(kernel, `trap 'echo caught INT; exit 130' INT; echo ready; while true; do sleep 0.05; done`, {
    graceMs: 2000,
  });
  controller.abort('interrupt');
  const result = await done;
  assert.equal(result.status, 'interrupted');
  assert.equal(result.stopped, true);
  assert.match(cell.text(), /caught INT/);
  assert.deepEqual(cell.errors, []);
  assert.equal(cell.text('stderr'), '', 'SIGINT was enough: no note');
});

test('a cell ignoring SIGINT gets SIGTERM after the grace, one ignoring both gets SIGKILL, each with a note', async (t) => {
  const kernel = kernelFor(t);
  for (const [traps, signal, note] of [
    ["trap '' INT", 'SIGTERM', /did not stop within 150 ms of SIGINT, so it was sent SIGTERM/],
    ["trap '' INT TERM", 'SIGKILL', /ignored SIGINT and SIGTERM, so it was killed with SIGKILL/],
  ] as const) {
    const { cell, controller, done } = await startReady(kernel, `${traps}; echo ready; while true; do sleep 0.05; done`, { graceMs: 150 });
    controller.abort('interrupt');
    const result = await done;
    assert.equal(result.status, 'interrupted');
    assert.equal(result.exitSignal, signal, `${traps} ends by ${signal}`);
    assert.match(cell.text('stderr'), note);
    assert.deepEqual(cell.errors, []);
  }
});

test('a timeout (AbortSignal.timeout) interrupts the cell', async (t) => {
  const kernel = kernelFor(t);
  const cell = request('echo started; sleep 100', { signal: AbortSignal.timeout(300) });
  const result = await kernel.execute(cell.req);
  assert.equal(result.status, 'interrupted');
  assert.equal(result.stopped, true);
  assert.ok(result.durationMs >= 280 && result.durationMs < 3000, `${result.durationMs} ms`);
  assert.equal(cell.text(), 'started\n');
});

test('a cell whose signal is already aborted does not run', async (t) => {
  const kernel = kernelFor(t);
  const cell = request('echo ran', { signal: AbortSignal.abort('interrupt') });
  const result = await kernel.execute(cell.req);
  assert.equal(result.status, 'interrupted');
  assert.equal(cell.text(), '');
});

test('nothing of a cell survives its end or its interrupt: background children are stopped', async (t) => {
  const kernel = kernelFor(t);
  const marker = uniqueMarker('orphan');
  t.after(() => killMarked(marker));
  await kernel.execute(
    request(`(exec -a ${marker}-a sleep 100) & (exec -a ${marker}-b sleep 100) & disown; set -m; (exec -a ${marker}-c sleep 100) & echo started`).req,
  );
  assert.deepEqual(pidsWith(marker), []);

  const { controller, done } = await startReady(
    kernel,
    `(exec -a ${marker}-d sleep 100) & until pgrep -f ${marker}-d >/dev/null; do sleep 0.01; done; echo ready; sleep 100`,
    { graceMs: 200 },
  );
  assert.equal(pidsWith(marker).length, 1);
  controller.abort('interrupt');
  await done;
  assert.deepEqual(pidsWith(marker), []);
});

test('a flood of 2,000,000 lines arrives whole', async (t) => {
  const kernel = kernelFor(t);
  let bytes = 0;
  let tail = '';
  const cell = request('seq 2000000');
  cell.req.sink.stream = (_name, text) => {
    bytes += Buffer.byteLength(text);
    tail = (tail + text).slice(-32);
  };
  const result = await kernel.execute(cell.req);
  assert.equal(result.status, 'ok');
  assert.equal(bytes, 14_888_896); // `seq 2000000 | wc -c`
  assert.ok(tail.endsWith('\n1999999\n2000000\n'));
});

test('concurrent cells keep their outputs apart (two notebooks, and two cells of one notebook)', async (t) => {
  const kernel = kernelFor(t);
  const lines = (p: string, s: string) => Array.from({ length: 200 }, (_, i) => `${p}${i + 1} ${s}\n`).join('');
  const a = request('for i in $(seq 200); do echo "a$i é漢"; done', { notebookKey: 'a' });
  const b = request('for i in $(seq 200); do echo "b$i 🚀"; done', { notebookKey: 'b' });
  const c = request('for i in $(seq 200); do echo "c$i x"; done', { notebookKey: 'a' });
  await Promise.all([kernel.execute(a.req), kernel.execute(b.req), kernel.execute(c.req)]);
  assert.equal(a.text(), lines('a', 'é漢'));
  assert.equal(b.text(), lines('b', '🚀'));
  assert.equal(c.text(), lines('c', 'x'));
});

test('UTF-8 split across two writes stays whole', async (t) => {
  const kernel = kernelFor(t);
  const split = request(`printf '\\xf0\\x9f'; sleep 0.1; printf '\\x9a\\x80\\n'`);
  await kernel.execute(split.req);
  assert.equal(split.text(), '🚀\n');
});

test('dispose stops a running cell and leaves nothing of it', async () => {
  const kernel = new ShellKernel();
  const marker = uniqueMarker('dispose');
  try {
    const { cell, done } = await startReady(
      kernel,
      `(exec -a ${marker} sleep 100) & until pgrep -f ${marker} >/dev/null; do sleep 0.01; done; echo ready; sleep 100`,
    );
    await kernel.dispose();
    const result = await done;
    assert.equal(result.status, 'interrupted');
    assert.match(cell.text('stderr'), /shut down while this cell ran/);
    assert.deepEqual(cell.errors, []);
    assert.deepEqual(pidsWith(marker), []);
  } finally {
    killMarked(marker);
    await kernel.dispose();
  }
});
