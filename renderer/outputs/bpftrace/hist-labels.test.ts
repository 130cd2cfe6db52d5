import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketLabels, histText } from './hist-labels.ts';
import type { HistBucket } from '../../../core/common/parsers/bpftrace/types.ts';

// Buckets from the real bpftrace 0.17 sample bt017-json-maps.ndjson (@h = hist(), @l = lhist(0, 1500, 100)).
const h: HistBucket[] = [
  { min: 32, max: 63, count: 6 },
  { min: 64, max: 127, count: 6 },
  { min: 128, max: 255, count: 2 },
  { min: 256, max: 511, count: 0 },
  { min: 512, max: 1023, count: 4 },
  { min: 1024, max: 2047, count: 1 },
  { min: 2048, max: 4095, count: 1 },
];
const l: HistBucket[] = [
  { min: 0, max: 99, count: 12 },
  { min: 100, max: 199, count: 2 },
  { min: 1400, max: 1499, count: 1 },
  { min: 1500, max: null, count: 1 },
];

test('log2 histogram labels match bpftrace text output', () => {
  // The same data as text, from bt017-text-maps.txt: [32, 64) … [512, 1K) [1K, 2K) [2K, 4K).
  assert.deepEqual(bucketLabels(h), ['[32, 64)', '[64, 128)', '[128, 256)', '[256, 512)', '[512, 1K)', '[1K, 2K)', '[2K, 4K)']);
});

test('lhist labels are linear without suffixes and show the open upper end', () => {
  assert.deepEqual(bucketLabels(l), ['[0, 100)', '[100, 200)', '[1400, 1500)', '[1500, ...)']);
  assert.deepEqual(
    bucketLabels([
      { min: null, max: -1, count: 3 },
      { min: 0, max: 9, count: 1 },
    ]),
    ['(..., 0)', '[0, 10)'],
  );
});

test('log2 zero, one and negative buckets, and large sizes', () => {
  const buckets: HistBucket[] = [
    { min: null, max: -1, count: 1 },
    { min: 0, max: 0, count: 1 },
    { min: 1, max: 1, count: 1 },
    { min: 2, max: 3, count: 1 },
    { min: 4096, max: 8191, count: 1 },
    { min: 1048576, max: 2097151, count: 1 },
    { min: '9223372036854775808', max: '18446744073709551615', count: 1 },
  ];
  assert.deepEqual(bucketLabels(buckets), ['(..., 0)', '[0]', '[1]', '[2, 4)', '[4K, 8K)', '[1M, 2M)', '[8E, 16E)']);
});

test('histogram copies as bpftrace-like text', () => {
  const text = histText(h.slice(3, 5));
  assert.match(text, /^\[256, 512\) +0 \| {52}\|\n\[512, 1K\) +4 \|@{52}\|$/);
});
