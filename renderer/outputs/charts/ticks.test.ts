import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactNumber, niceTicks, secondsLabel } from './ticks.ts';

test('nice ticks are round steps that cover the range', () => {
  assert.deepEqual(niceTicks(0, 19591), [0, 5000, 10000, 15000, 20000]);
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(3, 3), [0, 1, 2, 3]);
  assert.deepEqual(niceTicks(0, 0), [0, 1]);
  assert.deepEqual(niceTicks(NaN, 1), []);
});

test('compact numbers and second labels', () => {
  assert.equal(compactNumber(1234), '1.23k');
  assert.equal(compactNumber(2_500_000), '2.5M');
  assert.equal(compactNumber(-42), '-42');
  assert.equal(compactNumber(0.004), '0.004');
  assert.equal(secondsLabel(1.5), '1.5s');
  assert.equal(secondsLabel(90), '1m30s');
  assert.equal(secondsLabel(120), '2m');
});
