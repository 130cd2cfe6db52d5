import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildJourneys } from '../../journeys/build.ts';
import { createPwruParser, type PwruEvent, type PwruItem, pwruJourneyEvents } from './pwru-parser.ts';

const fixtures = join(import.meta.dirname, '../../../../test/fixtures/pwru');
const read = (name: string) => readFileSync(join(fixtures, name), 'utf8');

function parse(text: string, chunk = text.length): { events: PwruEvent[]; items: PwruItem[] } {
  const parser = createPwruParser();
  const items: PwruItem[] = [];
  for (let i = 0; i < text.length; i += chunk) items.push(...parser.push(text.slice(i, i + chunk)));
  items.push(...parser.end());
  return { events: items.flatMap((i) => (i.kind === 'event' ? [i.event] : [])), items };
}

const rowsOf = (text: string) => text.split('\n').filter((l) => /^(\S+\s+)?0x[0-9a-f]{8,}\s/.test(l) || l.startsWith('{')).length;

test('every pwru fixture layout parses: one event per row, each with skb, cpu, process and function', () => {
  const files = readdirSync(fixtures)
    .filter((f) => f.endsWith('.txt') || f.endsWith('.ndjson'))
    .filter((f) => !f.startsWith('tracepoint'));
  assert.ok(files.length >= 10);
  for (const file of files) {
    const text = read(file);
    const { events } = parse(text);
    assert.equal(events.length, rowsOf(text), file);
    for (const e of events) {
      assert.match(e.skb, /^0x[0-9a-f]+$/, file);
      assert.ok(e.process.length > 0, file);
      assert.match(e.func, /^[A-Za-z_][\w.]*(\[\w+\])?$/, `${file}: ${e.func}`);
      assert.ok(!e.func.includes('->'), file);
    }
  }
});

test('the same journey from the v1.0.7 text and its --output-json rows', () => {
  const model = (name: string) =>
    buildJourneys(pwruJourneyEvents(parse(read(name)).events)).journeys.map((j) => ({
      skb: j.skb,
      tuple: j.tuple,
      steps: j.steps.map((s) => [s.fn, s.layer, s.caller]),
      end: j.end,
    }));
  assert.deepEqual(model('json-constructed-from-pr373.ndjson'), model('v1.0.7-caller-pr373.txt'));
});

test('v1.0.7 columns: meta, tuple and caller land in their fields however wide the padding', () => {
  const [first, , third] = parse(read('v1.0.7-caller-pr373.txt')).events;
  assert.deepEqual(
    {
      process: first!.process,
      netns: first!.netns,
      iface: first!.iface,
      proto: first!.proto,
      len: first!.len,
      tuple: first!.tuple,
      func: first!.func,
      caller: first!.caller,
    },
    {
      process: '~bin/curl:659155',
      netns: 4026531840,
      iface: '0',
      proto: '0x0000',
      len: 60,
      tuple: '10.103.80.168:55476->1.1.1.1:80(tcp)',
      func: 'ip_local_out',
      caller: '__ip_queue_xmit',
    },
  );
  assert.equal(third!.func, 'nf_hook_slow');
  const cb = parse(read('v1.0.10-tcpflags-cb-pr466.txt')).events[1]!;
  assert.deepEqual([cb.tuple, cb.func, cb.caller], ['192.168.241.1:8080->192.168.241.133:32956(tcp:RST|ACK)', 'tcp4_gro_receive', undefined]);
});

test('the old layout: bracketed process, function, relative timestamp and key=value meta', () => {
  const events = parse(read('old-timestamp-issue149.txt')).events;
  assert.deepEqual(
    events.map((e) => [e.process, e.func, e.timestamp, e.len]),
    [
      ['[agent]', 'skb_release_data', 1616, 120],
      ['[agent]', 'kfree_skbmem', 1634, 120],
      ['[agent]', 'skb_consume_udp', 10517284, 116],
      ['[agent]', '__consume_stateless_skb', 1194, 116],
      ['[agent]', 'skb_release_data', 1203, 116],
    ],
  );
  // Times that go down within an skb are relative: the second journey's steps add up.
  const journeys = buildJourneys(pwruJourneyEvents(events)).journeys;
  assert.deepEqual(
    journeys[1]!.steps.map((s) => s.dtNs),
    [undefined, 1194, 1203],
  );
  assert.deepEqual(journeys[1]!.end, { kind: 'consumed', at: 'skb_consume_udp' });
});

test('a drop with its reason ends the journey, named where it happened', () => {
  const { journeys } = buildJourneys(pwruJourneyEvents(parse(read('oldest-drop-pr148.txt')).events));
  assert.equal(journeys.length, 1);
  assert.deepEqual(journeys[0]!.end, { kind: 'dropped', at: 'kfree_skb_reason', reason: 'NETFILTER_DROP', where: 'nf_hook_slow' });
  assert.deepEqual(
    journeys[0]!.steps.map((s) => s.layer),
    ['netfilter', 'skb'],
  );
  const noReason = buildJourneys(pwruJourneyEvents(parse(read('v1.0.7-drop-issue429.txt')).events)).journeys[0]!;
  assert.deepEqual(noReason.end, { kind: 'dropped', at: 'sk_skb_reason_drop' });
});

test('chunks split anywhere give the same events as the whole text', () => {
  for (const file of ['v1.0.7-caller-pr373.txt', 'old-meta-pr194.txt', 'json-constructed-from-pr373.ndjson', 'v1.0.7-egress-issue43250.txt']) {
    const whole = parse(read(file)).events;
    for (const size of [1, 7, 64]) assert.deepEqual(parse(read(file), size).events, whole, `${file} in chunks of ${size}`);
  }
});

test('log lines and garbage stay text, never throw; stack frames attach to their row', () => {
  const text = `${read('v1.0.7-egress-issue43250.txt')}{"not":"pwru"}\n0xzz 1 x\n\u0000\u0001 binary\n`;
  const { items } = parse(text);
  assert.equal(items.filter((i) => i.kind === 'header').length, 1);
  assert.ok(items.filter((i) => i.kind === 'text').some((i) => i.kind === 'text' && i.text.includes('Listening for events')));
  assert.equal(items.filter((i) => i.kind === 'event').length, 4);
  // pwru --output-stack prints one symbol a line after its row (internal/pwru/output.go getStackData).
  const stacked = parse(
    '0xffff918922e634e8 3   ~bin/curl:659155 4026531840 0 0 0x0800 0 60 10.103.80.168:55476->1.1.1.1:80(tcp) nf_hook_slow\nnf_hook_slow\n__ip_local_out\nip_local_out\n',
  ).events;
  assert.deepEqual(stacked[0]!.stack, ['nf_hook_slow', '__ip_local_out', 'ip_local_out']);
});
