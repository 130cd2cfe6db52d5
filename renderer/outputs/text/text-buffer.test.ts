import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextBuffer } from './text-buffer.ts';
import { CHUNK_LINES } from './line-store.ts';
import { stripAnsi } from './ansi.ts';

function lines(buf: TextBuffer): string[] {
  return Array.from({ length: buf.lineCount }, (_, i) => buf.line(i));
}

test('splits streamed chunks into lines, keeping an open last line', () => {
  const b = new TextBuffer();
  b.append('one\ntw');
  b.append('o\nthree');
  assert.deepEqual(lines(b), ['one', 'two', 'three']);
  b.append('\n');
  assert.deepEqual(lines(b), ['one', 'two', 'three']);
});

test('carriage return overwrites the line, also across chunks, and CRLF is a newline', () => {
  const b = new TextBuffer();
  b.append(' 10%\r 20%\r');
  assert.deepEqual(lines(b), [' 20%'], 'a trailing \\r waits for the next chunk');
  b.append('100%\r\ndone\r');
  b.append('\nnext');
  assert.deepEqual(lines(b), ['100%', 'done', 'next']);
});

test('backspace deletes the previous visible character but keeps escapes', () => {
  const b = new TextBuffer();
  b.append('abc\b\bX\n');
  b.append('\x1b[31mab\x1b[0m\bZ\n\bq');
  assert.deepEqual(lines(b).map(stripAnsi), ['aX', 'aZ', 'q']);
  assert.equal(lines(b)[1], '\x1b[31ma\x1b[0mZ');
});

test('colour in force at a line start is written before that line', () => {
  const b = new TextBuffer();
  b.append('\x1b[32mgreen\nstill green\x1b[0m\nplain');
  assert.deepEqual(lines(b), ['\x1b[32mgreen', '\x1b[32mstill green\x1b[0m', 'plain']);
});

test('a carriage return keeps the colour that was set before it', () => {
  const b = new TextBuffer();
  b.append('\x1b[33m 10%\r 20%\n');
  assert.equal(b.line(0), '\x1b[33m 20%');
});

test('an escape sequence split between chunks is held back until complete', () => {
  const b = new TextBuffer();
  b.append('a\x1b[3');
  assert.deepEqual(lines(b), ['a']);
  b.append('1mred\n');
  assert.deepEqual(lines(b), ['a\x1b[31mred']);
});

test('stores many lines in chunks and reads any of them back', () => {
  const b = new TextBuffer();
  const n = CHUNK_LINES * 3 + 17;
  let text = '';
  for (let i = 0; i < n; i++) text += `line ${i}\n`;
  b.append(text);
  assert.equal(b.lineCount, n);
  for (const i of [0, 1, CHUNK_LINES - 1, CHUNK_LINES, CHUNK_LINES * 2 + 5, n - 1]) assert.equal(b.line(i), `line ${i}`);
  assert.throws(() => b.line(n), /past the end/);
});

test('find reports line and visible column across sealed and open chunks, escapes ignored', () => {
  const b = new TextBuffer();
  let text = '';
  for (let i = 0; i < CHUNK_LINES + 10; i++) text += i === 5 ? 'x \x1b[1mNeedle\x1b[0m here\n' : i === CHUNK_LINES + 3 ? 'needle needle\n' : `filler ${i}\n`;
  b.append(`${text}tail NEEDLE`);
  const { matches, capped } = b.find('needle');
  assert.equal(capped, false);
  assert.deepEqual(matches, [
    { line: 5, column: 2 },
    { line: CHUNK_LINES + 3, column: 0 },
    { line: CHUNK_LINES + 3, column: 7 },
    { line: CHUNK_LINES + 10, column: 5 },
  ]);
  assert.equal(b.find('needle', { caseSensitive: true }).matches.length, 2);
  assert.deepEqual(b.find('needle', { limit: 2 }), { matches: matches.slice(0, 2), capped: true });
});

test('find in a chunk without escapes maps offsets to the right lines', () => {
  const b = new TextBuffer();
  let text = '';
  for (let i = 0; i < CHUNK_LINES * 2; i++) text += `row-${i}\n`;
  b.append(text);
  const { matches } = b.find('row-4097');
  assert.deepEqual(matches, [{ line: 4097, column: 0 }]);
  assert.deepEqual(b.find('1\nrow').matches, [], 'no match spans a line break');
});

test('plain text joins visible lines without escapes', () => {
  const b = new TextBuffer();
  b.append('\x1b[31mred\x1b[0m\nplain\npartial');
  assert.equal(b.plainText(), 'red\nplain\npartial');
});
