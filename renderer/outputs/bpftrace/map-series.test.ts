import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateMapPrints, groupMapPrints, MapSeries } from './map-series.ts';
import { mapTable, histTable, payloadSummary } from './map-model.ts';
import { MIME } from '../../../core/common/mime.ts';
import type { Output } from '../../../core/common/notebook/model.ts';
import type { BpftraceMapPayload } from '../../../core/common/parsers/bpftrace/types.ts';

const runStart = 1_700_000_000_000;

function countPrint(name: string, printIndex: number, counts: Record<string, number>): BpftraceMapPayload {
  return {
    version: 1,
    name,
    kind: 'map',
    keyless: false,
    entries: Object.entries(counts).map(([k, v]) => ({ key: k.split(','), rawKey: k, value: { type: 'scalar', value: v } })),
    printIndex,
    time: runStart + (printIndex + 1) * 1000,
    runStart,
  };
}

function out(id: string, p: BpftraceMapPayload | null): Output {
  return {
    outputId: id,
    kind: 'display_data',
    items: p
      ? [
          { mime: MIME.bpftrace, data: p as never },
          { mime: MIME.plain, data: 'x' },
        ]
      : [{ mime: MIME.stdout, data: 'text\n' }],
  };
}

test('interval prints become one series per key over seconds since run start', () => {
  const s = aggregateMapPrints([countPrint('@', 0, { curl: 10, sshd: 1 }), countPrint('@', 1, { curl: 4 }), countPrint('@', 2, { curl: 6, python3: 9 })]).get(
    '@',
  )!;
  assert.deepEqual(s.times, [1, 2, 3]);
  assert.deepEqual(s.keys.get('curl')!.values, [10, 4, 6]);
  assert.deepEqual(s.keys.get('sshd')!.values, [1, 0, 0], 'a key cleared and not printed again counts 0');
  assert.deepEqual(s.keys.get('python3')!.values, [0, 0, 9]);
  assert.deepEqual(
    s.topKeys(2).map((k) => k.rawKey),
    ['python3', 'curl'],
  );
  assert.equal(s.prints, 3);
});

test('stats series follow the average and leave gaps where a key is missing', () => {
  const s = new MapSeries('@s');
  const stats = (i: number, avg: number | null): BpftraceMapPayload => ({
    version: 1,
    name: '@s',
    kind: 'stats',
    keyless: false,
    printIndex: i,
    time: runStart + i * 500,
    runStart,
    entries: avg === null ? [] : [{ key: ['12'], rawKey: '12', value: { type: 'stats', stats: { count: 3, average: avg, total: 3 * avg } } }],
  });
  s.add(stats(0, 100));
  s.add(stats(1, null));
  s.add(stats(2, '103955' as never));
  assert.deepEqual(s.keys.get('12')!.values, [100, null, 103955]);
  assert.deepEqual(s.times, [0, 0.5, 1]);
  assert.throws(() => s.add(countPrint('@other', 0, {})), /@other/);
});

test('outputs of a map printed again and again group at the first print; others stay single', () => {
  const outputs = [
    out('a', null),
    out('b', countPrint('@', 0, { x: 1 })),
    out('c', countPrint('@once', 0, { y: 1 })),
    out('d', countPrint('@', 1, { x: 2 })),
    out('e', null),
    out('f', countPrint('@', 2, { x: 3 })),
  ];
  const groups = groupMapPrints(outputs);
  assert.deepEqual(
    groups.map((g) => (g.kind === 'single' ? g.output.outputId : `${g.name}:${g.outputs.map((o) => o.outputId).join('')}`)),
    ['a', '@:bdf', 'c', 'e'],
  );
});

test('map payloads become tables with one column per key part', () => {
  // From bt017-json-maps.ndjson: {"@x": {"curl,15030": 2, …, "python3,15035": 10}}
  const t = mapTable(countPrint('@x', 0, { 'curl,15030': 2, 'python3,15035': 10 }));
  assert.deepEqual(
    t.columns.map((c) => c.label),
    ['key 1', 'key 2', 'value'],
  );
  assert.deepEqual(t.rows, [
    ['curl', '15030', 2],
    ['python3', '15035', 10],
  ]);
  const tuple: BpftraceMapPayload = {
    version: 1,
    name: '@tup',
    kind: 'map',
    keyless: true,
    printIndex: 0,
    time: 0,
    entries: [{ key: [], rawKey: '', value: { type: 'scalar', value: [1, 'x'] } }],
  };
  assert.deepEqual(mapTable(tuple), { columns: [{ label: 'value', type: 'string', bar: false }], rows: [['(1, x)']] });
  assert.equal(payloadSummary(tuple), 'map');
});

test('stats and avg payloads become count/average/total tables', () => {
  const s: BpftraceMapPayload = {
    version: 1,
    name: '@drop_reason_ns',
    kind: 'stats',
    keyless: false,
    printIndex: 0,
    time: 0,
    entries: [{ key: ['12'], rawKey: '12', value: { type: 'stats', stats: { count: 20000, average: 487, total: 9755831 } } }],
  };
  assert.deepEqual(
    mapTable(s).columns.map((c) => c.label),
    ['key', 'count', 'average', 'total'],
  );
  assert.deepEqual(mapTable(s).rows, [['12', 20000, 487, 9755831]]);
  const avg: BpftraceMapPayload = { ...s, name: '@a', keyless: true, entries: [{ key: [], rawKey: '', value: { type: 'stats', stats: { average: 393 } } }] };
  assert.deepEqual(
    mapTable(avg).columns.map((c) => c.label),
    ['average'],
  );
  assert.deepEqual(histTable([{ min: 4096, max: 8191, count: 3 }]).rows, [['[4K, 8K)', 4096, 8191, 3]]);
});

test("bpftrace's print at exit, 0.15 s after the last interval of a cleared map, is a partial interval", () => {
  const at = (seconds: number, printIndex: number, counts: Record<string, number>): BpftraceMapPayload => ({
    ...countPrint('@calls', printIndex, counts),
    time: runStart + seconds * 1000,
  });
  const prints = [
    at(1, 0, { read: 2500, write: 90 }),
    at(2, 1, { read: 2400, write: 120 }),
    at(3, 2, { read: 2600, write: 80 }),
    at(4, 3, { read: 2550, write: 100 }),
    at(4.15, 4, { read: 29, write: 400 }),
  ];
  const s = aggregateMapPrints(prints).get('@calls')!;
  const partial = s.partialLast();
  assert.ok(partial, 'the exit print is partial');
  assert.equal(partial.index, 4);
  assert.ok(Math.abs(partial.covered - 0.15) < 1e-9 && partial.interval === 1, JSON.stringify(partial));
  // Ranked by the last full interval, not by the 0.15 s at exit (where write has more calls).
  assert.deepEqual(
    s.topKeys(1).map((k) => k.rawKey),
    ['read'],
  );

  // Without the exit print: every print is a full interval.
  assert.equal(aggregateMapPrints(prints.slice(0, 4)).get('@calls')!.partialLast(), null);
  // A print on time is not partial.
  assert.equal(
    aggregateMapPrints([...prints.slice(0, 4), at(5.05, 4, { read: 10, write: 1 })])
      .get('@calls')!
      .partialLast(),
    null,
  );
  // A running total (never cleared: it only grows) keeps its last print as a full value.
  const totals = [at(1, 0, { read: 100 }), at(2, 1, { read: 200 }), at(3, 2, { read: 300 }), at(4, 3, { read: 400 }), at(4.15, 4, { read: 415 })];
  assert.equal(aggregateMapPrints(totals).get('@calls')!.partialLast(), null);
  // Too few prints to know the interval.
  assert.equal(aggregateMapPrints([prints[0]!, prints[1]!, prints[4]!]).get('@calls')!.partialLast(), null);
});
