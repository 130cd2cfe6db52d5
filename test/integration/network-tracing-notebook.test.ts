/**
 * notebooks/network-tracing.ipynb end to end with `probebook run`, checked for its effect: the
 * connections the notebook's traffic made on port 5202 are tracked open and closed, the long upload's
 * sends fill the send-latency histogram, the datagrams its rule drops show as NETFILTER_DROP and the
 * refused connections as NO_SOCKET (names read from the kernel's own list), packets wait in the
 * token-bucket qdisc on the client's veth, the kprobe variant says it is not available where kprobes
 * are missing, and nothing is left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { needs } from '../support/needs.ts';
import { livingProcesses, namespaces, runNotebook } from '../support/notebook-run.ts';

interface Payload {
  name: string;
  kind: string;
  entries: { key: string[]; value: { type: string; value?: number; buckets?: { count: number }[] } }[];
}
const bucketsTotal = (v: Payload['entries'][number]['value']) => (v.buckets ?? []).reduce((s, b) => s + b.count, 0);

test('network tracing: connections tracked, send latency counted, drops by reason named, qdisc queueing seen', async (t) => {
  if (!needs(t, { root: true, tools: ['ip', 'iperf3', 'bpftrace', 'ss', 'tc', 'iptables'] })) return;
  const ns = `pbnt${process.pid % 100000}`;
  t.after(() => {
    for (const side of ['a', 'b']) {
      if (namespaces().includes(`${ns}-${side}`)) {
        try {
          execFileSync('ip', ['netns', 'del', `${ns}-${side}`], { stdio: 'ignore' });
        } catch {}
      }
    }
  });
  const nb = await runNotebook(t, 'network-tracing.ipynb', { NS: ns, DEV: `${ns}-a` });
  assert.equal(nb.exitCode, 0, nb.stderr);
  assert.match(nb.stderr, /cleanup ok/);
  assert.ok(!namespaces().some((n) => n.startsWith(`${ns}-`)), 'the cleanup cell removed both namespaces');
  assert.deepEqual(livingProcesses(/iperf3 -c 10\.207\.0\.2|iperf3 -s -p 520[12]\b/), [], 'no iperf3 server or client of the run is left');

  const maps = (cell: string) => nb.data<Payload>(cell, 'application/vnd.probebook.bpftrace+json');
  // Connections: iperf3's short tests on 5202, connected and accepted, opened and closed.
  const conns = nb
    .text('conn-track')
    .split('\n')
    .filter((l) => /^(open|close) /.test(l))
    .map((l) => l.trim().split(/\s+/));
  assert.ok(
    conns.some((f) => f[0] === 'open' && f[2] === 'iperf3' && f[3] === 'connect' && f[7] === '5202'),
    nb.text('conn-track'),
  );
  assert.ok(
    conns.some((f) => f[0] === 'open' && f[3] === 'accept' && f[5] === '5202'),
    'the accepted side too',
  );
  assert.ok(
    conns.some((f) => f[0] === 'close' && f[3] === 'connect' && f[7] === '5202'),
    'a connection closed within the trace',
  );

  // Send latency: iperf3's TCP sends, with a histogram that has counts.
  const latency = maps('send-latency').find((m) => m.name === '@send_ns');
  const iperf = latency?.entries.find((e) => e.key[0] === 'iperf3' && e.key[1] === 'tcp');
  assert.ok(iperf && bucketsTotal(iperf.value) > 10, JSON.stringify(latency?.entries.map((e) => e.key)));
  assert.match(nb.text('results'), /^send latency iperf3 tcp: \d+ sends$/m);

  // Drops: the rule's NETFILTER_DROP and the closed port's NO_SOCKET, named by the results cell.
  const [drops] = nb
    .data<{ rows: { reason: string; count: number; location: string }[] }>('results', 'application/vnd.probebook.table+json')
    .filter((tb) => tb.rows.some((r) => 'reason' in r));
  const count = (reason: string) => drops!.rows.filter((r) => r.reason === reason).reduce((s, r) => s + r.count, 0);
  assert.ok(count('NETFILTER_DROP') >= 5, JSON.stringify(drops!.rows));
  assert.ok(count('NO_SOCKET') >= 5, JSON.stringify(drops!.rows));
  assert.ok(
    drops!.rows.some((r) => r.reason === 'NETFILTER_DROP' && r.location === 'nft_do_chain'),
    'dropped by the nf_tables rule',
  );
  assert.match(nb.text('results'), /^drops NETFILTER_DROP: \d+$/m);

  // Queueing: packets on the client's veth, waiting in the tbf qdisc.
  const queue = maps('dev-queue');
  const packets = queue.find((m) => m.name === '@packets')?.entries.find((e) => e.key[0] === `${ns}-a`);
  assert.ok(packets && Number(packets.value.value) > 10, JSON.stringify(queue.map((m) => m.name)));
  const qdisc = queue.find((m) => m.name === '@qdisc_ns');
  assert.ok(qdisc && qdisc.entries.reduce((s, e) => s + bucketsTotal(e.value), 0) > 10, 'packets went through the qdisc');
  const [figure] = nb.data<{ data: { name: string }[] }>('results', 'application/vnd.plotly.v1+json');
  assert.ok(figure!.data.some((d) => /time in the qdisc/.test(d.name)) && figure!.data.some((d) => d.name === 'drops by reason'));

  if (existsSync('/sys/kernel/tracing/kprobe_events')) assert.match(nb.text('send-latency-kprobe'), /hist/);
  else assert.match(nb.text('send-latency-kprobe'), /^kprobe variant not available: .*no kprobes/m);
});
