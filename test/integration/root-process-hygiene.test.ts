/**
 * Nothing of a cell survives its stop or the app's death: kill -9 of the app (the kernel host's
 * parent) or of the kernel host leaves no process, no cgroup and no BPF program behind within 3 s,
 * and a cell child that called `setsid` is stopped with its cell.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { needs } from '../support/needs.ts';
import { detectContainment } from '../../core/node/process/detect-containment.ts';
import { KernelHostClient } from '../../core/node/kernel-host/kernel-host-client.ts';
import { tracefsMount } from '../../core/node/doctor/checks.ts';
import { bpfProgCount, eventually, kernelHostUnderTest, pidsMentioning, startApp, waitGone, type AppLine } from '../support/root.ts';

const containment = detectContainment();
const tracefs = () => (tracefsMount() ? null : 'tracefs mounted (.ci/run mounts it)');

/** A shell cell that starts a background child and a setsid'd one, prints their pids, and waits. */
const SHELL_CELL = {
  cellId: 'sleepers',
  language: 'shell',
  code: 'sleep 300 & echo "PID $!"; setsid sleep 301 & echo "PID $!"; echo "PID $$"; echo READY; wait',
};
// A tracepoint no other test traces, so its program can be counted while other files run bpftrace.
const BPFTRACE_CELL = { cellId: 'trace', language: 'bpftrace', code: 'tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }' };
const BPF_PROG = 'sys_enter_getppid';

function pidsFrom(lines: AppLine[], cellId: string): number[] {
  const text = lines
    .filter((l) => l.cellId === cellId && l.stream === 'stdout')
    .map((l) => l.text)
    .join('');
  return [...text.matchAll(/PID (\d+)/g)].map((m) => Number(m[1]));
}

function sessionCgroup(sessionId: string): string | null {
  return containment.mode === 'cgroup2' && containment.v2Mount ? join(containment.v2Mount, 'probebook', sessionId) : null;
}

async function startBusyApp(t: { after(fn: () => unknown): void }) {
  const baseline = bpfProgCount(BPF_PROG)!;
  const app = startApp([SHELL_CELL, BPFTRACE_CELL]);
  t.after(() => app.child.kill('SIGKILL'));
  const welcome = (await app.waitFor((l) => !!l.welcome)).welcome!;
  await app.waitFor((l) => l.cellId === 'sleepers' && !!l.text?.includes('READY'));
  await eventually(() => bpfProgCount(BPF_PROG)! > baseline, 15_000, 'the bpftrace cell never loaded its program');
  const cellPids = pidsFrom(app.lines, 'sleepers');
  assert.equal(cellPids.length, 3);
  const cgroup = sessionCgroup(welcome.sessionId);
  if (cgroup) assert.ok(existsSync(cgroup), `the session has its cgroup ${cgroup}`);
  return { app, welcome, baseline, cellPids, cgroup };
}

async function assertAllGone(s: Awaited<ReturnType<typeof startBusyApp>>) {
  const elapsed = await waitGone([s.welcome.pid, ...s.cellPids], 3000);
  // The reaper names the session in its arguments; it too must be gone once it cleaned up.
  await eventually(
    () => pidsMentioning(s.welcome.sessionId).length === 0,
    3000,
    `processes of session ${s.welcome.sessionId} remain: ${pidsMentioning(s.welcome.sessionId)}`,
  );
  if (s.cgroup) await eventually(() => !existsSync(s.cgroup!), 3000 - elapsed + 500, `${s.cgroup} was not removed`);
  await eventually(
    () => bpfProgCount(BPF_PROG) === s.baseline,
    3000,
    `${BPF_PROG} BPF programs did not return to ${s.baseline} (now ${bpfProgCount(BPF_PROG)})`,
  );
}

test('kill -9 of the app leaves no kernel host, no cell process, no cgroup and no BPF program', async (t) => {
  if (!needs(t, { root: true, tools: ['bpftrace', 'bpftool'], check: tracefs })) return;
  const s = await startBusyApp(t);
  s.app.child.kill('SIGKILL');
  await assertAllGone(s);
});

test('kill -9 of the kernel host leaves no cell process, no cgroup and no BPF program', async (t) => {
  if (!needs(t, { root: true, tools: ['bpftrace', 'bpftool'], check: tracefs })) return;
  const s = await startBusyApp(t);
  process.kill(s.welcome.pid, 'SIGKILL');
  await assertAllGone(s);
  // The app learns its kernel host is gone instead of hanging.
  const failed = await s.app.waitFor((l) => l.error !== undefined, 5000);
  assert.match(failed.error!, /The kernel host was killed by SIGKILL/);
});

test('interrupting a cell also stops its child that called setsid', async (t) => {
  if (!needs(t, { root: true, tools: ['setsid'] })) return;
  const client = await KernelHostClient.start({ ...kernelHostUnderTest(), forwardStderr: null, onAudit: () => undefined });
  t.after(() => client.dispose());
  const controller = new AbortController();
  let out = '';
  let ready!: () => void;
  const started = new Promise<void>((r) => (ready = r));
  const done = client.execute({
    notebookKey: 'nb',
    cellId: 'escape',
    language: 'shell',
    code: 'setsid sleep 302 & echo "PID $!"; sleep 303',
    cwd: '/tmp',
    env: {},
    args: [],
    graceMs: 200,
    signal: controller.signal,
    sink: {
      stream: (_n, text) => ((out += text), out.includes('PID') && ready()),
      display: () => undefined,
      update: () => undefined,
      clear: () => undefined,
      error: () => undefined,
    },
  });
  await started;
  const escaped = Number(/PID (\d+)/.exec(out)![1]);
  assert.ok(process.kill(escaped, 0), 'the setsid child runs');
  controller.abort('interrupt');
  const result = await done;
  assert.equal(result.stopped, true);
  await waitGone([escaped], 3000);
});

/** Runs a shell cell of notebook `nb` in /tmp through `client`, asserts it succeeded, and returns its output. */
async function runShellCell(client: KernelHostClient, cellId: string, code: string): Promise<string> {
  let out = '';
  const result = await client.execute({
    notebookKey: 'nb',
    cellId,
    language: 'shell',
    code,
    cwd: '/tmp',
    env: {},
    args: [],
    signal: new AbortController().signal,
    sink: { stream: (_n, text) => (out += text), display: () => undefined, update: () => undefined, clear: () => undefined, error: () => undefined },
  });
  assert.equal(result.status, 'ok');
  return out;
}

test('a cell that ends normally keeps its background daemon until the session ends', async (t) => {
  if (!needs(t, { root: true, tools: ['setsid'] })) return;
  const client = await KernelHostClient.start({ ...kernelHostUnderTest(), forwardStderr: null, onAudit: () => undefined });
  t.after(() => client.dispose());
  const out = await runShellCell(client, 'daemon', 'setsid sleep 304 >/dev/null 2>&1 < /dev/null & echo "PID $!"');
  const daemon = Number(/PID (\d+)/.exec(out)![1]);
  assert.ok(process.kill(daemon, 0), 'a lab may start a daemon (iperf3 -s -D) for later cells');
  await client.dispose();
  await waitGone([daemon], 3000);
});

test('a cell that ends leaves no job of its session behind, in a cell cgroup as without one', async (t) => {
  if (!needs(t, { root: true })) return;
  const client = await KernelHostClient.start({ ...kernelHostUnderTest(), forwardStderr: null, onAudit: () => undefined });
  t.after(() => client.dispose());
  const run = (cellId: string, code: string) => runShellCell(client, cellId, code);
  // Its cgroup still holds the job when the shell exits: the session is ended as before.
  const job = Number(/PID (\d+)/.exec(await run('job', 'sleep 305 & echo "PID $!"'))![1]);
  await waitGone([job], 3000);
  // Nothing left: the empty cgroup says so, and the next cells run on as ever.
  for (let i = 0; i < 5; i++) assert.equal(await run(`quick-${i}`, `echo ${i}`), `${i}\n`);
  const last = Number(/PID (\d+)/.exec(await run('job-2', 'echo quick; sleep 306 & echo "PID $!"'))![1]);
  await waitGone([last], 3000);
});
