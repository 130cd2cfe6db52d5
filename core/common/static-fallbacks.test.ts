import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIME } from './mime.ts';
import type { Json } from './notebook/model.ts';
import { FALLBACK_ROWS, staticHtml, withStaticFallbacks } from './static-fallbacks.ts';

const packets = (count: number, summary = (i: number) => `IP 10.0.0.1 > 10.0.0.2: ICMP echo request, seq ${i}`) =>
  ({
    version: 1,
    source: 'text',
    text: { packets: Array.from({ length: count }, (_, i) => ({ no: i + 1, time: `12:00:00.${String(i).padStart(6, '0')}`, summary: summary(i + 1) })) },
    count,
    live: false,
    problems: [],
  }) as unknown as Json;

test('a packet list keeps its first rows and says how many more there are', () => {
  const html = staticHtml(MIME.packets, packets(1000))!;
  assert.equal(html.match(/<tr><td/g)!.length, FALLBACK_ROWS + 1, 'the rows shown and the "more" row');
  assert.match(html, /… 950 more packets/);
  assert.ok(html.length < 10_000, `small: ${html.length} characters`);
  assert.doesNotMatch(staticHtml(MIME.packets, packets(3)) ?? '', /more packets/);
});

test('everything from the tools is escaped: no markup, no scripts, no control characters', () => {
  const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>"\'&\x1b[31m\x00';
  const outputs: [string, Json][] = [
    [MIME.packets, packets(2, () => hostile)],
    [MIME.table, { columns: [hostile], rows: [{ [hostile]: hostile }] }],
    [MIME.bpfProgram, { version: 1, format: 'd', expression: hostile, text: hostile }],
    [
      MIME.bpftrace,
      {
        version: 1,
        name: '@x',
        kind: 'map',
        keyless: false,
        printIndex: 0,
        time: 0,
        entries: [{ key: [hostile], rawKey: hostile, value: { type: 'scalar', value: hostile } }],
      },
    ],
    [
      MIME.rules,
      {
        version: 1,
        format: 'iptables-list',
        listings: 1,
        problems: [],
        command: hostile,
        tables: [{ name: hostile, chains: [{ name: hostile, rules: [{ position: 1, target: hostile, match: hostile }] }] }],
      },
    ],
    [
      MIME.pwru,
      {
        version: 1,
        method: 'pwru',
        format: 'text',
        otherLines: 0,
        journeys: [
          {
            id: 1,
            skb: hostile,
            tuple: hostile,
            steps: [{ fn: hostile, layer: 'skb', count: 1, detail: hostile }],
            end: { kind: 'dropped', at: hostile, reason: hostile },
          },
        ],
      },
    ],
  ];
  for (const [mime, data] of outputs) {
    const html = staticHtml(mime, data)!;
    assert.ok(html, mime);
    assert.doesNotMatch(html, /<(img|script)\b/i, mime);
    assert.doesNotMatch(html, /[\x00\x1b]/, mime);
    assert.match(html, /&lt;script&gt;alert\(2\)&lt;\/script&gt;/, mime);
    // Only plain table markup: no attribute but a row's colspan.
    for (const [, name, attributes] of html.matchAll(/<\/?([a-z]+)([^>]*)>/g)) {
      assert.ok(['table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'b', 'p', 'pre'].includes(name!), `${mime}: <${name}>`);
      assert.match(attributes!, /^( colspan="\d+")?$/, `${mime}: <${name}${attributes}>`);
    }
  }
});

test('fallbacks are added once, only to Probebook views, never to live captures or malformed payloads', () => {
  const plain = { mime: MIME.plain, data: 'text' };
  const view = { mime: MIME.packets, data: packets(2) };
  const withHtml = withStaticFallbacks([view, plain]);
  assert.deepEqual(
    withHtml.map((i) => i.mime),
    [MIME.packets, MIME.plain, MIME.html],
  );
  assert.equal(withStaticFallbacks(withHtml), withHtml, 'not twice');
  assert.deepEqual(withStaticFallbacks([plain]), [plain]);
  assert.deepEqual(withStaticFallbacks([{ mime: MIME.plotly, data: { data: [] } }, plain]).length, 2, 'figures are not tables');
  const live = { mime: MIME.packets, data: { ...(packets(2) as object), live: true } as Json };
  assert.equal(withStaticFallbacks([live, plain]).length, 2, 'a live capture is still changing');
  assert.equal(withStaticFallbacks([{ mime: MIME.rules, data: 'not a payload' }, plain]).length, 2, 'a malformed payload gets none, and does not throw');
});
