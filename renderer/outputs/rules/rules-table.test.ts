import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Chain } from '../../../core/common/parsers/netfilter/rules-model.ts';
import { chainTable, HIT_ROW, ZERO_ROW } from './rules-table.ts';

const chain: Chain = {
  name: 'INPUT',
  policy: 'ACCEPT',
  rules: [
    { position: 1, handle: 9, counters: { packets: 40, bytes: 3090 }, delta: { packets: 4, bytes: 336 }, target: 'LAB', match: '' },
    { position: 2, handle: 10, counters: { packets: 0, bytes: 0 }, delta: { packets: 0, bytes: 0 }, target: 'DROP', match: 'proto udp  udp dpt:53' },
    { position: 3, handle: 11, counters: { packets: 7, bytes: 588 }, delta: { packets: 0, bytes: 0 }, target: 'ACCEPT', match: 'in lo' },
    { position: 4, target: '', match: 'no counter' },
  ],
};

test('a chain with deltas: delta columns, rows that matched in between marked, rules that never matched dimmed', () => {
  const model = chainTable(chain, { deltas: true, handles: false });
  assert.deepEqual(
    model.columns.map((c) => c.label),
    ['#', 'packets', 'bytes', '+packets', '+bytes', 'target', 'match'],
  );
  assert.deepEqual(model.rows[0], [1, 40, 3090, 4, 336, 'LAB', '']);
  assert.deepEqual(model.rows[3], [4, null, null, null, null, '', 'no counter']);
  assert.deepEqual(model.rowClasses, [HIT_ROW, ZERO_ROW, undefined, undefined]);
});

test('nft rules show their handle; without deltas no delta columns', () => {
  const model = chainTable(chain, { deltas: false, handles: true });
  assert.deepEqual(
    model.columns.map((c) => c.label),
    ['#', 'handle', 'packets', 'bytes', 'target', 'match'],
  );
  assert.deepEqual(model.rows[1], [2, 10, 0, 0, 'DROP', 'proto udp  udp dpt:53']);
});
