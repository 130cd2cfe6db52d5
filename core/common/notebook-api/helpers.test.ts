import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { iperf3 } from './helpers.ts';
import { iperf3Figure } from './iperf3-chart.ts';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/iperf3');
const read = (name: string) => readFileSync(join(fixtures, name), 'utf8');

test('iperf3 -J (real TCP run with 2 streams) → intervals with Mbit/s and summed cwnd', () => {
  const { intervals, summary } = iperf3(read('iperf3-J-tcp-P2.json'));
  assert.ok(intervals.length > 0);
  assert.ok(intervals.every((i) => i.mbps > 0 && i.t > 0));
  assert.ok(
    intervals.every((i) => i.cwndKB !== undefined && i.cwndKB > 0),
    'TCP senders report cwnd',
  );
  assert.ok(summary && summary.mbps > 0);
});

test('iperf3 errors come through, and a UDP run has no cwnd', () => {
  assert.match(iperf3(read('iperf3-J-error.json')).error ?? '', /\S/);
  assert.ok(iperf3(read('iperf3-J-udp.json')).intervals.every((i) => i.cwndKB === undefined));
});

test('a shell cell printing iperf3 -J gets a throughput/cwnd figure; other JSON does not', () => {
  const figure = iperf3Figure(read('iperf3-J-tcp-P2.json'));
  assert.ok(figure);
  assert.equal((figure.data as { name: string }[]).map((t) => t.name).join(', '), 'throughput (Mbit/s), cwnd (KB)');
  assert.match(figure.summary, /^iperf3: [\d.]+ Mbit\/s over [\d.]+ s/);
  assert.equal(iperf3Figure('{"intervals": "no"}'), null);
  assert.equal(iperf3Figure('hello'), null);
  assert.equal(iperf3Figure(read('iperf3-J-error.json')), null);
});

test('a one-second iperf3 run (one interval) still draws its cwnd: a point, not a line of one point', () => {
  const run = JSON.parse(read('iperf3-J-tcp-P2.json')) as { intervals: unknown[] };
  run.intervals = run.intervals.slice(0, 1);
  const figure = iperf3Figure(JSON.stringify(run));
  const cwnd = (figure!.data as { name: string; mode: string }[]).find((t) => t.name === 'cwnd (KB)');
  assert.equal(cwnd?.mode, 'markers');
  const many = (iperf3Figure(read('iperf3-J-tcp-P2.json'))!.data as { name: string; mode: string }[]).find((t) => t.name === 'cwnd (KB)');
  assert.equal(many?.mode, 'lines');
});
