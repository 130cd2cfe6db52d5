import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSummaryFields } from './summary-fields.ts';

test('TCP over IPv4: ports split off the addresses, flags and length', () => {
  const f = readSummaryFields(
    'IP 127.0.0.1.53308 > 127.0.0.1.8080: Flags [P.], seq 1:89, ack 1, win 64, options [nop,nop,TS val 71634296 ecr 2042782409], length 88: HTTP: GET /index.html HTTP/1.1',
  );
  assert.deepEqual(f, { protocol: 'IP', src: '127.0.0.1', srcPort: 53308, dst: '127.0.0.1', dstPort: 8080, tcpFlags: 'P.', transport: 'TCP', length: 88 });
});

test('UDP and ICMP over IPv6 and IPv4; ICMP addresses have no port', () => {
  assert.deepEqual(readSummaryFields('IP6 ::1.37931 > ::1.9999: UDP, length 32'), {
    protocol: 'IP6',
    src: '::1',
    srcPort: 37931,
    dst: '::1',
    dstPort: 9999,
    transport: 'UDP',
    length: 32,
  });
  assert.deepEqual(readSummaryFields('IP 127.0.0.1 > 127.0.0.1: ICMP 127.0.0.1 udp port 9999 unreachable, length 100'), {
    protocol: 'IP',
    src: '127.0.0.1',
    dst: '127.0.0.1',
    transport: 'ICMP',
    length: 100,
  });
  const v6 = readSummaryFields('IP6 fe80::e849:c4ff:fefe:5933 > ff02::1: ICMP6, echo request, id 11356, seq 1, length 64');
  assert.equal(v6.dst, 'ff02::1');
  assert.equal(v6.dstPort, undefined);
  assert.equal(v6.transport, 'ICMP6');
});

test('-q, host names and service names', () => {
  const quiet = readSummaryFields('IP 127.0.0.1.46354 > 127.0.0.1.9998: tcp 18');
  assert.deepEqual([quiet.srcPort, quiet.dstPort, quiet.transport, quiet.length], [46354, 9998, 'TCP', undefined]);
  const named = readSummaryFields('IP localhost.42197 > my.host.example.https: Flags [S], seq 1, length 0');
  assert.deepEqual([named.src, named.srcPort, named.dst, named.dstPort], ['localhost', 42197, 'my.host.example', 'https']);
  const icmp = readSummaryFields('IP router.lan > localhost: ICMP echo request, id 1, seq 1, length 64');
  assert.deepEqual([icmp.src, icmp.srcPort], ['router.lan', undefined]);
  const mapped = readSummaryFields('IP6 ::ffff:10.0.0.1.443 > ::ffff:10.0.0.2: Flags [R], length 0');
  assert.deepEqual([mapped.src, mapped.srcPort, mapped.dst, mapped.dstPort], ['::ffff:10.0.0.1', 443, '::ffff:10.0.0.2', undefined]);
});

test("-e's link layer: MACs, ethertype, frame length; the protocol comes from the ethertype", () => {
  const f = readSummaryFields(
    '00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype IPv4 (0x0800), length 74: (tos 0x0, ttl 64, id 63376, offset 0, flags [DF], proto TCP (6), length 60) 127.0.0.1.59586 > 127.0.0.1.8080: Flags [S], cksum 0xfe30 (incorrect -> 0x1489), seq 2329809580, length 0',
  );
  assert.deepEqual(f.link, { src: '00:00:00:00:00:00', dst: '00:00:00:00:00:00', type: 'IPv4', ethertype: 0x0800, frameLength: 74 });
  assert.deepEqual([f.protocol, f.src, f.srcPort, f.dstPort, f.tcpFlags, f.length], ['IP', '127.0.0.1', 59586, 8080, 'S', 0]);
  const arp = readSummaryFields(
    'ea:49:c4:fe:59:33 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.99.0.2 tell 10.99.0.1, length 28',
  );
  assert.deepEqual([arp.protocol, arp.src, arp.length, arp.link?.frameLength], ['ARP', undefined, 28, 42]);
  const quiet = readSummaryFields('00:00:00:00:00:00 > 00:00:00:00:00:00, IPv4, length 66: 127.0.0.1.38012 > 127.0.0.1.9999: UDP, length 24');
  assert.deepEqual([quiet.protocol, quiet.link?.ethertype, quiet.link?.frameLength], ['IP', undefined, 66]);
});

test('802.1Q tags are read and the inner ethertype names the protocol', () => {
  const f = readSummaryFields(
    '7a:d8:ea:6d:47:09 > ea:49:c4:fe:59:33, ethertype 802.1Q (0x8100), length 102: vlan 5, p 0, ethertype IPv4 (0x0800), 10.98.0.2 > 10.98.0.1: ICMP echo reply, id 1, seq 1, length 64',
  );
  assert.deepEqual([f.vlans, f.protocol, f.link?.ethertype, f.src, f.transport], [[5], 'IP', 0x8100, '10.98.0.2', 'ICMP']);
});

test("-i any's interface and direction, with and without -e", () => {
  const plain = readSummaryFields('lo    In  IP 127.0.0.1.52673 > 127.0.0.1.9999: UDP, length 24');
  assert.deepEqual([plain.interface, plain.direction, plain.protocol, plain.dstPort], ['lo', 'In', 'IP', 9999]);
  const e = readSummaryFields('eth0  Out ifindex 2 02:fc:00:00:00:01 ethertype IPv6 (0x86dd), length 72: ::1.5 > ::1.9999: UDP, length 24');
  assert.deepEqual([e.interface, e.direction, e.link?.src, e.link?.dst, e.protocol, e.srcPort], ['eth0', 'Out', '02:fc:00:00:00:01', undefined, 'IP6', 5]);
});

test("-v's IPv4 header group and -vv's checksum notes do not hide the fields", () => {
  const f = readSummaryFields(
    'IP (tos 0x0, ttl 64, id 6304, offset 0, flags [DF], proto UDP (17), length 52) 127.0.0.1.49730 > 127.0.0.1.9999: [bad udp cksum 0xfe33 -> 0x31d7!] UDP, length 24',
  );
  assert.deepEqual([f.src, f.srcPort, f.transport, f.length], ['127.0.0.1', 49730, 'UDP', 24]);
  const dns = readSummaryFields(
    'IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto UDP (17), length 57) 127.0.0.1.41000 > 127.0.0.53.53: 4660+ A? example.com. (29)',
  );
  assert.deepEqual([dns.transport, dns.dstPort, dns.length], ['UDP', 53, undefined]);
});

test('summaries it does not know keep only what it can tell', () => {
  assert.deepEqual(readSummaryFields('ARP, Request who-has 10.99.0.2 tell 10.99.0.1, length 28'), { protocol: 'ARP', length: 28 });
  assert.deepEqual(readSummaryFields('something else entirely'), {});
});
