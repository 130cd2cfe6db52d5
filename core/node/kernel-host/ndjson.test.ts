import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { readLines } from './ndjson.ts';

function collect(limit: number, chunks: (string | Buffer)[]) {
  const input = new PassThrough();
  const lines: string[] = [];
  const oversize: number[] = [];
  const done = new Promise<void>((resolve) => readLines(input, limit, { line: (l) => lines.push(l), oversize: (b) => oversize.push(b), end: resolve }));
  for (const c of chunks) input.write(c);
  input.end();
  return done.then(() => ({ lines, oversize }));
}

test('splits lines across chunks and multi-byte characters', async () => {
  const euro = Buffer.from('{"a":"€"}\n');
  const { lines } = await collect(100, ['{"x":1}\n{"y"', ':2}\n', euro.subarray(0, 7), euro.subarray(7)]);
  assert.deepEqual(lines, ['{"x":1}', '{"y":2}', '{"a":"€"}']);
});

test('drops a line over the limit whole, without buffering it, and goes on', async () => {
  const { lines, oversize } = await collect(10, ['{"ok":1}\n', 'x'.repeat(8), 'x'.repeat(8), 'x'.repeat(8), '\n{"ok":2}\n', `${'y'.repeat(20)}\n`]);
  assert.deepEqual(lines, ['{"ok":1}', '{"ok":2}']);
  assert.deepEqual(oversize, [24, 20]);
});
