import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadinessWait } from './readiness.ts';

test('an output pattern matches whole lines of either stream, also across chunks and before the newline', () => {
  const wait = new ReadinessWait({ output: '^Server listening on \\d+$', timeout: '30s' }, false);
  wait.stream('stdout', '-----------\nServer lis');
  assert.equal(wait.isReady, false);
  wait.stream('stderr', 'tening on 5201\n');
  assert.equal(wait.isReady, false, 'a line of stderr does not continue a line of stdout');
  wait.stream('stdout', 'tening on 5201\r');
  assert.equal(wait.isReady, true, 'the unfinished line counts, without its carriage return');
  assert.equal(typeof wait.readyAfterMs, 'number');
});

test('every condition must hold: output, the executor watch, attached probes', async () => {
  const wait = new ReadinessWait({ output: 'listening', port: { protocol: 'udp', port: 53 }, file: '/run/x', timeout: '1m' }, true);
  assert.deepEqual(wait.watch, { port: { protocol: 'udp', port: 53 }, file: '/run/x' });
  assert.equal(wait.description, 'probes attached and output /listening/ and port udp/53 and file /run/x');
  wait.stream('stdout', 'listening\n');
  wait.attached();
  assert.equal(wait.isReady, false);
  assert.equal(wait.missing, 'port udp/53 and file /run/x');
  wait.watchHeld();
  assert.equal(wait.isReady, true);
  await wait.ready;
  assert.equal(wait.timeoutMs, 60_000);
});

test('a failure names the cell, what it waited for, what is still missing, how it ended and its last lines', () => {
  const wait = new ReadinessWait({ output: 'up', port: { protocol: 'tcp', port: 80 }, timeout: '2s' }, false);
  for (let i = 1; i <= 20; i++) wait.stream('stdout', `line ${i}\n`);
  wait.stream('stdout', 'up\n');
  const timeout = wait.failure('cell 2 (web)', 'timeout');
  assert.match(
    timeout,
    /^cell 2 \(web\) was not ready after 2s: it waited for output \/up\/ and port tcp\/80 \(still missing: port tcp\/80\)\.\nLast output:\nline 7\n/,
  );
  assert.match(timeout, /line 20\nup$/);
  const silent = new ReadinessWait({ file: '/x', timeout: '30s' }, false);
  assert.equal(
    silent.failure('cell 1', { exitCode: 3, exitSignal: null }),
    'cell 1 ended (exit code 3) before it was ready: it waited for file /x.\nIt printed nothing.',
  );
  assert.equal(
    silent.failure('cell 1', { exitSignal: 'SIGKILL', error: 'boom' }),
    'cell 1 ended (killed by SIGKILL) before it was ready: it waited for file /x.\nIts error: boom',
  );
});
