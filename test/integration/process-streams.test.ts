import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CellProcess, runCellProcess, type CellProcessOptions } from '../../core/node/process/cell-process.ts';
import { collector, until } from '../support/process-markers.ts';

const never = new AbortController().signal;

function options(out: ReturnType<typeof collector>, over: Partial<CellProcessOptions> = {}): CellProcessOptions {
  return { cwd: tmpdir(), env: {}, signal: never, onStdout: out.onStdout, onStderr: out.onStderr, ...over };
}

test('a line reaches onStdout as it is written, long before the process ends', async () => {
  const out = collector();
  const result = await runCellProcess('bash', ['-c', 'echo first; sleep 0.5; echo last'], options(out));
  const end = performance.now();
  assert.equal(result.exitCode, 0);
  assert.equal(out.text(), 'first\nlast\n');
  assert.ok(end - out.arrival('first')! > 400, `"first" arrived only ${Math.round(end - out.arrival('first')!)} ms before the end`);
});

test('stdout and stderr stay apart, each in the order it was written', async () => {
  const out = collector();
  await runCellProcess('bash', ['-c', 'for i in 1 2 3; do echo "o$i"; echo "e$i" >&2; done'], options(out));
  assert.equal(out.text('stdout'), 'o1\no2\no3\n');
  assert.equal(out.text('stderr'), 'e1\ne2\ne3\n');
});

test('/dev/stdout, /dev/stderr and /dev/stdin open by path (the pipes are real pipes, not sockets)', async () => {
  const out = collector();
  const result = await runCellProcess(
    'bash',
    ['-c', 'echo to-err > /dev/stderr; echo to-out > /dev/stdout; tee /dev/stderr <<< teed; cat /dev/stdin'],
    options(out, { stdin: { text: 'from-stdin\n' } }),
  );
  assert.equal(result.exitCode, 0, out.text('stderr'));
  assert.equal(out.text('stdout'), 'to-out\nteed\nfrom-stdin\n');
  assert.equal(out.text('stderr'), 'to-err\nteed\n');
});

test('exit codes and the signal that ended the process are reported', async () => {
  const out = collector();
  assert.equal((await runCellProcess('bash', ['-c', 'exit 7'], options(out))).exitCode, 7);
  const killed = await runCellProcess('bash', ['-c', 'kill -KILL $$'], options(out));
  assert.equal(killed.exitCode, null);
  assert.equal(killed.exitSignal, 'SIGKILL');
  assert.equal(killed.stopped, false, 'not stopped by us');
});

test('a program that does not exist or cannot run is a spawn error with its code', async (t) => {
  const out = collector();
  const missing = await runCellProcess('/nonexistent/probebook-tool', [], options(out));
  assert.equal(missing.spawnError?.code, 'ENOENT');
  const dir = await mkdtemp(join(tmpdir(), 'pb-spawn-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const notExecutable = join(dir, 'tool');
  await writeFile(notExecutable, '#!/bin/sh\n');
  await chmod(notExecutable, 0o644);
  const denied = await runCellProcess(notExecutable, [], options(out));
  // Root may execute nothing without an x bit either: EACCES for everyone.
  assert.equal(denied.spawnError?.code, 'EACCES');
});

test('stdin is /dev/null unless given: a reading program ends at once', async () => {
  const out = collector();
  const result = await runCellProcess('bash', ['-c', 'readlink /proc/self/fd/0; cat; echo done'], options(out));
  assert.equal(out.text(), '/dev/null\ndone\n');
  assert.equal(result.exitCode, 0);
});

test("stdin 'pipe' hands the writable end to onStdin", async () => {
  const out = collector();
  const result = await runCellProcess(
    'bash',
    ['-c', 'while read -r line; do echo "got $line"; done'],
    options(out, {
      stdin: 'pipe',
      onStdin: (stdin) => {
        stdin.write('a\n');
        stdin.end('b\n');
      },
    }),
  );
  assert.equal(result.exitCode, 0);
  assert.equal(out.text(), 'got a\ngot b\n');
});

test('the environment is a clean base plus the given variables, with a PATH for root tools', async () => {
  const out = collector();
  process.env.PB_TEST_SHOULD_NOT_LEAK = 'leaked';
  try {
    await runCellProcess('bash', ['-c', 'echo "$N|${PB_TEST_SHOULD_NOT_LEAK:-clean}|$PROBEBOOK|$TERM"; echo "$PATH"'], options(out, { env: { N: '42' } }));
  } finally {
    delete process.env.PB_TEST_SHOULD_NOT_LEAK;
  }
  const [values, path] = out.text().split('\n');
  assert.equal(values, '42|clean|1|xterm-256color');
  assert.ok(path!.split(':').includes('/usr/sbin') && path!.split(':').includes('/sbin'), path);
});

test('the process runs in the given folder', async (t) => {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'pb-cwd-')));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = collector();
  await runCellProcess('pwd', [], options(out, { cwd: dir }));
  assert.equal(out.text(), `${dir}\n`);
});

test('onSpawn gets the pid of the process and is awaited before the result', async () => {
  const out = collector();
  let seen: number | undefined;
  let awaited = false;
  await runCellProcess(
    'bash',
    ['-c', 'echo $$'],
    options(out, {
      onSpawn: async (pid) => {
        seen = pid;
        // onSpawn's own work (a cgroup adoption), slower than the process it waits for.
        await new Promise((r) => setTimeout(r, 20));
        awaited = true;
      },
    }),
  );
  assert.equal(out.text(), `${seen}\n`);
  assert.ok(awaited);
});

test('a process started ahead of time keeps its output until run, then passes it on in order', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pb-early-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const written = join(dir, 'written');
  const started = await CellProcess.spawn('bash', ['-c', 'echo early; : > "$1"; read -r _ <&3; echo late', 'bash', written], {
    cwd: tmpdir(),
    env: {},
    control: true,
  });
  // "early" is written while nobody listens; nothing tells us so but the file made right after it (polled, bounded).
  await until(() => existsSync(written), '"early" to be written');
  const out = collector();
  const result = await started.run({ signal: never, onStdout: out.onStdout, onStderr: out.onStderr }, () => started.control!.end('go\n'));
  assert.equal(result.exitCode, 0);
  assert.equal(out.text(), 'early\nlate\n');
});

test('a flood of 2,000,000 lines arrives whole, in chunks as read, without holding it in memory', async () => {
  let bytes = 0;
  let chunks = 0;
  let biggest = 0;
  let tail = '';
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 5);
  try {
    const result = await runCellProcess('seq', ['2000000'], {
      cwd: tmpdir(),
      env: {},
      signal: never,
      onStderr: () => assert.fail('no stderr'),
      onStdout: (text) => {
        bytes += Buffer.byteLength(text);
        chunks++;
        biggest = Math.max(biggest, text.length);
        tail = (tail + text).slice(-32);
      },
    });
    assert.equal(result.exitCode, 0);
  } finally {
    clearInterval(sampler);
  }
  assert.equal(bytes, 14_888_896); // `seq 2000000 | wc -c`
  assert.ok(tail.endsWith('\n1999999\n2000000\n'));
  assert.ok(chunks > 100 && biggest <= 256 * 1024, `${chunks} chunks, the biggest ${biggest} characters`);
  // 15 MB held as one string would cost ≥ 30 MB; passing chunks on costs almost nothing.
  assert.ok(rssPeak - rssBefore < 100 * 1024 * 1024, `RSS grew by ${Math.round((rssPeak - rssBefore) / 1e6)} MB`);
});

test('UTF-8 split across two writes is decoded whole', async () => {
  const out = collector();
  await runCellProcess('bash', ['-c', `printf '\\xf0\\x9f'; sleep 0.05; printf '\\x9a\\x80 \\xe6\\xbc'; sleep 0.05; printf '\\xa2\\n'`], options(out));
  assert.equal(out.text(), '🚀 漢\n');
  assert.ok(out.chunks.length >= 2, 'arrived in separate reads');
});

test('concurrent processes keep their outputs apart', async () => {
  const a = collector();
  const b = collector();
  await Promise.all([
    runCellProcess('bash', ['-c', 'for i in $(seq 300); do echo "a$i"; done'], options(a)),
    runCellProcess('bash', ['-c', 'for i in $(seq 300); do echo "b$i"; done'], options(b)),
  ]);
  assert.equal(a.text(), Array.from({ length: 300 }, (_, i) => `a${i + 1}\n`).join(''));
  assert.equal(b.text(), Array.from({ length: 300 }, (_, i) => `b${i + 1}\n`).join(''));
});
