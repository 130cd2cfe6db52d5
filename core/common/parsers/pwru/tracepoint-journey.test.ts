import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildJourneys, chooseComparison } from '../../journeys/build.ts';
import { parseDropReasons } from './drop-reasons.ts';
import { parseTracepointJourney } from './tracepoint-journey.ts';

const fixtures = join(import.meta.dirname, '../../../../test/fixtures/pwru');
const real = readFileSync(join(fixtures, 'tracepoint-journey-veth-dns.txt'), 'utf8');

test('drop reasons are read from the kernel format printed in the trace, not from a table of ours', () => {
  const reasons = parseDropReasons(real);
  assert.equal(reasons.get(12), 'NETFILTER_DROP');
  assert.equal(reasons.get(2), 'NOT_SPECIFIED');
  // Another kernel numbers them differently: the names follow its format.
  const other = parseDropReasons('print fmt: "…", __print_symbolic(REC->reason, { 1, "NOT_SPECIFIED" }, { 7, "NETFILTER_DROP" })');
  assert.equal(other.get(7), 'NETFILTER_DROP');
  assert.equal(parseDropReasons('no table here').size, 0);
});

test('a real trace (DNS query answered, then dropped by OUTPUT DROP) becomes journeys that diverge at the drop', () => {
  const trace = parseTracepointJourney(real);
  assert.deepEqual([trace.addr, trace.port, trace.namedReasons], ['10.231.0.2', 53, true]);
  const { journeys } = buildJourneys(trace.events, { sortByTime: true });
  const query = journeys.find((j) => j.tuple?.endsWith('10.231.0.2:53(udp)') && j.end.kind !== 'dropped')!;
  const dropped = journeys.find((j) => j.end.kind === 'dropped')!;
  assert.deepEqual(
    query.steps.map((s) => `${s.layer}:${s.fn}`),
    ['ip:fib_table_lookup', 'device:net_dev_queue', 'driver:net_dev_start_xmit', 'device:netif_rx', 'driver:net_dev_xmit', 'device:netif_receive_skb'],
  );
  assert.deepEqual(
    dropped.steps.map((s) => s.fn),
    ['fib_table_lookup', 'kfree_skb'],
  );
  assert.deepEqual(dropped.end, { kind: 'dropped', at: 'kfree_skb', reason: 'NETFILTER_DROP', where: 'nft_do_chain' });
  assert.ok(dropped.steps[1]!.stack?.some((f) => f.startsWith('nf_hook_slow+')));
  assert.ok(query.steps.every((s, i) => i === 0 || (s.dtNs !== undefined && s.dtNs >= 0)));
  const c = chooseComparison(journeys)!;
  assert.deepEqual([c.left, c.right], [query.id, dropped.id]);
  assert.equal(c.lastCommon, 'fib_table_lookup');
  assert.equal(c.divergeRow, 1);
  assert.match(
    c.summary,
    /diverge after fib_table_lookup: journey \d+ goes on to net_dev_queue; journey \d+ is dropped at kfree_skb \(NETFILTER_DROP\) in nft_do_chain/,
  );
});
