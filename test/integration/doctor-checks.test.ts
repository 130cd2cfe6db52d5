/**
 * The doctor against this real machine: what it finds must match what the machine has, and a
 * failed check must say why and what it blocks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { needs } from '../support/needs.ts';
import { runDoctor } from '../../core/node/doctor/run-doctor.ts';
import { toolCheck, tracefsMount } from '../../core/node/doctor/checks.ts';
import { detectContainment } from '../../core/node/process/detect-containment.ts';
import { doctorCommand } from '../../core/node/commands/doctor.ts';
import type { DoctorReport } from '../../core/node/doctor/report.ts';

let report: Promise<DoctorReport> | undefined;
const doctor = () => (report ??= runDoctor());
const check = async (id: string) => {
  const found = (await doctor()).checks.find((c) => c.id === id);
  assert.ok(found, `the report has a ${id} check`);
  return found;
};

function sink(): Writable & { text: string } {
  const out = new Writable({ write: (chunk, _e, cb) => ((out.text += String(chunk)), cb()) }) as Writable & { text: string };
  out.text = '';
  return out;
}

test('reports bpftrace with its version and the tools labs use', async (t) => {
  if (!needs(t, { tools: ['bpftrace', 'tcpdump', 'tshark', 'iperf3', 'iptables'] })) return;
  assert.match((await check('bpftrace')).summary, /^bpftrace v\d+\.\d+\.\d+/);
  assert.match((await check('tcpdump')).summary, /tcpdump version \d/);
  assert.match((await check('tshark')).summary, /TShark .*\d+\.\d+/);
  assert.match((await check('iperf3')).summary, /iperf 3\./);
  assert.match((await check('iptables')).summary, /iptables v\d.*(nft|legacy) backend/);
});

test('a tool whose --version does not answer in time is a warning saying so, not an ok with what it printed first', async (t) => {
  // Like tshark as root on a busy machine: a warning on stderr, then nothing for a long while.
  const dir = mkdtempSync(join(tmpdir(), 'pb-doctor-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const slow = join(dir, 'pb-slow-tool');
  writeFileSync(slow, '#!/bin/sh\necho "Running as user root and group root. This could be dangerous." >&2\nexec sleep 30\n');
  chmodSync(slow, 0o755);
  const check = await toolCheck(slow, 'slow tool', ['--version'], 'nothing')({ root: true, versionTimeoutMs: 300 });
  assert.equal(check.status, 'warn');
  assert.match(check.summary, /--version` did not answer within 0\.3 s \(a very busy machine\?\): run the doctor again/);
  assert.doesNotMatch(check.summary, /Running as user root/);
  const answered = await toolCheck('/bin/echo', 'echo', ['echo 1.2.3'], 'nothing')({ root: true, versionTimeoutMs: 5000 });
  assert.equal(answered.status, 'ok');
  assert.equal(answered.summary, 'echo 1.2.3');
});

test('a missing optional tool says what it blocks and how to get it', async () => {
  const pwru = await check('pwru');
  if (pwru.status === 'ok') return assert.match(pwru.summary, /\d/);
  assert.equal(pwru.status, 'warn');
  assert.match(pwru.blocks ?? '', /pwru/);
  assert.match(pwru.hint ?? '', /github\.com\/cilium\/pwru/);
});

test('kprobes are tested by a real attach, not by bpftrace --info', async (t) => {
  if (!needs(t, { root: true, tools: ['bpftrace'] })) return;
  const kprobes = await check('kprobes');
  if (existsSync('/sys/kernel/tracing/kprobe_events') || existsSync('/sys/kernel/debug/tracing/kprobe_events')) {
    assert.equal(kprobes.status, 'ok', kprobes.summary);
  } else {
    // This machine: bpftrace --info says "kprobe: yes", the attach fails.
    assert.equal(kprobes.status, 'fail');
    assert.match(kprobes.summary, /^NOT usable: kprobe:vfs_read does not attach: .*(kprobe_events|Error attaching probe)/);
    assert.match(kprobes.blocks ?? '', /kprobe/);
    assert.doesNotMatch(kprobes.summary, /RLIMIT_MEMLOCK/);
  }
});

test("fentry is tested by a real attach and its failure gives bpftrace's reason", async (t) => {
  if (!needs(t, { root: true, tools: ['bpftrace'] })) return;
  const fentry = await check('fentry');
  assert.ok(fentry.status === 'ok' || fentry.status === 'fail');
  if (fentry.status === 'fail') assert.match(fentry.summary, /^NOT usable: (fentry|kfunc):vfs_read does not attach: .+/);
});

test('tracefs is reported mounted where it is, and tracepoints attach', async (t) => {
  if (!needs(t, { root: true, tools: ['bpftrace'], check: () => (tracefsMount() ? null : 'tracefs mounted (.ci/run mounts it)') })) return;
  assert.equal((await check('tracefs')).status, 'ok');
  assert.match((await check('tracefs')).summary, /mounted at \/sys\/kernel\/(debug\/)?tracing/);
  assert.equal((await check('tracepoints')).status, 'ok', (await check('tracepoints')).summary);
});

test('cell containment matches what the machine offers', async () => {
  const info = detectContainment();
  const cgroups = await check('cgroups');
  if (info.mode === 'cgroup2') assert.match(cgroups.summary, /^cgroup v2 per cell/);
  else if (!info.v2Mount) assert.match(cgroups.summary, /^process group only/);
});

test('as root, elevation needs nothing', async (t) => {
  if (!needs(t, { root: true })) return;
  assert.equal((await check('elevation')).summary, 'already root: the kernel host runs as a plain child');
});

test('probebook doctor --json prints the report and exits 1 exactly when a check failed', async () => {
  const stdout = sink();
  const code = await doctorCommand(['--json'], { stdout, stderr: sink() });
  const printed = JSON.parse(stdout.text) as DoctorReport;
  assert.deepEqual(
    printed.checks.map((c) => c.id),
    (await doctor()).checks.map((c) => c.id),
  );
  assert.equal(code, printed.checks.some((c) => c.status === 'fail') ? 1 : 0);
});

test('--fix refuses anything that is not a fixed fix, and runs nothing', async () => {
  const stderr = sink();
  assert.equal(await doctorCommand(['--fix', 'mount-tracefs; rm -rf /'], { stdout: sink(), stderr }), 2);
  assert.match(stderr.text, /there is no fix named "mount-tracefs; rm -rf \/"/);
});
