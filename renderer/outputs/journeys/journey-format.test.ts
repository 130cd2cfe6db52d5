import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildJourneys } from '../../../core/common/journeys/build.ts';
import { compareJourneys } from '../../../core/common/journeys/compare.ts';
import type { Journey } from '../../../core/common/journeys/types.ts';
import { comparisonLines, comparisonWindow, dropStepIndex, endText, formatNs, journeyMatches, layerOrOther } from './journey-format.ts';
import { asJourneyPayload } from './payload-shape.ts';

/** A journey of `fns` as the runner builds it, 1 µs between steps. */
const journey = (skb: string, fns: string[], extra: { reason?: string; process?: string; tuple?: string } = {}): Journey =>
  buildJourneys(
    fns.map((fn, i) => ({
      skb,
      fn,
      timeNs: 1000 * i,
      ...(extra.process ? { process: extra.process } : {}),
      ...(extra.tuple ? { tuple: extra.tuple } : {}),
      ...(fn === 'kfree_skb_reason' && extra.reason ? { reason: extra.reason } : {}),
    })),
  ).journeys[0]!;

test('nanoseconds read in the unit that fits, three significant digits', () => {
  assert.deepEqual([0, 950, 1000, 21_861, 136_469, 1_234_567, 98_700_000, 2_500_000_000].map(formatNs), [
    '0 ns',
    '950 ns',
    '1.00 µs',
    '21.9 µs',
    '136 µs',
    '1.23 ms',
    '98.7 ms',
    '2.50 s',
  ]);
});

test('ends: a badge word and a sentence naming the function, the reason and where', () => {
  assert.deepEqual(endText({ kind: 'dropped', at: 'kfree_skb', reason: 'NETFILTER_DROP', where: 'nft_do_chain' }), {
    badge: 'dropped (NETFILTER_DROP)',
    long: 'dropped at kfree_skb (NETFILTER_DROP) in nft_do_chain',
  });
  assert.equal(endText({ kind: 'dropped', at: 'kfree_skb', where: 'kfree_skb' }).long, 'dropped at kfree_skb');
  assert.equal(endText({ kind: 'consumed', at: 'consume_skb' }).badge, 'consumed');
  assert.equal(endText({ kind: 'in_flight' }).badge, 'in flight');
});

test('the filter matches every word in the id, process, tuple, end or a function, case-insensitively', () => {
  const j = journey('0xffff0001', ['udp_sendmsg', 'nf_hook_slow', 'kfree_skb_reason'], {
    reason: 'NETFILTER_DROP',
    process: 'dig',
    tuple: '10.0.0.1:5353->10.0.0.2:53(udp)',
  });
  for (const q of ['', '#1', 'DIG', 'nf_hook', 'dropped netfilter_drop', '->10.0.0.2:53', 'ffff0001']) assert.equal(journeyMatches(j, q), true, q);
  for (const q of ['consumed', 'dig tcp', 'ip_output', '#2']) assert.equal(journeyMatches(j, q), false, q);
});

test('comparison rows: shared before the divergence, the divergence marked, the drop step named on its side', () => {
  const plain = journey('0x1', ['udp_sendmsg', '__ip_local_out', 'nf_hook_slow', 'ip_output', 'dev_queue_xmit']);
  const dropped = journey('0x2', ['udp_sendmsg', '__ip_local_out', 'nf_hook_slow', 'kfree_skb_reason', 'skb_release_data'], { reason: 'NETFILTER_DROP' });
  assert.equal(dropStepIndex(dropped), 3);
  assert.equal(dropStepIndex(plain), -1);
  const lines = comparisonLines(compareJourneys(plain, dropped), plain, dropped);
  assert.deepEqual(
    lines.map((l) => [l.mark, l.left?.fn ?? '', l.right?.fn ?? '', l.rightDrop]),
    [
      ['shared', 'udp_sendmsg', 'udp_sendmsg', false],
      ['shared', '__ip_local_out', '__ip_local_out', false],
      ['shared', 'nf_hook_slow', 'nf_hook_slow', false],
      ['diverge', 'ip_output', '', false],
      ['apart', 'dev_queue_xmit', '', false],
      ['apart', '', 'kfree_skb_reason', true],
      ['apart', '', 'skb_release_data', false],
    ],
  );
  // Rows that point past a journey's steps (a hand-made payload) leave that side empty.
  const odd = comparisonLines({ left: 1, right: 2, rows: [{ left: 9, right: 0, same: false }], divergeRow: 0, summary: '' }, plain, dropped);
  assert.equal(odd[0]!.left, undefined);
  assert.equal(odd[0]!.right?.fn, 'udp_sendmsg');
});

test('a long comparison is drawn from the top, or from just before the divergence when the top would hide it', () => {
  assert.deepEqual(comparisonWindow(50, 3, 300), { start: 0, end: 50 });
  assert.deepEqual(comparisonWindow(800, 100, 300), { start: 0, end: 300 });
  assert.deepEqual(comparisonWindow(800, 500, 300), { start: 490, end: 790 });
  assert.deepEqual(comparisonWindow(800, 795, 300), { start: 500, end: 800 });
  assert.deepEqual(comparisonWindow(800, null, 300), { start: 0, end: 300 });
});

test('an unknown layer becomes "other" (it names a CSS class)', () => {
  assert.equal(layerOrOther('netfilter'), 'netfilter');
  assert.equal(layerOrOther('x" onclick="y'), 'other');
});

test('payload shape: a readable error naming the journey or step that is wrong', () => {
  const j = journey('0x1', ['udp_sendmsg']);
  const ok = { version: 1, method: 'pwru', format: 'text', journeys: [j], otherLines: 0 };
  assert.equal(asJourneyPayload(ok), ok);
  assert.throws(() => asJourneyPayload(42), /not a journey payload/);
  assert.throws(() => asJourneyPayload({ ...ok, method: 'kprobes' }), /method is 'pwru' or 'tracepoints', not "kprobes"/);
  assert.throws(() => asJourneyPayload({ ...ok, journeys: [{ ...j, end: { kind: 'gone' } }] }), /journey 1 \(id 1\) needs an end/);
  assert.throws(() => asJourneyPayload({ ...ok, journeys: [{ ...j, steps: [{ fn: 3 }] }] }), /step 1 of journey 1 needs a function name/);
  assert.throws(() => asJourneyPayload({ ...ok, comparison: { left: 1 } }), /comparison needs left and right/);
});
