import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildJourneys, type JourneyEvent } from './build.ts';

test('a journey past its step cap counts every step left out; a later step like the last kept one is not its repeat', () => {
  const events: JourneyEvent[] = [];
  for (let i = 0; i < 800; i++) events.push({ skb: '0xffff1', fn: i % 2 === 0 ? 'ip_rcv' : 'ip_local_deliver', timeNs: i });
  const { journeys, omitted } = buildJourneys(events);
  assert.equal(journeys.length, 1);
  assert.equal(journeys[0]!.steps.length, 400);
  assert.equal(omitted.steps, 400, 'the 400 events after the cap, none folded into the last kept step');
  assert.equal(journeys[0]!.steps.at(-1)!.count, 1);
});

test('repeats in a row collapse into one step with a count', () => {
  const events: JourneyEvent[] = ['ip_rcv', 'nf_hook_slow', 'nf_hook_slow', 'nf_hook_slow', 'ip_local_deliver'].map((fn, i) => ({
    skb: '0xffff2',
    fn,
    timeNs: i * 10,
  }));
  const { journeys } = buildJourneys(events);
  assert.deepEqual(
    journeys[0]!.steps.map((s) => [s.fn, s.count]),
    [
      ['ip_rcv', 1],
      ['nf_hook_slow', 3],
      ['ip_local_deliver', 1],
    ],
  );
});
