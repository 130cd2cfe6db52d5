/**
 * Background cells that say when they are ready (`metadata.probebook.ready`), through the real
 * `probebook run` (kernel host, bash, bpftrace, a server in a network namespace made here): Run
 * All starts the next cell only once the background cell is ready, and fails with a clear error,
 * cleanup cells still running, when it is not.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../support/needs.ts';
import { writeNotebook, type TestCell } from '../support/notebooks.ts';
import { repoRoot } from '../support/root.ts';

const bin = join(repoRoot, 'bin/probebook.mjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `probebook run NOTEBOOK --out out.ipynb` in `dir`; `onStderr` sees the progress as it
 * comes (non-TTY: one line per event) and may act on it.
 */
function probebookRun(dir: string, onStderr?: (soFar: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'run', 'lab.ipynb', '--out', 'out.ipynb'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function labDir(t: TestContext, cells: TestCell[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-ready-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeNotebook(dir, 'lab.ipynb', cells);
  return dir;
}

/** The text of every output of cell `i` of the written notebook (streams, errors' values). */
function cellText(dir: string, i: number): string {
  const nb = JSON.parse(readFileSync(join(dir, 'out.ipynb'), 'utf8'));
  return (nb.cells[i].outputs as { text?: string[]; evalue?: string }[]).map((o) => (o.text ? o.text.join('') : (o.evalue ?? ''))).join('');
}

/** A network namespace of this test only, with its loopback up; deleted after the test. */
function netns(t: TestContext): string {
  const name = `pbready${process.pid}`;
  execFileSync('ip', ['netns', 'add', name]);
  t.after(() => execFileSync('ip', ['netns', 'delete', name]));
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

test('output readiness: the next cell starts only once the background cell printed the line (it waited for a file this test makes)', async (t) => {
  if (!needs(t, { root: true, tools: ['bash'] })) return;
  const dir = labDir(t, [
    {
      source: 'until [ -e go ]; do sleep 0.05; done\necho "server up on 1234"\nexec sleep 600',
      probebook: { name: 'server', background: true, ready: { output: '^server up on \\d+$' } },
    },
    { source: '[ -e go ] && echo "started after go"', probebook: { name: 'client' } },
  ]);
  let sawWaiting = false;
  const run = await probebookRun(dir, (stderr) => {
    if (sawWaiting || !/\[1\/2\] server waiting until ready: output \/\^server up on \\d\+\$\//.test(stderr)) return;
    sawWaiting = true;
    // The run is blocked on the server: the client has not started.
    assert.doesNotMatch(stderr, /client/);
    writeFileSync(join(dir, 'go'), '');
  });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(sawWaiting, run.stderr);
  assert.match(run.stderr, /\[1\/2\] server ready after \d/);
  assert.ok(run.stderr.indexOf('server ready after') < run.stderr.indexOf('client running'), run.stderr);
  assert.equal(cellText(dir, 1), 'started after go\n');
  assert.match(run.stderr, /server ok \(stopped at the end of the run\)/);
});

test('port readiness: a server in a network namespace is ready once it listens there; the next cell connects without retrying', async (t) => {
  if (!needs(t, { root: true, tools: ['ip', 'curl', '/usr/bin/python3'] })) return;
  const ns = netns(t);
  const dir = labDir(t, [
    {
      source: `ip netns exec ${ns} /usr/bin/python3 -m http.server 8731 --bind 127.0.0.1`,
      probebook: { name: 'web', background: true, ready: { port: 8731 } },
    },
    {
      // UDP: bound in the namespace; it prints what the next cell sends it.
      source: `ip netns exec ${ns} /usr/bin/python3 -uc 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 5399)); print("got", s.recv(100).decode())'`,
      probebook: { name: 'udp', background: true, ready: { port: 'udp/5399' } },
    },
    { source: `ip netns exec ${ns} curl -sS -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:8731/`, probebook: { name: 'get' } },
    { source: `ip netns exec ${ns} bash -c 'echo hello > /dev/udp/127.0.0.1/5399'`, probebook: { name: 'send' } },
  ]);
  const run = await probebookRun(dir);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /web waiting until ready: port tcp\/8731/);
  assert.match(run.stderr, /web ready after/);
  assert.match(run.stderr, /udp ready after/);
  assert.equal(cellText(dir, 2), '200\n');
  assert.match(cellText(dir, 1), /^got hello$/m);
});

test('a background bpftrace cell is ready when its probes are attached: the next cell fires the tracepoint and the trace sees it', async (t) => {
  if (!needs(t, { root: true, tools: ['bpftrace'] })) return;
  const marker = `/tmp/pb-ready-probe-${process.pid}`;
  const dir = labDir(t, [
    {
      source: `%%bpftrace\ntracepoint:syscalls:sys_enter_openat /str(args->filename) == "${marker}"/ { printf("seen %s\\n", str(args->filename)); }`,
      probebook: { name: 'tracer', background: true },
    },
    { source: `cat ${marker} 2>/dev/null; echo opened`, probebook: { name: 'open' } },
  ]);
  const run = await probebookRun(dir);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /tracer waiting until ready: probes attached/);
  assert.match(run.stderr, /tracer ready after/);
  assert.match(cellText(dir, 0), new RegExp(`seen ${marker}`));
});

test('file readiness: the next cell starts once the file exists', async (t) => {
  if (!needs(t, { root: true, tools: ['bash'] })) return;
  const dir = labDir(t, []);
  const file = join(dir, 'made-by-cell');
  writeNotebook(dir, 'lab.ipynb', [
    { source: `until [ -e go ]; do sleep 0.05; done\ntouch ${file}\nexec sleep 600`, probebook: { name: 'maker', background: true, ready: { file } } },
    { source: `[ -e ${file} ] && echo "file is there"`, probebook: { name: 'user' } },
  ]);
  let created = false;
  const run = await probebookRun(dir, (stderr) => {
    if (created || !stderr.includes(`maker waiting until ready: file ${file}`)) return;
    created = true;
    writeFileSync(join(dir, 'go'), '');
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(cellText(dir, 1), 'file is there\n');
});

test('not ready in time: the run fails there naming the cell, what it waited for and its last output; the cell is stopped, cleanup still runs', async (t) => {
  if (!needs(t, { root: true, tools: ['bash'] })) return;
  const dir = labDir(t, [
    {
      source: 'echo "starting up"\necho "still starting" >&2\nexec sleep 600',
      probebook: { name: 'slow', background: true, ready: { output: 'never printed', timeout: '1s' } },
    },
    { source: 'echo "should not run"', probebook: { name: 'next' } },
    { source: 'echo "cleanup ran"', probebook: { name: 'undo', cleanup: true } },
  ]);
  const run = await probebookRun(dir);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /slow failed: cell 1 \(slow\) was not ready after 1s: it waited for output \/never printed\//);
  assert.match(run.stderr, /next skipped/);
  assert.match(run.stderr, /undo ok/);
  const slow = cellText(dir, 0);
  assert.match(slow, /Last output:\nstarting up\nstill starting/);
  assert.equal(cellText(dir, 1), '');
  assert.equal(cellText(dir, 2), 'cleanup ran\n');
});

test('a background cell that exits before it is ready fails the run with its last output; cleanup still runs', async (t) => {
  if (!needs(t, { root: true, tools: ['bash'] })) return;
  const dir = labDir(t, [
    {
      source: 'echo "bind: address already in use" >&2\nexit 0',
      probebook: { name: 'server', background: true, ready: { port: 'tcp/8732', output: 'listening' } },
    },
    { source: 'echo "should not run"', probebook: { name: 'next' } },
    { source: 'echo "cleanup ran"', probebook: { name: 'undo', cleanup: true } },
  ]);
  const run = await probebookRun(dir);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /server failed: cell 1 \(server\) ended before it was ready: it waited for output \/listening\/ and port tcp\/8732/);
  assert.match(cellText(dir, 0), /Last output:\nbind: address already in use/);
  assert.match(run.stderr, /next skipped/);
  assert.equal(cellText(dir, 2), 'cleanup ran\n');
});

test('a background bpftrace cell that fails to compile fails the run saying it was never ready, with its own error', async (t) => {
  if (!needs(t, { root: true, tools: ['bpftrace'] })) return;
  const dir = labDir(t, [
    { source: '%%bpftrace\ntracepoint:syscalls:sys_enter_openat { printf("%d\\n", args->no_such_field); }', probebook: { name: 'tracer', background: true } },
    { source: 'echo "should not run"', probebook: { name: 'next' } },
  ]);
  const run = await probebookRun(dir);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /tracer failed: cell 1 \(tracer\) ended \(exit code \d+\) before it was ready: it waited for probes attached\./);
  assert.match(cellText(dir, 0), /Its error: .*no_such_field/s);
  assert.match(run.stderr, /next skipped/);
});

test('a bad ready value stops the run with an error naming the cell and the value', async (t) => {
  if (!needs(t, { root: true, tools: ['bash'] })) return;
  const dir = labDir(t, [
    { source: 'exec sleep 600', probebook: { name: 'server', background: true, ready: { port: 'sctp/80' } } },
    { source: 'echo "should not run"' },
  ]);
  const run = await probebookRun(dir);
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    cellText(dir, 0),
    /cell 1 \(server\): metadata\.probebook\.ready\.port must be a port number 1-65535, "tcp\/PORT" or "udp\/PORT" \(got "sctp\/80"\)/,
  );
  assert.equal(cellText(dir, 1), '');
});
