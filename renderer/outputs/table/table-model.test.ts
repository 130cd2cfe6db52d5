import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnMax, compareCells, displayCell, toCsv, toText, viewRows, type TableModel } from './table-model.ts';

const model: TableModel = {
  columns: [
    { label: 'comm', type: 'string' },
    { label: 'pid', type: 'string' },
    { label: 'count', type: 'number', bar: true },
  ],
  rows: [
    ['curl', '15030', 2],
    ['python3', '15035', 10],
    ['curl', '15031', 2],
    ['sshd', '900', '18446744073709551615'],
  ],
};

test('sorts numbers numerically, big integers exactly, and keeps ties in source order', () => {
  assert.deepEqual(viewRows(model, { sortColumn: 2, descending: false, filter: '' }), [0, 2, 1, 3]);
  assert.deepEqual(viewRows(model, { sortColumn: 2, descending: true, filter: '' }), [3, 1, 0, 2]);
  assert.equal(compareCells('18446744073709551615', '18446744073709551614', 'number'), 1);
  assert.deepEqual(viewRows(model, { sortColumn: 1, descending: false, filter: '' }), [3, 0, 2, 1], 'numeric-aware text order: 900 < 15030');
  assert.deepEqual(viewRows(model, { sortColumn: null, descending: false, filter: '' }), [0, 1, 2, 3]);
});

test('filters rows on any column, case-insensitively', () => {
  assert.deepEqual(viewRows(model, { sortColumn: null, descending: false, filter: ' CURL ' }), [0, 2]);
  assert.deepEqual(viewRows(model, { sortColumn: 2, descending: true, filter: '1503' }), [1, 0, 2]);
  assert.deepEqual(viewRows(model, { sortColumn: null, descending: false, filter: 'nothing' }), []);
});

test('CSV quotes what needs quoting and defuses formulas in text cells', () => {
  const m: TableModel = {
    columns: [
      { label: 'key', type: 'string' },
      { label: 'value', type: 'number' },
    ],
    rows: [
      ['a,b', -5],
      ['say "hi"', 1],
      ['=cmd()', null],
      ['\n    __dev_queue_xmit+1158\n', 2],
    ],
  };
  assert.equal(toCsv(m), 'key,value\r\n"a,b",-5\r\n"say ""hi""",1\r\n\'=cmd(),\r\n"\n    __dev_queue_xmit+1158\n",2\r\n');
  assert.equal(toCsv(model, [1]), 'comm,pid,count\r\npython3,15035,10\r\n');
});

test('text copy aligns columns and right-aligns numbers', () => {
  assert.equal(toText(model, [0, 1]), 'comm     pid    count\n-------  -----  -----\ncurl     15030      2\npython3  15035     10\n');
});

test('display groups integer digits; bar scale is the largest magnitude', () => {
  assert.equal(displayCell(2079112918, 'number'), '2,079,112,918');
  assert.equal(displayCell('18446744073709551615', 'number'), '18,446,744,073,709,551,615');
  assert.equal(displayCell(0.1 + 0.2, 'number'), '0.3');
  assert.equal(displayCell('15030', 'string'), '15030');
  // Identifier columns keep their digits together; quantities beside them are grouped.
  assert.equal(displayCell(64104, 'number', 'uid'), '64104');
  assert.equal(displayCell(123456, 'number', 'PID'), '123456');
  assert.equal(displayCell(50201, 'number', 'RPORT'), '50201');
  assert.equal(displayCell(12345, 'number', 'cgroup_id'), '12345');
  assert.equal(displayCell(64104, 'number', 'tx_bytes'), '64,104');
  assert.equal(displayCell(64104, 'number', 'valid'), '64,104');
  // biome-ignore lint/correctness/noPrecisionLoss: u64 max as JSON gives it, the same double the model reads
  assert.equal(columnMax(model, 2), 18446744073709551615);
});
