import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShellKernel } from '../../core/node/kernels/shell-kernel.ts';
import { BOOTSTRAP } from '../../core/node/kernels/shell-prelude.ts';
import { until } from '../support/process-markers.ts';
import { shellRequest as request } from '../support/shell-request.ts';

function kernelFor(t: { after(fn: () => Promise<void>): void }, options?: ConstructorParameters<typeof ShellKernel>[0]) {
  const kernel = new ShellKernel(options);
  t.after(() => kernel.dispose());
  return kernel;
}

test('shell output streams live: a line arrives long before the cell ends, stdout and stderr apart', async (t) => {
  const kernel = kernelFor(t);
  const cell = request('echo first; echo oops >&2; sleep 0.5; echo last');
  const result = await kernel.execute(cell.req);
  const end = performance.now();
  assert.equal(result.status, 'ok');
  assert.equal(cell.text('stdout'), 'first\nlast\n');
  assert.equal(cell.text('stderr'), 'oops\n');
  assert.ok(end - cell.arrival('first')! > 400, `first line arrived ${Math.round(end - cell.arrival('first')!)} ms before the end`);
});

test('a cell runs in one of the two bashes started ahead of time, and the pool fills again', async (t) => {
  const kernel = kernelFor(t);
  const bootstrap = `\0-c\0${BOOTSTRAP}\0`;
  const parentOf = (pid: string) => readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ')[1]!;
  // Ours: spawned by this process, or forked by the kernel's zygote, a child of this process.
  const ours = (pid: string) => parentOf(pid) === String(process.pid) || parentOf(parentOf(pid)) === String(process.pid);
  const warmPids = () =>
    readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(bootstrap) && ours(pid);
        } catch {
          return false;
        }
      });
  // Two are kept ready when nothing runs.
  await until(() => warmPids().length === 2, 'the two warm bashes');
  const warm = warmPids();
  const cell = request('echo $$');
  await kernel.execute(cell.req);
  assert.ok(warm.includes(cell.text().trim()), `the cell ran in ${cell.text().trim()}, one of the warm ${warm.join(', ')}`);
  await until(() => warmPids().length === 2, 'the pool filled again');
  assert.equal(warmPids().filter((pid) => !warm.includes(pid)).length, 1, 'one new bash took the place of the one used');
});

test('opening /dev/stdout and /dev/stderr by path works in a cell (tee /dev/stderr)', async (t) => {
  const kernel = kernelFor(t);
  const cell = request('echo e > /dev/stderr; tee /dev/stderr <<< both');
  const result = await kernel.execute(cell.req);
  assert.equal(result.status, 'ok', cell.text('stderr'));
  assert.equal(cell.text('stdout'), 'both\n');
  assert.equal(cell.text('stderr'), 'e\nboth\n');
});

test('a non-zero exit fails the cell with an ExitCode error that shows the code', async (t) => {
  const kernel = kernelFor(t);
  const cell = request('echo before\nexit 3');
  const result = await kernel.execute(cell.req);
  assert.equal(result.status, 'failed');
  assert.equal(result.exitCode, 3);
  assert.equal(result.stopped, false);
  assert.deepEqual(cell.errors, [{ ename: 'ExitCode', evalue: 'Cell exited with code 3', traceback: [] }]);
  assert.deepEqual(result.error, cell.errors[0]);
  const crashed = request(`bash -c 'kill -SEGV $$'`);
  await kernel.execute(crashed.req);
  assert.equal(crashed.errors[0]!.evalue, 'Cell exited with code 139 (a command in it was killed by SIGSEGV)');
});

test('a cell that fails on a command bash did not find says what installs it', async (t) => {
  const kernel = kernelFor(t);
  const known = request('echo start\nnc -z 127.0.0.1 9 2>/dev/null || true\nPATH=/nonexistent nc -l 5201');
  await kernel.execute(known.req);
  assert.deepEqual(known.errors[0], {
    ename: 'ExitCode',
    evalue: 'Cell exited with code 127: nc is not installed: sudo apt install netcat-openbsd',
    traceback: [],
    location: { line: 3 },
  });
  const unknown = request('probebook-no-such-tool --help');
  await kernel.execute(unknown.req);
  assert.equal(unknown.errors[0]!.evalue, 'Cell exited with code 127: probebook-no-such-tool is not installed or not on PATH');
  // A missing command that did not end the cell is not blamed for another failure.
  const other = request('probebook-no-such-tool\nexit 3');
  await kernel.execute(other.req);
  assert.equal(other.errors[0]!.evalue, 'Cell exited with code 3');
});

test('a cell killed by a signal says which', async (t) => {
  const kernel = kernelFor(t);
  const cell = request('kill -KILL $$');
  const result = await kernel.execute(cell.req);
  assert.equal(result.status, 'failed');
  assert.equal(result.exitSignal, 'SIGKILL');
  assert.deepEqual(cell.errors, [{ ename: 'Signal', evalue: 'Cell was killed by SIGKILL', traceback: [] }]);
});

test('bash errors name the cell line, never a temp path, and the error carries the location', async (t) => {
  const kernel = kernelFor(t);
  const cell = request('echo ok\nno_such_command_pb\nexit 1');
  await kernel.execute(cell.req);
  assert.equal(cell.text('stderr'), 'cell: line 2: no_such_command_pb: command not found\n');
  assert.deepEqual(cell.errors[0]!.location, { line: 2 });
  // Still right with restored state, a multi-line parameter and a syntax error further down.
  const later = request('true\n\n\nif then\nfi', { env: { MULTI: 'a\nb\nc' } });
  await kernel.execute(later.req);
  assert.match(later.text('stderr'), /^cell: eval: line 4: syntax error near unexpected token `then'/);
  assert.doesNotMatch(later.text('stderr'), /\/tmp|\/dev\/shm|probebook-/);
  assert.deepEqual(later.errors[0]!.location, { line: 4 });
});

test('parameters arrive as environment variables, any value intact', async (t) => {
  const kernel = kernelFor(t);
  const tricky = `it's "$HOME" \`x\` \\ é\nsecond line\ttab`;
  const cell = request('printf "%s|%s" "$N" "$TRICKY"', { env: { N: '100', TRICKY: tricky } });
  await kernel.execute(cell.req);
  assert.equal(cell.text(), `100|${tricky}`);
  const bad = request('true', { env: { 'not-a-name': 'x' } });
  await kernel.execute(bad.req);
  assert.match(bad.text('stderr'), /variable "not-a-name" not set: not a valid shell variable name/);
});

test('cells see PROBEBOOK, their cell id, TERM, a PATH with sbin, and /dev/null as stdin', async (t) => {
  const kernel = kernelFor(t);
  const cell = request('echo "$PROBEBOOK $PROBEBOOK_CELL_ID $TERM"; echo ":$PATH:"; readlink /proc/self/fd/0; cat; read -r x || echo "read got EOF"', {
    cellId: 'cell-7',
  });
  await kernel.execute(cell.req);
  const [vars, path, stdin, eof] = cell.text().split('\n');
  assert.equal(vars, '1 cell-7 xterm-256color');
  assert.match(path!, /:\/usr\/sbin:/);
  assert.match(path!, /:\/sbin:/);
  assert.equal(stdin, '/dev/null');
  assert.equal(eof, 'read got EOF');
});

test('internal helpers stay out of the cell: no __pb variables, functions or xtrace lines', async (t) => {
  const kernel = kernelFor(t);
  await kernel.execute(request('export KEEP=1; cd /').req); // so the next cell restores state
  // fd 3 is tested by bash itself: `ls /proc/$$/fd | grep` would see the pipe bash makes for that
  // very pipeline (the lowest free fds, 3 and 4) whenever ls lists before bash closes its copies.
  const cell = request(
    'set | grep -c "^__pb" ; declare -F | grep -c __pb; env | grep -c __pb; if [ -e /proc/$$/fd/3 ]; then echo 1; else echo 0; fi; set -x; true',
  );
  await kernel.execute(cell.req);
  assert.equal(cell.text(), '0\n0\n0\n0\n', 'no variables, functions, environment or control pipe');
  assert.equal(cell.text('stderr'), '+++ true\n', 'the state saved after the cell is not traced');
});

test('a missing bash says how to install it', async (t) => {
  const kernel = kernelFor(t, { bash: '/nonexistent/bash', warm: false });
  const cell = request('echo hi');
  const result = await kernel.execute(cell.req);
  assert.equal(result.status, 'failed');
  assert.deepEqual(cell.errors, [{ ename: 'MissingTool', evalue: 'bash is not installed: sudo apt install bash', traceback: [] }]);
});

test('a notebook folder that does not exist fails the cell saying which folder', async (t) => {
  const kernel = kernelFor(t);
  const dir = await mkdtemp(join(tmpdir(), 'pb-gone-'));
  await rm(dir, { recursive: true });
  const cell = request('echo should not run', { cwd: dir, cellId: 'c1' });
  const result = await kernel.execute(cell.req);
  assert.equal(result.status, 'failed');
  assert.equal(cell.text(), '');
  assert.equal(cell.errors[0]!.ename, 'WorkingDirectoryError');
  assert.equal(cell.errors[0]!.evalue, `Cell c1: the notebook folder ${dir} does not exist (was it moved or deleted?)`);
});
