import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureReader } from './capture-reader.ts';
import { summarizePacket } from './decode.ts';
import { compileDisplayFilter } from './display-filter.ts';
import type { PacketFacts } from './types.ts';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/packets');

/** Facts of every packet of the real captures named. */
function facts(...names: string[]): { name: string; no: number; facts: PacketFacts }[] {
  return names.flatMap((name) => {
    const reader = new CaptureReader();
    const records = reader.push(new Uint8Array(readFileSync(join(fixtures, name))));
    reader.end();
    return records.map((r) => ({ name, no: r.no, facts: summarizePacket(r, reader.interfaces[r.iface]).facts }));
  });
}

const packets = facts('dns_tcp.pcap', 'ntp.pcap', '802.1ad_QinQ.pcap', 'icmpv6.pcap', 'icmp-cksum-oobr-1.pcap');
function matching(filter: string): string[] {
  const f = compileDisplayFilter(filter);
  assert.ok(f.ok, `${filter}: ${f.ok ? '' : f.error}`);
  return packets.filter((p) => f.test(p.facts)).map((p) => `${p.name}#${p.no}`);
}
const all = (name: string, numbers: number[]) => numbers.map((n) => `${name}#${n}`);

test('protocol words match the packets that carry them', () => {
  assert.deepEqual(matching('ntp'), all('ntp.pcap', [1, 2, 3, 4, 5, 6, 7, 8]));
  assert.deepEqual(matching('arp'), all('802.1ad_QinQ.pcap', [1, 2]));
  assert.deepEqual(matching('vlan'), matching('arp'));
  assert.deepEqual(matching('dns'), all('dns_tcp.pcap', [4, 6]));
  assert.deepEqual(matching('icmp6'), all('icmpv6.pcap', [1, 2, 3, 4, 5]));
  assert.deepEqual(matching('ip6'), matching('ipv6'));
  assert.equal(matching('tcp').length, 11);
  assert.equal(matching('').length, packets.length);
});

test('host, src host, dst host; port, src port, dst port; with and without a protocol', () => {
  assert.deepEqual(matching('src host 209.87.249.18'), all('dns_tcp.pcap', [2, 5, 6, 9, 10]));
  assert.deepEqual(matching('dst host 209.87.249.18'), all('dns_tcp.pcap', [1, 3, 4, 7, 8, 11]));
  assert.equal(matching('host 209.87.249.18').length, 11);
  assert.deepEqual(matching('host 172.21.79.100'), all('802.1ad_QinQ.pcap', [1, 2])); // ARP addresses count, as in tcpdump
  assert.deepEqual(matching('host fe80:0:0::b299:28ff:fec8:d66c'), all('icmpv6.pcap', [1]));
  assert.deepEqual(matching('host 00:20:D2:5A:FB:3F'), all('802.1ad_QinQ.pcap', [1, 2]));
  assert.equal(matching('port 123').length, 8);
  assert.equal(matching('udp port 123').length, 8);
  assert.equal(matching('tcp port 123').length, 0);
  assert.deepEqual(matching('tcp src port 53'), all('dns_tcp.pcap', [2, 5, 6, 9, 10]));
  assert.deepEqual(matching('dst port 53'), all('dns_tcp.pcap', [1, 3, 4, 7, 8, 11]));
});

test('Wireshark-style fields: ip.addr, ip.src, ip.dst, tcp.port, udp.port, with == and !=', () => {
  assert.deepEqual(matching('ip.src == 209.87.249.18'), matching('src host 209.87.249.18'));
  assert.deepEqual(matching('ip.dst eq 192.168.100.1'), all('ntp.pcap', [1, 3, 5, 7]));
  assert.equal(matching('ip.addr == 192.168.100.1').length, 8);
  assert.equal(
    matching('ip.addr != 192.168.100.1').length,
    packets.filter((p) => p.facts.protocols.includes('ip')).length - 8 + packets.filter((p) => !p.facts.protocols.includes('ip')).length,
  );
  assert.deepEqual(matching('tcp.port == 53'), matching('tcp port 53'));
  assert.deepEqual(matching('udp.dstport == 123'), all('ntp.pcap', [1, 3, 5, 7, 8])); // 7 and 8 are peer to peer, 123 → 123
  assert.deepEqual(matching('ipv6.src == fe80::215:17ff:fecc:e546'), all('icmpv6.pcap', [2, 4, 5]));
  assert.deepEqual(matching('ip.addr == 172.21.79.100'), []); // ARP is not IP
});

test('and, or, not, &&, ||, ! and parentheses combine with the usual precedence', () => {
  assert.deepEqual(matching('tcp and not dns and src port 53'), all('dns_tcp.pcap', [2, 5, 9, 10]));
  assert.deepEqual(matching('tcp && !dns && src port 53'), matching('tcp and not dns and src port 53'));
  assert.deepEqual(matching('arp or ntp and ip.dst == 192.168.100.1'), [...all('ntp.pcap', [1, 3, 5, 7]), ...all('802.1ad_QinQ.pcap', [1, 2])]);
  assert.deepEqual(matching('(arp || ntp) && !(ip.dst == 192.168.100.1)'), [...all('ntp.pcap', [2, 4, 6, 8]), ...all('802.1ad_QinQ.pcap', [1, 2])]);
  assert.deepEqual(matching('not not icmp'), all('icmp-cksum-oobr-1.pcap', [1]));
});

test('a bad filter is a message with the position of the mistake, never a throw', () => {
  const cases: [string, string, number][] = [
    ['host', 'expected an address after "host"', 4],
    ['host 300.1.1.1', '"300.1.1.1" is not an IPv4, IPv6 or MAC address', 5],
    ['port http', '"http" is not a port number (0 to 65535)', 5],
    ['port 70000', '"70000" is not a port number (0 to 65535)', 5],
    ['tcp and', 'the filter ends too soon: expected a protocol, "host", "port" or a field', 7],
    ['(tcp or udp', 'expected ")" to close the "(" at character 1', 11],
    ['tcp udp', 'unexpected "udp": expected "and", "or" or the end', 4],
    ['ip.addr = 1.2.3.4', 'expected "==" or "!=" after ip.addr', 8],
    [
      'frobnicate',
      'unknown word "frobnicate": expected a protocol (eth, ether, vlan, sll, ip, ip6, ipv6, arp, icmp, icmp6, icmpv6, tcp, udp, dns, ntp, http), "host", "port" or a field such as ip.addr',
      0,
    ],
    ['src', 'the filter ends too soon: expected "host" or "port"', 3],
    [
      'ip.ttl == 64',
      'unknown field "ip.ttl": known are ip.addr, ip.src, ip.dst, ipv6.addr, ipv6.src, ipv6.dst, eth.addr, eth.src, eth.dst, tcp.port, tcp.srcport, tcp.dstport, udp.port, udp.srcport, udp.dstport',
      0,
    ],
    ['host 1::2::3', '"1::2::3" is not an IPv4, IPv6 or MAC address', 5],
    [
      ')',
      'unknown word ")": expected a protocol (eth, ether, vlan, sll, ip, ip6, ipv6, arp, icmp, icmp6, icmpv6, tcp, udp, dns, ntp, http), "host", "port" or a field such as ip.addr',
      0,
    ],
  ];
  for (const [text, error, position] of cases) assert.deepEqual(compileDisplayFilter(text), { ok: false, error, position }, text);
});
