import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boundInodes, portBound, processTree, watchReady } from './ready-watch.ts';

/** A real server under bash: python binds a TCP port (listening) and a UDP port, prints both, then waits. */
async function server(t: TestContext): Promise<{ shell: number; python: number; tcp: number; udp: number }> {
  const script = [
    'import os, socket, sys',
    't = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen()',
    'u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))',
    'print(os.getpid(), t.getsockname()[1], u.getsockname()[1], flush=True)',
    'sys.stdin.read()',
  ].join('\n');
  const child = spawn('bash', ['-c', '/usr/bin/python3 -c "$1"; true', 'bash', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => child.stdin.end());
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out);
    });
    child.on('exit', () => reject(new Error(`the server exited: ${out}`)));
  });
  const [python, tcp, udp] = line.trim().split(' ').map(Number) as [number, number, number];
  return { shell: child.pid!, python, tcp, udp };
}

test("a port counts when one of the given processes holds the socket: listening TCP, bound UDP; a stranger's socket does not", async (t) => {
  const s = await server(t);
  assert.equal(portBound([s.python], { protocol: 'tcp', port: s.tcp }), true);
  assert.equal(portBound([s.python], { protocol: 'udp', port: s.udp }), true);
  assert.equal(portBound([process.pid], { protocol: 'tcp', port: s.tcp }), false, 'bound in this namespace, but by another process');
  assert.equal(portBound([s.python], { protocol: 'udp', port: s.tcp }), false, 'the TCP port is not a UDP socket');
  assert.equal(portBound([s.shell], { protocol: 'tcp', port: s.tcp }), false, 'the parent shell does not hold the socket');
});

test("a socket table's listening row is found by port and its inode is the process's socket", async (t) => {
  const s = await server(t);
  const inodes = boundInodes(readFileSync(`/proc/${s.python}/net/tcp`, 'utf8'), s.tcp, true);
  assert.equal(inodes.length, 1);
  const held = readdirSync(`/proc/${s.python}/fd`).map((fd) => readlinkSync(`/proc/${s.python}/fd/${fd}`));
  assert.ok(held.includes(`socket:[${inodes[0]}]`), `${held} holds socket:[${inodes[0]}]`);
});

test('the process tree of a shell includes the program it started', async (t) => {
  const s = await server(t);
  const tree = processTree([s.shell]);
  assert.ok(tree.includes(s.shell) && tree.includes(s.python), `${tree} has ${s.shell} and ${s.python}`);
  assert.ok(!tree.includes(process.pid));
});

test('a watch calls back once, when the port is bound and the file exists', async (t) => {
  const s = await server(t);
  const dir = mkdtempSync(join(tmpdir(), 'pb-ready-watch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'ready');
  let calls = 0;
  let checksBefore = 0;
  const ready = new Promise<void>((resolve) => {
    const watch = watchReady(
      { port: { protocol: 'tcp', port: s.tcp }, file },
      () => (checksBefore++, [s.python]),
      () => {
        calls++;
        resolve();
      },
    );
    t.after(() => watch.stop());
  });
  // Not ready while the file is missing: wait for a few checks to have happened first.
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => checksBefore >= 3 && (clearInterval(poll), resolve()), 20);
  });
  assert.equal(calls, 0);
  writeFileSync(file, '');
  await ready;
  assert.equal(calls, 1);
});
