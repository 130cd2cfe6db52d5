import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { forwardText, isBinaryStart } from './decode-stream.ts';

test('a character split across two chunks arrives whole, in the chunk that completes it', async () => {
  const stream = new PassThrough();
  const texts: string[] = [];
  const forward = forwardText(stream, (t) => texts.push(t));
  const rocket = Buffer.from('a🚀b');
  stream.write(rocket.subarray(0, 3)); // 'a' + two of the rocket's four bytes
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(texts, ['a'], 'the half character is held back, the rest is passed on at once');
  stream.end(rocket.subarray(3));
  await forward.ended;
  assert.deepEqual(texts, ['a', '🚀b']);
});

test('an incomplete character at the end of the stream becomes a replacement character', async () => {
  const stream = new PassThrough();
  let text = '';
  const forward = forwardText(stream, (t) => (text += t));
  stream.end(Buffer.from([0x6f, 0x6b, 0xe6, 0xbc]));
  await forward.ended;
  assert.equal(text, 'ok\ufffd');
});

test('stop passes nothing more on and closes the stream', async () => {
  const stream = new PassThrough();
  const texts: string[] = [];
  const forward = forwardText(stream, (t) => texts.push(t));
  stream.write('one');
  await new Promise((r) => setImmediate(r));
  forward.stop();
  await forward.ended;
  assert.equal(stream.destroyed, true);
  assert.deepEqual(texts, ['one']);
});

test('binary output is told from text by its first bytes: capture magic numbers and NUL bytes', () => {
  const bytes = (...b: number[]) => Uint8Array.from(b);
  for (const magic of [
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0x4d, 0x3c, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0x0a, 0x0d, 0x0d, 0x0a],
  ]) {
    assert.equal(isBinaryStart(bytes(...magic, 2, 0)), true);
    assert.equal(isBinaryStart(bytes(...magic.slice(0, 2))), undefined, 'two bytes of a magic: wait for more');
    assert.equal(isBinaryStart(bytes(...magic.slice(0, 2)), true), false, 'a stream that ends there is text');
  }
  assert.equal(isBinaryStart(new TextEncoder().encode('hi\n')), false, 'short text is decided at once (no wait for more)');
  assert.equal(isBinaryStart(new TextEncoder().encode('\n')), undefined, "a newline may begin pcapng's magic (\\n\\r\\r\\n): held until the next byte");
  assert.equal(isBinaryStart(new TextEncoder().encode('\nx')), false);
  assert.equal(isBinaryStart(bytes(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0)), true, 'an ELF file has NUL bytes');
  assert.equal(isBinaryStart(new TextEncoder().encode('héllo wörld\n')), false);
});

test('a binary stream is passed on as bytes, whole, however it is split; text as text', async () => {
  const capture = Buffer.from('d4c3b2a1020004000000000000000000000004000100000041', 'hex');
  for (const splitAt of [1, 2, 3, 4, 10]) {
    const stream = new PassThrough();
    const got: Buffer[] = [];
    let text = '';
    const forward = forwardText(
      stream,
      (t) => (text += t),
      (b) => got.push(b),
    );
    stream.write(capture.subarray(0, splitAt));
    stream.end(capture.subarray(splitAt));
    await forward.ended;
    assert.deepEqual(Buffer.concat(got), capture, `split at ${splitAt}`);
    assert.equal(text, '');
  }
  const stream = new PassThrough();
  let text = '';
  const forward = forwardText(
    stream,
    (t) => (text += t),
    () => assert.fail('text is not bytes'),
  );
  stream.write('hi\n');
  await new Promise((r) => setImmediate(r));
  assert.equal(text, 'hi\n', 'passed on at once, before the stream ends');
  stream.end('there\n');
  await forward.ended;
  assert.equal(text, 'hi\nthere\n');
});
