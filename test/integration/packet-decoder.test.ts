/**
 * The packet decoder against tshark, on captures made here: a veth pair between two network
 * namespaces carries ARP, ICMP (echo, record route, fragments), IPv6 (neighbour discovery,
 * MLD with a hop-by-hop header, fragments), DNS over UDP and TCP, NTP and an HTTP GET, captured by
 * tcpdump (Ethernet, Linux cooked v1 and v2) and dumpcap (pcapng). Every field the decoder names
 * (FieldNode.field) must hold one of the values tshark prints for that field in the same packet,
 * and the rows, times and lengths must agree. Also: every capture in the team's samples and in
 * test/fixtures/packets/ reads with tshark's packet count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureReader } from '../../core/common/packets/capture-reader.ts';
import { DecodeContext, decodePacket } from '../../core/common/packets/decode.ts';
import type { DecodedPacket, FieldNode, PacketRecord } from '../../core/common/packets/types.ts';
import { needs } from '../support/needs.ts';
import { eventually, repoRoot } from '../support/root.ts';
import { textArrival, within } from '../support/within.ts';

const samples = join(repoRoot, '../shared/reference/samples');
const fixtures = join(repoRoot, 'test/fixtures/packets');
const captureFiles = (dir: string) => readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f));

/** tshark without reassembly, as the decoder works: fragments and segments are shown one by one. */
const TSHARK_OPTIONS = ['-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE'];

type Fields = Map<string, string[]>;

/** tshark's JSON of one capture: per packet, every field name with all the values it has anywhere in the packet. */
function tsharkFields(file: string): Fields[] {
  const out = execFileSync('tshark', ['-r', file, '-T', 'json', '--no-duplicate-keys', ...TSHARK_OPTIONS], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(out) as { _source: { layers: Record<string, unknown> } }[]).map((p) => {
    const fields: Fields = new Map();
    const collect = (key: string, value: unknown) => {
      if (typeof value === 'string') (fields.get(key) ?? fields.set(key, []).get(key)!).push(value);
      else if (Array.isArray(value)) for (const v of value) collect(key, v);
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collect(k, v);
    };
    collect('', p._source.layers);
    return fields;
  });
}

/** tshark's Protocol and Info columns. */
function tsharkColumns(file: string): { protocol: string; info: string }[] {
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=/t', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', ...TSHARK_OPTIONS], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [protocol = '', info = ''] = l.split('\t');
      return { protocol, info };
    });
}

function readCapture(file: string) {
  const reader = new CaptureReader();
  const bytes = new Uint8Array(readFileSync(file));
  const records: PacketRecord[] = [];
  // Fed in uneven pieces, as a pipe delivers a live capture.
  for (let at = 0, i = 0; at < bytes.length; at += 1000 + (i++ % 7) * 333) records.push(...reader.push(bytes.subarray(at, at + 1000 + (i % 7) * 333)));
  reader.end();
  return { reader, records };
}

function* fieldsOf(nodes: FieldNode[] | undefined): Generator<FieldNode> {
  for (const n of nodes ?? []) {
    if (n.field !== undefined) yield n;
    yield* fieldsOf(n.children);
  }
}

const PROTOCOLS_COMPARED = new Set(['null', 'eth', 'vlan', 'sll', 'ip', 'ipv6', 'arp', 'icmp', 'icmpv6', 'tcp', 'udp', 'dns', 'ntp', 'http']);

const COLUMNS_COMPARED = new Set(['ARP', 'IPv4', 'IPv6', 'ICMP', 'ICMPv6', 'TCP', 'UDP', 'DNS', 'NTP', 'HTTP']);

interface Comparison {
  packets: number;
  fieldsCompared: number;
  mismatches: string[];
  decoded: DecodedPacket[];
}

/** Decodes `file` and compares it with tshark packet by packet. */
function compareWithTshark(file: string): Comparison {
  const { reader, records } = readCapture(file);
  const theirs = tsharkFields(file);
  const columns = tsharkColumns(file);
  const mismatches: string[] = [];
  if (records.length !== theirs.length) mismatches.push(`packet count: ours ${records.length}, tshark ${theirs.length}`);
  const ctx = new DecodeContext();
  let fieldsCompared = 0;
  const decoded: DecodedPacket[] = [];
  for (const [i, record] of records.entries()) {
    const tshark = theirs[i];
    if (!tshark) break;
    const ours = decodePacket(record, reader.interfaces[record.iface], ctx);
    decoded.push(ours);
    const at = `packet ${record.no}`;
    const one = (name: string) => tshark.get(name)?.[0];
    const expect = (what: string, mine: string | number | undefined, theirsValue: string | undefined) => {
      fieldsCompared++;
      if (String(mine) !== String(theirsValue)) mismatches.push(`${at}: ${what}: ours ${mine}, tshark ${theirsValue}`);
    };
    const [sec, nsec] = one('frame.time_epoch')!.split('.');
    expect('time', `${record.time.sec}.${String(record.time.nsec).padStart(9, '0')}`, `${sec}.${(nsec ?? '').padEnd(9, '0')}`);
    expect('frame.len', record.origLen, one('frame.len'));
    expect('frame.cap_len', record.data.length, one('frame.cap_len'));
    // The decoder names 802.1ad tags `vlan` too, so that one filter word matches both kinds of tag.
    const theirProtocols = (one('frame.protocols') ?? '')
      .split(':')
      .map((p) => (p === 'ieee8021ad' ? 'vlan' : p))
      .filter((p) => PROTOCOLS_COMPARED.has(p));
    expect('protocols', [...new Set(ours.facts.protocols)].join(':'), [...new Set(theirProtocols)].join(':'));
    if (ours.facts.protocols.includes('ip') || ours.facts.protocols.includes('ipv6')) {
      const v = ours.facts.protocols.includes('ipv6') ? 'ipv6' : 'ip';
      expect('source address', ours.source, one(`${v}.src`));
      expect('destination address', ours.destination, one(`${v}.dst`));
    }
    const transport = ours.facts.protocols.includes('tcp') ? 'tcp' : ours.facts.protocols.includes('udp') ? 'udp' : undefined;
    if (transport && ours.facts.ports.src !== undefined) {
      expect('source port', ours.facts.ports.src, one(`${transport}.srcport`));
      expect('destination port', ours.facts.ports.dst, one(`${transport}.dstport`));
    }
    // The columns are compared where tshark's innermost protocol is one the decoder knows.
    if (COLUMNS_COMPARED.has(columns[i]?.protocol ?? '')) {
      expect('protocol column', ours.protocol, columns[i]?.protocol);
      // tshark's Info less what needs other packets (request/reply links), reassembly (content types) or marks truncation.
      const theirInfo = (columns[i]?.info ?? '').replace(
        /\s*\((request|reply) in \d+\)|\s*\(no response found!\)|\s*\(text\/[a-z]+\)|\[Packet size limited during capture\]|\[Malformed Packet\]|\s+$/g,
        '',
      );
      if (ours.problems.length === 0) expect('info column', ours.info, theirInfo);
    }
    for (const node of fieldsOf(ours.tree)) {
      fieldsCompared++;
      const values = tshark.get(node.field!);
      if (!values) mismatches.push(`${at}: ${node.field} = ${node.value}: tshark has no such field`);
      else if (!values.includes(node.value!)) mismatches.push(`${at}: ${node.field}: ours ${node.value}, tshark ${values.join(' | ')}`);
    }
  }
  return { packets: records.length, fieldsCompared, mismatches, decoded };
}

/** Where the decoder and tshark differ on the corpus, each on purpose (the reason beside it). */
const KNOWN_DIFFERENCES: Record<string, string[]> = {
  // tshark marks this segment as an HTTP continuation of the response before it; without reassembly it is TCP data here.
  'dumpcap.pcapng': [
    'packet 8: protocols: ours eth:ip:tcp, tshark eth:ip:tcp:http',
    'packet 8: protocol column: ours TCP, tshark HTTP',
    'packet 8: info column: ours 8080 → 39364 [PSH, ACK] Seq=185 Ack=89 Win=65536 Len=6 TSval=330990599 TSecr=454610446, tshark Continuation',
  ],
  // A fragment header whose payload length is absurd (32,896 bytes on the wire, 110 captured): tshark calls the
  // IPv6 header malformed and stops before the fragment header; the decoder shows the fragment header it can read.
  'ipv6_frag6_negative_len.pcap': [
    'packet 1: info column: ours IPv6 fragment (off=1280 more=n ident=0x80000074 nxt=2), tshark ',
    'packet 1: ipv6.fraghdr.nxt = 2: tshark has no such field',
    'packet 1: ipv6.fraghdr.offset = 160: tshark has no such field',
    'packet 1: ipv6.fraghdr.more = 0: tshark has no such field',
    'packet 1: ipv6.fraghdr.ident = 0x80000074: tshark has no such field',
  ],
};

interface Started {
  child: ChildProcess;
  out: ReturnType<typeof textArrival>;
  exited: Promise<number | null>;
}

test('decodes a capture made on a veth pair between two namespaces as tshark does: Ethernet, SLL, SLL2 and pcapng', async (t) => {
  if (!needs(t, { root: true, tools: ['tshark', 'tcpdump', 'dumpcap', 'ip', 'ping'] })) return;
  const id = `pbpk${process.pid}`;
  const [nsA, nsB] = [`${id}a`, `${id}b`];
  const work = mkdtempSync(join(tmpdir(), 'probebook-packets-'));
  const started: Started[] = [];
  t.after(async () => {
    for (const s of started) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await Promise.all(started.map((s) => s.exited));
    for (const ns of [nsA, nsB]) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // never made, or gone already
      }
    }
    rmSync(work, { recursive: true, force: true });
  });
  const run = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  const start = (args: string[]): Started => {
    const child = spawn(args[0]!, args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = textArrival();
    child.stdout!.on('data', (b: Buffer) => out.feed(b.toString()));
    child.stderr!.on('data', (b: Buffer) => out.feed(b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const s = { child, out, exited };
    started.push(s);
    return s;
  };
  const inA = (...args: string[]) => ['ip', 'netns', 'exec', nsA, ...args];

  run('ip', 'netns', 'add', nsA);
  run('ip', 'netns', 'add', nsB);
  run('ip', 'link', 'add', 'pbpk0', 'netns', nsA, 'type', 'veth', 'peer', 'name', 'pbpk1', 'netns', nsB);
  for (const [ns, dev, n] of [
    [nsA, 'pbpk0', '1'],
    [nsB, 'pbpk1', '2'],
  ] as const) {
    run('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    run('ip', '-n', ns, 'addr', 'add', `10.77.0.${n}/24`, 'dev', dev);
    run('ip', '-n', ns, 'addr', 'add', `fd77::${n}/64`, 'dev', dev, 'nodad');
    run('ip', '-n', ns, 'link', 'set', dev, 'up');
  }

  const lab = join(repoRoot, 'test/integration/packet-lab-child.ts');
  const servers = start(['ip', 'netns', 'exec', nsB, process.execPath, '--import', 'tsx', lab, 'servers']);
  await servers.out.printed('ready', 20_000);

  const files = { eth: join(work, 'eth.pcap'), sll2: join(work, 'any.pcap'), sll: join(work, 'sll.pcap'), pcapng: join(work, 'eth.pcapng') };
  const captures = [
    start(inA('tcpdump', '-n', '-U', '--immediate-mode', '-i', 'pbpk0', '-w', files.eth)),
    start(inA('tcpdump', '-n', '-U', '--immediate-mode', '-i', 'any', '--time-stamp-precision=nano', '-w', files.sll2)),
    start(inA('tcpdump', '-n', '-U', '--immediate-mode', '-i', 'any', '-y', 'LINUX_SLL', '-w', files.sll)),
    start(inA('dumpcap', '-q', '-i', 'pbpk0', '-w', files.pcapng)),
  ];
  await Promise.all(captures.slice(0, 3).map((c) => c.out.printed('listening on', 20_000)));
  await captures[3]!.out.printed('Capturing on', 20_000);
  // dumpcap says "Capturing on" before its socket takes packets (a pcapng without the first ARP
  // exchange was seen): broadcast pings (no ARP, no reply) until every file holds one, then traffic.
  const warmUp = Buffer.from('beefbeefbeefbeef', 'hex');
  let sent = 0;
  await eventually(
    () => {
      if (sent++ % 8 === 0) spawnSync('ip', ['netns', 'exec', nsA, 'ping', '-b', '-c', '1', '-W', '1', '-p', 'beef', '10.77.0.255'], { stdio: 'ignore' });
      return Object.values(files).every((file) => existsSync(file) && readFileSync(file).includes(warmUp));
    },
    20_000,
    'every capture to hold a warm-up packet',
  );

  // Traffic, each step waited for: ping exits after its replies, the client after its answers.
  run(...inA('ping', '-c', '1', '-W', '5', '10.77.0.2'));
  run(...inA('ping', '-c', '1', '-W', '5', '-R', '10.77.0.2'));
  run(...inA('ping', '-c', '1', '-W', '5', '-s', '3000', '10.77.0.2'));
  run(...inA('ping', '-6', '-c', '1', '-W', '5', 'fd77::2'));
  run(...inA('ping', '-6', '-c', '1', '-W', '5', '-s', '3000', 'fd77::2'));
  run('ip', '-n', nsA, 'addr', 'add', 'fd77::11/64', 'dev', 'pbpk0', 'nodad'); // an MLDv2 report, with a hop-by-hop header
  const client = start(inA(process.execPath, '--import', 'tsx', lab, 'client', '10.77.0.2'));
  await client.out.printed('done', 30_000);
  assert.equal(await within(client.exited, 10_000, 'the lab client to exit'), 0);
  // A last ping that every capture must hold: its reply in a file tells that capture has caught up.
  run(...inA('ping', '-c', '1', '-W', '5', '-p', 'cafe', '10.77.0.2'));
  const marker = Buffer.from('cafecafecafecafe', 'hex');
  const holdsMarkerTwice = (file: string) => {
    const bytes = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
    const first = bytes.indexOf(marker);
    return first >= 0 && bytes.indexOf(marker, first + 64) >= 0;
  };
  await eventually(() => Object.values(files).every(holdsMarkerTwice), 20_000, 'every capture file to hold the last ping and its reply');
  for (const c of captures) c.child.kill('SIGINT');
  await within(Promise.all(captures.map((c) => c.exited)), 20_000, 'tcpdump and dumpcap to stop');

  for (const [kind, file] of Object.entries(files)) {
    const result = compareWithTshark(file);
    t.diagnostic(`${kind}: ${result.packets} packets, ${result.fieldsCompared} fields compared with tshark, ${result.mismatches.length} mismatches`);
    // PROBEBOOK_KEEP_PACKETS=DIR keeps the captures to look at with tshark.
    if (process.env.PROBEBOOK_KEEP_PACKETS) execFileSync('cp', [file, process.env.PROBEBOOK_KEEP_PACKETS]);
    assert.deepEqual(result.mismatches, [], `${kind} (${file})`);
    const protocols = new Set(result.decoded.flatMap((p) => p.facts.protocols));
    for (const p of ['arp', 'icmp', 'icmpv6', 'tcp', 'udp', 'dns', 'ntp', 'http', 'ipv6', ...(kind.startsWith('sll') ? ['sll'] : [])]) {
      assert.ok(protocols.has(p), `${kind}: no ${p} packet was captured (${[...protocols].join(', ')})`);
    }
    const infos = result.decoded.map((p) => p.info).join('\n');
    for (const expected of [
      /Standard query response 0x1a02 A alias\.lab\.test CNAME www\.lab\.test A 10\.77\.0\.2/,
      /Standard query response 0x1a08 No such name A missing\.lab\.test/,
      /Fragmented IP protocol/,
      /GET \/index\.html HTTP\/1\.1/,
      /NTP Version 4, server/,
      /Neighbor Solicitation for fd77::2/,
    ]) {
      assert.match(infos, expected, kind);
    }
  }
});

test('every capture in the team samples and in test/fixtures/packets reads as tshark reads it', (t) => {
  if (!needs(t, { tools: ['tshark'] })) return;
  const files = [...captureFiles(samples).map((f) => join(samples, f)), ...captureFiles(fixtures).map((f) => join(fixtures, f))];
  assert.ok(files.length >= 10, `only ${files.length} captures found`);
  const differences: Record<string, string[]> = {};
  let fieldsCompared = 0;
  for (const file of files) {
    const { reader, records } = readCapture(file);
    const count = tsharkFields(file).length;
    assert.equal(records.length, count, `${file}: ${reader.problems.map((p) => p.message).join('; ')}`);
    const result = compareWithTshark(file);
    fieldsCompared += result.fieldsCompared;
    if (result.mismatches.length) differences[file.slice(file.lastIndexOf('/') + 1)] = result.mismatches;
  }
  t.diagnostic(`${files.length} captures, ${fieldsCompared} fields compared with tshark`);
  assert.deepEqual(differences, KNOWN_DIFFERENCES);
});
