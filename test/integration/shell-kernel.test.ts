import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShellKernel } from '../../core/node/kernels/shell-kernel.ts';
import type { ExecutionRequest } from '../../core/node/kernels/kernel.ts';
import type { CellErrorData } from '../../core/common/mime.ts';

interface Event { kind: 'stdout' | 'stderr' | 'error'; text: string; at: number }

function request(code: string, over: Partial<ExecutionRequest> = {}) {
  const events: Event[] = [];
  const errors: CellErrorData[] = [];
  const req: ExecutionRequest = {
    notebookKey: 'nb', cellId: 'c', language: 'shell', code, cwd: tmpdir(), env: {}, args: [],
    signal: new AbortController().signal,
    sink: {
      stream: (name, text) => events.push({ kind: name, text, at: performance.now() }),
      display: () => assert.fail('shell cells display nothing'),
      error: (e) => errors.push(e),
    },
    ...over,
  };
  return { req, events, errors, text: (kind: Event['kind'] = 'stdout') => events.filter((e) => e.kind === kind).map((e) => e.text).join('') };
}

/** Live (non-zombie) pids whose command line contains `marker` — markers this test made. */
function pidsWith(marker: string): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
    } catch {
      return false; // exited meanwhile
    }
  });
}

test('shell output streams live: a line arrives long before the cell ends, stdout and stderr apart', async (t) => {
  const kernel = new ShellKernel();
  t.after(() => kernel.dispose());
  const { req, events, text } = request('echo first; echo oops >&2; sleep 0.6; echo last');
  const result = await kernel.execute(req);
  const end = performance.now();
  assert.equal(result.status, 'ok');
  assert.equal(text('stdout'), 'first\nlast\n');
  assert.equal(text('stderr'), 'oops\n');
  const first = events.find((e) => e.text.includes('first'))!;
  assert.ok(end - first.at > 400, `first line arrived ${Math.round(end - first.at)} ms before the end`);
});

test('cd and exported variables carry over between cells of one notebook, and reset forgets them', async (t) => {
  const kernel = new ShellKernel();
  t.after(() => kernel.dispose());
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'pb-cd-')));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await kernel.execute(request(`cd ${dir}; export LAB_IFACE=veth0; PLAIN=not-exported`).req);
  const second = request('pwd; echo "$LAB_IFACE/${PLAIN:-unset}"');
  await kernel.execute(second.req);
  assert.equal(second.text(), `${dir}\nveth0/unset\n`);
  const other = request('echo "${LAB_IFACE:-none}"', { notebookKey: 'other' });
  await kernel.execute(other.req);
  assert.equal(other.text(), 'none\n', 'another notebook has its own state');
  await kernel.reset('nb');
  const after = request('pwd; echo "${LAB_IFACE:-none}"');
  await kernel.execute(after.req);
  assert.equal(after.text(), `${tmpdir()}\nnone\n`);
});

test('a non-zero exit fails the cell with its code and keeps the state set before it', async (t) => {
  const kernel = new ShellKernel();
  t.after(() => kernel.dispose());
  const { req, errors } = request('export STEP=1\nexit 3');
  const result = await kernel.execute(req);
  assert.equal(result.status, 'failed');
  assert.equal(result.exitCode, 3);
  assert.match(errors[0]!.evalue, /exited with code 3/);
  const next = request('echo $STEP');
  await kernel.execute(next.req);
  assert.equal(next.text(), '1\n');
});

test('bash errors name the cell line, never a temp path, and the error carries the location', async (t) => {
  const kernel = new ShellKernel();
  t.after(() => kernel.dispose());
  const { req, errors, text } = request('echo ok\nno_such_command_pb\nexit 1');
  await kernel.execute(req);
  assert.equal(text('stderr'), 'cell: line 2: no_such_command_pb: command not found\n');
  assert.deepEqual(errors[0]!.location, { line: 2 });
});

test('parameters arrive as environment variables', async (t) => {
  const kernel = new ShellKernel();
  t.after(() => kernel.dispose());
  const { req, text } = request('echo "$N $NAME"', { env: { N: '100', NAME: "it's a test" } });
  await kernel.execute(req);
  assert.equal(text(), "100 it's a test\n");
});

test('interrupt sends SIGINT to the cell: its trap runs and the cell counts as interrupted', async (t) => {
  const kernel = new ShellKernel();
  t.after(() => kernel.dispose());
  const ac = new AbortController();
  const { req, text, events } = request(`trap 'echo caught INT; exit 130' INT; echo ready; while true; do sleep 0.05; done`, { signal: ac.signal, graceMs: 2000 });
  const done = kernel.execute(req);
  while (!events.some((e) => e.text.includes('ready'))) await new Promise((r) => setTimeout(r, 10));
  ac.abort('interrupt');
  const result = await done;
  assert.equal(result.status, 'interrupted');
  assert.equal(result.stopped, true);
  assert.match(text(), /caught INT/);
});

test('a cell ignoring SIGINT gets SIGTERM after the grace, one ignoring both gets SIGKILL', async (t) => {
  const kernel = new ShellKernel();
  t.after(() => kernel.dispose());
  for (const [traps, signal] of [["trap '' INT", 'SIGTERM'], ["trap '' INT TERM", 'SIGKILL']] as const) {
    const ac = new AbortController();
    const { req, events } = request(`${traps}; echo ready; while true; do sleep 0.05; done`, { signal: ac.signal, graceMs: 150 });
    const done = kernel.execute(req);
    while (!events.some((e) => e.text.includes('ready'))) await new Promise((r) => setTimeout(r, 10));
    ac.abort('interrupt');
    const result = await done;
    assert.equal(result.stopped, true);
    assert.equal(result.exitSignal, signal, `${traps} ends by ${signal}`);
  }
});

test('nothing of a cell survives its end or its interrupt: background children are stopped', async (t) => {
  const kernel = new ShellKernel();
  t.after(() => kernel.dispose());
  const marker = `pb-orphan-${process.pid}-${Date.now()}`;
  const { req } = request(`(exec -a ${marker}-a sleep 100) & (exec -a ${marker}-b sleep 100) & disown; echo started`);
  await kernel.execute(req);
  assert.deepEqual(pidsWith(marker), []);

  const ac = new AbortController();
  const second = request(`(exec -a ${marker}-c sleep 100) & echo started; sleep 100`, { signal: ac.signal, graceMs: 200 });
  const done = kernel.execute(second.req);
  while (!second.events.some((e) => e.text.includes('started'))) await new Promise((r) => setTimeout(r, 10));
  assert.equal(pidsWith(marker).length, 1);
  ac.abort('interrupt');
  await done;
  assert.deepEqual(pidsWith(marker), []);
});

test('a flood of 2,000,000 lines arrives whole', async (t) => {
  const kernel = new ShellKernel();
  t.after(() => kernel.dispose());
  let bytes = 0;
  let last = '';
  const { req } = request('seq 2000000');
  req.sink.stream = (_n, text) => { bytes += Buffer.byteLength(text); last = text; };
  const result = await kernel.execute(req);
  assert.equal(result.status, 'ok');
  assert.equal(bytes, 14_888_896); // `seq 2000000 | wc -c`
  assert.ok(last.endsWith('2000000\n'));
});

test('concurrent cells keep their outputs apart, and UTF-8 split across reads stays whole', async (t) => {
  const kernel = new ShellKernel();
  t.after(() => kernel.dispose());
  const a = request('for i in $(seq 200); do echo "a$i é漢"; done', { notebookKey: 'a' });
  const b = request('for i in $(seq 200); do echo "b$i 🚀"; done', { notebookKey: 'b' });
  await Promise.all([kernel.execute(a.req), kernel.execute(b.req)]);
  assert.equal(a.text(), Array.from({ length: 200 }, (_, i) => `a${i + 1} é漢\n`).join(''));
  assert.equal(b.text(), Array.from({ length: 200 }, (_, i) => `b${i + 1} 🚀\n`).join(''));
  const split = request(`printf '\\xf0\\x9f'; sleep 0.1; printf '\\x9a\\x80\\n'`);
  await kernel.execute(split.req);
  assert.equal(split.text(), '🚀\n');
});

test('a missing bash says how to install it', async (t) => {
  const kernel = new ShellKernel({ bash: '/nonexistent/bash', warm: false });
  t.after(() => kernel.dispose());
  const { req, errors } = request('echo hi');
  const result = await kernel.execute(req);
  assert.equal(result.status, 'failed');
  assert.equal(errors[0]!.evalue, 'bash is not installed: sudo apt install bash');
});

test('kernel state lives in a private directory removed on dispose', async () => {
  const kernel = new ShellKernel();
  const { req, text } = request('export X=1; dirname "$(readlink -f /proc/$$/cwd)"');
  req.code = 'export X=1';
  await kernel.execute(req);
  const dirs = () => ['/dev/shm', process.env.XDG_RUNTIME_DIR, tmpdir()].filter((d): d is string => !!d && existsSync(d))
    .flatMap((d) => readdirSync(d).filter((n) => n.startsWith('probebook-shell-')).map((n) => join(d, n)));
  const before = dirs();
  assert.ok(before.length > 0);
  await kernel.dispose();
  assert.ok(before.some((d) => !existsSync(d)), 'dispose left its state directory');
  void text;
});
