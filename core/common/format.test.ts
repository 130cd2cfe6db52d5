import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDuration } from './format.ts';

test('byte counts in binary units with one decimal', () => {
  assert.deepEqual([0, 1023, 1024, 5000, 65_536, 15_000_000, 3 * 1024 ** 3, 2 * 1024 ** 5].map(formatBytes), [
    '0 B',
    '1023 B',
    '1.0 KiB',
    '4.9 KiB',
    '64.0 KiB',
    '14.3 MiB',
    '3.0 GiB',
    '2048.0 TiB',
  ]);
});

test('long durations: milliseconds, seconds with two then one decimal, then minutes and hours', () => {
  assert.deepEqual(
    [850, 1234, 12_500, 123_000, 3_720_000].map((ms) => formatDuration(ms)),
    ['850 ms', '1.23 s', '12.5 s', '2 min 03 s', '1 h 02 min'],
  );
});

test('short durations: a tenth of a second up to ten seconds, then whole seconds, minutes and hours', () => {
  assert.deepEqual(
    [400, 9_949, 12_500, 185_000, 3_720_000].map((ms) => formatDuration(ms, 'short')),
    ['0.4s', '9.9s', '12s', '3m 05s', '1h 02m'],
  );
});
