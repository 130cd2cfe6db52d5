import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureReader } from './capture-reader.ts';
import { DecodeContext, summarizePacket } from './decode.ts';
import { formatPacketText, type SummaryRow } from './text-summary.ts';

function rows(path: string): SummaryRow[] {
  const reader = new CaptureReader();
  const records = reader.push(new Uint8Array(readFileSync(path)));
  const ctx = new DecodeContext();
  return records.map((record) => ({ record, summary: summarizePacket(record, reader.interfaces[record.iface], ctx) }));
}
const fixtures = join(import.meta.dirname, '../../../test/fixtures/packets');

test('one tcpdump-like line per packet: number, time since the first, addresses with ports, protocol, info', () => {
  const text = formatPacketText(rows(join(fixtures, 'dns_tcp.pcap')), { nanoseconds: false });
  const lines = text.split('\n');
  assert.equal(lines.length, 11);
  assert.equal(
    lines[0],
    '1  0.000000  192.168.1.11.33779 > 209.87.249.18.53: TCP [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=2044906138 TSecr=0 WS=128',
  );
  assert.match(lines[3]!, /^4 {2}0\.\d{6} {2}192\.168\.1\.11\.33779 > 209\.87\.249\.18\.53: DNS Standard query 0x4319 A www\.tcpdump\.org OPT$/);
});

test('nanosecond times keep nine digits; packets without ports show bare addresses', () => {
  const lines = formatPacketText(rows(join(fixtures, 'tcp-handshake-nano.pcap'))).split('\n');
  assert.match(lines[1]!, /^2 {2}0\.\d{9} {2}137\.116\.81\.94\.80 > 131\.155\.215\.69\.46656: TCP \[SYN, ACK\]/);
  const arp = formatPacketText(rows(join(fixtures, '802.1ad_QinQ.pcap'))).split('\n');
  assert.equal(arp[0], '1  0.000000000  00:20:d2:5a:fb:3f > ff:ff:ff:ff:ff:ff: ARP Who has 172.21.79.100? Tell 172.21.79.97');
});

test('capped: the first lines, then how many more packets there are', () => {
  const all = rows(join(fixtures, 'ntp.pcap'));
  const text = formatPacketText(all, { maxLines: 3 });
  assert.equal(text.split('\n').length, 4);
  assert.equal(text.split('\n')[3], '… 5 more packets (8 in all)');
  assert.equal(formatPacketText(all.slice(0, 2), { maxLines: 2, total: 1_000_000 }).split('\n')[2], '… 999,998 more packets (1,000,000 in all)');
  assert.equal(formatPacketText([]), '');
});

test('a malformed packet says what is wrong on its line', () => {
  const text = formatPacketText(rows(join(fixtures, 'udp-length-heapoverflow.pcap')));
  assert.match(
    text,
    /^1 {2}0\.000000000 {2}48\.48\.48\.48\.12336 > 48\.48\.48\.48\.12336: UDP \[UDP header truncated: 8 bytes needed at offset 34, 4 captured\]$/,
  );
});
