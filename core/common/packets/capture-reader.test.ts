import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureReader, detectCaptureFormat, MAX_PACKET_BYTES } from './capture-reader.ts';
import { block, concat, pcapFile, pcapngBlock, seededRandom } from './test-captures.ts';
import type { PacketRecord } from './types.ts';

const samples = join(import.meta.dirname, '../../../../shared/reference/samples');
const sample = (name: string) => new Uint8Array(readFileSync(join(samples, name)));

/** Reads `bytes` pushed in pieces of the given sizes (repeated), then ends. */
function read(bytes: Uint8Array, pieces: number[] = [bytes.length]) {
  const reader = new CaptureReader();
  const records: PacketRecord[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = Math.max(1, pieces[i % pieces.length]!);
    records.push(...reader.push(bytes.subarray(at, at + n)));
    at += n;
  }
  reader.end();
  return { reader, records };
}

const plain = (records: PacketRecord[]) => records.map((r) => ({ ...r, data: Array.from(r.data) }));
const ethernetFrame = (n: number) => Uint8Array.from({ length: 60 }, (_, i) => (i * 7 + n) & 0xff);

test('reads tcpdump µs and ns pcap files: header, interface, times, lengths', () => {
  for (const [name, nsec] of [
    ['tcpdump-usec.pcap', 0xbbf20 * 1000],
    ['tcpdump-nsec.pcap', 0x2eeffbc0],
  ] as const) {
    const { reader, records } = read(sample(name));
    assert.deepEqual(reader.problems, [], name);
    assert.equal(reader.format, 'pcap');
    assert.deepEqual(reader.interfaces, [{ linkType: 1, snapLen: 262144, tsUnitsPerSecond: name.includes('nsec') ? 1e9 : 1e6 }]);
    assert.equal(records.length, 3);
    assert.deepEqual(records[0]!.time, { sec: 0x6b0387ae + (name.includes('nsec') ? 2 : 0), nsec });
    assert.equal(records[0]!.origLen, 74);
    assert.equal(records[0]!.data.length, 74);
    assert.deepEqual(
      records.map((r) => r.no),
      [1, 2, 3],
    );
  }
});

test('reads dumpcap pcapng: interface options, ns resolution, statistics block skipped', () => {
  const { reader, records } = read(sample('dumpcap.pcapng'));
  assert.deepEqual(reader.problems, []);
  assert.equal(reader.format, 'pcapng');
  assert.deepEqual(reader.interfaces, [
    { linkType: 1, snapLen: 262144, tsUnitsPerSecond: 1e9, name: 'lo', filter: 'tcp port 8080', os: 'Linux 6.18.44-fc-v657' },
  ]);
  assert.equal(records.length, 10);
  // formats.md §3.3: the first EPB is ts 1795393459818869717 ns, 74 bytes.
  assert.deepEqual(records[0]!.time, { sec: 1795393459, nsec: 818869717 });
  assert.equal(records[0]!.data.length, 74);
});

test('the same records whatever the chunks: every split point of a pcap and a pcapng, and byte by byte', () => {
  for (const name of ['tcpdump-usec.pcap', 'dumpcap.pcapng']) {
    const bytes = sample(name);
    const whole = plain(read(bytes).records);
    assert.deepEqual(plain(read(bytes, [1]).records), whole, `${name} byte by byte`);
    assert.deepEqual(plain(read(bytes, [3, 5, 7]).records), whole, `${name} in 3, 5, 7`);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { reader, records } = read(bytes, [cut, bytes.length]);
      assert.deepEqual(plain(records), whole, `${name} split at ${cut}`);
      assert.deepEqual(reader.problems, [], `${name} split at ${cut}`);
    }
  }
});

test('a record wholly inside a chunk is a view of it; one that spans chunks is copied once', () => {
  const bytes = sample('tcpdump-usec.pcap');
  const reader = new CaptureReader();
  const [first] = reader.push(bytes);
  assert.equal(first!.data.buffer, bytes.buffer);
  const split = new CaptureReader();
  split.push(bytes.subarray(0, 50));
  const [spanning] = split.push(bytes.subarray(50));
  assert.notEqual(spanning!.data.buffer, bytes.buffer);
  assert.deepEqual(Array.from(spanning!.data), Array.from(first!.data));
});

test('big-endian pcap (µs and ns) reads as little-endian does', () => {
  const packets = [
    { sec: 1795393376, frac: 61524, data: ethernetFrame(1), origLen: 1514 },
    { sec: 1795393377, frac: 999999, data: ethernetFrame(2) },
  ];
  for (const nano of [false, true]) {
    const le = read(pcapFile(packets, { nano }));
    const be = read(pcapFile(packets, { nano, bigEndian: true }));
    assert.deepEqual(be.reader.problems, []);
    assert.deepEqual(plain(be.records), plain(le.records));
    assert.deepEqual(be.records[0]!.time, { sec: 1795393376, nsec: nano ? 61524 : 61524000 });
    assert.equal(be.records[0]!.origLen, 1514);
  }
});

test('pcapng: sections in both byte orders, interfaces numbered per section, power-of-2 resolution, SPB and PB', () => {
  const a = ethernetFrame(1);
  const b = ethernetFrame(2);
  const usec = 1_805_000_000_123_456;
  const bytes = concat(
    block.section(true),
    block.iface(true, 1, 65535, [
      { code: 2, value: 'eth0' },
      { code: 9, value: [6] },
    ]),
    block.iface(true, 113, 0, [{ code: 9, value: [0x80 | 20] }]), // 2^-20 s
    block.names(true),
    block.enhanced(true, 1, 0, 3 << 20, a), // 3 s exactly in 2^-20 units
    block.enhanced(true, 0, Math.floor(usec / 2 ** 32), usec % 2 ** 32, b), // µs since the epoch
    block.custom(true, 40),
    block.section(false),
    block.iface(false, 101, 96),
    block.simple(false, a, 1500),
    block.obsolete(false, 0, 0, 2_500_000, b),
    block.statistics(false),
  );
  const { reader, records } = read(bytes, [13]);
  assert.deepEqual(reader.problems, []);
  assert.deepEqual(reader.interfaces, [
    { linkType: 1, snapLen: 65535, tsUnitsPerSecond: 1e6, name: 'eth0' },
    { linkType: 113, snapLen: 0, tsUnitsPerSecond: 2 ** 20 },
    { linkType: 101, snapLen: 96, tsUnitsPerSecond: 1e6 },
  ]);
  assert.deepEqual(
    records.map((r) => [r.no, r.iface, r.time, r.origLen, r.data.length]),
    [
      [1, 1, { sec: 3, nsec: 0 }, 60, 60],
      [2, 0, { sec: 1_805_000_000, nsec: 123_456_000 }, 60, 60],
      [3, 2, { sec: 0, nsec: 0 }, 1500, 60],
      [4, 2, { sec: 2, nsec: 500_000_000 }, 60, 60],
    ],
  );
});

test('detects captures by magic number and tells other bytes apart', () => {
  assert.equal(detectCaptureFormat(sample('tcpdump-usec.pcap')), 'pcap');
  assert.equal(detectCaptureFormat(sample('tcpdump-nsec.pcap').subarray(0, 4)), 'pcap');
  assert.equal(detectCaptureFormat(pcapFile([], { bigEndian: true, nano: true })), 'pcap');
  assert.equal(detectCaptureFormat(sample('dumpcap.pcapng')), 'pcapng');
  assert.equal(detectCaptureFormat(block.section(false)), 'pcapng');
  assert.equal(detectCaptureFormat(sample('dumpcap.pcapng').subarray(0, 6)), 'more');
  assert.equal(detectCaptureFormat(Uint8Array.of(0xd4, 0xc3)), 'more');
  assert.equal(detectCaptureFormat(new Uint8Array(0)), 'more');
  assert.equal(detectCaptureFormat(new TextEncoder().encode('listening on lo')), null);
  assert.equal(detectCaptureFormat(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0)), null); // an ELF file
  assert.equal(detectCaptureFormat(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0, 1, 2, 3, 4)), null); // text with CR/LF
});

test('a stream that is not a capture stops at once with a problem naming its first bytes', () => {
  const { reader, records } = read(new Uint8Array(readFileSync(process.execPath).subarray(0, 4096)), [100]);
  assert.equal(records.length, 0);
  assert.equal(reader.format, undefined);
  assert.deepEqual(reader.problems, [
    {
      offset: 0,
      message: 'not a pcap or pcapng capture: it starts with 7f 45 4c 46 (a pcap file starts with d4 c3 b2 a1 or a1 b2 c3 d4, pcapng with 0a 0d 0d 0a)',
      fatal: true,
    },
  ]);
  assert.match(read(new Uint8Array(0)).reader.problems[0]!.message, /the stream is empty/);
  assert.match(read(Uint8Array.of(0xd4, 0xc3)).reader.problems[0]!.message, /ended after 2 bytes, before a whole capture header/);
});

/** Offsets where a unit (file header, record, block) ends: a cut there leaves a whole, shorter capture. */
function unitEnds(bytes: Uint8Array): Set<number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const pcap = view.getUint32(0, true) !== 0x0a0d0d0a;
  const ends = new Set<number>();
  for (let at = pcap ? 24 : 0; at < bytes.length; ) {
    if (pcap) ends.add(24);
    at += pcap ? 16 + view.getUint32(at + 8, true) : view.getUint32(at + 4, true);
    ends.add(at);
  }
  return ends;
}

test('a capture cut at every byte offset: the whole records before the cut, and a problem for a cut inside a unit', () => {
  for (const name of ['tcpdump-nsec.pcap', 'dumpcap.pcapng']) {
    const bytes = sample(name);
    const whole = plain(read(bytes).records);
    const ends = unitEnds(bytes);
    for (let cut = 0; cut < bytes.length; cut++) {
      const { reader, records } = read(bytes.subarray(0, cut), [cut, 5]);
      assert.deepEqual(plain(records), whole.slice(0, records.length), `${name} cut at ${cut}`);
      const problems = reader.problems.map((p) => p.message).join('; ');
      if (ends.has(cut)) assert.equal(problems, '', `${name} cut at ${cut}`);
      else assert.match(problems, /ends in the middle|ended after|is empty/, `${name} cut at ${cut}: ${problems}`);
    }
  }
});

test('a pcap record claiming 4 GB stops reading with a problem and allocates nothing of that size', () => {
  const bytes = sample('tcpdump-usec.pcap').slice();
  new DataView(bytes.buffer).setUint32(24 + 8, 0xfffffff0, true);
  const { reader, records } = read(bytes, [30]);
  assert.equal(records.length, 0);
  assert.deepEqual(reader.problems, [
    {
      offset: 24,
      message: `record 1 claims 4294967280 captured bytes, more than the ${MAX_PACKET_BYTES} a packet may have: the file is corrupt from here`,
      fatal: true,
    },
  ]);
});

test('a pcap record with more captured than wire bytes, and a fraction of a second too large, are reported and read', () => {
  const bytes = pcapFile([{ sec: 1, frac: 1_000_000, data: ethernetFrame(1), origLen: 20 }]);
  const { reader, records } = read(bytes);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.origLen, 60);
  assert.deepEqual(
    reader.problems.map((p) => p.message),
    ['packet 1: the fraction of a second 1000000 is not below 1000000', 'packet 1: 60 bytes captured but only 20 on the wire; taking 60'],
  );
});

test('pcapng framing errors: zero length, length not a multiple of 4, 4 GB, trailing length mismatch', () => {
  const shb = block.section(true);
  const idb = block.iface(true, 1, 262144);
  const epb = block.enhanced(true, 0, 0, 1, ethernetFrame(1));
  const withLength = (b: Uint8Array, length: number, at = 4) => {
    const copy = b.slice();
    new DataView(copy.buffer).setUint32(at, length, true);
    return copy;
  };
  const cases: [Uint8Array, RegExp][] = [
    [withLength(epb, 0), /length 0, which is less than the 12 bytes/],
    [withLength(epb, 90), /length 90, which is not a multiple of 4/],
    [withLength(epb, 0xfffffffc), /claims 4294967292 bytes, more than/],
    [withLength(epb, 96, epb.length - 4), /trailing length 96 differs from its leading length/],
  ];
  for (const [bad, message] of cases) {
    const { reader, records } = read(concat(shb, idb, bad, epb), [7]);
    assert.equal(records.length, 0, String(message));
    assert.equal(reader.problems.length, 1, JSON.stringify(reader.problems));
    assert.match(reader.problems[0]!.message, message);
    assert.equal(reader.problems[0]!.offset, shb.length + idb.length + (message.source.startsWith('trailing') ? bad.length - 4 : 0));
    assert.equal(reader.problems[0]!.fatal, true);
  }
});

test('pcapng packet problems skip one packet and read on: unknown interface, caplen past the block', () => {
  const le = true;
  const frame = ethernetFrame(1);
  const badCapLen = pcapngBlock(le, 6, (w) => w.u32(0).u32(0).u32(0).u32(200).u32(200).bytes(frame));
  const { reader, records } = read(
    concat(block.section(le), block.iface(le, 1, 0), block.enhanced(le, 3, 0, 0, frame), badCapLen, block.enhanced(le, 0, 0, 0, frame)),
  );
  assert.deepEqual(
    records.map((r) => r.no),
    [1],
  );
  assert.deepEqual(
    reader.problems.map((p) => [p.message, p.fatal]),
    [
      ['packet 1 names interface 3, but its section describes 1; the packet is skipped', false],
      ['packet 1: a pcapng packet block claims 200 captured bytes but holds 60; skipped', false],
    ],
  );
});

test('a large unknown pcapng block is skipped as it streams by, never held', () => {
  const le = false;
  const bytes = concat(block.section(le), block.iface(le, 1, 0), block.custom(le, 2_000_000), block.enhanced(le, 0, 0, 5, ethernetFrame(1)));
  const { reader, records } = read(bytes, [65536]);
  assert.deepEqual(reader.problems, []);
  assert.equal(records.length, 1);
  const cut = read(bytes.subarray(0, 1_000_000), [4096]);
  assert.match(cut.reader.problems[0]!.message, /ends inside a block, \d+ bytes before its declared end/);
});

test('random byte flips (seeded) never throw and every record stays within its bounds', () => {
  const random = seededRandom(15);
  for (const name of ['tcpdump-usec.pcap', 'tcpdump-nsec.pcap', 'dumpcap.pcapng']) {
    const original = sample(name);
    for (let round = 0; round < 2000; round++) {
      const bytes = original.slice();
      const flips = 1 + Math.floor(random() * 8);
      for (let i = 0; i < flips; i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const { reader, records } = read(bytes, [1 + Math.floor(random() * 64)]);
      for (const r of records) assert.ok(r.data.length <= MAX_PACKET_BYTES && r.data.length <= r.origLen);
      for (const p of reader.problems) assert.ok(p.message.length > 0 && Number.isInteger(p.offset));
    }
  }
});

test('more than 100 problems: the list stops with one saying so', () => {
  const packets = Array.from({ length: 150 }, (_, i) => ({ sec: i, frac: 0, data: ethernetFrame(i), origLen: 1 }));
  const { reader, records } = read(pcapFile(packets));
  assert.equal(records.length, 150);
  assert.equal(reader.problems.length, 101);
  assert.equal(reader.problems[100]!.message, 'more problems follow; only the first 100 are listed');
});
