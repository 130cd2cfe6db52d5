import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atEnd, MAX_SCROLL_PX, revealRow, rowWindow, scrollHeight } from './virtual-window.ts';

const small = { rows: 1000, rowHeight: 20, viewport: 200 };
const huge = { rows: 1_000_000, rowHeight: 20, viewport: 200 };

test('draws the visible rows and a few around them, placed where the scroll position shows them', () => {
  assert.deepEqual(rowWindow(small, 0, 2), { start: 0, end: 12, top: 0 });
  // Scrolled by 10.5 rows: row 10 is cut at the top; two rows of overscan above it.
  assert.deepEqual(rowWindow(small, 210, 2), { start: 8, end: 23, top: 160 });
  assert.deepEqual(rowWindow(small, scrollHeight(small) - 200, 2), { start: 988, end: 1000, top: 19760 });
  assert.deepEqual(rowWindow({ rows: 0, rowHeight: 20, viewport: 200 }, 0), { start: 0, end: 0, top: 0 });
});

test('a million rows: the scroll area is capped and its position maps onto every row', () => {
  assert.equal(scrollHeight(huge), MAX_SCROLL_PX);
  const max = MAX_SCROLL_PX - 200;
  const end = rowWindow(huge, max, 0);
  assert.equal(end.end, 1_000_000, 'the last row is reachable');
  assert.equal(end.start, 1_000_000 - 10);
  assert.equal(end.top, max, 'drawn at the viewport');
  const mid = rowWindow(huge, max / 2, 0);
  assert.ok(Math.abs(mid.start - 499_995) <= 1, `middle: ${mid.start}`);
  assert.ok(end.end - end.start <= 11, 'a window of a viewport, not more');
});

test('reveals a row with the least scrolling, both plain and scaled', () => {
  assert.equal(revealRow(small, 0, 5), undefined, 'already visible');
  assert.equal(revealRow(small, 0, 10), 20, 'one row down: the row becomes the last visible');
  assert.equal(revealRow(small, 400, 3), 60, 'above: the row becomes the first visible');
  assert.equal(revealRow(small, 0, 999), scrollHeight(small) - 200);
  for (const row of [0, 123_456, 999_999]) {
    const top = revealRow(huge, 0, row) ?? 0;
    const w = rowWindow(huge, top, 0);
    assert.ok(row >= w.start && row < w.end, `row ${row} is drawn after revealing it (${w.start}..${w.end})`);
  }
});

test('knows when the list is scrolled to its end', () => {
  assert.equal(atEnd(small, scrollHeight(small) - 200), true);
  assert.equal(atEnd(small, 0), false);
  assert.equal(atEnd({ rows: 3, rowHeight: 20, viewport: 200 }, 0), true, 'a short list is always at its end');
});
