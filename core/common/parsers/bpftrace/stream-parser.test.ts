import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBpftraceStderr, describeDiagnostic } from './diagnostics.ts';
import { bucketLabel, renderMapText } from './map-text.ts';
import { parseOrderedJson, OrderedObject } from './ordered-json.ts';
import { createBpftraceParser, type BpftraceEvent } from './stream-parser.ts';
import type { BpftraceMapPayload } from './types.ts';

// Real bpftrace 0.17 captures (copied from shared/reference/samples).
const samples = join(import.meta.dirname, '../../../../test/fixtures/bpftrace');
const sample = (name: string) => readFileSync(join(samples, name), 'utf8');

function parseAll(text: string, chunking?: (text: string) => string[]): BpftraceEvent[] {
  const parser = createBpftraceParser({ now: () => 1000, runStart: 0 });
  const chunks = chunking ? chunking(text) : [text];
  return [...chunks.flatMap((c) => parser.push(c)), ...parser.end()];
}
const maps = (events: BpftraceEvent[]) => events.filter((e): e is Extract<BpftraceEvent, { type: 'map' }> => e.type === 'map').map((e) => e.payload);

test('every map kind of bpftrace 0.17 becomes a payload (real sample)', () => {
  const payloads = maps(parseAll(sample('bt017-json-maps.ndjson')));
  assert.deepEqual(
    payloads.map((p) => [p.name, p.kind, p.keyless]),
    [
      ['@', 'map', false],
      ['@a', 'stats', true],
      ['@h', 'hist', true],
      ['@l', 'hist', true],
      ['@s', 'stats', true],
      ['@x', 'map', false],
    ],
  );
  const x = payloads.find((p) => p.name === '@x')!;
  assert.deepEqual(
    x.entries.map((e) => e.key),
    [
      ['curl', '15030'],
      ['curl', '15032'],
      ['curl', '15033'],
      ['curl', '15034'],
      ['curl', '15031'],
      ['python3', '15035'],
    ],
  );
  const s = payloads.find((p) => p.name === '@s')!;
  assert.deepEqual(s.entries[0]!.value, { type: 'stats', stats: { count: 20, average: 393, total: 7860 } });
  const a = payloads.find((p) => p.name === '@a')!;
  assert.deepEqual(a.entries[0]!.value, { type: 'stats', stats: { average: 393 } });
  const l = payloads.find((p) => p.name === '@l')!;
  const buckets = (l.entries[0]!.value as { buckets: unknown[] }).buckets;
  assert.deepEqual(buckets.at(-1), { min: 1500, max: null, count: 1 });
});

test("the text rendering reads like bpftrace's own", () => {
  const payloads = maps(parseAll(sample('bt017-json-maps.ndjson')));
  const text = payloads.map(renderMapText).join('');
  const ownText = sample('bt017-text-maps.txt');
  // Same shapes as the text-mode run of the same script (its counts differ: another run).
  for (const line of ['[512, 1K)', '[1K, 2K)', '[2K, 4K)', '[1500, ...)', '[1400, 1500)', '@x[curl, 15030]: 2', '@s: count 20, average 393, total 7860']) {
    assert.ok(text.includes(line), `missing ${line}`);
  }
  const histLine = text.split('\n').find((l) => l.startsWith('[32, 64)'))!;
  const ownLine = ownText.split('\n').find((l) => l.startsWith('[32, 64)'))!;
  assert.equal(histLine.indexOf('|'), ownLine.indexOf('|'), 'bars start in the same column');
  assert.equal(histLine.length, ownLine.length);
});

test('bucket labels: powers of two with suffixes, single values, open ends', () => {
  assert.equal(bucketLabel({ min: 4096, max: 8191, count: 1 }, true), '[4K, 8K)');
  assert.equal(bucketLabel({ min: 1048576, max: 2097151, count: 1 }, true), '[1M, 2M)');
  assert.equal(bucketLabel({ min: 0, max: 0, count: 1 }, true), '[0]');
  assert.equal(bucketLabel({ min: null, max: -1, count: 1 }, true), '(..., 0)');
  assert.equal(bucketLabel({ min: 1000, max: 1099, count: 1 }, false), '[1000, 1100)');
});

test('printf, time, cat, join, value and keyless/stack/tuple maps (real sample)', () => {
  const events = parseAll(sample('bt017-json-events-sigint.ndjson'));
  const texts = events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text);
  assert.deepEqual(texts.slice(0, 4), ['start tab\there\n', '00:21:24\n', 'Linux\n', 'hello from system\n']);
  assert.ok(texts.includes('curl -s -m 1 http://127.0.0.1:1/\n'), 'join gets its newline');
  assert.deepEqual(
    events.filter((e) => e.type === 'value').map((e) => (e as { value: unknown }).value),
    [[1, 'two', 3], 'bpftrace'],
  );
  const payloads = maps(events);
  const k = payloads.find((p) => p.name === '@k')!;
  assert.deepEqual(k.entries[0]!.key, ['\n    __dev_queue_xmit+1158\n    ip_finish_output2+705\n    ip_output+95\n'], 'stack keys are not split');
  assert.deepEqual(payloads.find((p) => p.name === '@tup')!.entries[0]!.value, { type: 'scalar', value: [1, 'x'] });
});

test('lost events are summed, not shown one by one (real sample)', () => {
  const parser = createBpftraceParser();
  const events = [...parser.push(sample('bt017-json-lost-events-excerpt.ndjson')), ...parser.end()];
  assert.ok(parser.lostEvents > 0);
  assert.equal(events.filter((e) => e.type === 'invalid').length, 0);
});

test('chunks split anywhere give the same events', () => {
  const text = sample('bt017-json-maps.ndjson') + sample('bt017-json-events-sigint.ndjson') + sample('bt017-json-tcp-tracepoints.ndjson');
  const whole = parseAll(text);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 50; round++) {
    const chunked = parseAll(text, (t) => {
      const out: string[] = [];
      for (let i = 0; i < t.length; ) {
        const n = 1 + Math.floor(random() * 40);
        out.push(t.slice(i, i + n));
        i += n;
      }
      return out;
    });
    assert.deepEqual(chunked, whole);
  }
});

test('printIndex counts the prints of each map, for interval charts', () => {
  const line = (n: number) => `{"type": "map", "data": {"@pkts": {"lo": ${n}}}}\n`;
  const payloads = maps(parseAll(`${line(1) + line(2)}{"type": "map", "data": {"@other": 5}}\n${line(3)}`));
  assert.deepEqual(
    payloads.map((p) => [p.name, p.printIndex]),
    [
      ['@pkts', 0],
      ['@pkts', 1],
      ['@other', 0],
      ['@pkts', 2],
    ],
  );
});

test("integers beyond 2^53 stay exact, key order is bpftrace's, 0x pointers and newer envelopes are read", () => {
  const payload = maps(parseAll('{"type": "map", "data": {"@": {"3": 18446744073709551615, "1": 5, "2": 7}}}\n'))[0] as BpftraceMapPayload;
  assert.deepEqual(
    payload.entries.map((e) => e.rawKey),
    ['3', '1', '2'],
  );
  assert.deepEqual(payload.entries[0]!.value, { type: 'scalar', value: '18446744073709551615' });
  assert.deepEqual(maps(parseAll('{"type": "map", "data": {"@ptr": 0x10}}\n'))[0]!.entries[0]!.value, { type: 'scalar', value: 16 });
  const events = parseAll(
    '{"type": "attached_probes", "count": 1, "data": {"probes": 1}}\n{"type": "lost_events", "count": 3, "data": {"events": 3}}\n{"type": "tseries", "data": {}}\n',
  );
  assert.deepEqual(
    events.map((e) => e.type),
    ['attached_probes', 'unknown'],
  );
});

test('garbage lines are reported and parsing goes on; nothing throws', () => {
  const events = parseAll(`not json\n{"type": "printf", "data": "ok\\n"}\n{"type": \n[1,2]\n${'['.repeat(1000)}\n`);
  assert.deepEqual(
    events.map((e) => e.type),
    ['invalid', 'text', 'invalid', 'invalid', 'invalid'],
  );
  let seed = 3;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const base = sample('bt017-json-maps.ndjson');
  for (let i = 0; i < 500; i++) {
    const chars = [...base];
    for (let e = 0; e < 3; e++) chars[Math.floor(random() * chars.length)] = '{}[]",:0x\\\n'[Math.floor(random() * 11)]!;
    parseAll(chars.join('')); // must not throw
  }
  assert.ok(parseOrderedJson('{"a": {"b": [1]}}') instanceof OrderedObject);
});

test('compile errors point at the cell line and column, never the temp file (real 0.17 messages)', () => {
  const stderr = [
    'ERROR: Unknown error -1: couldn\'t set RLIMIT_MEMLOCK for bpftrace. If your program is not loading, you can try "ulimit -l 8192" to fix the problem',
    '/tmp/probebook-bt-x/cell.bt:3:25-27: ERROR: syntax error, unexpected ;, expecting ) or ","',
    '  printf("%s\\n", @x, 2, 3;',
    '                        ~~',
  ].join('\n');
  const parsed = parseBpftraceStderr(stderr, '/tmp/probebook-bt-x/cell.bt');
  assert.deepEqual(parsed.otherLines, []);
  assert.deepEqual(parsed.diagnostics, [{ level: 'error', message: 'syntax error, unexpected ;, expecting ) or ","', line: 3, column: 25, endColumn: 27 }]);
  const source = 'BEGIN {\n  @x = 1;\n  printf("%s\\n", @x, 2, 3;\n}';
  const { summary, context } = describeDiagnostic(parsed.diagnostics[0]!, source);
  assert.equal(summary, 'line 3, column 25: syntax error, unexpected ;, expecting ) or ","');
  assert.deepEqual(context, ['   3 |   printf("%s\\n", @x, 2, 3;', '     |                         ^~']);
  const errors = parseBpftraceStderr(sample('bt017-errors.txt'), 'stdin');
  assert.ok(errors.diagnostics.some((d) => d.message === 'tracepoint not found: net:no_such_tp' && d.line === 1 && d.column === 1));
  assert.ok(errors.diagnostics.some((d) => d.level === 'warning' && /nf_hook_slow is not traceable/.test(d.message)));
  assert.ok(errors.diagnostics.some((d) => d.message === "Error attaching probe: 'kprobe:nf_hook_slow'" && d.line === undefined));
});
