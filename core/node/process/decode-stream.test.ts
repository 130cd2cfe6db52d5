import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { forwardText } from './decode-stream.ts';

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
