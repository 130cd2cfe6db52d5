import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TcpdumpClock } from './tcpdump-time.ts';

test('epoch times (-tt --nano) keep every nanosecond and count from the first packet', () => {
  const clock = new TcpdumpClock('previous');
  const a = clock.read({ form: 'epoch', text: '1795393793.991261247' }, '');
  const b = clock.read({ form: 'epoch', text: '1795393795.000000001' }, '');
  assert.deepEqual(a.absolute, { sec: 1795393793, nsec: 991261247 });
  assert.equal(a.sinceFirstNs, 0);
  assert.equal(b.sinceFirstNs, 1_008_738_754);
  assert.equal(b.digits, 9);
});

test('microsecond times become whole nanoseconds', () => {
  const clock = new TcpdumpClock('previous');
  clock.read({ form: 'epoch', text: '1795393376.061459' }, '');
  const t = clock.read({ form: 'epoch', text: '1795393376.061473' }, '');
  assert.equal(t.sinceFirstNs, 14_000);
  assert.equal(t.digits, 6);
  assert.deepEqual(t.absolute, { sec: 1795393376, nsec: 61_473_000 });
});

test('-ttt deltas accumulate; the first packet is the origin', () => {
  const clock = new TcpdumpClock('previous');
  const texts = ['00:00:00.000000000', '00:00:00.000042886', '00:00:00.000012409', '00:00:01.000440285'];
  const got = texts.map((text) => clock.read({ form: 'delta', text }, ' '));
  assert.deepEqual(
    got.map((t) => t.sinceFirstNs),
    [0, 42_886, 55_295, 1_000_495_580],
  );
  assert.equal(got[1]!.text, ' 00:00:00.000042886');
  assert.equal(got[1]!.form, 'delta-previous');
  assert.equal(got[1]!.absolute, undefined);
});

test('-ttttt deltas are offsets from the first packet as printed, negative ones too', () => {
  const clock = new TcpdumpClock('first');
  assert.equal(clock.read({ form: 'delta', text: '00:00:00.000000' }, ' ').sinceFirstNs, 0);
  assert.equal(clock.read({ form: 'delta', text: '00:00:00.000014' }, ' ').sinceFirstNs, 14_000);
  const back = clock.read({ form: 'delta', text: '00:00:00.000003' }, '-');
  assert.equal(back.sinceFirstNs, -3_000);
  assert.equal(back.text, '-00:00:00.000003');
  assert.equal(back.form, 'delta-first');
});

test('times of day cross midnight forwards, and a small step back stays on the same day', () => {
  const clock = new TcpdumpClock('previous');
  clock.read({ form: 'time-of-day', text: '23:59:59.999999' }, '');
  assert.equal(clock.read({ form: 'time-of-day', text: '23:59:59.999990' }, '').sinceFirstNs, -9_000);
  const next = clock.read({ form: 'time-of-day', text: '00:00:00.000001' }, '');
  assert.equal(next.sinceFirstNs, 2_000);
  assert.equal(next.absolute, undefined);
});

test('date-time (-tttt) offsets span days and months', () => {
  const clock = new TcpdumpClock('previous');
  clock.read({ form: 'date-time', text: '2026-11-30 23:59:59.500000' }, '');
  const t = clock.read({ form: 'date-time', text: '2026-12-01 00:00:01.250000' }, '');
  assert.equal(t.sinceFirstNs, 1_750_000_000);
  assert.equal(t.form, 'date-time');
});
