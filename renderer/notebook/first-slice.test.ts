import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstSlice } from './first-slice.ts';

const cells = (n: number, lines: number) => Array.from({ length: n }, () => ({ source: Array.from({ length: lines }, (_, i) => `line ${i}`).join('\n') }));

test('enough cells to fill the window, counted from their source lines', () => {
  // 3-line cells are estimated at 117 px (drawn: ~150): 8 fill 900 px, 12 fill 1400.
  assert.equal(firstSlice(cells(500, 3), 900), 8);
  assert.equal(firstSlice(cells(500, 3), 1400), 12);
  // One tall cell fills it alone, but four are made all the same.
  assert.equal(firstSlice([...cells(1, 60), ...cells(10, 1)], 900), 4);
  // A trailing newline is no extra line.
  assert.equal(
    firstSlice(
      cells(500, 1).map((c) => ({ source: `${c.source}\n` })),
      790,
    ),
    10,
  );
});

test('never more than 20 cells, never more than there are', () => {
  assert.equal(firstSlice(cells(500, 1), 4000), 20);
  assert.equal(firstSlice(cells(3, 1), 900), 3);
  assert.equal(firstSlice([], 900), 0);
});
