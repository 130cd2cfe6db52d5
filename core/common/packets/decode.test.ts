import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureReader } from './capture-reader.ts';
import { DecodeContext, decodePacket, summarizePacket } from './decode.ts';
import { seededRandom } from './test-captures.ts';
import type { CaptureInterface, FieldNode, PacketRecord } from './types.ts';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/packets');
function capture(name: string): { records: PacketRecord[]; interfaces: CaptureInterface[] } {
  const reader = new CaptureReader();
  const records = reader.push(new Uint8Array(readFileSync(join(fixtures, name))));
  reader.end();
  return { records, interfaces: reader.interfaces };
}
const ALL = [
  'dns_tcp.pcap',
  'dns_udp.pcap',
  'ntp.pcap',
  'icmpv6.pcap',
  '802.1ad_QinQ.pcap',
  'ipv6-routing-header.pcap',
  'icmp-cksum-oobr-1.pcap',
  'dns-badcookie.pcap',
  'LINKTYPE_IPV6.pcap',
  'tcp-handshake-nano.pcap',
];

function* nodes(tree: FieldNode[] | undefined): Generator<FieldNode> {
  for (const n of tree ?? []) {
    yield n;
    yield* nodes(n.children);
  }
}

test('every node with bytes lies within the packet, and the summary is the decoded row without the tree', () => {
  for (const name of ALL) {
    const { records, interfaces } = capture(name);
    const [a, b] = [new DecodeContext(), new DecodeContext()];
    for (const r of records) {
      const full = decodePacket(r, interfaces[r.iface], a);
      const { tree, ...row } = full;
      assert.deepEqual(summarizePacket(r, interfaces[r.iface], b), row, `${name} #${r.no}`);
      for (const n of nodes(tree)) if (n.start !== undefined) assert.ok(n.start <= n.end! && n.end! <= r.data.length, `${name} #${r.no}: ${n.label}`);
    }
  }
});

test('a packet cut at every length never throws, and a cut inside a header is a problem', () => {
  for (const name of ALL) {
    const { records, interfaces } = capture(name);
    for (const r of records) {
      const whole = decodePacket(r, interfaces[r.iface]);
      for (let n = 0; n < r.data.length; n++) {
        const cut = decodePacket({ ...r, data: r.data.subarray(0, n) }, interfaces[r.iface]);
        assert.ok(cut.info !== '' || n === 0 || whole.info === '', `${name} #${r.no} cut at ${n}`);
        if (n < whole.networkOffset) assert.ok(cut.problems.length > 0, `${name} #${r.no} cut at ${n}: no problem`);
      }
    }
  }
});

test('random byte flips (seeded) never throw', () => {
  const random = seededRandom(42);
  for (const name of ALL) {
    const { records, interfaces } = capture(name);
    for (const r of records) {
      for (let round = 0; round < 200; round++) {
        const data = r.data.slice();
        for (let i = 0; i < 4; i++) data[Math.floor(random() * data.length)] = Math.floor(random() * 256);
        decodePacket({ ...r, data }, interfaces[r.iface], new DecodeContext());
      }
    }
  }
});

test('a DNS name whose compression pointers loop is a problem, not a hang', () => {
  const { records, interfaces } = capture('dns_udp.pcap');
  const data = records[0]!.data.slice();
  const dns = 14 + 20 + 8;
  data.set([0xc0, 0x0c], dns + 12); // the question's name points at itself
  const p = decodePacket({ ...records[0]!, data }, interfaces[0]);
  assert.match(p.problems.join(), /compression pointers loop/);
  assert.equal(p.protocol, 'DNS');
});

test('an unknown link type shows the bytes with the reason', () => {
  const { records } = capture('dns_udp.pcap');
  const p = decodePacket(records[0]!, { linkType: 147, snapLen: 0, tsUnitsPerSecond: 1e6 });
  assert.deepEqual(p.problems, ['link type 147 is not decoded (see tcpdump.org/linktypes.html)']);
  assert.equal(p.tree[0]!.label, `Data (${records[0]!.data.length} bytes): link type 147 is not decoded (see tcpdump.org/linktypes.html)`);
});

test('relative sequence numbers need a context; without one they are as on the wire', () => {
  const { records, interfaces } = capture('tcp-handshake-nano.pcap');
  const ctx = new DecodeContext();
  assert.deepEqual(
    records.map((r) => summarizePacket(r, interfaces[0], ctx).info.split(' Win')[0]),
    ['46656 → 80 [SYN] Seq=0', '80 → 46656 [SYN, ACK] Seq=0 Ack=1', '46656 → 80 [ACK] Seq=1 Ack=1'],
  );
  assert.match(summarizePacket(records[2]!, interfaces[0]).info, /Seq=\d{6,} Ack=\d{6,}/);
});
