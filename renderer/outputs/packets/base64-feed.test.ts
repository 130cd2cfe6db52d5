import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Base64Feed } from './base64-feed.ts';

const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');
function drain(feed: Base64Feed, slice: number): number[] {
  const out: number[] = [];
  for (let part = feed.next(slice); part; part = feed.next(slice)) out.push(...part);
  return out;
}

test('decodes a string in slices of whole quads, whatever the slice size', () => {
  const bytes = Array.from({ length: 100 }, (_, i) => (i * 37) & 255);
  for (const slice of [4, 7, 16, 1000]) {
    const feed = new Base64Feed();
    assert.equal(feed.update(b64(bytes)), true);
    assert.deepEqual(drain(feed, slice), bytes, `slice ${slice}`);
    assert.equal(feed.pending, false);
  }
});

test('follows a live string that grows, its padded last quad included', () => {
  const bytes = Array.from({ length: 40 }, (_, i) => i);
  const feed = new Base64Feed();
  feed.update(b64(bytes.slice(0, 10))); // 10 bytes: 3 whole quads and a padded one
  assert.deepEqual(drain(feed, 64), bytes.slice(0, 10));
  assert.equal(feed.update(b64(bytes.slice(0, 11))), true, 'the padded quad now holds one more byte');
  assert.deepEqual(drain(feed, 64), [10]);
  assert.equal(feed.update(b64(bytes.slice(0, 25))), true);
  assert.deepEqual(drain(feed, 8), bytes.slice(11, 25), 'in slices of a few characters');
  assert.equal(feed.update(b64(bytes)), true);
  assert.deepEqual(drain(feed, 64), bytes.slice(25));
});

test('refuses a new string that does not continue the old one', () => {
  const feed = new Base64Feed();
  feed.update(b64([1, 2, 3, 4, 5, 6]));
  drain(feed, 64);
  assert.equal(feed.update(b64([9, 9, 9, 4, 5, 6, 7])), false);
  const padded = new Base64Feed();
  padded.update(b64([1, 2, 3, 4]));
  drain(padded, 64);
  assert.equal(padded.update(b64([1, 2, 3, 7, 5])), false, 'a byte of the padded quad changed');
  assert.equal(padded.update(b64([1, 2])), false, 'shorter');
});

test('says where a string stops being base64', () => {
  const feed = new Base64Feed();
  feed.update('AAAA!!!!');
  assert.throws(() => feed.next(64), /not valid base64 \(between characters 0 and 8\)/);
});
