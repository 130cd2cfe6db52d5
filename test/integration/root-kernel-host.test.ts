/**
 * The kernel host's edge and lifetime: it validates every request, and it exits (leaving nothing)
 * on stdin EOF, on its app's death and on a missed heartbeat.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { needs } from '../support/needs.ts';
import type { AuditRecord, KernelMessage } from '../../core/common/protocol.ts';
import type { Cell, JsonObject, Notebook } from '../../core/common/notebook/model.ts';
import { commandFor, startKernelHost } from '../../core/node/kernel-host/elevation.ts';
import { KernelHostConnection } from '../../core/node/kernel-host/kernel-host-connection.ts';
import { KernelHostClient } from '../../core/node/kernel-host/kernel-host-client.ts';
import { MAX_REQUEST_LINE_BYTES } from '../../core/node/kernel-host/kernel-request-validate.ts';
import { detectContainment } from '../../core/node/process/detect-containment.ts';
import { eventually, kernelHostUnderTest, pidsMentioning, waitGone } from '../support/root.ts';

const containment = detectContainment();

async function host(t: { after(fn: () => unknown): void }, heartbeatMs = 2000, parentPid?: number) {
  const started = await startKernelHost({ ...kernelHostUnderTest(), methods: ['root'], heartbeatMs, forwardStderr: null, parentPid });
  t.after(() => started.connection.subprocess.kill('SIGKILL'));
  return started;
}

/** The next message matching `match`. */
function next(connection: KernelHostConnection, match: (m: KernelMessage) => boolean, timeoutMs = 10_000): Promise<KernelMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error('no such message arrived'))), timeoutMs);
    const off = connection.onMessage((m) => {
      if (match(m)) clearTimeout(timer), off(), resolve(m);
    });
  });
}

async function assertSessionGone(sessionId: string) {
  if (containment.mode === 'cgroup2') {
    const dir = join(containment.v2Mount!, 'probebook', sessionId);
    await eventually(() => !existsSync(dir), 3000, `${dir} remains`);
  }
  await eventually(() => pidsMentioning(sessionId).length === 0, 3000, `processes of ${sessionId} remain (the reaper?)`);
}

test('exits when its stdin closes, and leaves no cgroup or reaper', async (t) => {
  if (!needs(t, { root: true })) return;
  const { connection, welcome } = await host(t);
  connection.subprocess.stdin!.end();
  const exit = await connection.exited;
  assert.equal(exit.exitCode, 0);
  assert.match(exit.stderr, /exiting: stdin closed/);
  await assertSessionGone(welcome.sessionId);
});

test('exits on a missed heartbeat', async (t) => {
  if (!needs(t, { root: true })) return;
  const { connection, welcome } = await host(t, 100);
  const started = Date.now();
  connection.stopHeartbeat();
  const exit = await connection.exited;
  assert.match(exit.stderr, /exiting: missed heartbeat/);
  assert.ok(Date.now() - started < 2000, `gave up after ${Date.now() - started} ms`);
  await assertSessionGone(welcome.sessionId);
});

test('a kernel host that stood still itself (SIGSTOP, a loaded machine) reads the waiting heartbeats before it judges', async (t) => {
  if (!needs(t, { root: true })) return;
  const { connection } = await host(t, 200);
  const pid = connection.subprocess.pid!;
  process.kill(pid, 'SIGSTOP'); // the app keeps sending heartbeats into the pipe meanwhile
  // The stall under test: 1.5 s stopped, seven heartbeat periods.
  await new Promise((r) => setTimeout(r, 1500));
  process.kill(pid, 'SIGCONT');
  connection.send({ type: 'heartbeat', seq: 777 });
  await next(connection, (m) => m.type === 'heartbeat_ack' && m.seq === 777, 5000);
  // A window in which it must not exit (its watchdog judges every 200 ms): nothing to wait for but time.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(connection.subprocess.exitCode, null, `the kernel host exited: ${connection.stderrTail()}`);
});

test('exits when the app process is gone even while its stdin stays open', async (t) => {
  if (!needs(t, { root: true })) return;
  const app = execa('sleep', ['60'], { reject: false });
  t.after(() => app.kill('SIGKILL'));
  const { connection, welcome } = await host(t, 2000, app.pid);
  app.kill('SIGKILL');
  const exit = await connection.exited;
  assert.match(exit.stderr, new RegExp(`exiting: the app's process ${app.pid} is gone`));
  await assertSessionGone(welcome.sessionId);
});

test('rejects hostile requests with a reason and keeps serving', async (t) => {
  if (!needs(t, { root: true })) return;
  const { connection } = await host(t);
  const errors: string[] = [];
  connection.onMessage((m) => m.type === 'error' && errors.push(m.message));
  const stdin = connection.subprocess.stdin!;
  stdin.write('{"type":"kernel_spawn","requestId":"h1","cmd":"sh"}\n');
  stdin.write('not json at all\n');
  stdin.write(
    `${JSON.stringify({ type: 'kernel_execute_request', requestId: 'h2', notebookKey: 'n', notebookPath: null, cellId: 'c', language: 'shell', code: 'id', cwd: '/tmp', env: { LD_PRELOAD: '/tmp/evil.so' }, args: [] })}\n`,
  );
  stdin.write(
    `${JSON.stringify({ type: 'kernel_execute_request', requestId: 'h3', notebookKey: 'n', notebookPath: null, cellId: 'c', language: 'shell', code: 'id', cwd: '../..', env: {}, args: [] })}\n`,
  );
  stdin.write(`${JSON.stringify({ type: 'heartbeat', seq: 1, extra: true })}\n`);
  stdin.write(`{"type":"heartbeat","seq":${'9'.repeat(MAX_REQUEST_LINE_BYTES + 1024)}}\n`);
  connection.send({ type: 'heartbeat', seq: 4242 });
  await next(connection, (m) => m.type === 'heartbeat_ack' && m.seq === 4242);
  assert.deepEqual(errors.length, 6, errors.join('\n'));
  assert.match(errors[0]!, /unknown request type "kernel_spawn"/);
  assert.match(errors[1]!, /not JSON/);
  assert.match(errors[2]!, /env may not set LD_PRELOAD/);
  assert.match(errors[3]!, /cwd must be an absolute path/);
  assert.match(errors[4]!, /unknown field "extra"/);
  assert.match(errors[5]!, new RegExp(`exceeds the ${MAX_REQUEST_LINE_BYTES}-byte limit`));
});

test('refuses everything before kernel_hello, and a different protocol version', async (t) => {
  if (!needs(t, { root: true })) return;
  const { entry, nodeArgs } = kernelHostUnderTest();
  const { file, args } = commandFor('root', process.execPath, [...nodeArgs, entry], []);
  const connection = new KernelHostConnection(execa(file, args, { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false }), null);
  t.after(() => connection.subprocess.kill('SIGKILL'));
  connection.send({
    type: 'kernel_execute_request',
    requestId: 'early',
    notebookKey: 'n',
    notebookPath: null,
    cellId: 'c',
    language: 'shell',
    code: 'id',
    cwd: '/tmp',
    env: {},
    args: [],
  });
  const refused = await next(connection, (m) => m.type === 'error');
  assert.match((refused as { message: string }).message, /kernel_execute_request before kernel_hello/);
  connection.send({ type: 'kernel_hello', protocolVersion: 999, heartbeatMs: 1000 });
  const mismatch = await next(connection, (m) => m.type === 'error');
  assert.equal((mismatch as { code: string }).code, 'version_mismatch');
  assert.equal((await connection.exited).exitCode, 1);
});

test('audits every execution and applies cwd and env itself', async (t) => {
  if (!needs(t, { root: true })) return;
  const records: AuditRecord[] = [];
  const client = await KernelHostClient.start({ ...kernelHostUnderTest(), methods: ['root'], forwardStderr: null, onAudit: (r) => records.push(r) });
  t.after(() => client.dispose());
  let out = '';
  const code = 'pwd; echo "$LAB_IFACE"';
  const base = { notebookKey: 'nb', notebookPath: '/labs/a.ipynb', language: 'shell' as const, args: [], signal: new AbortController().signal };
  const sink = {
    stream: (_: string, text: string) => (out += text),
    display: () => undefined,
    update: () => undefined,
    clear: () => undefined,
    error: () => undefined,
  };
  const ok = await client.execute({ ...base, cellId: 'c1', code, cwd: '/usr', env: { LAB_IFACE: 'veth-lab' }, sink });
  assert.equal(ok.status, 'ok');
  assert.equal(out, '/usr\nveth-lab\n');
  const errors: string[] = [];
  const missing = await client.execute({
    ...base,
    cellId: 'c2',
    code: 'true',
    cwd: '/nonexistent/dir',
    env: {},
    sink: { ...sink, error: (e) => errors.push(e.evalue) },
  });
  assert.equal(missing.status, 'failed');
  assert.match(errors[0]!, /Cell c2: the working directory \/nonexistent\/dir cannot be used/);
  const refused = await client.execute({
    ...base,
    cellId: 'c3',
    code: 'true',
    cwd: '/tmp',
    env: { BASH_ENV: '/tmp/x' },
    sink: { ...sink, error: (e) => errors.push(e.evalue) },
  });
  assert.equal(refused.status, 'failed');
  assert.match(errors[1]!, /env may not set BASH_ENV/);

  await eventually(() => records.length === 2, 3000, 'audit records');
  const [first] = records;
  assert.equal(first!.notebookPath, '/labs/a.ipynb');
  assert.equal(first!.cellId, 'c1');
  assert.equal(first!.runAs, 'root');
  assert.equal(first!.uid, 0);
  assert.equal(first!.status, 'ok');
  assert.equal(first!.exitCode, 0);
  assert.equal(first!.codeSha256, createHash('sha256').update(code).digest('hex'));
  assert.ok(!Number.isNaN(Date.parse(first!.time)));
  assert.equal(records[1]!.status, 'failed');
});

test('kill -9 of the kernel host rejects the running cell instead of hanging', async (t) => {
  if (!needs(t, { root: true })) return;
  const client = await KernelHostClient.start({ ...kernelHostUnderTest(), methods: ['root'], forwardStderr: null, onAudit: () => undefined });
  t.after(() => client.dispose());
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const done = client.execute({
    notebookKey: 'nb',
    cellId: 'c',
    language: 'shell',
    code: 'echo go; sleep 60',
    cwd: '/tmp',
    env: {},
    args: [],
    signal: new AbortController().signal,
    sink: { stream: () => started(), display: () => undefined, update: () => undefined, clear: () => undefined, error: () => undefined },
  });
  await running;
  process.kill(client.welcome.pid, 'SIGKILL');
  await assert.rejects(done, /The kernel host was killed by SIGKILL; restart the session/);
  await waitGone([client.welcome.pid], 3000);
  await assertSessionGone(client.welcome.sessionId);
});

test('a stopped bpftrace cell detaching many probes is not killed by the host before it prints its maps', async (t) => {
  if (!needs(t, { root: true, tools: ['bpftrace'] })) return;
  const client = await KernelHostClient.start({ ...kernelHostUnderTest(), methods: ['root'], forwardStderr: null, onAudit: () => undefined });
  t.after(() => client.dispose());
  // ~70 syscall tracepoints take bpftrace ~4 s to detach after SIGINT; the host's own backstop for
  // a 1 s grace would kill the cell's cgroup after 3 s, mid-detach, unless the kernel extends it.
  const ac = new AbortController();
  let out = '';
  const maps: string[] = [];
  let attached!: () => void;
  const ready = new Promise<void>((r) => (attached = r));
  const done = client.execute({
    notebookKey: 'nb',
    cellId: 'trace',
    language: 'bpftrace',
    code: 'tracepoint:syscalls:sys_enter_s* { @n = count(); }\nBEGIN { printf("attached\\n"); }',
    cwd: '/tmp',
    env: {},
    args: [],
    signal: ac.signal,
    graceMs: 1000,
    sink: {
      stream: (_, text) => ((out += text), out.includes('attached') && attached()),
      display: (items) => maps.push(String(items.find((i) => i.mime === 'text/plain')?.data ?? '')),
      update: () => undefined,
      clear: () => undefined,
      error: () => undefined,
    },
  });
  await ready;
  ac.abort('timeout');
  const result = await done;
  assert.equal(result.status, 'ok', out);
  assert.match(maps.join('\n'), /^@n: \d+/m, 'the map was printed');
  assert.match(out, /prints its maps once it has detached its \d+ probes/);
});

test('the host tells when a bpftrace cell has attached its probes, so its timeout counts from then', async (t) => {
  if (!needs(t, { root: true, tools: ['bpftrace'] })) return;
  const client = await KernelHostClient.start({ ...kernelHostUnderTest(), methods: ['root'], forwardStderr: null, onAudit: () => undefined });
  t.after(() => client.dispose());
  const stop = new AbortController();
  const events: string[] = [];
  const done = client.execute({
    notebookKey: 'nb',
    cellId: 'trace',
    language: 'bpftrace',
    code: 'BEGIN { printf("begin\\n"); }',
    cwd: '/tmp',
    env: {},
    args: [],
    signal: stop.signal,
    onTracing: () => events.push('tracing'),
    sink: {
      stream: (_, text) => {
        events.push(text.trim());
        if (text.includes('begin')) stop.abort('timeout');
      },
      display: () => undefined,
      update: () => undefined,
      clear: () => undefined,
      error: () => undefined,
    },
  });
  const result = await done;
  assert.equal(result.status, 'ok');
  assert.deepEqual(events.slice(0, 2), ['tracing', 'begin'], 'told before BEGIN runs, once');
  assert.equal(events.filter((e) => e === 'tracing').length, 1);
});

test('a cell stopped again while it stops is killed at once, not after its grace', async (t) => {
  if (!needs(t, { root: true })) return;
  const client = await KernelHostClient.start({ ...kernelHostUnderTest(), methods: ['root'], forwardStderr: null, onAudit: () => undefined });
  t.after(() => client.dispose());
  const stop = new AbortController();
  const hurry = new AbortController();
  let out = '';
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const done = client.execute({
    notebookKey: 'nb',
    cellId: 'stubborn',
    language: 'shell',
    code: "trap '' INT TERM; echo ready; sleep 60",
    cwd: '/tmp',
    env: {},
    args: [],
    signal: stop.signal,
    hurry: hurry.signal,
    graceMs: 15_000,
    sink: {
      stream: (_, text) => ((out += text), out.includes('ready') && ready()),
      display: () => undefined,
      update: () => undefined,
      clear: () => undefined,
      error: () => undefined,
    },
  });
  await isReady;
  const t0 = Date.now();
  stop.abort('interrupt');
  // Let the first stop's SIGINT land (and be ignored) before stopping again; the host tells nothing in between.
  await new Promise((r) => setTimeout(r, 500));
  hurry.abort('interrupt');
  const result = await done;
  assert.ok(Date.now() - t0 < 5000, `ended ${Date.now() - t0} ms after the first stop (its grace is 15 s)`);
  assert.equal(result.status, 'interrupted');
  assert.match(out, /stopped again while stopping; it ignored SIGINT and SIGTERM, so it was killed with SIGKILL/);
});

test('a cell that prints faster than the app reads cannot make the kernel host buffer without bound', async (t) => {
  if (!needs(t, { root: true })) return;
  const { connection } = await host(t);
  let received = 0;
  let notice = '';
  connection.onMessage((m) => {
    if (m.type !== 'kernel_stream') return;
    if (m.text.startsWith('[probebook:')) notice = m.text;
    else received += m.text.length;
  });
  // The app stops reading while the cell writes 160 MiB.
  const done = join(mkdtempSync(join(tmpdir(), 'probebook-flood-')), 'done');
  t.after(() => rmSync(dirname(done), { recursive: true, force: true }));
  connection.subprocess.stdout!.pause();
  connection.send({
    type: 'kernel_execute_request',
    requestId: 'flood',
    notebookKey: 'n',
    notebookPath: null,
    cellId: 'c',
    language: 'shell',
    code: `head -c 167772160 /dev/zero | tr "\\0" x; touch ${done}`,
    cwd: '/tmp',
    env: {},
    args: [],
  });
  await eventually(() => existsSync(done), 30_000, 'the cell did not finish');
  connection.subprocess.stdout!.resume();
  await next(connection, (m) => m.type === 'kernel_ended', 30_000);
  assert.match(notice, /^\[probebook: \d+ bytes of output dropped: the app could not keep up\]/);
  const dropped = Number(/(\d+) bytes/.exec(notice)![1]);
  assert.equal(received + dropped, 167772160, 'every byte is either delivered or counted');
  assert.ok(received < 100 * 1024 * 1024, `delivered ${received} bytes: the buffer stayed bounded`);
});

test('a flood crosses the kernel link only up to the stream limit: the rest is counted exactly, not sent', async (t) => {
  if (!needs(t, { root: true })) return;
  const { connection } = await host(t);
  let received = '';
  connection.onMessage((m) => {
    if (m.type === 'kernel_stream' && m.name === 'stdout') received += m.text;
  });
  connection.send({
    type: 'kernel_execute_request',
    requestId: 'seq',
    notebookKey: 'n',
    notebookPath: null,
    cellId: 'c',
    language: 'shell',
    code: 'seq 200000',
    cwd: '/tmp',
    env: {},
    args: [],
    streamLimitBytes: 10_000,
  });
  const ended = (await next(connection, (m) => m.type === 'kernel_ended', 30_000)) as Extract<KernelMessage, { type: 'kernel_ended' }>;
  const all = Array.from({ length: 200_000 }, (_, i) => `${i + 1}\n`).join('');
  assert.ok(received.length <= 10_000 && received.length > 9_000, `sent ${received.length} bytes`);
  assert.ok(all.startsWith(received) && received.endsWith('\n'), 'what was sent is the start of the output, cut at a line end');
  assert.deepEqual(ended.dropped, {
    stdout: { bytes: all.length - received.length, lines: 200_000 - received.split('\n').length + 1 },
  });
});

test("TypeScript cells' cell() and run() reach the notebook through the kernel host", async (t) => {
  if (!needs(t, { root: true })) return;
  const { NotebookRunner } = await import('../../core/node/run/notebook-runner.ts');
  const client = await KernelHostClient.start({ ...kernelHostUnderTest(), methods: ['root'], forwardStderr: null, onAudit: () => undefined });
  t.after(() => client.dispose());
  const code = (id: string, source: string, probebook: JsonObject = {}): Cell => ({
    id,
    cellType: 'code',
    source,
    metadata: { probebook },
    outputs: [],
    executionCount: null,
  });
  const notebook: Notebook = {
    nbformat: 4,
    nbformatMinor: 5,
    metadata: { probebook: { language: 'shell', parameters: { N: 1 } } },
    cells: [
      code('measure', 'echo "{\\"n\\": $N, \\"uid\\": $(id -u)}"', { name: 'measure' }),
      code(
        'analyse',
        [
          "const before = await cell('measure');",
          "const after = await run('measure', { N: 7 });",
          'console.log(`before=${before.json.n} after=${after.json.n} status=${after.status} uid=${after.json.uid}`);',
          "try { await cell('nope'); } catch (e) { console.log('error: ' + (e as Error).message); }",
        ].join('\n'),
        { language: 'typescript' },
      ),
    ],
  };
  const runner = new NotebookRunner({ notebook, notebookPath: null, notebookKey: 'kh-notebook-calls', executor: client });
  const summary = await runner.run();
  const stdout = (id: string) =>
    notebook.cells
      .find((c) => c.id === id)!
      .outputs.filter((o) => o.kind === 'stream')
      .map((o) => String(o.items[0]!.data))
      .join('');
  assert.equal(summary.ok, true, `${JSON.stringify(summary)}\n${JSON.stringify(notebook.cells[1]!.outputs)}`);
  assert.match(stdout('analyse'), /^before=1 after=7 status=ok uid=0$/m, 'cell() read the first run; run() ran it again as root with N=7');
  assert.match(stdout('analyse'), /error: no cell is named "nope" \(named cells: measure/);
  assert.equal(stdout('measure').trim(), '{"n": 7, "uid": 0}', "the run() result is the cell's output in the notebook too");
});
