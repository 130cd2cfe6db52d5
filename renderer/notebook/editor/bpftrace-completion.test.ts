import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionContext, expressionSuggestions, MAX_PROBE_SUGGESTIONS, probeSuggestions } from './bpftrace-completion.ts';

function at(textWithCursor: string) {
  const offset = textWithCursor.indexOf('|');
  return completionContext(textWithCursor.replace('|', ''), offset);
}

test('a probe spec is completed outside action blocks, with what was typed of it', () => {
  assert.deepEqual(at('tracepoint:net:net_d|'), { kind: 'probe', prefix: 'tracepoint:net:net_d', start: 0 });
  assert.deepEqual(at('BEGIN { @x = 1; }\nt:sched:|'), { kind: 'probe', prefix: 't:sched:', start: 18 });
  assert.deepEqual(at('kprobe:a,\n  kprobe:b|'), { kind: 'probe', prefix: 'kprobe:b', start: 12 });
});

test('inside an action block or a predicate, expressions are completed', () => {
  assert.deepEqual(at('interval:s:1 { print(@by|'), { kind: 'expression', prefix: '@by', start: 21 });
  assert.deepEqual(at('tracepoint:syscalls:sys_enter_openat /com|'), { kind: 'expression', prefix: 'com', start: 38 });
  assert.deepEqual(at('t:a:b { if (1) { $x|'), { kind: 'expression', prefix: '$x', start: 17 });
  // After the closing brace we are back at the top level.
  assert.equal(at('t:a:b { @ = count(); }\ninter|').kind, 'probe');
});

test('nothing is completed in comments and strings; braces in them do not count', () => {
  assert.equal(at('// tracepoint:|').kind, 'none');
  assert.equal(at('BEGIN { printf("{ %d|').kind, 'none');
  assert.equal(at('/* { */ tracepoint:n|').kind, 'probe');
  assert.equal(at('BEGIN { printf("}"); @c|').kind, 'expression');
});

test('probe names are filtered by the typed spec; aliases are expanded and kept', () => {
  const probes = ['tracepoint:net:net_dev_queue', 'tracepoint:net:netif_rx', 'tracepoint:sched:sched_switch', 'kprobe:tcp_sendmsg'];
  assert.deepEqual(
    probeSuggestions('tracepoint:net:', probes).items.map((s) => s.label),
    ['tracepoint:net:net_dev_queue', 'tracepoint:net:netif_rx'],
  );
  assert.deepEqual(
    probeSuggestions('t:sched:', probes).items.map((s) => s.insert),
    ['t:sched:sched_switch'],
  );
  const types = probeSuggestions('tra', probes).items;
  assert.ok(
    types.some((s) => s.label === 'tracepoint:' && s.retrigger),
    'probe types first, completing again after the colon',
  );
  assert.ok(types.some((s) => s.label === 'BEGIN'));
});

test('a huge probe list is cut and marked incomplete', () => {
  const probes = Array.from({ length: MAX_PROBE_SUGGESTIONS + 10 }, (_, i) => `kprobe:f${i}`);
  const { items, incomplete } = probeSuggestions('kprobe:', probes);
  assert.equal(items.length, MAX_PROBE_SUGGESTIONS);
  assert.equal(incomplete, true);
});

test('maps and scratch variables are offered from the script itself', () => {
  const script = 'BEGIN { @bytes[comm] = sum(1); $start = nsecs; }';
  assert.deepEqual(
    expressionSuggestions('@', script).map((s) => s.label),
    ['@', '@bytes'],
  );
  assert.deepEqual(
    expressionSuggestions('$', script).map((s) => s.label),
    ['$start'],
  );
  const words = expressionSuggestions('h', script);
  assert.ok(words.some((s) => s.label === 'hist' && s.kind === 'function' && s.snippet));
  assert.ok(words.some((s) => s.label === 'comm' && s.kind === 'builtin'));
});
