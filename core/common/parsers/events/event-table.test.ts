import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EventTableReader, MAX_EVENT_ROWS } from './event-table.ts';

const FIXTURES = join(import.meta.dirname, '../../../../test/fixtures/events');
const SAMPLES = join(import.meta.dirname, '../../../../../shared/reference/samples');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

/** The reader fed `text` in chunks of `size` characters, then ended. */
function read(text: string, size = Infinity): EventTableReader {
  const reader = new EventTableReader();
  for (let i = 0; i < text.length; i += Math.min(size, text.length)) reader.push(text.slice(i, i + size));
  reader.end();
  return reader;
}

test("bpftrace's snoop tools become tables: the header's columns, one row per event, the last column with its spaces", () => {
  const exec = read(fixture('bt017-execsnoop.txt'));
  assert.equal(exec.state, 'table');
  assert.deepEqual(exec.columns, ['TIME(ms)', 'PID', 'ARGS']);
  assert.deepEqual(exec.rows.slice(0, 3), [
    ['2242', '15465', '/bin/true'],
    ['2247', '15466', 'ls /tmp'],
    ['2254', '15467', 'stat /etc/hostname'],
  ]);
  const open = read(fixture('bt017-opensnoop.txt'));
  assert.deepEqual(open.columns, ['PID', 'COMM', 'FD', 'ERR', 'PATH']);
  assert.deepEqual(open.rows[0], ['15488', 'true', '3', '0', '/etc/ld.so.cache']);
  assert.ok(open.rows.length > 200);
  const kill = read(fixture('bt017-killsnoop.txt'));
  assert.deepEqual(kill.columns, ['TIME', 'PID', 'COMM', 'SIG', 'TPID', 'RESULT']);
  assert.equal(kill.rows.length, 6);
  assert.equal(kill.otherLines, 2 + 4, '"Attaching…", "Tracing…", and the blank lines and map prints at exit');
  assert.deepEqual(read(fixture('bt017-statsnoop.txt')).columns, ['PID', 'COMM', 'ERR', 'PATH']);
});

test('read as it streams: a line split across chunks, rows before the end, the same table in any chunking', () => {
  const text = fixture('bt017-opensnoop.txt');
  const whole = read(text);
  for (const size of [1, 7, 64, 1000]) assert.deepEqual(read(text, size).rows, whole.rows, `chunks of ${size}`);
  const live = new EventTableReader();
  const header = text.indexOf('PID ');
  assert.equal(live.push(text.slice(0, header + 30)), false, 'a header alone is not a table yet');
  assert.equal(live.state, 'undecided');
  const rows = text.indexOf('\n', text.indexOf('\n', text.indexOf('\n', header) + 1) + 1);
  assert.equal(live.push(text.slice(header + 30, rows + 1)), true, 'two rows under it make it one');
  assert.equal(live.rows.length, 2);
  live.push(text.slice(rows + 1, rows + 200));
  assert.ok(live.rows.length > 2);
});

test('rows are bounded: past the cap they are counted, not kept', () => {
  const head = 'PID    COMM\n';
  const reader = new EventTableReader();
  reader.push(head);
  const row = '1234   cat\n';
  reader.push(row.repeat(MAX_EVENT_ROWS + 5));
  assert.equal(reader.rows.length, MAX_EVENT_ROWS);
  assert.equal(reader.droppedRows, 5);
});

test('other output stays text', () => {
  const texts = [
    fixture('bt017-execsnoop.txt').split('\n').slice(0, 2).join('\n'), // a header and no event
    'Filesystem      Size  Used Avail Use% Mounted on\n/dev/vda1        20G  5.1G   14G  27% /\n',
    'State  Recv-Q Send-Q Local Address:Port Peer Address:Port\nLISTEN 0      128    0.0.0.0:22         0.0.0.0:*\n',
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\n    inet 127.0.0.1/8 scope host lo\n',
    'PID COMM\nthis line is not under the header at all\n  and neither is this\n',
    `${'x\n'.repeat(50)}PID   COMM\n1     a\n2     b\n`, // a header past the first lines
  ];
  for (const text of texts) assert.equal(read(text).state, 'text', text);
  for (const name of [
    'bt017-text-maps.txt',
    'tcpdump-n-tt.txt',
    'iptables-L-n-v-x.txt',
    'iptables-save.txt',
    'bt017-errors.txt',
    'tcpdump-X.txt',
    'bt017-list-samples.txt',
  ]) {
    assert.equal(read(readFileSync(join(SAMPLES, name), 'utf8')).state, 'text', name);
  }
  assert.ok(readdirSync(SAMPLES).length > 0);
});

test('a flood in one chunk: only its head is read to decide, the rest still becomes rows', () => {
  const rows = Array.from({ length: 20_000 }, (_, i) => `${String(i).padEnd(6)} cat              /etc/file${i}`).join('\n');
  const reader = new EventTableReader();
  assert.equal(reader.push(`PID    COMM             PATH\n${rows}\n`), true);
  assert.equal(reader.rows.length, 20_000);
  assert.deepEqual(reader.rows.at(-1), ['19999', 'cat', '/etc/file19999']);
  const text = new EventTableReader();
  assert.equal(text.push('no header here\n'.repeat(1_000_000)), false);
  assert.equal(text.state, 'text');
});
