/**
 * notebooks/flows-by-process.ipynb end to end with `probebook run`, checked for its effect: the bytes
 * the notebook's two users moved (an 8 MiB iperf3 upload as uid 64001, a 4 MiB HTTP download and 512 KiB
 * of iperf3 UDP as uid 64002) are attributed by the tracepoint flow table to the right user, process
 * and protocol; the per-user table and figure exist; the kprobe variant says it is not available where
 * kprobes are missing; nothing is left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { EventTableReader } from '../../core/common/parsers/events/event-table.ts';
import { needs } from '../support/needs.ts';
import { livingProcesses, namespaces, runNotebook } from '../support/notebook-run.ts';

const MiB = 1024 * 1024;

test('flows by process: alice and bob get the bytes they moved, by process and protocol, from tracepoints', async (t) => {
  if (!needs(t, { root: true, tools: ['ip', 'iperf3', 'bpftrace', 'ss', 'curl', 'python3', 'setpriv'] })) return;
  const ns = `pbfl${process.pid % 100000}`;
  const port = 20000 + (process.pid % 20000);
  const [alice, bob] = [64000 + (process.pid % 1000), 65000 + (process.pid % 500)];
  t.after(() => {
    if (namespaces().includes(ns)) execFileSyncQuiet('ip', 'netns', 'del', ns);
  });
  const nb = await runNotebook(t, 'flows-by-process.ipynb', {
    NS: ns,
    PORT: port,
    HTTP_PORT: port + 1,
    ALICE_UID: alice,
    BOB_UID: bob,
    ALICE_MB: 8,
    BOB_MB: 4,
    UDP_KB: 512,
  });
  assert.equal(nb.exitCode, 0, nb.stderr);
  assert.match(nb.stderr, /cleanup ok/);
  assert.ok(!namespaces().includes(ns), 'the cleanup cell removed the namespace');
  assert.ok(!existsSync(`/run/${ns}`), "the HTTP server's folder is gone");
  assert.deepEqual(livingProcesses(new RegExp(`iperf3 .*-p ${port}\\b|http\\.server .*${port + 1}\\b`)), [], 'the servers are gone');

  // The tracer's stream is what the page shows as a live table: its header's columns, one row per line.
  const live = new EventTableReader();
  live.push(nb.text('flows'));
  live.end();
  assert.equal(live.state, 'table');
  assert.deepEqual(live.columns, [
    'EVENT',
    'TIME_MS',
    'PID',
    'COMM',
    'UID',
    'PROTO',
    'LADDR',
    'LPORT',
    'RADDR',
    'RPORT',
    'TX_BYTES',
    'RX_BYTES',
    'DUR_MS',
    'RETR',
    'CGROUP',
  ]);
  assert.ok(
    live.rows.some((r) => r[0] === 'close' && r[4] === String(alice) && r[3] === 'iperf3'),
    'alice in the live table',
  );

  // The live table's rows: the ended flows of our users, by uid, process and protocol.
  const rows = nb
    .text('flows')
    .split('\n')
    .filter((l) => l.startsWith('close '))
    .map((l) => l.trim().split(/\s+/))
    .map((f) => ({
      pid: Number(f[2]),
      comm: f[3],
      uid: Number(f[4]),
      proto: f[5],
      lport: Number(f[7]),
      rport: Number(f[9]),
      tx: Number(f[10]),
      rx: Number(f[11]),
      cgroup: f.slice(14).join(' '),
    }));
  const ours = (uid: number, comm: string, proto: string) => rows.filter((r) => r.uid === uid && r.comm === comm && r.proto === proto);
  const sum = (rs: { tx: number; rx: number }[], k: 'tx' | 'rx') => rs.reduce((s, r) => s + r[k], 0);
  // Alice's upload: 8 MiB on its data connection plus iperf3's small control connection.
  const aliceTcp = ours(alice, 'iperf3', 'tcp');
  assert.ok(
    aliceTcp.some((r) => r.rport === port && r.tx >= 8 * MiB && r.tx < 8 * MiB + 4096),
    JSON.stringify(aliceTcp),
  );
  assert.ok(sum(aliceTcp, 'tx') < 8 * MiB + 64 * 1024, 'nothing else is counted as alice');
  // Bob's download: curl receives 4 MiB and the HTTP header; the server (root, python3) sends them.
  const bobCurl = ours(bob, 'curl', 'tcp');
  assert.equal(bobCurl.length, 1, JSON.stringify(bobCurl));
  assert.ok(bobCurl[0]!.rx >= 4 * MiB && bobCurl[0]!.rx < 4 * MiB + 1024, JSON.stringify(bobCurl));
  const server = rows.find((r) => r.comm === 'python3' && r.uid === 0 && r.lport === port + 1 && r.rport === bobCurl[0]!.lport);
  assert.equal(server?.tx, bobCurl[0]!.rx, 'the server sent what curl received');
  // Bob's UDP: 512 datagrams of 1,000 bytes (iperf3 rounds up to whole datagrams).
  const bobUdp = ours(bob, 'iperf3', 'udp');
  assert.ok(
    bobUdp.some((r) => r.tx >= 512 * 1024 && r.tx <= 512 * 1024 + 2000),
    JSON.stringify(bobUdp),
  );
  // Each flow's cgroup is the cell that made it (Probebook runs every cell in its own).
  assert.ok(bobCurl[0]!.cgroup.includes('/probebook/'), bobCurl[0]!.cgroup);

  // The TypeScript answer: per-user table and the two-panel figure.
  const [users] = nb.data<{ rows: Record<string, unknown>[] }>('by-user', 'application/vnd.probebook.table+json');
  const byUser = new Map(users!.rows.map((r) => [r.uid as number, r]));
  assert.ok(Number(byUser.get(alice)?.tx_bytes) >= 8 * MiB && Number(byUser.get(alice)?.tx_bytes) < 8 * MiB + 64 * 1024, JSON.stringify(byUser.get(alice)));
  assert.ok(Number(byUser.get(bob)?.rx_bytes) >= 4 * MiB, JSON.stringify(byUser.get(bob)));
  assert.equal(byUser.get(alice)?.user, 'alice');
  assert.match(nb.text('by-user'), /^alice \(uid \d+\): sent 8 MiB, received 0 MiB in 2 flows \(iperf3\)$/m);
  const [figure] = nb.data<{ data: { name: string; y: number[]; yaxis?: string }[] }>('by-user', 'application/vnd.plotly.v1+json');
  assert.equal(figure!.data.length, 4);
  assert.equal(figure!.data.filter((d) => d.yaxis === 'y2').length, 2, 'the second panel: by process');

  // The kprobe variant ran, or said why not.
  if (existsSync('/sys/kernel/tracing/kprobe_events')) assert.ok(nb.data('kprobe-variant', 'application/vnd.probebook.table+json').length > 0);
  else assert.match(nb.text('kprobe-variant'), /^kprobe variant not available: .*no kprobes/m);
});

function execFileSyncQuiet(...args: string[]) {
  try {
    execFileSync(args[0]!, args.slice(1), { stdio: 'ignore' });
  } catch {}
}
