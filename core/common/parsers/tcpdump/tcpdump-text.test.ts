import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LINKTYPE } from '../../packets/types.ts';
import {
  createTcpdumpTextParser,
  looksLikeTcpdumpText,
  type TcpdumpItem,
  type TcpdumpPacket,
  type TcpdumpTextOptions,
  toCapturedPacket,
} from './tcpdump-text.ts';

/** Real tcpdump 4.99.3 output: formats.md's samples (tcpdump-*) and captures made on lo for these tests (local-*). */
const sample = (name: string) => readFileSync(join(import.meta.dirname, '../../../../test/fixtures/tcpdump', name), 'utf8');

function parse(text: string, options?: TcpdumpTextOptions): TcpdumpItem[] {
  const parser = createTcpdumpTextParser(options);
  return [...parser.push(text), ...parser.end()];
}
const packetsOf = (items: TcpdumpItem[]) => items.filter((i): i is TcpdumpPacket => i.kind === 'packet');
const textOf = (items: TcpdumpItem[]) => items.flatMap((i) => (i.kind === 'text' ? [i.text] : [])).join('');
const hexOf = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('hex');

test('-n -tt: ten TCP packets with absolute times, ports, flags and lengths, and no text left over', () => {
  const items = parse(sample('tcpdump-n-tt.txt'));
  const packets = packetsOf(items);
  assert.equal(packets.length, 10);
  assert.equal(items.length, 10);
  assert.deepEqual(
    packets.map((p) => p.no),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  assert.deepEqual(
    packets.map((p) => p.tcpFlags),
    ['S', 'S.', '.', 'P.', '.', 'P.', '.', 'P.', '.', 'F.'],
  );
  const p4 = packets[3]!;
  assert.deepEqual(p4.time, { text: '1795393376.061524', form: 'epoch', digits: 6, absolute: { sec: 1795393376, nsec: 61_524_000 }, sinceFirstNs: 65_000 });
  assert.equal(p4.summary.slice(0, 60), 'IP 127.0.0.1.53308 > 127.0.0.1.8080: Flags [P.], seq 1:89, a');
  assert.deepEqual([p4.src, p4.srcPort, p4.dst, p4.dstPort, p4.length], ['127.0.0.1', 53308, '127.0.0.1', 8080, 88]);
});

test('-# -ttt --nano: numbers from the line, deltas summed exactly to nanoseconds since the first', () => {
  const packets = packetsOf(parse(sample('tcpdump-n-ttt-nano-number.txt')));
  assert.equal(packets.length, 10);
  assert.deepEqual(
    packets.map((p) => p.time?.sinceFirstNs),
    [0, 42886, 55295, 495580, 501492, 851946, 857000, 876398, 879242, 906015],
  );
  assert.equal(packets[1]!.time?.text, ' 00:00:00.000042886');
  assert.equal(packets[9]!.no, 10);
});

test('the same lines read as -ttttt when the caller says so', () => {
  const packets = packetsOf(parse(sample('tcpdump-n-ttt-nano-number.txt'), { deltas: 'first' }));
  assert.equal(packets[2]!.time?.sinceFirstNs, 12409);
  assert.equal(packets[2]!.time?.form, 'delta-first');
});

test('-X and -x: bytes from the network header, with or without the ASCII column', () => {
  for (const name of ['tcpdump-X.txt', 'tcpdump-x.txt']) {
    const [p, ...rest] = parse(sample(name));
    assert.equal(rest.length, 0, name);
    assert.equal(p?.kind, 'packet');
    const packet = p as TcpdumpPacket;
    assert.equal(packet.bytes?.length, 140, name);
    assert.equal(packet.bytes?.[0], 0x45);
    assert.equal((packet.bytes![2]! << 8) | packet.bytes![3]!, 140, 'the IPv4 total length is the byte count');
    assert.equal(packet.bytesFrom, 'network');
  }
  const x = packetsOf(parse(sample('tcpdump-X.txt')))[0]!;
  assert.equal(new TextDecoder().decode(x.bytes!.subarray(52, 76)), 'GET /index.html HTTP/1.1');
});

test('-XX: bytes from the link layer (lo: zero MACs, then 0x0800)', () => {
  const packet = packetsOf(parse(sample('tcpdump-XX.txt')))[0]!;
  assert.equal(packet.bytes?.length, 154);
  assert.equal(hexOf(packet.bytes?.subarray(0, 16)), '00000000000000000000000008004500');
  assert.equal(packet.bytesFrom, 'link');
  assert.equal(packetsOf(parse(sample('tcpdump-XX.txt'), { bytesFrom: 'network' }))[0]!.bytesFrom, 'network', "the caller's hint wins");
});

test('-A: the ASCII dump is the packet text, blank lines included, and not bytes', () => {
  const [packet, ...rest] = parse(sample('tcpdump-A.txt')) as TcpdumpPacket[];
  assert.equal(rest.length, 0);
  assert.equal(packet!.bytes, undefined);
  assert.equal(
    packet!.payloadText,
    'E....U@.@.u.............-/M.S=. ...@.......\nF.G./<.4GET /index.html HTTP/1.1\nHost: 127.0.0.1:8080\nUser-Agent: curl/7.88.1\nAccept: */*\n\n',
  );
  const local = packetsOf(parse(sample('local-A-udp-tcp.txt')));
  assert.equal(local.length, 6);
  assert.equal(local[0]!.payloadText, "E..4..@.@.&...........'.. .3hello\nworld\n.. tab\there");
  assert.ok(local[5]!.payloadText?.endsWith('GET / HTTP/1.0\n\n'));
});

test('-e -vv: continuation lines join the summary and stay as printed in detail', () => {
  const packets = packetsOf(parse(sample('tcpdump-e-vv.txt')));
  assert.equal(packets.length, 2);
  const p = packets[0]!;
  assert.equal(p.detail?.length, 1);
  assert.ok(p.detail![0]!.startsWith('    127.0.0.1.59586 > 127.0.0.1.8080: Flags [S], cksum'));
  assert.ok(p.summary.includes('length 60) 127.0.0.1.59586 > 127.0.0.1.8080: Flags [S]'));
  assert.deepEqual([p.link?.frameLength, p.protocol, p.srcPort, p.dstPort, p.tcpFlags], [74, 'IP', 59586, 8080, 'S']);
});

test("-v's quoted packet in an ICMP error (tab-indented) belongs to the ICMP packet", () => {
  const packets = packetsOf(parse(sample('local-e-v-icmp-quoted.txt')));
  assert.equal(packets.length, 6);
  assert.equal(packets[1]!.detail?.length, 3);
  assert.equal(packets[1]!.detail?.[1], '\t(tos 0x0, ttl 64, id 5541, offset 0, flags [DF], proto UDP (17), length 52)');
  assert.equal(packets[1]!.transport, 'ICMP');
});

test('-x -vv: continuation lines then hex lines, for every packet', () => {
  const packets = packetsOf(parse(sample('local-x-vv.txt')));
  assert.equal(packets.length, 6);
  for (const p of packets) {
    assert.equal(p.bytes?.[0], 0x45);
    assert.ok(p.detail && p.detail.length >= 1);
  }
});

test('-i any -XX --nano: Linux cooked v2 bytes are link-layer bytes', () => {
  const packets = packetsOf(parse(sample('local-any-XX-nano.txt')));
  assert.equal(packets.length, 6);
  assert.deepEqual([packets[0]!.interface, packets[0]!.direction, packets[0]!.bytesFrom], ['lo', 'In', 'link']);
  assert.equal(packets[0]!.bytes?.[20], 0x45);
  const captured = toCapturedPacket(packets[0]!);
  assert.equal(captured?.iface.linkType, LINKTYPE.LINUX_SLL2);
  assert.equal(captured?.iface.tsUnitsPerSecond, 1e9);
});

test('-# -t: numbered lines without a time', () => {
  const packets = packetsOf(parse(sample('local-number-t.txt')));
  assert.equal(packets.length, 6);
  assert.equal(packets[5]!.time, undefined);
  assert.equal(packets[5]!.no, 6);
  assert.equal(packets[5]!.length, 18);
});

test('the banner gives the link type; banners and counts stay text, in their place', () => {
  const parser = createTcpdumpTextParser();
  const input = sample('local-X-with-banner.txt');
  const items = [...parser.push(input), ...parser.end()];
  assert.deepEqual(parser.linkType, { name: 'EN10MB', description: 'Ethernet', number: LINKTYPE.ETHERNET, snapLength: 262144 });
  assert.equal(items[0]?.kind, 'text');
  assert.equal(textOf(items), input.slice(0, input.indexOf('17:20:13')));
  assert.equal(packetsOf(items).length, 6);
});

test('a stream of several runs: the first run is packets, the others (another time form) stay text', () => {
  const input = sample('tcpdump-timestamp-variants.txt');
  const items = parse(input);
  assert.equal(packetsOf(items).length, 2);
  const text = textOf(items);
  for (const line of input.split('\n').slice(3)) assert.ok(text.includes(line), `kept: ${line}`);
});

test('chunks split anywhere, even one character at a time, give the same items', () => {
  for (const name of ['tcpdump-X.txt', 'tcpdump-A.txt', 'tcpdump-e-vv.txt', 'local-X-with-banner.txt', 'tcpdump-n-ttt-nano-number.txt']) {
    const input = sample(name);
    const whole = parse(input);
    for (let at = 1; at < input.length; at += 7) {
      const parser = createTcpdumpTextParser();
      const items = [...parser.push(input.slice(0, at)), ...parser.push(input.slice(at)), ...parser.end()];
      assert.deepEqual(mergeText(items), whole, `${name} split at ${at}`);
    }
    const parser = createTcpdumpTextParser();
    const items: TcpdumpItem[] = [];
    for (const ch of input) items.push(...parser.push(ch));
    items.push(...parser.end());
    assert.deepEqual(mergeText(items), whole, `${name} one character at a time`);
  }
});

/** Text items from separate pushes come separately; merged, they must equal one push's. */
function mergeText(items: TcpdumpItem[]): TcpdumpItem[] {
  const out: TcpdumpItem[] = [];
  for (const item of items) {
    const last = out.at(-1);
    if (item.kind === 'text' && last?.kind === 'text') out[out.length - 1] = { kind: 'text', text: last.text + item.text };
    else out.push(item);
  }
  return out;
}

test('lines it cannot place are text, every character of them, and close the open packet', () => {
  const input = [
    '1795393376.061459 IP 127.0.0.1.1 > 127.0.0.1.2: UDP, length 4',
    '\t0x0000:  4500 0020 0000 4000 4011 0000 7f00 0001  E.....@.@.......',
    '\t0x0030:  0000 0000',
    'tcpdump: pcap_loop: The interface went down',
    '\t0x0010:  7f00 0001',
    'garbage \u0000 line\r',
    '',
    '1795393376.061473 IP 127.0.0.1.2 > 127.0.0.1.1: UDP, length 4',
    'no newline at the end',
  ].join('\n');
  const items = parse(input);
  assert.deepEqual(
    items.map((i) => i.kind),
    ['packet', 'text', 'packet', 'text'],
  );
  assert.equal((items[0] as TcpdumpPacket).bytes?.length, 16, 'the hex line with a gap in its offsets is not the packet’s');
  assert.equal(
    textOf(items),
    '\t0x0030:  0000 0000\ntcpdump: pcap_loop: The interface went down\n\t0x0010:  7f00 0001\ngarbage \u0000 line\r\n\nno newline at the end',
  );
});

test('lines ending in CRLF (a terminal) parse the same', () => {
  const input = sample('tcpdump-X.txt');
  const crlf = packetsOf(parse(input.replaceAll('\n', '\r\n')));
  const lf = packetsOf(parse(input));
  assert.deepEqual(crlf, lf);
});

test('a line longer than the limit is passed on as text in pieces, and parsing goes on', () => {
  const parser = createTcpdumpTextParser({ maxLineLength: 100 });
  const long = 'x'.repeat(250);
  const items = [
    ...parser.push('1795393376.061459 IP 127.0.0.1.1 > 127.0.0.1.2: UDP, length 4\n'),
    ...parser.push(long.slice(0, 150)),
    ...parser.push(`${long.slice(150)}\n1795393376.061473 IP 127.0.0.1.2 > 127.0.0.1.1: UDP, length 4\n`),
    ...parser.end(),
  ];
  assert.deepEqual(
    items.map((i) => i.kind),
    ['packet', 'text', 'text', 'packet'],
  );
  assert.equal(textOf(items), `${long}\n`);
});

test('peek shows the packet being read; it is emitted once the next line ends it', () => {
  const parser = createTcpdumpTextParser();
  assert.deepEqual(parser.push('1795393384.031458 IP 127.0.0.1.47936 > 127.0.0.1.8080: Flags [P.], length 88\n\t0x0000:  4500 008c'), []);
  assert.equal(parser.peek()?.dstPort, 8080);
  assert.equal(parser.peek()?.bytes, undefined, 'the unfinished hex line is not read yet');
  assert.deepEqual(parser.push(' d029\n'), []);
  assert.equal(parser.peek()?.bytes?.length, 6);
  const [done] = parser.end();
  assert.equal((done as TcpdumpPacket).bytes?.length, 6);
  assert.equal(parser.peek(), undefined);
});

test('toCapturedPacket: a decoder record and interface, RAW for network-layer bytes', () => {
  const x = toCapturedPacket(packetsOf(parse(sample('tcpdump-X.txt')))[0]!);
  assert.deepEqual(x?.iface, { linkType: LINKTYPE.RAW, snapLen: 262144, tsUnitsPerSecond: 1e6 });
  assert.deepEqual(x?.record.time, { sec: 1795393384, nsec: 31_458_000 });
  assert.equal(x?.record.origLen, 140);
  const xx = toCapturedPacket(packetsOf(parse(sample('tcpdump-XX.txt')))[0]!);
  assert.equal(xx?.iface.linkType, LINKTYPE.ETHERNET);
  const delta = toCapturedPacket(
    packetsOf(
      parse(
        '    2   00:00:01.000000001 IP 127.0.0.1 > 127.0.0.1: ICMP echo request, length 4\n\t0x0000:  4500 0018 0000 0000 4001 0000 7f00 0001\n\t0x0010:  7f00 0001 0800 0000\n',
      ),
    )[0]!,
  );
  assert.deepEqual(delta?.record.time, { sec: 0, nsec: 0 }, 'the first packet is the origin');
  assert.equal(toCapturedPacket(packetsOf(parse(sample('tcpdump-n-tt.txt')))[0]!), undefined, 'no bytes, no record');
});

test('looksLikeTcpdumpText: every sample is tcpdump text', () => {
  for (const name of [
    'tcpdump-A.txt',
    'tcpdump-X.txt',
    'tcpdump-XX.txt',
    'tcpdump-x.txt',
    'tcpdump-e-vv.txt',
    'tcpdump-n-tt.txt',
    'tcpdump-n-ttt-nano-number.txt',
    'tcpdump-udp-icmp.txt',
    'local-A-udp-tcp.txt',
    'local-any-e.txt',
    'local-number-t.txt',
    'local-names-tt.txt',
  ]) {
    assert.equal(looksLikeTcpdumpText(sample(name)), true, name);
  }
  assert.equal(looksLikeTcpdumpText('listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n'), true);
  assert.equal(looksLikeTcpdumpText('17:20:11.527845 IP 127.0.0.1.39325 > 127.0.0.1.9999: UDP, length 24\n'), true);
});

test('looksLikeTcpdumpText: ordinary shell output is not tcpdump text', () => {
  const outputs = {
    'ip addr':
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n4: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc pfifo_fast state UP group default qlen 1000\n    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n',
    'ss -tni':
      'State Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\nESTAB 0      0          127.0.0.1:46167    127.0.0.1:49956\n\t bbr wscale:10,10 rto:204 rtt:2.638/2.916 ato:40 mss:32768 pmtu:65535 rcvmss:642 advmss:65483 cwnd:18\n',
    'iptables -L -n -v':
      'Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n pkts bytes target     prot opt in     out     source               destination         \n\nChain FORWARD (policy ACCEPT 0 packets, 0 bytes)\n pkts bytes target     prot opt in     out     source               destination         \n',
    'date; uptime': 'Mon Dec  7 17:27:31 UTC 2026\n 17:27:31 up  2:59,  0 user,  load average: 0.70, 1.33, 3.26\n',
    dmesg: '[    0.000000] Linux version 6.18.44-fc-v1272 (builder@sandboxing)\n[    0.000000] Command line: console=ttyS0 quiet\n',
    'a log with times': '17:20:11.527845 INFO server started\n17:20:11.527999 IP address 10.0.0.1 assigned\n',
    'ip -br link':
      'lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP>\neth0             UP             02:fc:00:00:00:01 <BROADCAST,MULTICAST,UP,LOWER_UP>\n',
    nothing: '',
  };
  for (const [name, text] of Object.entries(outputs)) assert.equal(looksLikeTcpdumpText(text), false, name);
});
