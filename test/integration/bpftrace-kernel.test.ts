// The bpftrace kernel against the real bpftrace, tracepoints only (the CI kernel has no kprobes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { BpftraceKernel, bpftraceStopGrace } from '../../core/node/kernels/bpftrace-kernel.ts';
import type { ExecutionRequest } from '../../core/node/kernels/kernel.ts';
import type { BpftraceMapPayload } from '../../core/common/parsers/bpftrace/types.ts';
import type { CellErrorData } from '../../core/common/mime.ts';
import type { OutputItem } from '../../core/common/notebook/model.ts';
import { needs } from '../support/needs.ts';
import { textArrival } from '../support/within.ts';
import type { Notebook } from '../../core/common/notebook/model.ts';
import { createLocalExecutor } from '../../core/node/run/local-executor.ts';
import { NotebookRunner } from '../../core/node/run/notebook-runner.ts';

const BPFTRACE = { root: true, tools: ['bpftrace'] };

function request(code: string, over: Partial<ExecutionRequest> = {}) {
  const stdout: { text: string; at: number }[] = [];
  const stderr: string[] = [];
  const displays: OutputItem[][] = [];
  const errors: CellErrorData[] = [];
  const arrival = textArrival();
  const onStdout = (text: string) => {
    stdout.push({ text, at: performance.now() });
    arrival.feed(text);
  };
  const req: ExecutionRequest = {
    notebookKey: 'nb',
    cellId: 'c',
    language: 'bpftrace',
    code,
    cwd: tmpdir(),
    env: {},
    args: [],
    signal: new AbortController().signal,
    graceMs: 3000,
    sink: {
      stream: (name, text) => (name === 'stdout' ? onStdout(text) : stderr.push(text)),
      display: (items) => displays.push(items),
      update: () => undefined,
      clear: () => undefined,
      error: (e) => errors.push(e),
    },
    ...over,
  };
  const payloads = () =>
    displays.map((items) => items.find((i) => i.mime === 'application/vnd.probebook.bpftrace+json')!.data as unknown as BpftraceMapPayload);
  return { req, stdout, stderr, displays, errors, payloads, printed: arrival.printed };
}

/** Makes openat() calls from a process named `pb-opener` so the trace has something to count. */
function openFiles(times: number): void {
  execFileSync('bash', ['-c', `exec -a pb-opener bash -c 'for i in $(seq ${times}); do : < /etc/hostname; done'`]);
}

test('a timed trace ends with its maps as outputs and succeeds: counts, multi-key maps, hist, lhist, stats', async (t) => {
  if (!needs(t, BPFTRACE)) return;
  const kernel = new BpftraceKernel();
  const code = [
    'tracepoint:syscalls:sys_enter_openat /comm == "bash"/ {',
    '  @opens[comm] = count(); @bykey[comm, "x,y"] = count();',
    '  @h = hist(pid); @l = lhist(pid % 100, 0, 100, 10); @s = stats(pid); @a = avg(pid);',
    '}',
    'BEGIN { printf("tracing\\n"); }',
  ].join('\n');
  const ac = new AbortController();
  const { req, printed, payloads, errors } = request(code, { signal: ac.signal });
  const done = kernel.execute(req);
  await printed('tracing', 30_000);
  // The 20 openat() calls are counted in the kernel's maps by the time they return: stop at once.
  openFiles(20);
  ac.abort('timeout');
  const result = await done;
  assert.deepEqual(errors, []);
  assert.equal(result.status, 'ok');
  assert.equal(result.stopped, true);
  const byName = new Map(payloads().map((p) => [p.name, p]));
  assert.deepEqual([...byName.keys()].sort(), ['@a', '@bykey', '@h', '@l', '@opens', '@s']);
  const opens = byName.get('@opens')!.entries.find((e) => e.key[0] === 'bash')!;
  assert.ok(Number((opens.value as { value: number }).value) >= 20);
  assert.equal(byName.get('@h')!.kind, 'hist');
  assert.equal(byName.get('@s')!.entries[0]!.value.type, 'stats');
  // "x,y" holds a comma: the key is kept whole rather than split wrongly.
  assert.ok(byName.get('@bykey')!.entries.every((e) => e.rawKey.includes('x,y')));
});

test('a stopped bpftrace gets time to detach every probe it attached, then prints its maps', async (t) => {
  if (!needs(t, BPFTRACE)) return;
  // 71 syscall tracepoints: bpftrace needs ~4 s after SIGINT to detach them before it prints @n.
  // With a fixed 1 s grace it would get SIGTERM at 1 s and SIGKILL at 2 s, and the maps be lost.
  const kernel = new BpftraceKernel();
  const ac = new AbortController();
  const graces: number[] = [];
  const { req, printed, stderr, payloads, errors } = request('tracepoint:syscalls:sys_enter_s* { @n = count(); }\nBEGIN { printf("attached\\n"); }', {
    signal: ac.signal,
    graceMs: 1000,
    onStopGrace: (ms) => graces.push(ms),
  });
  const done = kernel.execute(req);
  // BEGIN runs once every probe is attached.
  await printed('attached', 60_000);
  // A new process makes set_robust_list and set_tid_address calls: @n has a count to print.
  execFileSync('true');
  ac.abort('timeout');
  const result = await done;
  assert.deepEqual(errors, []);
  assert.equal(result.status, 'ok', stderr.join(''));
  assert.deepEqual(
    payloads().map((p) => p.name),
    ['@n'],
    'the maps were printed',
  );
  const probes = Number(/detached its (\d+) probes/.exec(stderr.join(''))?.[1]);
  assert.ok(probes >= 50, `${probes} probes`);
  assert.deepEqual(graces, [bpftraceStopGrace(probes, 1000)], 'the kernel host was told to wait as long');
  assert.match(stderr.join(''), new RegExp(`prints its maps once it has detached its ${probes} probes`));
  assert.doesNotMatch(stderr.join(''), /did not stop/);
});

test('the grace for stopping bpftrace grows with its probes, from the base grace up to 10 minutes', () => {
  assert.equal(bpftraceStopGrace(0, 3000), 3000);
  assert.equal(bpftraceStopGrace(3, 3000), 3000);
  assert.equal(bpftraceStopGrace(71, 1000), 2000 + 71 * 150);
  assert.equal(bpftraceStopGrace(720, 3000), 110_000);
  assert.equal(bpftraceStopGrace(100_000, 3000), 600_000);
  assert.equal(bpftraceStopGrace(10, 30_000), 30_000, 'never less than asked for');
});

test('printf lines stream live, before the cell ends', async (t) => {
  if (!needs(t, BPFTRACE)) return;
  const kernel = new BpftraceKernel();
  const { req, stdout } = request('BEGIN { printf("start\\n"); } interval:ms:700 { printf("tick\\n"); exit(); }');
  const result = await kernel.execute(req);
  const end = performance.now();
  assert.equal(result.status, 'ok');
  const start = stdout.find((s) => s.text.includes('start'))!;
  assert.ok(end - start.at > 400, `start arrived only ${Math.round(end - start.at)} ms before the end`);
  assert.match(stdout.map((s) => s.text).join(''), /start\ntick\n/);
});

test('a map printed on every interval gives one output per print, numbered and timed', async (t) => {
  if (!needs(t, BPFTRACE)) return;
  const kernel = new BpftraceKernel();
  const { req, payloads } = request(
    'tracepoint:syscalls:sys_enter_openat { @opens = count(); } interval:ms:300 { print(@opens); clear(@opens); } interval:ms:1000 { exit(); }',
  );
  const result = await kernel.execute(req);
  assert.equal(result.status, 'ok');
  const prints = payloads().filter((p) => p.name === '@opens');
  assert.ok(prints.length >= 3, `${prints.length} prints`);
  assert.deepEqual(prints.map((p) => p.printIndex).slice(0, 3), [0, 1, 2]);
  assert.ok(prints[2]!.time > prints[0]!.time);
  assert.equal(prints[0]!.runStart, prints[1]!.runStart);
});

test('a syntax error is shown at the cell line and column, never with the temp path', async (t) => {
  if (!needs(t, BPFTRACE)) return;
  const kernel = new BpftraceKernel();
  const { req, errors, stderr, stdout } = request('BEGIN {\n  @x = 1;\n  printf("%d\\n", @x, 2;\n}');
  const result = await kernel.execute(req);
  assert.equal(result.status, 'failed');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.ename, 'BpftraceError');
  assert.match(errors[0]!.evalue, /^line 3, column \d+: syntax error/);
  assert.equal(errors[0]!.location?.line, 3);
  const everything = JSON.stringify({ errors, stderr, stdout });
  assert.doesNotMatch(everything, /probebook-bt-|cell\.bt|\/tmp\//);
});

test('an unknown tracepoint is an error naming it at its line', async (t) => {
  if (!needs(t, BPFTRACE)) return;
  const kernel = new BpftraceKernel();
  const { req, errors } = request('// probe\ntracepoint:net:no_such_tracepoint { exit(); }');
  await kernel.execute(req);
  assert.match(errors[0]!.evalue, /^line 2, column 1: tracepoint not found: net:no_such_tracepoint/);
});

test('kprobes on a kernel without them say so plainly, before running', async (t) => {
  if (!needs(t, { ...BPFTRACE, check: () => (kprobesAvailable() ? 'a kernel without kprobes (this one has them)' : null) })) return;
  const kernel = new BpftraceKernel();
  const { req, errors } = request('kprobe:nf_hook_slow { @ = count(); }');
  const result = await kernel.execute(req);
  assert.equal(result.status, 'failed');
  assert.equal(errors[0]!.ename, 'KernelFeature');
  assert.match(errors[0]!.evalue, /kprobe:nf_hook_slow needs kprobes, which this kernel cannot attach/);
  assert.match(errors[0]!.traceback.join('\n'), /tracepoint/);
});

test('parameters arrive as positional parameters', async (t) => {
  if (!needs(t, BPFTRACE)) return;
  const kernel = new BpftraceKernel();
  const { req, stdout } = request('BEGIN { printf("%d %s\\n", $1, str($2)); exit(); }', { args: ['42', 'veth0'] });
  await kernel.execute(req);
  assert.equal(stdout.map((s) => s.text).join(''), '42 veth0\n');
});

test('system() without the unsafe opt-in is refused before running', async () => {
  const kernel = new BpftraceKernel();
  const { req, errors } = request('BEGIN {\n  system("id");\n}');
  const result = await kernel.execute(req);
  assert.equal(result.status, 'failed');
  assert.match(errors[0]!.evalue, /^line 2: system\(\) runs with root's power/);
});

test('a missing bpftrace says how to install it', async () => {
  const kernel = new BpftraceKernel({ bpftrace: '/nonexistent/bpftrace' });
  const { req, errors } = request('BEGIN { exit(); }');
  const result = await kernel.execute(req);
  assert.equal(result.status, 'failed');
  assert.equal(errors[0]!.evalue, 'bpftrace is not installed: sudo apt install bpftrace');
});

function kprobesAvailable(): boolean {
  try {
    execFileSync('sh', ['-c', 'test -e /sys/kernel/tracing/kprobe_events || test -e /sys/kernel/debug/tracing/kprobe_events']);
    return true;
  } catch {
    return false;
  }
}

test("a bpftrace cell's timeout counts from when its probes are attached, not from its compile", async (t) => {
  if (!needs(t, BPFTRACE)) return;
  // BEGIN fires once the probes are attached, END when the timeout's SIGINT arrives: the trace
  // between them lasts the whole timeout. Counted from the process start instead, bpftrace's
  // compile and attach (~0.3 s here, seconds for kprobe wildcards) came off the trace.
  const nb: Notebook = {
    nbformat: 4,
    nbformatMinor: 5,
    metadata: {},
    cells: [
      {
        id: 'trace',
        cellType: 'code',
        source: 'BEGIN { printf("begin\\n"); } tracepoint:syscalls:sys_enter_getppid { @n = count(); } END { printf("end\\n"); }',
        metadata: { probebook: { language: 'bpftrace', timeout: '1s' } },
        outputs: [],
        executionCount: null,
      },
    ],
  };
  const executor = createLocalExecutor();
  t.after(() => executor.dispose());
  const seen = new Map<string, number>();
  const runner = new NotebookRunner({
    notebook: nb,
    notebookPath: null,
    notebookKey: `bt-timeout-${Math.random()}`,
    executor,
    events: {
      output: (_, edit) => {
        const text = JSON.stringify(edit);
        for (const word of ['begin', 'end']) if (text.includes(`${word}\\n`) && !seen.has(word)) seen.set(word, performance.now());
      },
    },
  });
  const summary = await runner.run({ cellIds: ['trace'] });
  assert.equal(summary.ok, true, JSON.stringify(summary));
  assert.ok(seen.has('begin') && seen.has('end'), `BEGIN and END both printed (seen: ${[...seen.keys()].join(', ') || 'neither'})`);
  const traced = seen.get('end')! - seen.get('begin')!;
  assert.ok(traced >= 950, `traced ${Math.round(traced)} ms of its 1 s timeout`);
  // Counted from the attach, it ends 1 s after "begin" plus bpftrace's detach. Once in CI (a
  // loaded machine, 2026-12-06) bpftrace 0.17 did not act on the SIGINT and ended on the ladder's
  // SIGTERM 3 s later (4051 ms): still counted from the attach, so that is allowed, and reported.
  assert.ok(traced < 1000 + 3000 + 1500, `traced ${Math.round(traced)} ms`);
  if (traced >= 3000) t.diagnostic(`bpftrace ended ${Math.round(traced)} ms after "begin": the SIGINT was not acted on, the SIGTERM was`);
});
