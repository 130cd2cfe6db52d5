// The tcpdump text parser against real tcpdump on lo: the test sends a UDP datagram and opens a TCP
// connection to sockets of its own, tcpdump prints them with one flag set per test, and the parser
// reads the output as it streams. Root: tcpdump needs it to capture.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, createConnection, type AddressInfo, type Server } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { LINKTYPE } from '../../core/common/packets/types.ts';
import { createTcpdumpTextParser, toCapturedPacket, type TcpdumpItem, type TcpdumpPacket } from '../../core/common/parsers/tcpdump/tcpdump-text.ts';
import { parseTcpdumpCommand, textOptionsOf } from '../../core/common/parsers/tcpdump/tcpdump-command.ts';
import { needs } from '../support/needs.ts';
import { textArrival, within } from '../support/within.ts';

const TCPDUMP = { root: true, tools: ['tcpdump'] };
const UDP_TEXT = 'probebook udp datagram';
const TCP_TEXT = 'probebook tcp payload';
/** The packets the test makes, in order: the datagram, then the handshake and the first data segment. */
const PACKETS = 5;

interface Peers {
  udp: Socket;
  udpPort: number;
  server: Server;
  tcpPort: number;
  /** Sends the datagram and waits for it; then connects, sends the payload and waits for it. Returns the client ports. */
  talk(): Promise<{ udpSource: number; tcpSource: number }>;
}

/** A UDP socket and a TCP server on 127.0.0.1, on ports the kernel picks; closed after the test. */
async function openPeers(t: TestContext): Promise<Peers> {
  const udp = createSocket('udp4');
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const sender = createSocket('udp4');
  t.after(() => {
    udp.close();
    sender.close();
    server.close();
  });
  const udpPort = udp.address().port;
  const tcpPort = (server.address() as AddressInfo).port;
  return {
    udp,
    udpPort,
    server,
    tcpPort,
    async talk() {
      const received = once(udp, 'message');
      sender.send(UDP_TEXT, udpPort, '127.0.0.1');
      await within(received, 5000, 'the UDP datagram');
      const udpSource = sender.address().port;
      const accepted = once(server, 'connection');
      const client = createConnection(tcpPort, '127.0.0.1');
      await within(once(client, 'connect'), 5000, 'the TCP connection');
      const [socket] = (await within(accepted, 5000, 'the accepted connection')) as [import('node:net').Socket];
      const data = once(socket, 'data');
      client.write(TCP_TEXT);
      await within(data, 5000, 'the TCP payload');
      const tcpSource = client.localPort!;
      client.destroy();
      socket.destroy();
      return { udpSource, tcpSource };
    },
  };
}

interface Capture {
  items: TcpdumpItem[];
  packets: TcpdumpPacket[];
  chunks: number;
  stderr: string;
  parser: ReturnType<typeof createTcpdumpTextParser>;
}

/**
 * Runs `tcpdump -i lo -c 5 --immediate-mode -l FLAGS FILTER` (through `sh -c 'exec … 2>&1'` when
 * `merged`, as a cell with 2>&1 would), waits for its `listening on` line, makes the traffic,
 * and parses stdout chunk by chunk as it arrives, with the options the command line implies.
 */
async function capture(t: TestContext, flags: string[], merged = false): Promise<Capture & { ports: { udpSource: number; tcpSource: number }; peers: Peers }> {
  const peers = await openPeers(t);
  const filter = `(udp and dst port ${peers.udpPort}) or (tcp and port ${peers.tcpPort})`;
  const args = ['-i', 'lo', '-c', String(PACKETS), '--immediate-mode', '-l', ...flags, filter];
  const options = textOptionsOf(parseTcpdumpCommand(`tcpdump ${args.map((a) => `'${a}'`).join(' ')}`)!);
  const parser = createTcpdumpTextParser(options);
  const child: ChildProcess = merged
    ? spawn('sh', ['-c', 'exec tcpdump "$@" 2>&1', 'sh', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('tcpdump', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await within(exited, 5000, `tcpdump (pid ${child.pid}) to stop`);
    }
  });
  const items: TcpdumpItem[] = [];
  let chunks = 0;
  let stderr = '';
  const banner = textArrival();
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    chunks++;
    items.push(...parser.push(chunk));
    if (merged) banner.feed(chunk);
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
    if (!merged) banner.feed(chunk);
  });
  await within(
    Promise.race([banner.printed('listening on', 10_000), exited.then(() => Promise.reject(new Error(`tcpdump exited before listening: ${stderr}`)))]),
    12_000,
    "tcpdump's listening line",
  );
  const ports = await peers.talk();
  const [code] = (await within(exited, 15_000, `tcpdump to end after ${PACKETS} packets`)) as [number | null];
  assert.equal(code, 0, `tcpdump ${args.join(' ')} failed: ${stderr}`);
  items.push(...parser.end());
  const packets = items.filter((i): i is TcpdumpPacket => i.kind === 'packet');
  return { items, packets, chunks, stderr, parser, ports, peers };
}

/** What every flag set must show: five packets in order, times that do not go back, the ports the test used. */
function checkTraffic(c: Awaited<ReturnType<typeof capture>>, what: string): void {
  const { packets, ports, peers } = c;
  assert.equal(packets.length, PACKETS, `${what}: ${JSON.stringify(c.items, null, 1).slice(0, 2000)}`);
  assert.deepEqual(
    packets.map((p) => p.no),
    [1, 2, 3, 4, 5],
    what,
  );
  const [udp, syn, synAck, , data] = packets as TcpdumpPacket[] as [TcpdumpPacket, TcpdumpPacket, TcpdumpPacket, TcpdumpPacket, TcpdumpPacket];
  assert.deepEqual([udp.transport, udp.src, udp.srcPort, udp.dst, udp.dstPort], ['UDP', '127.0.0.1', ports.udpSource, '127.0.0.1', peers.udpPort], what);
  assert.deepEqual([syn.srcPort, syn.dstPort, synAck.srcPort, synAck.dstPort], [ports.tcpSource, peers.tcpPort, peers.tcpPort, ports.tcpSource], what);
  assert.deepEqual([data.transport, data.srcPort, data.dstPort], ['TCP', ports.tcpSource, peers.tcpPort], what);
}

function checkTimes(packets: TcpdumpPacket[], what: string): void {
  const times = packets.map((p) => p.time?.sinceFirstNs);
  assert.equal(times[0], 0, what);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!, `${what}: times go back at packet ${i + 1}: ${times}`);
  assert.ok(times.at(-1)! > 0, `${what}: ${times}`);
}

test('-n -tt -X: absolute times, fields, and bytes from the IPv4 header that hold what was sent', async (t) => {
  if (!needs(t, TCPDUMP)) return;
  const c = await capture(t, ['-n', '-tt', '-X']);
  checkTraffic(c, '-X');
  checkTimes(c.packets, '-X');
  const [udp, syn, synAck, ack, data] = c.packets as TcpdumpPacket[];
  assert.deepEqual([syn!.tcpFlags, synAck!.tcpFlags, ack!.tcpFlags, data!.tcpFlags], ['S', 'S.', '.', 'P.']);
  assert.equal(udp!.length, UDP_TEXT.length);
  assert.equal(data!.length, TCP_TEXT.length);
  for (const p of c.packets) {
    assert.equal(p.bytesFrom, 'network');
    assert.equal(p.bytes?.[0], 0x45, 'IPv4, 20-byte header');
    assert.equal((p.bytes![2]! << 8) | p.bytes![3]!, p.bytes!.length, 'the IPv4 total length is the number of bytes printed');
    assert.ok(Math.abs(p.time!.absolute!.sec - Date.now() / 1000) < 60, 'an absolute time of now');
  }
  assert.equal(new TextDecoder().decode(udp!.bytes!.subarray(28)), UDP_TEXT);
  assert.ok(new TextDecoder().decode(data!.bytes).endsWith(TCP_TEXT));
  const captured = toCapturedPacket(udp!, c.parser.linkType);
  assert.equal(captured?.iface.linkType, LINKTYPE.RAW);
  assert.equal(captured?.record.data, udp!.bytes);
  assert.equal(c.items.length, PACKETS, 'nothing but packets on stdout');
});

test('-n -# -ttt --nano -XX, stderr merged: numbered, nanosecond deltas, Ethernet header on lo, banner and counts kept as text', async (t) => {
  if (!needs(t, TCPDUMP)) return;
  const c = await capture(t, ['-n', '-#', '-ttt', '--nano', '-XX'], true);
  checkTraffic(c, '-XX');
  checkTimes(c.packets, '-XX');
  for (const p of c.packets) {
    assert.equal(p.time?.digits, 9);
    assert.equal(p.time?.form, 'delta-previous');
    assert.equal(p.bytesFrom, 'link');
    assert.equal((p.bytes![12]! << 8) | p.bytes![13]!, 0x0800, 'the ethertype at 12-13');
    assert.equal(p.bytes![14], 0x45);
  }
  const deltaNs = (text: string) => {
    const [, h, m, s, ns] = /^ (\d+):(\d\d):(\d\d)\.(\d{9})$/.exec(text)!.map(Number) as number[];
    return ((h! * 60 + m!) * 60 + s!) * 1e9 + ns!;
  };
  const sum = c.packets.slice(1).reduce((total, p) => total + deltaNs(p.time!.text), 0);
  assert.equal(c.packets.at(-1)!.time!.sinceFirstNs, sum, 'the deltas, summed exactly');
  assert.equal(c.parser.linkType?.number, LINKTYPE.ETHERNET);
  const text = c.items.flatMap((i) => (i.kind === 'text' ? [i.text] : [])).join('');
  assert.match(text, /^listening on lo, link-type EN10MB \(Ethernet\), snapshot length \d+ bytes$/m);
  assert.match(text, new RegExp(`^${PACKETS} packets captured$`, 'm'));
  assert.equal(toCapturedPacket(c.packets[0]!, c.parser.linkType)?.iface.linkType, LINKTYPE.ETHERNET);
});

test('-nn -ttttt -e -v -x: continuation lines joined, link layer fields, hex without ASCII', async (t) => {
  if (!needs(t, TCPDUMP)) return;
  const c = await capture(t, ['-nn', '-ttttt', '-e', '-v', '-x']);
  checkTraffic(c, '-e -v -x');
  checkTimes(c.packets, '-e -v -x');
  for (const p of c.packets) {
    assert.equal(p.time?.form, 'delta-first', 'the command line says -ttttt');
    assert.ok(p.detail && p.detail.length >= 1, 'a -v continuation line');
    assert.deepEqual([p.link?.src, p.link?.dst, p.link?.ethertype, p.protocol], ['00:00:00:00:00:00', '00:00:00:00:00:00', 0x0800, 'IP']);
    assert.equal(p.link?.frameLength, p.bytes!.length + 14, '-x prints the frame without its 14-byte Ethernet header');
    assert.equal(p.bytesFrom, 'network');
  }
});

test('-n -tttt -A: the ASCII dump is kept as text and ends with what was sent', async (t) => {
  if (!needs(t, TCPDUMP)) return;
  const c = await capture(t, ['-n', '-tttt', '-A']);
  checkTraffic(c, '-A');
  checkTimes(c.packets, '-A');
  const [udp, , , , data] = c.packets as TcpdumpPacket[];
  assert.ok(udp!.payloadText?.endsWith(UDP_TEXT), udp!.payloadText);
  assert.ok(data!.payloadText?.endsWith(TCP_TEXT), data!.payloadText);
  assert.equal(udp!.bytes, undefined);
  assert.match(udp!.time!.text, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
});

test('-q -t -n: no time, quiet summaries, still every packet and its ports', async (t) => {
  if (!needs(t, TCPDUMP)) return;
  const c = await capture(t, ['-q', '-t', '-n']);
  checkTraffic(c, '-q -t');
  assert.ok(c.packets.every((p) => p.time === undefined));
  assert.equal(c.packets[4]!.summary.endsWith(`tcp ${TCP_TEXT.length}`), true, c.packets[4]!.summary);
});
