// A logged-in client that sends malformed WebSocket frames, an oversized message or a message
// nested too deep, and a folder holding FIFOs named *.ipynb: the real `probebook serve` (a child
// process) answers each with an error or a closed connection, and goes on serving — other
// connections and a running cell included.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { MAX_JSON_DEPTH } from '../../core/common/notebook/json-text.ts';
import { MAX_MESSAGE_BYTES } from '../../core/common/protocol.ts';
import { needs } from '../support/needs.ts';
import { HostClient as Client, signIn } from '../support/host-client.ts';
import { startServe, type ServeHandle } from '../support/probebook-serve.ts';

interface Server {
  serve: ServeHandle;
  port: number;
  cookie: string;
}

/** A fresh folder to serve; removed by {@link serveLoggedIn}'s cleanup, after the server stopped. */
const servedFolder = () => mkdtempSync(join(tmpdir(), 'pb-frames-'));

/** Starts `probebook serve` on `dir` and logs in with its token, as the page does. */
async function serveLoggedIn(t: TestContext, dir: string): Promise<Server> {
  let serve: ServeHandle;
  try {
    serve = await startServe(t, dir);
  } finally {
    // After hooks run in the order they were added: this one after the server's stop.
    t.after(() => rmSync(dir, { recursive: true, force: true }));
  }
  const port = Number(new URL(serve.url).port);
  const cookie = await signIn(port, serve.token);
  assert.ok(cookie, 'logged in');
  return { serve, port, cookie };
}

/** One client frame; `mask: false` and `lengthBytes` make the malformed ones. */
function frame(opcode: number, payload: Buffer, options: { fin?: boolean; rsv?: number; mask?: boolean; declaredLength?: bigint } = {}): Buffer {
  const { fin = true, rsv = 0, mask = true } = options;
  const length = options.declaredLength ?? BigInt(payload.length);
  const header = [(fin ? 0x80 : 0) | rsv | opcode];
  const maskBit = mask ? 0x80 : 0;
  if (length < 126n) header.push(maskBit | Number(length));
  else if (length < 65536n) header.push(maskBit | 126, Number(length >> 8n), Number(length & 0xffn));
  else {
    header.push(maskBit | 127);
    for (let i = 7; i >= 0; i--) header.push(Number((length >> BigInt(i * 8)) & 0xffn));
  }
  if (!mask) return Buffer.concat([Buffer.from(header), payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(header), key, masked]);
}

const closePayload = (code: number, reason: Buffer = Buffer.alloc(0)) => Buffer.concat([Buffer.from([code >> 8, code & 0xff]), reason]);

/** What a server sent back on a raw socket: its text messages and its close code. */
interface RawReply {
  texts: string[];
  closeCode: number | undefined;
}

/** A real upgrade on a plain TCP socket with the session cookie; resolves once the server said 101. */
function rawUpgrade(s: Server): Promise<{ socket: Socket; reply: Promise<RawReply> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(s.port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let settle: (r: RawReply) => void;
    const reply = new Promise<RawReply>((r) => (settle = r));
    const texts: string[] = [];
    const parse = () => {
      // Server frames are unmasked: FIN/opcode, length (7, 16 or 64 bits), payload.
      for (;;) {
        if (buffer.length < 2) return;
        const opcode = buffer[0]! & 0x0f;
        let length = buffer[1]! & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) return;
          length = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + length) return;
        const payload = buffer.subarray(offset, offset + length);
        buffer = buffer.subarray(offset + length);
        if (opcode === 1) texts.push(payload.toString('utf8'));
        if (opcode === 8) {
          // The server closed: a client answers by going away.
          settle({ texts, closeCode: payload.length >= 2 ? payload.readUInt16BE(0) : undefined });
          socket.destroy();
          return;
        }
      }
    };
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1');
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
        buffer = buffer.subarray(end + 4);
        upgraded = true;
        resolve({ socket, reply });
      }
      parse();
    });
    socket.on('close', () => settle({ texts, closeCode: undefined }));
    socket.on('error', () => undefined); // the server may reset a broken client; the reply says what it sent
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nOrigin: http://127.0.0.1:${s.port}\r\nCookie: ${s.cookie}\r\n` +
        `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

/** The notebook: one shell cell that runs until it is stopped. */
function sleepNotebook(dir: string): void {
  writeFileSync(
    join(dir, 'lab.ipynb'),
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [{ id: 'a', cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: 'echo started; sleep 600' }],
    }),
  );
}

/** Starts cell `a` of lab.ipynb on `c` and resolves once it printed. */
async function startSleepCell(c: Client): Promise<string> {
  c.send({ type: 'open_notebook', requestId: 'open', path: 'lab.ipynb' });
  const { notebookId } = (await c.next('notebook_opened')).snapshot;
  c.send({ type: 'trust_request', requestId: 'trust', notebookId });
  await c.next('pong', (m) => m.requestId === 'trust');
  c.send({ type: 'execute_request', requestId: 'run', notebookId, cellIds: ['a'] });
  await c.next('output', (m) => JSON.stringify(m).includes('started'));
  return notebookId;
}

/** Whether cell `a` is running, as a newly connected window sees it. */
async function cellStatus(s: Server): Promise<string | undefined> {
  const viewer = await Client.connect(s);
  viewer.send({ type: 'open_notebook', requestId: 'look', path: 'lab.ipynb' });
  const status = (await viewer.next('notebook_opened')).snapshot.cellStates.a?.status;
  viewer.ws.close();
  return status;
}

const MALFORMED: { name: string; bytes: () => Buffer; closeCode: number }[] = [
  { name: 'a reserved opcode', bytes: () => frame(0x3, Buffer.from('x')), closeCode: 1002 },
  { name: 'RSV1 set with no extension agreed', bytes: () => frame(0x1, Buffer.from('{}'), { rsv: 0x40 }), closeCode: 1002 },
  { name: 'RSV2 and RSV3 set', bytes: () => frame(0x1, Buffer.from('{}'), { rsv: 0x30 }), closeCode: 1002 },
  { name: 'an unmasked client frame', bytes: () => frame(0x1, Buffer.from('{}'), { mask: false }), closeCode: 1002 },
  { name: 'invalid UTF-8 in a text frame', bytes: () => frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), closeCode: 1007 },
  { name: 'a close code no one may send', bytes: () => frame(0x8, closePayload(999)), closeCode: 1002 },
  { name: 'a close frame of one byte', bytes: () => frame(0x8, Buffer.from([3])), closeCode: 1002 },
  { name: 'a close reason that is not UTF-8', bytes: () => frame(0x8, closePayload(1000, Buffer.from([0xc3, 0x28]))), closeCode: 1007 },
  { name: 'a fragmented ping', bytes: () => frame(0x9, Buffer.from('p'), { fin: false }), closeCode: 1002 },
  { name: 'a ping over 125 bytes', bytes: () => frame(0x9, Buffer.alloc(126, 0x70)), closeCode: 1002 },
  { name: 'a continuation with nothing to continue', bytes: () => frame(0x0, Buffer.from('x')), closeCode: 1002 },
  {
    name: 'a new message inside a fragmented one',
    bytes: () => Buffer.concat([frame(0x1, Buffer.from('{'), { fin: false }), frame(0x1, Buffer.from('}'))]),
    closeCode: 1002,
  },
  { name: 'a 64-bit length beyond 2^53', bytes: () => frame(0x2, Buffer.alloc(0), { declaredLength: 2n ** 63n }), closeCode: 1009 },
  {
    name: 'a frame declaring one byte over the message limit',
    bytes: () => frame(0x1, Buffer.alloc(0), { declaredLength: BigInt(MAX_MESSAGE_BYTES + 1) }),
    closeCode: 1009,
  },
];

test('no malformed frame ends the server: each closes its own connection; other clients and a running cell go on', { timeout: 120_000 }, async (t) => {
  if (!needs(t, { root: true })) return; // cells run as root without a password prompt
  const dir = servedFolder();
  sleepNotebook(dir);
  const s = await serveLoggedIn(t, dir);
  const page = await Client.connect(s);
  const notebookId = await startSleepCell(page);
  for (const [i, { name, bytes, closeCode }] of MALFORMED.entries()) {
    const { socket, reply } = await rawUpgrade(s);
    socket.write(bytes());
    const got = await reply;
    assert.equal(got.closeCode, closeCode, `${name}: closed with ${closeCode}`);
    if (closeCode === 1009) assert.match(got.texts.join('\n'), /"type":"error".*larger than 16 MiB, the limit of one message/, `${name}: told why first`);
    assert.doesNotThrow(() => process.kill(s.serve.pid, 0), `${name}: the server is still running\n${s.serve.stderr()}`);
    const fresh = await Client.connect(s);
    await fresh.ping(`fresh-${i}`);
    fresh.ws.close();
    await page.ping(`page-${i}`);
  }
  assert.equal(await cellStatus(s), 'running', 'the cell started before is still running');
  assert.match(s.serve.stderr(), /closed a connection: Invalid WebSocket frame/, 'each dropped connection is reported');
  page.send({ type: 'interrupt_request', requestId: 'stop', notebookId, cellId: 'a' });
  assert.equal((await page.next('execution_ended')).status, 'interrupted');
});

test('a message over the limit from a logged-in page gets an error naming the limit, then close 1009; the server goes on', { timeout: 120_000 }, async (t) => {
  const dir = servedFolder();
  const s = await serveLoggedIn(t, dir);
  const page = await Client.connect(s);
  const other = await Client.connect(s);
  page.send({ type: 'ping', requestId: 'x'.repeat(MAX_MESSAGE_BYTES) });
  const error = await page.next('error');
  assert.equal(error.code, 'bad_message');
  assert.match(error.message, /larger than 16 MiB, the limit of one message, and was dropped/);
  assert.equal(await page.closed, 1009);
  await other.ping('still-here');
  const fresh = await Client.connect(s);
  await fresh.ping('new-client');
});

test('a message nested far deeper than any notebook is refused before it is parsed, and the server answers the next one', { timeout: 60_000 }, async (t) => {
  const dir = servedFolder();
  const s = await serveLoggedIn(t, dir);
  const page = await Client.connect(s);
  const levels = 4_000_000;
  page.ws.send(`{"type":"ping","requestId":"deep","x":${'['.repeat(levels)}${']'.repeat(levels)}}`);
  page.send({ type: 'ping', requestId: 'after' });
  const error = await page.next('error');
  assert.match(error.message, /message nests deeper than \d+ levels: refused unread/);
  await page.next('pong', (m) => m.requestId === 'after');
  // A metadata edit a little deeper than a file may hold passes that guard and gets the
  // validator's answer, naming the limit (the notebook's metadata sits one level down).
  let deep: unknown = 1;
  for (let i = 0; i < MAX_JSON_DEPTH; i++) deep = { a: deep };
  page.send({ type: 'edit', requestId: 'e', notebookId: 'n', baseVersion: 0, edits: [{ kind: 'set_notebook_metadata', metadata: deep }] });
  const refused = await page.next('error', (m) => m.requestId === 'e');
  assert.equal(refused.code, 'bad_message');
  assert.match(refused.message, new RegExp(`edits\\[0\\]\\.metadata nests deeper than ${MAX_JSON_DEPTH - 1} levels`));
});

test('FIFOs named *.ipynb in the served folder never stall opening or listing', { timeout: 60_000 }, async (t) => {
  const dir = servedFolder();
  sleepNotebook(dir);
  // More FIFOs than libuv has file threads: one blocking open each would stall all file I/O.
  const fifos = Array.from({ length: 8 }, (_, i) => join(dir, `pipe${i}.ipynb`));
  for (const f of fifos) execFileSync('mkfifo', [f]);
  t.after(() => {
    for (const f of fifos) {
      try {
        closeSync(openSync(f, constants.O_WRONLY | constants.O_NONBLOCK)); // lets a blocked reader go
      } catch {
        // no reader blocked on it
      }
    }
  });
  const s = await serveLoggedIn(t, dir);
  const page = await Client.connect(s);
  for (const [i] of fifos.entries()) page.send({ type: 'open_notebook', requestId: `fifo${i}`, path: `pipe${i}.ipynb` });
  for (const [i] of fifos.entries()) {
    const error = await page.next('error', (m) => m.requestId === `fifo${i}`);
    assert.match(error.message, new RegExp(`pipe${i}\\.ipynb is a named pipe \\(FIFO\\), not a notebook file`));
  }
  page.send({ type: 'list_directory', requestId: 'ls', path: '.' });
  const listing = await page.next('directory_listing');
  assert.deepEqual(
    listing.entries.map((e) => e.name),
    ['lab.ipynb'],
    'FIFOs are not listed',
  );
  page.send({ type: 'open_notebook', requestId: 'lab', path: 'lab.ipynb' });
  assert.equal((await page.next('notebook_opened')).snapshot.notebook.cells.length, 1);
});
