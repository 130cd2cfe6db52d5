import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JourneyPayload } from '../../common/journeys/types.ts';
import { MIME } from '../../common/mime.ts';
import type { Cell, Output, OutputItem } from '../../common/notebook/model.ts';
import { streamOutput } from '../../common/notebook/outputs.ts';
import type { OutputSink } from '../kernels/kernel.ts';
import { journeyTransform } from './journey-transform.ts';

// A real run of bpf/skb-journey.bt (test/integration/skb-journey.test.ts): a DNS query answered,
// then one dropped by an OUTPUT rule. Cut in two here, as if the cell had traced each on its own run.
const trace = readFileSync(join(import.meta.dirname, '../../../test/fixtures/pwru/tracepoint-journey-veth-dns.txt'), 'utf8').split('\n');
const header = trace.slice(0, trace.findIndex((l) => l.startsWith('probebook-skb-journey columns')) + 1);
const dropAt = trace.findIndex((l) => /saddr=10\.231\.0\.1 sport=55054 /.test(l)) - 1;
const answered = [...header, ...trace.slice(header.length, dropAt)].join('\n');
const dropped = [...header, ...trace.slice(dropAt)].join('\n');

/** The journey view the transform makes of a bpftrace cell that printed `text`, given its previous outputs and the cells above it. */
function view(text: string, previous: Output[] = [], above: Cell[] = []): { payload: JourneyPayload; output: Output } {
  const cell: Cell = {
    id: 'c',
    cellType: 'code',
    source: '#include bpf/skb-journey.bt',
    metadata: {},
    outputs: [streamOutput('stdout', text, 1)],
    executionCount: 1,
  };
  let items: OutputItem[] | undefined;
  const sink: OutputSink = { stream: () => undefined, display: (i) => (items = i), update: () => undefined, clear: () => undefined, error: () => undefined };
  journeyTransform.afterCell(cell, { language: 'bpftrace', result: { status: 'ok', stopped: false, durationMs: 1 }, previous, above: () => above }, sink);
  assert.ok(items, 'a journey view');
  return { payload: items[0]!.data as unknown as JourneyPayload, output: { outputId: 'v', kind: 'display_data', items } };
}

test('a cell traced twice, first answered, then dropped by a rule: the journeys of the two runs are compared', () => {
  assert.ok(dropAt > header.length, 'the fixture still has the dropped query where this test cuts it');
  const first = view(answered);
  assert.equal(first.payload.comparison, undefined, 'nothing dropped in the first run: nothing to compare');
  const second = view(dropped, [first.output]);
  const comparison = second.payload.comparison;
  assert.ok(comparison, 'compared with the previous run');
  const previous = second.payload.journeys.filter((j) => j.tracedIn === "the cell's previous run");
  assert.equal(previous.length, 1, 'the one journey of the previous run it is compared with');
  assert.ok([comparison.left, comparison.right].includes(previous[0]!.id));
  const droppedJourney = second.payload.journeys.find((j) => j.end.kind === 'dropped')!;
  assert.equal(droppedJourney.end.kind === 'dropped' && droppedJourney.end.reason, 'NETFILTER_DROP');
  assert.match(comparison.summary, /is from the cell's previous run/);
  assert.ok(comparison.divergeRow !== null);
});

test("a trace that has its own pair is compared within itself; a previous run's outputs of another shape are ignored", () => {
  const whole = trace.join('\n');
  const own = view(whole);
  assert.ok(own.payload.comparison);
  assert.equal(own.payload.journeys.filter((j) => j.tracedIn).length, 0);
  const hostile: Output = { outputId: 'x', kind: 'display_data', items: [{ mime: MIME.pwru, data: { journeys: [{ id: 'x' }] } as never }] };
  assert.equal(view(dropped, [hostile]).payload.comparison, undefined);
});

test('two cells, the first tracing the answered query and the second the dropped one: the second compares with the nearest cell above that traced', () => {
  const first = view(answered);
  const plain: Cell = { id: 'notes', cellType: 'code', source: 'echo hi', metadata: {}, outputs: [streamOutput('stdout', 'hi\n', 1)], executionCount: 2 };
  const traced: Cell = { id: 'trace-plain', cellType: 'code', source: '', metadata: {}, outputs: [first.output], executionCount: 1 };
  const second = view(dropped, [], [plain, traced]);
  assert.ok(second.payload.comparison);
  const borrowed = second.payload.journeys.filter((j) => j.tracedIn);
  assert.deepEqual(
    borrowed.map((j) => j.tracedIn),
    ['the cell above (cell trace-plain)'],
  );
  assert.match(second.payload.comparison.summary, /is from the cell above \(cell trace-plain\)/);
});
