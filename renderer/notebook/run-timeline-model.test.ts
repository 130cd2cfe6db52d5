import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cell, JsonObject, Notebook } from '../../core/common/notebook/model.ts';
import { axisLength, axisTicks, buildTimeline, describeRow, formatClock, LIVE_MIN_AXIS_MS, listRuns, readTiming } from './run-timeline-model.ts';

const T0 = Date.parse('2025-03-04T14:02:11.000Z');
const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();

/** metadata.execution as the runner writes it (all strings). */
function execution(run: string, start: number, end: number | null, status: string, extra: Record<string, string> = {}): JsonObject {
  return {
    'iopub.execute_input': iso(start),
    ...(end === null ? {} : { 'shell.execute_reply': iso(end) }),
    'probebook.run': run,
    'probebook.status': status,
    ...extra,
  };
}

function notebook(cells: { execution?: JsonObject; probebook?: JsonObject; type?: Cell['cellType'] }[]): Notebook {
  return {
    nbformat: 4,
    nbformatMinor: 5,
    metadata: { probebook: { language: 'shell' } },
    cells: cells.map((c, i) => ({
      id: `c${i}`,
      cellType: c.type ?? 'code',
      source: 'true',
      metadata: { ...(c.execution ? { execution: c.execution } : {}), ...(c.probebook ? { probebook: c.probebook } : {}) },
      outputs: [],
      executionCount: null,
    })),
  };
}

/** tracer (background) + load + load + rule cleanup, as a Run All records them. */
function labRun(): Notebook {
  return notebook([
    { type: 'markdown' },
    {
      execution: execution('r1', 0, 2150, 'interrupted', { 'probebook.background': 'true', 'probebook.stop': 'run-ended' }),
      probebook: { language: 'bpftrace', name: 'tracer', background: true },
    },
    { execution: execution('r1', 20, 1030, 'ok') },
    { execution: execution('r1', 1040, 2100, 'failed'), probebook: { name: 'load' } },
    { execution: execution('r1', 2160, 2300, 'ok', { 'probebook.cleanup': 'true' }), probebook: { cleanup: true } },
  ]);
}

test('a Run All becomes one run with its cells on one axis, background and cleanup flagged', () => {
  const nb = labRun();
  const runs = listRuns(nb, T0);
  assert.equal(runs.length, 1);
  assert.deepEqual({ ...runs[0], label: undefined }, { id: 'r1', startedAt: T0, endedAt: T0 + 2300, cellCount: 4, runAll: true, label: undefined });
  assert.equal(runs[0]!.label, `Run all · ${formatClock(T0, T0)} · 4 cells`);
  const tl = buildTimeline(nb, { now: T0 + 5000 })!;
  assert.equal(tl.running, false);
  assert.equal(tl.spanMs, 2300);
  assert.deepEqual(
    tl.rows.map((r) => [r.index, r.name, r.language, r.startMs, r.endMs, r.status, r.stop, r.background, r.cleanup]),
    [
      [1, 'tracer', 'bpftrace', 0, 2150, 'interrupted', 'run-ended', true, false],
      [2, 'Cell 3', 'shell', 20, 1030, 'ok', undefined, false, false],
      [3, 'load', 'shell', 1040, 2100, 'failed', undefined, false, false],
      [4, 'Cell 5', 'shell', 2160, 2300, 'ok', undefined, false, true],
    ],
  );
  const [bg, fg1, fg2] = tl.rows;
  assert.ok(bg!.startMs < fg1!.endMs && bg!.endMs > fg2!.startMs, 'the background bar spans both foreground bars');
  assert.ok(fg1!.endMs <= fg2!.startMs, 'the foreground cells ran one after the other');
});

test('runs are listed latest first; the latest is shown unless another is chosen', () => {
  const nb = notebook([
    { execution: execution('old', 0, 500, 'ok') },
    { execution: execution('old', 600, 900, 'ok') },
    { execution: execution('new', 60_000, 61_000, 'ok'), probebook: { name: 'measure' } },
  ]);
  const runs = listRuns(nb, T0);
  assert.deepEqual(
    runs.map((r) => r.id),
    ['new', 'old'],
  );
  assert.equal(runs[0]!.label, `measure · ${formatClock(T0 + 60_000, T0)}`, 'one cell: its name');
  assert.match(runs[1]!.label, /^Run · \d\d:\d\d:\d\d · 2 cells$/, 'two of three cells: not a Run All');
  assert.equal(buildTimeline(nb)!.run.id, 'new');
  assert.equal(buildTimeline(nb, { runId: 'old' })!.rows.length, 2);
  assert.equal(buildTimeline(nb, { runId: 'gone' })!.run.id, 'new', 'a run no cell records any more falls back to the latest');
});

test('a running cell ends at now; the run has no end yet', () => {
  const nb = notebook([{ execution: execution('r', 0, 400, 'ok') }, { execution: execution('r', 410, null, 'running') }]);
  const tl = buildTimeline(nb, { now: T0 + 1500 })!;
  assert.equal(tl.running, true);
  assert.equal(tl.run.endedAt, null);
  assert.deepEqual([tl.rows[1]!.endMs, tl.rows[1]!.durationMs, tl.rows[1]!.endedAt], [1500, 1090, null]);
  assert.equal(buildTimeline(nb, { now: T0 + 2500 })!.rows[1]!.endMs, 2500, 'and grows with it');
  assert.match(describeRow(tl.rows[1]!), /Running for 1\.09 s\nRunning$/);
});

test('a cell left "running" by a host that stopped is drawn up to the last known time, marked unfinished', () => {
  const nb = notebook([{ execution: execution('r', 0, 700, 'ok') }, { execution: execution('r', 100, null, 'running') }]);
  const tl = buildTimeline(nb, { now: T0 + 99_000, isLive: () => false })!;
  assert.equal(tl.running, false);
  assert.deepEqual([tl.rows[1]!.endMs, tl.rows[1]!.unfinished], [700, true]);
  assert.match(describeRow(tl.rows[1]!), /Did not finish/);
});

test('malformed or missing timing leaves the cell out instead of breaking the timeline', () => {
  const good = execution('r', 0, 100, 'ok');
  const nb = notebook([
    {},
    { execution: good },
    { execution: { ...good, 'iopub.execute_input': 'yesterday' } },
    { execution: { ...good, 'shell.execute_reply': iso(-50) } }, // ends before it starts
    { execution: { ...good, 'probebook.run': 42 } },
    { execution: { ...good, 'probebook.status': 'exploded' } }, // unknown status: it has an end, so it finished
    { execution: { ...good, 'probebook.status': 'ok', 'shell.execute_reply': 'soon' } },
    { execution: { ...good, 'probebook.status': 'failed', 'shell.execute_reply': null } as unknown as JsonObject },
    { execution: 'x' as unknown as JsonObject },
    { execution: good, type: 'markdown' },
  ]);
  assert.deepEqual(
    buildTimeline(nb)!.rows.map((r) => [r.index, r.status]),
    [
      [1, 'ok'],
      [5, 'ok'],
    ],
  );
  assert.equal(buildTimeline(notebook([{}, { type: 'markdown' }])), null, 'no run recorded: nothing to show');
});

test("Jupyter's own timing (no Probebook keys) is not a run: no id to group it by", () => {
  const nb = notebook([{ execution: { 'iopub.execute_input': iso(0), 'shell.execute_reply': iso(10), 'iopub.status.busy': iso(0) } }]);
  assert.equal(readTiming(nb.cells[0]!, 0), null);
});

test('a running axis keeps a round length with headroom; a finished one fits its run', () => {
  assert.equal(axisLength(800, true), LIVE_MIN_AXIS_MS);
  assert.equal(axisLength(3900, true), 5000);
  assert.equal(axisLength(4100, true), 10_000);
  assert.equal(axisLength(41_000, true), 100_000);
  assert.equal(axisLength(2300, false), 2392);
  assert.equal(axisLength(0, false), 1);
});

test('ticks are round, readable and at least the given gap apart', () => {
  assert.deepEqual(
    axisTicks(2392, 800).map((t) => t.label),
    ['0', '0.5 s', '1 s', '1.5 s', '2 s'],
  );
  assert.deepEqual(
    axisTicks(900, 800).map((t) => t.label),
    ['0', '100 ms', '200 ms', '300 ms', '400 ms', '500 ms', '600 ms', '700 ms', '800 ms', '900 ms'],
  );
  assert.deepEqual(
    axisTicks(40, 400).map((t) => t.label),
    ['0', '10 ms', '20 ms', '30 ms', '40 ms'],
  );
  assert.deepEqual(
    axisTicks(7 * 60_000, 700).map((t) => t.label),
    ['0', '1 min', '2 min', '3 min', '4 min', '5 min', '6 min', '7 min'],
  );
  assert.deepEqual(
    axisTicks(5 * 3_600_000, 500).map((t) => t.label),
    ['0', '1 h', '2 h', '3 h', '4 h', '5 h'],
  );
  const ticks = axisTicks(12_345, 1000);
  for (let i = 1; i < ticks.length; i++) assert.ok(((ticks[i]!.ms - ticks[i - 1]!.ms) / 12_345) * 1000 >= 80);
});

test('a row explains itself: exact start, duration, status and why it stopped', () => {
  const bg = buildTimeline(labRun())!.rows[0]!;
  assert.equal(
    describeRow(bg),
    `tracer (cell 2, bpftrace, background)\nStarted 2025-03-04T14:02:11.000Z (+0 ms)\nDuration 2.15 s\nStopped, stopped when the run ended`,
  );
});

test('a Run All says so (probebook.runAll) even when it stopped at a failure before reaching every cell', () => {
  const nb = notebook([
    { execution: execution('r', 0, 500, 'ok', { 'probebook.runAll': 'true' }) },
    { execution: execution('r', 500, 900, 'failed', { 'probebook.runAll': 'true' }) },
    {},
  ]);
  assert.match(listRuns(nb, T0)[0]!.label, /^Run all · \d\d:\d\d:\d\d · 2 cells$/);
});
