/**
 * The two ends of the packet decoder's capture test (test/integration/packet-decoder.test.ts), run
 * inside network namespaces:
 *   servers            DNS on UDP and TCP 53, NTP on UDP 123, HTTP on TCP 80; prints "ready"
 *   client ADDRESS     asks each of them (DNS records of every decoded type, a name that does not
 *                      exist, one query over TCP, an NTP client request, an HTTP GET); prints "done"
 * The DNS answers compress names with pointers, as real servers do.
 */
import { createSocket } from 'node:dgram';
import { get, createServer as createHttpServer } from 'node:http';
import { connect, createServer } from 'node:net';

const [mode, server] = process.argv.slice(2);

type Record_ = { type: number; data: Buffer };
const ZONE: Record<string, Record_[]> = {};

function name(text: string): Buffer {
  const parts = text.split('.').filter(Boolean);
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])), Buffer.from([0])]);
}
const u16 = (v: number) => Buffer.from([v >> 8, v & 0xff]);
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};
const txt = (...strings: string[]) => Buffer.concat(strings.map((s) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)])));
function zone(): void {
  const add = (owner: string, type: number, data: Buffer) => (ZONE[`${owner}/${type}`] ??= []).push({ type, data });
  add('www.lab.test', 1, Buffer.from([10, 77, 0, 2]));
  add('www.lab.test', 28, Buffer.from('fd770000000000000000000000000002', 'hex'));
  add('alias.lab.test', 1, Buffer.alloc(0)); // answered with a CNAME chain below
  add('lab.test', 15, Buffer.concat([u16(10), name('mail.lab.test')]));
  add('lab.test', 16, txt('v=probebook', 'hello world'));
  add('lab.test', 2, name('ns1.lab.test'));
  add('lab.test', 6, Buffer.concat([name('ns1.lab.test'), name('hostmaster.lab.test'), u32(2026120701), u32(3600), u32(600), u32(86400), u32(60)]));
  add('2.0.77.10.in-addr.arpa', 12, name('www.lab.test'));
}

/** A resource record whose owner is the question's name, written as a pointer to offset 12. */
function rr(type: number, data: Buffer, owner: Buffer = Buffer.from([0xc0, 0x0c])): Buffer {
  return Buffer.concat([owner, u16(type), u16(1), u32(300), u16(data.length), data]);
}

function answer(query: Buffer): Buffer {
  const id = query.readUInt16BE(0);
  let p = 12;
  const labels: string[] = [];
  while (query[p]) {
    labels.push(query.subarray(p + 1, p + 1 + query[p]!).toString());
    p += 1 + query[p]!;
  }
  const question = query.subarray(12, p + 5);
  const qname = labels.join('.');
  const qtype = query.readUInt16BE(p + 1);
  const answers: Buffer[] = [];
  const authority: Buffer[] = [];
  let rcode = 0;
  if (qname === 'alias.lab.test' && qtype === 1) {
    // alias → www (the CNAME's target written out once, then pointed at)
    const target = name('www.lab.test');
    answers.push(rr(5, target));
    const targetOffset = 12 + question.length + 2 + 10;
    answers.push(rr(1, Buffer.from([10, 77, 0, 2]), Buffer.from([0xc0 | (targetOffset >> 8), targetOffset & 0xff])));
  } else if (ZONE[`${qname}/${qtype}`]) {
    for (const r of ZONE[`${qname}/${qtype}`]!) answers.push(rr(r.type, r.data));
  } else {
    rcode = 3;
    authority.push(rr(6, ZONE['lab.test/6']![0]!.data, name('lab.test')));
  }
  const header = Buffer.concat([u16(id), u16(0x8400 | 0x0100 | rcode), u16(1), u16(answers.length), u16(authority.length), u16(0)]);
  return Buffer.concat([header, question, ...answers, ...authority]);
}

function query(id: number, qname: string, qtype: number): Buffer {
  return Buffer.concat([u16(id), u16(0x0100), u16(1), u16(0), u16(0), u16(0), name(qname), u16(qtype), u16(1)]);
}

/** NTP seconds and fraction of now. */
function ntpNow(): Buffer {
  const now = Date.now();
  return Buffer.concat([u32(Math.floor(now / 1000) + 2_208_988_800), u32(Math.floor(((now % 1000) / 1000) * 2 ** 32))]);
}

async function servers(): Promise<void> {
  zone();
  const dns = createSocket('udp4');
  dns.on('message', (msg, from) => dns.send(answer(msg), from.port, from.address));
  const dnsTcp = createServer((socket) => {
    socket.on('data', (b) => {
      const reply = answer(b.subarray(2));
      socket.end(Buffer.concat([u16(reply.length), reply]));
    });
  });
  const ntp = createSocket('udp4');
  ntp.on('message', (msg, from) => {
    const reply = Buffer.concat([
      Buffer.from([0x24, 2, 3, 0xe9]),
      u32(0x0000_1000),
      u32(0x0000_2000),
      Buffer.from([10, 77, 0, 9]),
      ntpNow(),
      msg.subarray(40, 48),
      ntpNow(),
      ntpNow(),
    ]);
    ntp.send(reply, from.port, from.address);
  });
  const http = createHttpServer((_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end('hello from the lab\n');
  });
  await Promise.all([
    new Promise<void>((r) => dns.bind(53, '0.0.0.0', r)),
    new Promise<void>((r) => dnsTcp.listen(53, '0.0.0.0', r)),
    new Promise<void>((r) => ntp.bind(123, '0.0.0.0', r)),
    new Promise<void>((r) => http.listen(80, '0.0.0.0', r)),
  ]);
  process.stdout.write('ready\n');
}

async function client(address: string): Promise<void> {
  const udp = createSocket('udp4');
  const replies = new Map<number, (b: Buffer) => void>();
  udp.on('message', (msg) => replies.get(msg.readUInt16BE(0))?.(msg));
  const ask = (id: number, qname: string, qtype: number) =>
    new Promise<Buffer>((resolve) => {
      replies.set(id, resolve);
      udp.send(query(id, qname, qtype), 53, address);
    });
  const questions: [string, number][] = [
    ['www.lab.test', 1],
    ['www.lab.test', 28],
    ['alias.lab.test', 1],
    ['lab.test', 15],
    ['lab.test', 16],
    ['lab.test', 2],
    ['lab.test', 6],
    ['2.0.77.10.in-addr.arpa', 12],
    ['missing.lab.test', 1],
  ];
  for (const [i, [qname, qtype]] of questions.entries()) await ask(0x1a00 + i, qname, qtype);
  udp.close();

  await new Promise<void>((resolve, reject) => {
    const socket = connect(53, address, () => {
      const q = query(0x2b00, 'www.lab.test', 1);
      socket.write(Buffer.concat([u16(q.length), q]));
    });
    socket.on('data', () => socket.end());
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });

  await new Promise<void>((resolve) => {
    const ntp = createSocket('udp4');
    ntp.on('message', () => ntp.close(() => resolve()));
    ntp.send(Buffer.concat([Buffer.from([0x23, 0, 6, 0xec]), Buffer.alloc(36), ntpNow()]), 123, address);
  });

  await new Promise<void>((resolve, reject) => {
    get({ host: address, port: 80, path: '/index.html', agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
  process.stdout.write('done\n');
}

if (mode === 'servers') await servers();
else if (mode === 'client' && server) await client(server);
else {
  process.stderr.write('usage: packet-lab-child.ts servers | client ADDRESS\n');
  process.exitCode = 2;
}
