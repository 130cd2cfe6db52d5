import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { runCellProcess, type CellProcessOptions } from '../../core/node/process/cell-process.ts';
import { collector, killMarked, pidsWith, uniqueMarker, until } from '../support/process-markers.ts';

function start(script: string, over: Partial<CellProcessOptions> = {}) {
  const out = collector();
  const controller = new AbortController();
  const done = runCellProcess('bash', ['-c', script], {
    cwd: tmpdir(),
    env: {},
    signal: controller.signal,
    onStdout: out.onStdout,
    onStderr: out.onStderr,
    ...over,
  });
  return { out, controller, done, ready: () => out.printed('ready') };
}

test('an interrupt sends SIGINT to the group: a trap in the cell runs and the cell stops', async () => {
  const cell = start(`trap 'echo caught INT; exit 130' INT; echo ready; while :; do sleep 0.02; done`, { graceMs: 5000 });
  await cell.ready();
  const aborted = performance.now();
  cell.controller.abort('interrupt');
  const result = await cell.done;
  assert.ok(performance.now() - aborted < 2000, 'no grace was waited: SIGINT was enough');
  assert.equal(result.stopped, true);
  assert.equal(result.stoppedWith, 'SIGINT');
  assert.equal(result.exitCode, 130);
  assert.match(cell.out.text(), /caught INT/);
});

test('SIGINT reaches the foreground child too: a cell sleeping in `sleep 100` stops at once', async () => {
  const cell = start('echo ready; sleep 100; echo not reached', { graceMs: 5000 });
  await cell.ready();
  cell.controller.abort('interrupt');
  const result = await cell.done;
  assert.equal(result.stoppedWith, 'SIGINT');
  assert.doesNotMatch(cell.out.text(), /not reached/);
});

test('SIGINT reaches other process groups of the cell (GNU timeout runs its command in its own group)', async () => {
  const cell = start('echo ready; timeout 100 sleep 100', { graceMs: 5000 });
  await cell.ready();
  const aborted = performance.now();
  cell.controller.abort('interrupt');
  const result = await cell.done;
  assert.equal(result.stoppedWith, 'SIGINT');
  assert.ok(performance.now() - aborted < 2000, `took ${Math.round(performance.now() - aborted)} ms`);
});

test('the ladder: SIGINT, SIGTERM after the grace, SIGKILL after another, each only while the cell lives', async () => {
  const graceMs = 200;
  const cell = start(`trap 'echo got INT' INT; trap 'echo got TERM' TERM; echo ready; while :; do sleep 0.02; done`, { graceMs });
  await cell.ready();
  const aborted = performance.now();
  cell.controller.abort('interrupt');
  const result = await cell.done;
  const ended = performance.now();
  assert.equal(result.stopped, true);
  assert.equal(result.stoppedWith, 'SIGKILL');
  assert.equal(result.exitSignal, 'SIGKILL');
  const int = cell.out.arrival('got INT')!;
  const term = cell.out.arrival('got TERM')!;
  assert.ok(int && term, cell.out.text());
  // Measured from the abort, when SIGINT was sent: the trap's echo for SIGINT can itself be late on
  // a loaded machine (bash handles it when it next runs), which made SIGTERM look early after it.
  assert.ok(term - aborted >= graceMs * 0.9, `SIGTERM came ${Math.round(term - aborted)} ms after SIGINT was sent (grace ${graceMs})`);
  assert.ok(ended - aborted >= 2 * graceMs * 0.9, `SIGKILL came ${Math.round(ended - aborted)} ms after the interrupt`);
});

test('a cell that ignores SIGINT ends with SIGTERM, and SIGKILL is not sent', async () => {
  const cell = start(`trap '' INT; echo ready; while :; do sleep 0.02; done`, { graceMs: 200 });
  await cell.ready();
  cell.controller.abort('interrupt');
  const result = await cell.done;
  assert.equal(result.stoppedWith, 'SIGTERM');
  assert.equal(result.exitSignal, 'SIGTERM');
});

test('a program that misses the first SIGINT (bpftrace while it attaches probes) stops on SIGINT sent again, not on SIGTERM', async () => {
  // The trap ignores the first SIGINT, as bpftrace before 0.21 lost one that arrived during its attach.
  const script = `missed=0; trap 'if [ $missed = 1 ]; then echo second INT; exit 130; fi; missed=1' INT; echo ready; while :; do sleep 0.02; done`;
  const without = start(script, { graceMs: 600 });
  await without.ready();
  without.controller.abort('interrupt');
  assert.equal((await without.done).stoppedWith, 'SIGTERM', 'without the repeat, only SIGTERM stops it');
  const cell = start(script, { graceMs: 3000, repeatSigintMs: 100 });
  await cell.ready();
  const aborted = performance.now();
  cell.controller.abort('interrupt');
  const result = await cell.done;
  assert.equal(result.stoppedWith, 'SIGINT');
  assert.equal(result.exitCode, 130);
  assert.match(cell.out.text(), /second INT/);
  assert.ok(performance.now() - aborted < 2500, 'stopped by a repeated SIGINT within the grace, not at its end');
});

test('a repeated SIGINT stops once the program shows it is exiting: bpftrace 0.17 printing its maps dies of a second one', async () => {
  // Like bpftrace: the first SIGINT restores SIGINT's default action, two blank lines, then a slow map print.
  const script = `trap 'trap - INT; printf "\\n\\n"; sleep 0.6; echo maps; exit 0' INT; echo ready; while :; do sleep 0.02; done`;
  const killed = start(script, { graceMs: 3000, repeatSigintMs: 100 });
  await killed.ready();
  killed.controller.abort('interrupt');
  assert.equal((await killed.done).exitSignal, 'SIGINT', 'repeated through the print, a SIGINT kills it');
  const exiting = new AbortController();
  const out = collector();
  const cell = start(script, {
    graceMs: 3000,
    repeatSigintMs: 100,
    repeatSigintUntil: exiting.signal,
    onStdout: (text) => {
      if (text.includes('\n\n')) exiting.abort();
      out.onStdout(text);
    },
  });
  await out.printed('ready');
  cell.controller.abort('interrupt');
  const result = await cell.done;
  assert.equal(result.exitCode, 0, `exit ${result.exitCode} ${result.exitSignal}`);
  assert.match(out.text(), /maps/);
});

test('a timeout is an AbortSignal like any other: AbortSignal.timeout stops the cell', async () => {
  const started = performance.now();
  const cell = start('sleep 100', { signal: AbortSignal.timeout(300) });
  const result = await cell.done;
  const took = performance.now() - started;
  assert.equal(result.stopped, true);
  assert.equal(result.stoppedWith, 'SIGINT');
  assert.ok(took >= 280 && took < 3000, `took ${Math.round(took)} ms`);
});

test('an abort after the process ended stops nothing and says so', async () => {
  const cell = start('exit 0');
  const result = await cell.done;
  cell.controller.abort('interrupt');
  assert.equal(result.stopped, false);
  assert.equal(result.stoppedWith, undefined);
});

// The marker reaches the cell as $M, so the cell's own command line does not match it.
test('background children do not outlive the cell, whatever their group, even ignoring SIGTERM', async (t) => {
  const marker = uniqueMarker('leftover');
  t.after(() => killMarked(marker));
  const result = await start(
    '(exec -a "$M-a" sleep 100) & ' +
      `(trap '' TERM; exec -a "$M-b" sleep 100) & ` + // ignores SIGTERM: needs the SIGKILL
      'set -m; (exec -a "$M-c" sleep 100) & ' + // job control: a process group of its own
      'disown -a; until [ "$(pgrep -fc "$M")" = 3 ]; do sleep 0.01; done; echo started',
    { env: { M: marker } },
  ).done;
  assert.equal(result.exitCode, 0);
  assert.deepEqual(pidsWith(marker), []);
});

test('background children do not outlive an interrupted cell either', async (t) => {
  const marker = uniqueMarker('interrupted');
  t.after(() => killMarked(marker));
  const cell = start('(exec -a "$M" sleep 100) & until pgrep -f "$M" >/dev/null; do sleep 0.01; done; echo ready; sleep 100', {
    graceMs: 200,
    env: { M: marker },
  });
  await cell.ready();
  assert.equal(pidsWith(marker).length, 1);
  cell.controller.abort('interrupt');
  const result = await cell.done;
  assert.equal(result.stopped, true);
  assert.deepEqual(pidsWith(marker), []);
});

test('a process that left the session (setsid) and holds the output open does not hang the cell', async (t) => {
  const marker = uniqueMarker('setsid');
  t.after(() => killMarked(marker));
  const started = performance.now();
  const cell = start(`setsid bash -c 'exec -a "$M" sleep 30' & until pgrep -f "$M" >/dev/null; do sleep 0.01; done; echo done`, { env: { M: marker } });
  const result = await cell.done;
  const took = performance.now() - started;
  assert.equal(result.exitCode, 0);
  assert.ok(took < 3000, `took ${Math.round(took)} ms`);
  assert.equal(cell.out.text(), 'done\n');
  assert.match(cell.out.text('stderr'), /left the cell \(setsid\) still holds its output open/);
  assert.equal(pidsWith(marker).length, 1, 'outside the session: the kernel host cgroup, not this layer, stops it');
});

for (const how of ['exit', 'throw', 'SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  test(`nothing of a running cell survives its Node process ending (${how})`, async (t) => {
    const marker = uniqueMarker(`exit-${how}`);
    t.after(() => killMarked(marker));
    // The marker goes by environment: the Node process's own command line must not match it.
    const child = execa(process.execPath, ['--import', 'tsx', 'test/integration/process-exit-child.ts', how === 'exit' || how === 'throw' ? how : 'wait'], {
      cwd: new URL('../..', import.meta.url).pathname,
      reject: false,
      stdin: 'ignore',
      buffer: true,
      env: { PB_MARKER: marker },
    });
    t.after(() => child.kill('SIGKILL'));
    await until(() => pidsWith(marker).length === 2, 'the cell and its background child', 10_000);
    child.kill(how === 'exit' || how === 'throw' ? 'SIGUSR2' : how);
    const result = await child;
    if (how === 'throw') assert.match(String(result.stderr), /a crash of the process that runs cells/);
    await until(() => pidsWith(marker).length === 0, 'the cell to be killed with its Node process', 2000);
  });
}
