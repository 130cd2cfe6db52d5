import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVE_USAGE, startServe } from './serve.ts';

function sinks() {
  const out = { stdout: '', stderr: '' };
  const stream = (key: 'stdout' | 'stderr') => ({ write: (text: string) => ((out[key] += text), true) }) as unknown as NodeJS.WritableStream;
  return { out, stdout: stream('stdout'), stderr: stream('stderr') };
}

test('serve prints its usage on --help (0) and says what is wrong on bad usage (2), before it serves anything', async () => {
  const help = sinks();
  assert.equal(await startServe(['-h'], help.stdout, help.stderr), 0);
  assert.deepEqual(help.out, { stdout: `${SERVE_USAGE}\n`, stderr: '' });

  const unknown = sinks();
  assert.equal(await startServe(['--prot', '8080'], unknown.stdout, unknown.stderr), 2);
  assert.match(unknown.out.stderr, /^probebook serve: Unknown option '--prot'[\s\S]*\n\nUsage: probebook serve /);
  assert.equal(unknown.out.stdout, '');

  const two = sinks();
  assert.equal(await startServe(['a', 'b'], two.stdout, two.stderr), 2);
  assert.equal(two.out.stderr, 'probebook serve: one file or folder at a time\n');

  const port = sinks();
  assert.equal(await startServe(['--port', 'http'], port.stdout, port.stderr), 2);
  assert.equal(port.out.stderr, 'probebook serve: --port takes a port number, got "http"\n');
});
