/**
 * The runner with real bash cells: each cell's timing in `metadata.execution` (what the run
 * timeline draws), and stopping a cell while it still waits in the queue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cell, JsonObject, Notebook } from '../../common/notebook/model.ts';
import { within } from '../../../test/support/within.ts';
import { createLocalExecutor } from './local-executor.ts';
import { NotebookRunner, type ExecutionTiming, type RunnerEvents } from './notebook-runner.ts';

function notebook(cells: { id: string; source: string; probebook?: JsonObject }[]): Notebook {
  return {
    nbformat: 4,
    nbformatMinor: 5,
    metadata: { probebook: { language: 'shell' } },
    cells: cells.map(
      (c): Cell => ({
        id: c.id,
        cellType: 'code',
        source: c.source,
        metadata: c.probebook ? { probebook: c.probebook } : {},
        outputs: [],
        executionCount: null,
      }),
    ),
  };
}

function harness(t: { after(fn: () => Promise<void> | void): void }, nb: Notebook) {
  const executor = createLocalExecutor();
  t.after(() => executor.dispose());
  const log: string[] = [];
  const waiting: { line: string; times: number; resolve: () => void }[] = [];
  const note = (line: string) => {
    log.push(line);
    for (const w of waiting) if (log.filter((l) => l === w.line).length >= w.times) w.resolve();
  };
  /** Resolves once `line` has been logged `times` times. */
  const logged = (line: string, times = 1) =>
    within(
      new Promise<void>((resolve) => (log.filter((l) => l === line).length >= times ? resolve() : waiting.push({ line, times, resolve }))),
      10_000,
      `"${line}" ×${times}`,
    );
  const metadata: { cellId: string; status: unknown }[] = [];
  const events: Partial<RunnerEvents> = {
    queued: (id) => note(`queued ${id}`),
    started: (id) => note(`started ${id}`),
    ended: (id, r) => note(`ended ${id} ${r.status}`),
    skipped: (id) => note(`skipped ${id}`),
    metadata: (id, m) => metadata.push({ cellId: id, status: (m.execution as JsonObject | undefined)?.['probebook.status'] }),
    readiness: (id, r) => note(`${r.state} ${id}${r.state === 'waiting' ? ` ${r.waitingFor}` : ''}`),
  };
  const runner = new NotebookRunner({ notebook: nb, notebookPath: null, notebookKey: `runner-test-${Math.random()}`, executor, events, graceMs: 300 });
  return { runner, log, logged, metadata };
}

const timing = (nb: Notebook, id: string) => nb.cells.find((c) => c.id === id)!.metadata.execution as unknown as ExecutionTiming;
const span = (t: ExecutionTiming) => ({ start: Date.parse(t['iopub.execute_input']), end: Date.parse(t['shell.execute_reply']!) });

test('each cell keeps its timing in metadata.execution: one run id, background overlap, cleanup last, stop reasons', async (t) => {
  const nb = notebook([
    { id: 'bg', source: 'sleep 5', probebook: { background: true } },
    { id: 'a', source: 'sleep 0.4; echo a' },
    { id: 'b', source: 'sleep 0.4; echo b' },
    { id: 'slow', source: 'sleep 5', probebook: { timeout: '300ms' } },
    { id: 'undo', source: 'echo undo', probebook: { cleanup: true } },
  ]);
  const { runner, metadata } = harness(t, nb);
  nb.cells[1]!.metadata.keep = 'other metadata survives';
  const summary = await runner.run({ runAll: true });
  assert.equal(summary.ok, true, JSON.stringify(summary));

  const [bg, a, b, slow, undo] = ['bg', 'a', 'b', 'slow', 'undo'].map((id) => timing(nb, id)) as ExecutionTiming[];
  const runId = bg!['probebook.run'];
  assert.match(runId, /^[0-9a-f-]{36}$/);
  for (const x of [a, b, slow, undo]) assert.equal(x!['probebook.run'], runId, 'one run id for the whole Run All');
  for (const x of [bg, a, b, slow, undo]) {
    assert.equal(typeof x!['iopub.execute_input'], 'string');
    assert.ok(span(x!).end >= span(x!).start);
    for (const value of Object.values(x!)) assert.equal(typeof value, 'string', 'nbformat wants strings in metadata.execution');
  }
  assert.equal(bg!['probebook.background'], 'true');
  assert.equal(bg!['probebook.stop'], 'run-ended', 'the background cell was stopped by the end of the run');
  assert.equal(bg!['probebook.status'], 'ok');
  assert.equal(a!['probebook.background'], undefined);
  assert.equal(undo!['probebook.cleanup'], 'true');
  assert.equal(slow!['probebook.stop'], 'timeout');
  assert.equal(a!['probebook.status'], 'ok');
  assert.equal(nb.cells[1]!.metadata.keep, 'other metadata survives');
  for (const x of [bg, a, b, slow, undo]) assert.equal(x!['probebook.runAll'], 'true');

  // The background cell ran alongside a and b; a and b one after the other; cleanup after all.
  assert.ok(span(bg!).start <= span(a!).start && span(bg!).end >= span(b!).end, 'background overlaps the foreground cells');
  assert.ok(span(a!).end <= span(b!).start, 'foreground cells do not overlap');
  assert.ok(span(undo!).start >= span(bg!).end, 'cleanup runs once everything else ended');

  // Reported live: "running" at the start, the final status at the end, for every cell.
  for (const id of ['bg', 'a', 'b', 'slow', 'undo']) {
    assert.deepEqual(
      metadata.filter((m) => m.cellId === id).map((m) => m.status),
      ['running', 'ok'],
    );
  }

  // A second run gets a new id; cells not in it keep the old one.
  await runner.run({ cellIds: ['a'] });
  assert.notEqual(timing(nb, 'a')['probebook.run'], runId);
  assert.equal(timing(nb, 'a')['probebook.runAll'], undefined, 'running one cell is not a Run All');
  assert.equal(timing(nb, 'b')['probebook.run'], runId);
});

test('a failing and an interrupted cell say so in their timing', async (t) => {
  const nb = notebook([
    { id: 'fail', source: 'exit 3' },
    { id: 'long', source: 'sleep 10' },
  ]);
  const { runner, logged } = harness(t, nb);
  await runner.run({ cellIds: ['fail'] });
  assert.equal(timing(nb, 'fail')['probebook.status'], 'failed');
  const running = runner.run({ cellIds: ['long'] });
  await logged('started long');
  runner.interrupt('long');
  await running;
  assert.equal(timing(nb, 'long')['probebook.status'], 'interrupted');
  assert.equal(timing(nb, 'long')['probebook.stop'], 'interrupt');
});

test('stopping a cell again while it stops skips the rest of its grace: SIGTERM, then SIGKILL, at once', async (t) => {
  // Ignores SIGINT and SIGTERM (and so does its sleep, which inherits that): only SIGKILL ends it.
  const nb = notebook([{ id: 'stubborn', source: "trap '' INT TERM; echo ready; sleep 60" }]);
  const executor = createLocalExecutor();
  t.after(() => executor.dispose());
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  let text = '';
  const events: Partial<RunnerEvents> = {
    output: (_, edit) => {
      text += JSON.stringify(edit);
      if (text.includes('ready')) ready();
    },
  };
  const runner = new NotebookRunner({ notebook: nb, notebookPath: null, notebookKey: `runner-test-${Math.random()}`, executor, events, graceMs: 15_000 });
  const running = runner.run({ cellIds: ['stubborn'] });
  await isReady;
  const t0 = Date.now();
  runner.interrupt('stubborn');
  // A window in which SIGINT alone must not end it: the point is that nothing happens, so no event to wait for.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(timing(nb, 'stubborn')['probebook.status'], 'running', 'SIGINT alone does not stop it');
  runner.interrupt('stubborn');
  await running;
  const took = Date.now() - t0;
  assert.ok(took < 5000, `ended ${took} ms after the first stop (its grace is 15 s)`);
  assert.equal(timing(nb, 'stubborn')['probebook.status'], 'interrupted');
  assert.match(text, /stopped again while stopping; it ignored SIGINT and SIGTERM, so it was killed with SIGKILL/);
});

test('stopping a queued cell takes it off the queue: reported at once, never run, the rest goes on', async (t) => {
  const nb = notebook([
    { id: 'first', source: 'sleep 0.8; echo first' },
    { id: 'second', source: 'echo second' },
    { id: 'third', source: 'echo third' },
  ]);
  const { runner, log, logged } = harness(t, nb);
  const run = runner.run();
  await logged('started first');
  assert.ok(!log.includes('started second'));
  runner.interrupt('second');
  assert.ok(log.includes('skipped second'), 'reported as soon as it was stopped, not when the run gets there');
  const summary = await run;
  assert.ok(!log.includes('started second'), `the stopped cell never ran: ${log.join(', ')}`);
  assert.deepEqual(nb.cells[1]!.outputs, []);
  assert.ok(log.includes('ended first ok') && log.includes('ended third ok'), 'the cells around it ran');
  assert.deepEqual(
    summary.cells.map((c) => c.cellId),
    ['first', 'third'],
  );
  assert.equal(log.filter((l) => l === 'skipped second').length, 1, 'reported once');

  // Queued by a second run behind a running one: stopping it there works the same.
  const busy = runner.run({ cellIds: ['first'] });
  const queued = runner.run({ cellIds: ['third'] });
  await logged('queued third', 2);
  runner.interrupt('third');
  await Promise.all([busy, queued]);
  assert.equal(log.filter((l) => l === 'started third').length, 1, 'third ran only in the first run');

  // Queued again after being stopped: it runs.
  await runner.run({ cellIds: ['second'] });
  assert.ok(log.includes('started second'));
});

test('run() of a TypeScript cell from a TypeScript cell fails at once with the reason, instead of waiting forever', async (t) => {
  const nb = notebook([
    { id: 'helper', source: 'console.log("helper ran")', probebook: { language: 'typescript', name: 'helper' } },
    {
      id: 'caller',
      source: "try { await run('helper'); } catch (e) { console.log('refused: ' + (e as Error).message); }",
      probebook: { language: 'typescript' },
    },
  ]);
  const { runner } = harness(t, nb);
  const summary = await runner.run({ cellIds: ['caller'] });
  assert.equal(summary.ok, true);
  const out = nb.cells[1]!.outputs.map((o) => String(o.items[0]!.data)).join('');
  assert.match(out, /refused: cell "helper" is a TypeScript cell: run\(\) cannot wait for it from a TypeScript cell/);
  assert.deepEqual(nb.cells[0]!.outputs, [], 'the helper never ran');
});

/** A ledger in memory: what the runner began, ended and abandoned. */
function memoryLedger() {
  const runs = new Map<string, 'running' | 'ended' | 'abandoned'>();
  let next = 0;
  return {
    runs,
    beginRun: () => {
      const id = `run-${++next}`;
      runs.set(id, 'running');
      return id;
    },
    endRun: (id: string) => void runs.set(id, 'ended'),
    abandonRun: (id: string) => void runs.set(id, 'abandoned'),
  };
}

test('the ledger entry goes only when every cleanup cell ran to its end; a broken executor abandons it', async (t) => {
  const nb = notebook([
    { id: 'setup', source: 'echo set up' },
    { id: 'undo', source: 'echo undone', probebook: { cleanup: true } },
  ]);
  const real = createLocalExecutor();
  t.after(() => real.dispose());
  let broken = false;
  // The executor breaks the way a dead kernel host does: execute() rejects.
  const executor: typeof real = {
    runAs: real.runAs,
    runAsFor: (asUser) => real.runAsFor(asUser),
    execute: (request) => (broken ? Promise.reject(new Error('The kernel host was killed by SIGKILL')) : real.execute(request)),
    reset: (key) => real.reset(key),
    dispose: () => real.dispose(),
  };
  const ledger = memoryLedger();
  const runner = new NotebookRunner({ notebook: nb, notebookPath: join(tmpdir(), 'ledger.ipynb'), notebookKey: `ledger-${Math.random()}`, executor, ledger });

  const clean = await runner.run({ runAll: true });
  assert.equal(clean.ok, true);
  assert.deepEqual([...ledger.runs.values()], ['ended']);
  assert.deepEqual(
    clean.cells.map((c) => [c.cellId, c.ran]),
    [
      ['setup', true],
      ['undo', true],
    ],
  );

  broken = true;
  const cut = await runner.run({ runAll: true });
  assert.equal(cut.ok, false);
  assert.deepEqual(
    cut.cells.map((c) => [c.cellId, c.ran]),
    [
      ['setup', false],
      ['undo', false],
    ],
  );
  assert.deepEqual([...ledger.runs.values()], ['ended', 'abandoned'], 'the cleanup never ran: the entry stays, offered now');
});

test('shutdown stops the run, still runs its cleanup cells, starts no queued run, and then ends the ledger entry', async (t) => {
  const nb = notebook([
    { id: 'trace', source: 'echo tracing; sleep 30' },
    { id: 'undo', source: 'echo undone', probebook: { cleanup: true } },
    { id: 'later', source: 'echo later' },
  ]);
  const executor = createLocalExecutor();
  t.after(() => executor.dispose());
  const ledger = memoryLedger();
  const started: string[] = [];
  let tracing!: () => void;
  const traceStarted = new Promise<void>((r) => (tracing = r));
  const runner = new NotebookRunner({
    notebook: nb,
    notebookPath: join(tmpdir(), 'shutdown.ipynb'),
    notebookKey: `shutdown-${Math.random()}`,
    executor,
    ledger,
    graceMs: 300,
    events: {
      started: (id) => started.push(id),
      output: (id, edit) => id === 'trace' && edit.kind !== 'clear' && tracing(),
    },
  });
  const all = runner.run({ runAll: true });
  const queued = runner.run({ cellIds: ['later'] });
  await traceStarted;
  await runner.shutdown();
  const summary = await all;
  assert.equal(summary.interrupted, true);
  assert.ok(summary.cells.find((c) => c.cellId === 'undo')?.ran, 'the cleanup cell ran to its end');
  assert.deepEqual([...ledger.runs.values()], ['ended']);
  const later = await queued;
  assert.deepEqual(later.cells, [], 'the queued run started nothing');
  assert.ok(!started.includes('later'));
  assert.equal(runner.busy, false);
});

test('Run All waits for a background cell to be ready: a port held by a process below its shell (in-process executor); the next cell connects at once', async (t) => {
  const port = 20_000 + (process.pid % 20_000);
  const server = `import socket; s = socket.socket(); s.bind(("127.0.0.1", ${port})); s.listen(); s.accept()`;
  const client = `import socket; socket.create_connection(("127.0.0.1", ${port})); print("connected")`;
  const nb = notebook([
    // Not exec'd: python is the shell's child, found through the process tree.
    { id: 'srv', source: `/usr/bin/python3 -c '${server}'; echo done`, probebook: { background: true, ready: { port } } },
    { id: 'next', source: `/usr/bin/python3 -c '${client}'` },
  ]);
  const { runner, log } = harness(t, nb);
  const summary = await runner.run({ runAll: true });
  assert.equal(summary.ok, true, JSON.stringify(nb.cells.map((c) => c.outputs)));
  const order = log.filter((l) => /^(waiting|ready|started) /.test(l));
  assert.deepEqual(order.slice(0, 4), ['started srv', `waiting srv port tcp/${port}`, 'ready srv', 'started next']);
  assert.match(JSON.stringify(nb.cells[1]!.outputs), /connected/);
});

test('a background cell run by hand is not waited for, but still reports when it is ready; stopping a waiting cell interrupts the run', async (t) => {
  const nb = notebook([
    { id: 'bg', source: 'echo up; exec sleep 30', probebook: { background: true, ready: { output: 'up' } } },
    { id: 'never', source: 'exec sleep 30', probebook: { background: true, ready: { output: 'never' } } },
    { id: 'after', source: 'echo after' },
  ]);
  const { runner, logged, log } = harness(t, nb);
  const byHand = runner.run({ cellIds: ['bg'] });
  await logged('ready bg');
  runner.interrupt('bg');
  await byHand;

  const all = runner.run({ runAll: true });
  await logged('waiting never output /never/');
  runner.interrupt('never');
  const summary = await all;
  assert.equal(summary.interrupted, true);
  assert.ok(log.includes('skipped after'));
  const text = nb.cells[1]!.outputs.map((o) => JSON.stringify(o.items)).join('');
  assert.doesNotMatch(text, /NotReadyError|ended before it was ready/, 'a cell the user stopped is interrupted, not "not ready"');
});
