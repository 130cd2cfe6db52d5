import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShellKernel } from '../../core/node/kernels/shell-kernel.ts';
import { shellRequest as request } from '../support/shell-request.ts';

function kernelFor(t: { after(fn: () => Promise<void>): void }) {
  const kernel = new ShellKernel();
  t.after(() => kernel.dispose());
  return kernel;
}

async function folder(t: { after(fn: () => Promise<void>): void }, name: string): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), `pb-${name}-`)));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs `code` as the notebook's next cell and returns its stdout. */
async function run(kernel: ShellKernel, code: string, notebookKey = 'nb', cwd = tmpdir()): Promise<string> {
  const cell = request(code, { notebookKey, cwd });
  await kernel.execute(cell.req);
  return cell.text();
}

test('the first cell runs in the notebook folder; cd and exported variables carry over, plain ones do not', async (t) => {
  const kernel = kernelFor(t);
  const notebookDir = await folder(t, 'nb');
  const other = await folder(t, 'cd');
  assert.equal(await run(kernel, 'pwd', 'nb', notebookDir), `${notebookDir}\n`);
  await run(kernel, `cd ${other}; export LAB_IFACE=veth0; PLAIN=not-exported`, 'nb', notebookDir);
  assert.equal(await run(kernel, 'pwd; echo "$LAB_IFACE/${PLAIN:-unset}"', 'nb', notebookDir), `${other}\nveth0/unset\n`);
});

test('each notebook has its own state, and reset forgets one notebook only', async (t) => {
  const kernel = kernelFor(t);
  await run(kernel, 'export WHO=a', 'a');
  await run(kernel, 'export WHO=b', 'b');
  assert.equal(await run(kernel, 'echo $WHO', 'a'), 'a\n');
  await kernel.reset('a');
  assert.equal(await run(kernel, 'echo "${WHO:-none}"; pwd', 'a'), `none\n${tmpdir()}\n`);
  assert.equal(await run(kernel, 'echo $WHO', 'b'), 'b\n');
});

test('unset and exported functions carry over as in one terminal', async (t) => {
  const kernel = kernelFor(t);
  await run(kernel, 'export A=1 B=2; greet() { echo "hi $1"; }; export -f greet');
  await run(kernel, 'unset A');
  assert.equal(await run(kernel, 'echo "${A:-gone} $B"; greet lab'), 'gone 2\nhi lab\n');
});

test('the state set before a failure is kept: exit 3, set -e, an interrupt', async (t) => {
  const kernel = kernelFor(t);
  const exited = request('export STEP=1\nexit 3\nexport STEP=2');
  assert.equal((await kernel.execute(exited.req)).status, 'failed');
  assert.equal(await run(kernel, 'echo $STEP'), '1\n');

  await run(kernel, 'set -e; export STEP=3; false; export STEP=4');
  assert.equal(await run(kernel, 'echo $STEP'), '3\n');

  const controller = new AbortController();
  const interrupted = request('export STEP=5; echo ready; sleep 100', { signal: controller.signal });
  const done = kernel.execute(interrupted.req);
  await interrupted.printed('ready');
  controller.abort('interrupt');
  assert.equal((await done).status, 'interrupted');
  assert.equal(await run(kernel, 'echo $STEP'), '5\n');
});

test("a cell's own EXIT trap runs, and the state is still saved", async (t) => {
  const kernel = kernelFor(t);
  const cell = request(`trap 'echo cleanup ran' EXIT; export MINE=yes`);
  await kernel.execute(cell.req);
  assert.equal(cell.text(), 'cleanup ran\n');
  assert.equal(await run(kernel, 'echo $MINE; trap -p EXIT | grep -c cleanup'), 'yes\n0\n');
});

test('when the folder of the previous cell is gone, the next cell says so and runs in the notebook folder', async (t) => {
  const kernel = kernelFor(t);
  const notebookDir = await folder(t, 'nb');
  const doomed = await folder(t, 'doomed');
  await run(kernel, `cd ${doomed}`, 'nb', notebookDir);
  await rm(doomed, { recursive: true });
  const cell = request('pwd', { cwd: notebookDir });
  await kernel.execute(cell.req);
  assert.equal(cell.text(), `${notebookDir}\n`);
  assert.equal(cell.text('stderr'), `probebook: the folder ${doomed} of the previous cell is gone; this cell runs in ${notebookDir}\n`);
});

test('a reset while a cell runs is not undone when that cell ends', async (t) => {
  const kernel = kernelFor(t);
  const cell = request('export LATE=1; echo ready; sleep 0.3');
  const done = kernel.execute(cell.req);
  await cell.printed('ready');
  await kernel.reset('nb');
  await done;
  assert.equal(await run(kernel, 'echo "${LATE:-forgotten}"'), 'forgotten\n');
});

test('two cells of one notebook running at once: the one that ends last leaves its state', async (t) => {
  const kernel = kernelFor(t);
  const [first, second] = [request('export ORDER=first; sleep 0.3'), request('export ORDER=second; sleep 0.05')];
  await Promise.all([kernel.execute(first.req), kernel.execute(second.req)]);
  assert.equal(await run(kernel, 'echo $ORDER'), 'first\n');
});
