import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildJourneys } from './build.ts';
import { compareJourneys } from './compare.ts';
import { layerOf } from './layers.ts';

const journey = (skb: string, fns: string[], reason?: string) =>
  buildJourneys(fns.map((fn) => ({ skb, fn, ...(fn === 'kfree_skb_reason' && reason ? { reason } : {}) }))).journeys[0]!;

test('aligned step by step: a step only one side took is a gap, the first gap is the divergence', () => {
  const plain = journey('0x1', [
    'udp_sendmsg',
    'ip_make_skb',
    '__ip_local_out',
    'nf_hook_slow',
    'ip_output',
    'nf_hook_slow',
    'ip_finish_output2',
    '__dev_queue_xmit',
  ]);
  const dropped = journey('0x2', ['udp_sendmsg', 'ip_make_skb', '__ip_local_out', 'nf_hook_slow', 'kfree_skb_reason', 'skb_release_data'], 'NETFILTER_DROP');
  const c = compareJourneys(plain, dropped);
  assert.equal(c.divergeRow, 4);
  assert.equal(c.lastCommon, 'nf_hook_slow');
  assert.deepEqual(
    c.rows.slice(0, 4).map((r) => r.same),
    [true, true, true, true],
  );
  assert.equal(c.rows.filter((r) => r.left !== undefined).length, plain.steps.length);
  assert.equal(c.rows.filter((r) => r.right !== undefined).length, dropped.steps.length);
  assert.equal(
    c.summary,
    'The paths diverge after nf_hook_slow: journey 1 goes on to ip_output; journey 1 is dropped at kfree_skb_reason (NETFILTER_DROP) in nf_hook_slow.',
  );
  assert.equal(compareJourneys(plain, plain).divergeRow, null);
});

test('repeats in a row are collapsed into one step with a count', () => {
  const j = journey('0x1', ['skb_push', 'skb_push', 'skb_push', 'ip_output']);
  assert.deepEqual(
    j.steps.map((s) => [s.fn, s.count]),
    [
      ['skb_push', 3],
      ['ip_output', 1],
    ],
  );
});

test('a freed address seen again is a new journey; a clone right after skb_clone says whose clone it is', () => {
  const { journeys } = buildJourneys([
    { skb: '0xa', fn: 'ip_rcv', cpu: 1 },
    { skb: '0xa', fn: 'skb_clone', cpu: 1 },
    { skb: '0xb', fn: 'packet_rcv', cpu: 1 },
    { skb: '0xa', fn: 'consume_skb', cpu: 1 },
    { skb: '0xa', fn: 'skb_release_data', cpu: 1 },
    { skb: '0xa', fn: 'ip_output', cpu: 1 },
  ]);
  assert.deepEqual(
    journeys.map((j) => [j.skb, j.cloneOf, j.end.kind]),
    [
      ['0xa', undefined, 'consumed'],
      ['0xb', 1, 'in_flight'],
      ['0xa', undefined, 'in_flight'],
    ],
  );
});

test('layers by function name', () => {
  assert.deepEqual(
    [
      'udp_sendmsg',
      'ip_local_out',
      'nf_hook_slow',
      'nft_do_chain',
      'neigh_resolve_output',
      'sch_direct_xmit',
      '__dev_queue_xmit',
      'ice_clean_tx_irq[ice]',
      'veth_xmit',
      'skb_copy_datagram_iter',
      'kfree_skb_reason',
      'sk_skb_reason_drop',
      'mystery',
    ].map((f) => layerOf(f)),
    ['transport', 'ip', 'netfilter', 'netfilter', 'neighbour', 'qdisc', 'device', 'driver', 'driver', 'socket', 'skb', 'skb', 'other'],
  );
  assert.equal(layerOf('net_dev_queue', true), 'device');
});
