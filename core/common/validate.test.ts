import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checks, describeValue } from './validate.ts';

const check = checks((field, expected, value) => {
  throw new Error(`${field} must be ${expected} (got ${describeValue(value)})`);
});

test('strings: each rule refuses with a message that says the rule', () => {
  assert.equal(check.string('ab', 'name', { max: 2 }), 'ab');
  assert.equal(check.string(undefined, 'name', { max: 2, optional: true }), undefined);
  assert.throws(() => check.string('abc', 'name', { max: 2 }), /^Error: name must be a string of at most 2 characters \(got a string of 3 characters\)$/);
  assert.throws(() => check.string(undefined, 'name', { max: 2 }), /\(got nothing\)/);
  assert.throws(() => check.string('', 'id', { max: 9, nonEmpty: true, printable: true }), /id must be a non-empty string of at most 9 printable characters/);
  assert.throws(() => check.string('a\nb', 'id', { max: 9, printable: true }), /printable/);
  assert.throws(() => check.string('a\0b', 'code', { maxBytes: 9, noNul: true }), /code must be a string without NUL of at most 9 bytes/);
  assert.equal(check.string('é'.repeat(2), 'code', { maxBytes: 4 }), 'éé');
  assert.throws(() => check.string('é'.repeat(3), 'code', { maxBytes: 5 }), /at most 5 bytes/, 'bytes, not characters');
});

test('integers, booleans and objects', () => {
  assert.equal(check.int(0, 'n'), 0);
  assert.throws(() => check.int(-1, 'n'), /n must be a non-negative integer \(got number\)/);
  assert.throws(() => check.int(1.5, 'n'), /non-negative integer/);
  assert.throws(() => check.int(700, 'ms', { min: 50, max: 600 }), /ms must be an integer from 50 to 600/);
  assert.equal(check.int(undefined, 'ms', { optional: true }), undefined);
  assert.equal(check.bool(undefined, 'force'), undefined);
  assert.throws(() => check.bool('yes', 'force'), /force must be true or false/);
  assert.deepEqual(check.object({ a: 1 }, 'm'), { a: 1 });
  assert.throws(() => check.object([1], 'm'), /m must be an object \(got a list\)/);
  assert.throws(() => check.object(null, 'm'), /\(got null\)/);
});
