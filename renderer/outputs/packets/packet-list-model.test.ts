import { test } from 'node:test';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileDisplayFilter, type DisplayFilter } from '../../../core/common/packets/display-filter.ts';
import { CaptureSource, timeSince } from './capture-source.ts';
import { BoundedCache, PacketListModel } from './packet-list-model.ts';
import { TextSource } from './text-source.ts';

/** The team's reference samples, beside the repository (../shared). */
const SAMPLES = join(import.meta.dirname, '../../../../shared/reference/samples');
const capture = (path: string) => {
  const source = new CaptureSource();
  source.push(new Uint8Array(readFileSync(path)));
  return source;
};
const all = () => false;
const filterOf = (text: string) => {
  const f: DisplayFilter = compileDisplayFilter(text);
  assert.ok(f.ok);
  return f.test;
};

test('a real pcapng capture lists every packet with tshark’s columns and times in its precision', () => {
  const model = new PacketListModel(capture(`${SAMPLES}/dumpcap.pcapng`));
  model.work(all);
  assert.equal(model.length, 10);
  const first = model.row(0);
  assert.deepEqual(
    [first.no, first.time, first.source, first.destination, first.protocol, first.length],
    [1, '0.000000000', '127.0.0.1', '127.0.0.1', 'TCP', '74'],
  );
  assert.match(first.info, /^39364 → 8080 \[SYN\] Seq=0 Win=65495 Len=0 MSS=65495/);
  // tshark: "2 0.000169186 … 8080 → 39364 [SYN, ACK] Seq=0 Ack=1"; "4 0.000618911 … HTTP 154 GET /index.html HTTP/1.1"
  assert.equal(model.row(1).time, '0.000169186');
  assert.match(model.row(1).info, /\[SYN, ACK\] Seq=0 Ack=1/);
  assert.deepEqual([model.row(3).protocol, model.row(3).length, model.row(3).info], ['HTTP', '154', 'GET /index.html HTTP/1.1']);
  const usec = new PacketListModel(capture(`${SAMPLES}/tcpdump-usec.pcap`));
  assert.equal(usec.row(2).time, '0.000281', 'µs capture: six digits');
});

test('a capture read in pieces of any size keeps every record whole (records straddling pieces too)', () => {
  const bytes = new Uint8Array(readFileSync(`${SAMPLES}/dumpcap.pcapng`));
  const whole = capture(`${SAMPLES}/dumpcap.pcapng`);
  for (const size of [50, 333, 700]) {
    const pieces = new CaptureSource();
    for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.slice(at, at + size));
    assert.equal(pieces.count, whole.count);
    for (let i = 0; i < whole.count; i++) assert.deepEqual(pieces.store.get(i), whole.store.get(i), `packet ${i + 1}, pieces of ${size}`);
  }
});

test('rows made before the in-order pass reached them are made again with TCP’s relative numbers', () => {
  const model = new PacketListModel(capture(`${SAMPLES}/dumpcap.pcapng`));
  assert.match(model.row(4).info, /Seq=\d{5,} Ack=\d{5,} /, 'raw sequence numbers before the pass');
  model.work(all);
  assert.match(model.row(4).info, /Seq=1 Ack=89 /);
});

test('the display filter narrows the list a slice at a time and maps rows to packets both ways', () => {
  const model = new PacketListModel(capture('test/fixtures/packets/dns_tcp.pcap'));
  model.work(all);
  const total = model.length;
  model.setFilter(filterOf('dns'));
  while (model.work(() => true));
  assert.ok(model.length > 0 && model.length < total, `${model.length} of ${total}`);
  for (let r = 0; r < model.length; r++) assert.equal(model.rowOf(model.packetAt(r)), r);
  const hidden = Array.from({ length: total }, (_, i) => i).find((i) => model.rowOf(i) === -1)!;
  assert.notEqual(hidden, undefined);
  assert.ok(!model.row(hidden).protocol.startsWith('DNS'));
  model.setFilter(null);
  assert.equal(model.length, total);
  model.setFilter(filterOf('port 9'));
  model.work(all);
  assert.equal(model.length, 0);
});

test('row and detail caches are bounded', () => {
  const cache = new BoundedCache<number, string>(3);
  for (let i = 0; i < 10; i++) cache.set(i, String(i));
  assert.equal(cache.size, 3);
  cache.get(7);
  cache.set(10, '10');
  assert.equal(cache.get(7), '7', 'recently used entries stay');
  assert.equal(cache.get(8), undefined);
});

test('times since the first packet are exact, also across a second and backwards', () => {
  assert.equal(timeSince({ sec: 10, nsec: 100 }, { sec: 9, nsec: 999_999_900 }, 9), '0.000000200');
  assert.equal(timeSince({ sec: 1_800_000_000, nsec: 5_000 }, { sec: 1_700_000_000, nsec: 0 }, 6), '100000000.000005');
  assert.equal(timeSince({ sec: 9, nsec: 500_000_000 }, { sec: 10, nsec: 0 }, 6), '-0.500000');
});

test('tcpdump text: packets with bytes are decoded, those without read from their line', () => {
  const source = new TextSource(
    [
      {
        no: 1,
        time: '1796664099.148476402',
        sinceFirstNs: 0,
        summary: 'lo    In  IP 127.0.0.1.52673 > 127.0.0.1.9999: UDP, length 24',
        hex: '0800000000000001030400060000000000000000450000344956400040 11f3607f0000017f000001cdc1270f0020fe3368656c6c6f0d0a776f726c640a00012074616209686572 65'.replace(
          / /g,
          '',
        ),
        bytesFrom: 'link',
      },
      { no: 2, time: '1796664099.148517831', summary: 'IP 10.0.0.1.53 > 10.0.0.2.40000: 1234 1/0/0 A 1.2.3.4 (45)' },
    ],
    { name: 'LINUX_SLL2', number: 276 },
  );
  const model = new PacketListModel(source);
  const udp = model.row(0);
  assert.deepEqual([udp.source, udp.destination, udp.protocol], ['127.0.0.1', '127.0.0.1', 'UDP']);
  assert.equal(udp.info, 'lo    In  IP 127.0.0.1.52673 > 127.0.0.1.9999: UDP, length 24', 'the line as printed');
  const d = model.details(0);
  assert.equal(d.networkOffset, 20);
  assert.ok(d.tree.some((n) => n.label.startsWith('User Datagram Protocol')));
  const dns = model.row(1);
  assert.deepEqual([dns.source, dns.destination], ['10.0.0.1.53', '10.0.0.2.40000']);
  assert.match(model.details(1).note!, /printed no bytes/);
  model.setFilter(filterOf('udp port 9999'));
  model.work(all);
  assert.deepEqual([model.length, model.packetAt(0)], [1, 0]);
  model.setFilter(filterOf('host 10.0.0.2'));
  model.work(all);
  assert.deepEqual([model.length, model.packetAt(0)], [1, 1]);
  assert.equal(source.extend([]), false, 'fewer packets is not a continuation');
});
