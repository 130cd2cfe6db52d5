/**
 * The journey view in Chromium, on payloads the runner's own transform (core/node/run/
 * journey-transform.ts) makes from real output: bpf/skb-journey.bt recorded on a veth pair (a DNS
 * query answered, then one dropped by an OUTPUT DROP rule) and pwru's layouts quoted in its issues
 * (test/fixtures/pwru). The comparison's divergence, the list, the timeline with layer tags, live
 * updates, the bounds, the dark theme, bad and hostile payloads.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { buildJourneys } from '../../core/common/journeys/build.ts';
import { compareJourneys } from '../../core/common/journeys/compare.ts';
import type { JourneyPayload } from '../../core/common/journeys/types.ts';
import { MIME } from '../../core/common/mime.ts';
import type { Cell, Output, OutputItem } from '../../core/common/notebook/model.ts';
import { streamOutput } from '../../core/common/notebook/outputs.ts';
import { journeyTransform } from '../../core/node/run/journey-transform.ts';
import { apply, mount, openHarness, screenshot } from '../support/outputs-harness.ts';

const TRACEPOINT = 'tracepoint-journey-veth-dns.txt';

/** What the runner shows for a cell that printed `file` (a fixture of test/fixtures/pwru). */
function payloadOf(file: string, source: string): JourneyPayload {
  const text = readFileSync(`test/fixtures/pwru/${file}`, 'utf8');
  const cell: Cell = { id: 'c', cellType: 'code', source, metadata: {}, outputs: [streamOutput('stdout', text, 1)], executionCount: 1 };
  const shown: OutputItem[][] = [];
  journeyTransform.afterCell(
    cell,
    { language: 'shell', result: { status: 'ok', stopped: false, durationMs: 1 } },
    { stream: () => undefined, display: (items) => shown.push(items), update: () => undefined, clear: () => undefined, error: () => undefined },
  );
  const item = shown[0]?.find((i) => i.mime === MIME.pwru);
  assert.ok(item, `${file} becomes a journey view`);
  return item.data as unknown as JourneyPayload;
}

const tracepoints = () => payloadOf(TRACEPOINT, 'bpftrace bpf/skb-journey.bt 10.231.0.2 53');

function output(id: string, payload: unknown): Output {
  return { outputId: id, kind: 'display_data', items: [{ mime: MIME.pwru, data: JSON.parse(JSON.stringify(payload)) }] };
}

const out = (page: Page, id: string) => page.locator(`[data-output-id="${id}"]`);
const rows = (page: Page, id: string) => out(page, id).locator('.pb-jn-row');
const steps = (page: Page, id: string) => out(page, id).locator('.pb-jn-steps > .pb-jn-step');
/** The selected journey's steps as [function, layer] pairs. */
const stepsOf = (page: Page, id: string) =>
  steps(page, id).evaluateAll((els) => els.map((e) => [e.querySelector('.pb-jn-fn')!.textContent, e.querySelector('.pb-jn-layer')!.textContent]));

test('the tracepoint journey: the comparison says where the paths part, the list and the timeline follow', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  const payload = tracepoints();
  const c = payload.comparison!;
  assert.ok(c, 'the real trace has a dropped journey beside a delivered one');
  await mount(page, [output('tp', payload)]);
  const tp = out(page, 'tp');
  await tp.locator('.pb-jn').waitFor();
  assert.match((await tp.locator('.pb-jn-head-line').textContent())!, /^tracepoint journey \(no kprobes\)4 journeys.*kfree_skb format/);
  assert.equal(await tp.locator('.pb-jn-command').textContent(), 'bpftrace bpf/skb-journey.bt 10.231.0.2 53');

  // The comparison: above the list, the summary on top, the divergence at net_dev_queue beside nothing.
  const compare = tp.locator('.pb-jn-compare');
  assert.ok((await compare.boundingBox())!.y < (await tp.locator('.pb-jn-list').boundingBox())!.y, 'the comparison comes first');
  assert.equal(await compare.locator('.pb-jn-summary').textContent(), c.summary);
  assert.match(
    c.summary,
    /diverge after fib_table_lookup: journey 1 goes on to net_dev_queue; journey 4 is dropped at kfree_skb \(NETFILTER_DROP\) in nft_do_chain/,
  );
  const cmpRows = compare.locator('.pb-jn-cmp-row:not(.pb-jn-cmp-heads)');
  assert.equal(await cmpRows.count(), c.rows.length);
  const diverge = compare.locator('.pb-jn-cmp-diverge');
  assert.equal(await diverge.count(), 1);
  assert.equal(await diverge.getAttribute('data-row'), String(c.divergeRow));
  assert.equal(await diverge.locator('.pb-jn-cmp-cell').first().locator('.pb-jn-fn').textContent(), 'net_dev_queue');
  assert.equal(await diverge.locator('.pb-jn-cmp-cell').nth(1).textContent(), '', 'the dropped journey has no such step');
  assert.equal(await compare.locator('.pb-jn-cmp-shared').count(), c.divergeRow!, 'the shared prefix');
  assert.equal(
    await compare
      .locator('.pb-jn-cmp-shared .pb-jn-cmp-cell')
      .first()
      .evaluate((e) => getComputedStyle(e).opacity),
    '0.55',
  );
  const look = (sel: string) =>
    compare
      .locator(sel)
      .first()
      .evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.notEqual(await look('.pb-jn-cmp-diverge'), await look('.pb-jn-cmp-shared'), 'the divergence row is highlighted');
  const drop = compare.locator('.pb-jn-cmp-drop-cell');
  assert.equal(await drop.locator('.pb-jn-fn').textContent(), 'kfree_skb');
  assert.equal(await drop.locator('.pb-jn-cmp-drop').textContent(), '✖ dropped at kfree_skb (NETFILTER_DROP) in nft_do_chain');
  assert.deepEqual(await compare.locator('.pb-jn-cmp-head').allTextContents(), ['Journey 1 node in flight', 'Journey 4 node dropped (NETFILTER_DROP)']);

  // The list: one row per journey; the dropped journey is selected first, its end named.
  assert.equal(await rows(page, 'tp').count(), payload.journeys.length);
  assert.equal(await tp.locator('.pb-jn-count').textContent(), '4 journeys');
  assert.deepEqual(
    await rows(page, 'tp').locator('.pb-jn-tuple').allTextContents(),
    payload.journeys.map((j) => j.tuple ?? ''),
  );
  assert.equal(await tp.locator('.pb-jn-row.pb-jn-selected').getAttribute('data-id'), '4');
  assert.deepEqual(await stepsOf(page, 'tp'), [
    ['fib_table_lookup', 'ip'],
    ['kfree_skb', 'skb'],
  ]);
  assert.equal(await tp.locator('.pb-jn-step-drop .pb-jn-reason').textContent(), 'NETFILTER_DROP');
  assert.equal(await tp.locator('.pb-jn-step-drop .pb-jn-caller').textContent(), 'in nft_do_chain');
  assert.equal(await tp.locator('.pb-jn-detail .pb-jn-end').textContent(), 'End dropped at kfree_skb (NETFILTER_DROP) in nft_do_chain');
  // The drop's kernel stack opens on demand, innermost first.
  const stack = tp.locator('.pb-jn-step-drop .pb-jn-stack');
  assert.equal(await stack.isHidden(), true);
  await tp.locator('.pb-jn-step-drop .pb-jn-stack-toggle').click();
  assert.deepEqual(await stack.locator('li').allTextContents(), payload.journeys[3]!.steps[1]!.stack);

  // Journey 1: its six steps in order, each with its layer, and the times between them.
  await rows(page, 'tp').first().click();
  const j1 = payload.journeys[0]!;
  assert.deepEqual(
    await stepsOf(page, 'tp'),
    j1.steps.map((s) => [s.fn, s.layer]),
  );
  assert.deepEqual(await steps(page, 'tp').nth(1).locator('.pb-jn-times span').allTextContents(), ['86.0 µs', '+86.0 µs']);
  assert.equal(await steps(page, 'tp').nth(1).locator('.pb-jn-step-detail').textContent(), 'dev=pbjA0 len=71');
  assert.match((await tp.locator('.pb-jn-detail .pb-jn-end').textContent())!, /still in flight/);
  // Keyboard: down to journey 2, a click on a comparison column head back to journey 4.
  await page.keyboard.press('ArrowDown');
  assert.equal(await tp.locator('.pb-jn-detail-name').textContent(), 'Journey 2');
  await compare.locator('.pb-jn-cmp-head').nth(1).click();
  assert.equal(await tp.locator('.pb-jn-detail-name').textContent(), 'Journey 4');

  // The legend names every layer; the filter narrows the list.
  assert.deepEqual(await tp.locator('.pb-jn-legend .pb-jn-layer').allTextContents(), [
    'socket',
    'transport',
    'ip',
    'netfilter',
    'neighbour',
    'qdisc',
    'device',
    'driver',
    'skb',
    'other',
  ]);
  await tp.locator('.pb-jn-filter').fill('dropped');
  assert.equal(await tp.locator('.pb-jn-count').textContent(), '1 of 4 journeys shown');
  assert.deepEqual(await rows(page, 'tp').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['id'])), ['4']);
  await tp.locator('.pb-jn-filter').fill('netif_rx');
  assert.equal(await tp.locator('.pb-jn-count').textContent(), '2 of 4 journeys shown');
  await tp.locator('.pb-jn-filter').fill('');

  // Another pair: the page aligns it with core's compareJourneys.
  await compare.locator('select[aria-label="Left journey"]').selectOption('2');
  const other = compareJourneys(payload.journeys[1]!, payload.journeys[3]!);
  assert.equal(await compare.locator('.pb-jn-summary').textContent(), other.summary);
  await compare.locator('select[aria-label="Left journey"]').selectOption('1');

  await tp.locator('.pb-jn-stack-toggle').click();
  await screenshot(page, 'journeys-light');
  await page.evaluate(() => window.pbHarness.setTheme('dark'));
  const dark = await tp
    .locator('.pb-jn-layer-netfilter')
    .first()
    .evaluate((e) => getComputedStyle(e).color);
  await page.evaluate(() => window.pbHarness.setTheme('light'));
  assert.notEqual(
    await tp
      .locator('.pb-jn-layer-netfilter')
      .first()
      .evaluate((e) => getComputedStyle(e).color),
    dark,
    'layer colours follow the theme',
  );
  await page.evaluate(() => window.pbHarness.setTheme('dark'));
  await screenshot(page, 'journeys-dark');
  assert.deepEqual(h.consoleErrors, []);
});

test('pwru layouts: every fixture’s journeys listed, its method said, a drop with its reason', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  const files = {
    drop: 'oldest-drop-pr148.txt',
    times: 'old-timestamp-issue149.txt',
    caller: 'v1.0.7-caller-pr373.txt',
    cb: 'v1.0.10-tcpflags-cb-pr466.txt',
    json: 'json-constructed-from-pr373.ndjson',
  };
  const payloads = Object.fromEntries(Object.entries(files).map(([id, f]) => [id, payloadOf(f, 'sudo pwru --output-tuple --output-caller "udp and port 53"')]));
  await mount(
    page,
    Object.entries(payloads).map(([id, p]) => output(id, p)),
  );
  for (const [id, p] of Object.entries(payloads)) {
    await out(page, id).locator('.pb-jn').waitFor();
    assert.equal(await rows(page, id).count(), p.journeys.length, id);
    assert.equal(await out(page, id).locator('.pb-jn-method').textContent(), 'pwru (kprobes)', id);
    assert.equal(await out(page, id).locator('.pb-jn-compare').isHidden(), true, `${id}: no comparison without a delivered journey`);
  }
  const drop = out(page, 'drop');
  assert.equal(await drop.locator('.pb-jn-reasons-from').textContent(), 'drop reasons as pwru named them');
  assert.equal(await drop.locator('.pb-jn-row .pb-jn-end-badge').textContent(), 'dropped (NETFILTER_DROP)');
  assert.deepEqual(await stepsOf(page, 'drop'), [
    ['nf_hook_slow', 'netfilter'],
    ['kfree_skb_reason', 'skb'],
  ]);
  assert.equal(await drop.locator('.pb-jn-detail .pb-jn-end').textContent(), 'End dropped at kfree_skb_reason (NETFILTER_DROP) in nf_hook_slow');
  assert.equal(await out(page, 'json').locator('.pb-jn-meta').first().textContent(), '1 journey · from --output-json');
  // pwru's callers and the same steps from its text and its JSON.
  assert.deepEqual(await stepsOf(page, 'json'), await stepsOf(page, 'caller'));
  assert.ok((await out(page, 'caller').locator('.pb-jn-caller').count()) > 0);
  // --timestamp relative: times since the start and deltas.
  const times = out(page, 'times');
  assert.ok((await times.locator('.pb-jn-step .pb-jn-dt').count()) > 0);
  await screenshot(page, 'journeys-pwru');
  assert.deepEqual(h.consoleErrors, []);
});

test('a new version of the item: redrawn in place, the selection and the filter kept', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  const full = tracepoints();
  const { comparison: _, ...early } = { ...full, journeys: full.journeys.slice(0, 2) };
  await mount(page, [output('live', early)]);
  const live = out(page, 'live');
  await live.locator('.pb-jn').waitFor();
  assert.equal(await live.locator('.pb-jn-compare').isHidden(), true);
  await rows(page, 'live').nth(1).click();
  await live.locator('.pb-jn-filter').fill('node');
  await apply(page, { kind: 'replace', output: output('live', full) });
  await live.locator('.pb-jn-count', { hasText: '4 of 4 journeys shown' }).waitFor();
  assert.equal(await live.locator('.pb-jn-filter').inputValue(), 'node');
  assert.equal(await live.locator('.pb-jn-row.pb-jn-selected').getAttribute('data-id'), '2', 'the selection is kept');
  assert.equal(await live.locator('.pb-jn-detail-name').textContent(), 'Journey 2');
  assert.equal(await live.locator('.pb-jn-compare').isHidden(), false, 'the comparison arrives with the drop');
  assert.equal(await live.locator('.pb-jn-summary').textContent(), full.comparison!.summary);
  assert.deepEqual(h.consoleErrors, []);
});

test('bounds: 200 journeys drawn of 1,000, 300 steps of 400, the rest said', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  // Many skbs of one pattern, and one long skb (the builder keeps 400 steps a journey).
  const fns = ['ip_output', 'nf_hook_slow', 'ip_finish_output2', 'dev_queue_xmit'];
  const events = [
    ...Array.from({ length: 400 * 2 }, (_, i) => ({ skb: '0xlong', fn: fns[i % 4]!, timeNs: i * 1000 })),
    ...Array.from({ length: 1200 }, (_, i) => ({ skb: `0x${(i + 1).toString(16)}`, fn: 'consume_skb', timeNs: i })),
  ];
  const { journeys, omitted } = buildJourneys(events);
  const payload: JourneyPayload = { version: 1, method: 'pwru', format: 'text', journeys, omitted, otherLines: 0 };
  await mount(page, [output('big', payload)]);
  const big = out(page, 'big');
  await big.locator('.pb-jn').waitFor();
  assert.equal(await rows(page, 'big').count(), 200);
  assert.equal(await big.locator('.pb-jn-count').textContent(), '1,000 journeys');
  assert.equal(await big.locator('.pb-jn-more:not([hidden])').first().textContent(), '… 800 more journeys not drawn: narrow the filter to see them.');
  assert.match((await big.locator('.pb-note').textContent())!, new RegExp(`^${omitted.journeys} journeys and ${omitted.steps} steps left out`));
  assert.equal(journeys[0]!.steps.length, 400);
  assert.equal(await steps(page, 'big').count(), 300);
  assert.equal(await big.locator('.pb-jn-detail .pb-jn-more').textContent(), '… 100 more steps');
  await big.locator('.pb-jn-filter').fill('#999');
  assert.equal(await rows(page, 'big').count(), 1, 'the filter reaches journeys past the drawn ones');
  assert.deepEqual(h.consoleErrors, []);
});

test('bad and hostile payloads: the error box; names with HTML stay text in an untrusted notebook', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  const payload = tracepoints();
  const evil = '<img src=x onerror="window.__pwned=1">';
  const hostile = JSON.parse(JSON.stringify(payload)) as JourneyPayload;
  hostile.journeys[3]!.steps[1]!.fn = evil;
  hostile.journeys[3]!.end = { kind: 'dropped', at: evil, reason: '<u>R</u>' };
  hostile.journeys[3]!.steps[1]!.layer = '"><script>window.__pwned=1</script>' as never;
  hostile.journeys[3]!.process = '<b>bold</b>';
  hostile.comparison!.summary = '<script>window.__pwned=1</script>';
  hostile.command = '<i>x</i>';
  await mount(
    page,
    [
      { outputId: 'bad', kind: 'display_data', items: [{ mime: MIME.pwru, data: { journeys: 'many' } }] },
      output('bad2', { ...payload, journeys: [{ id: 1, skb: '0x1', steps: [], end: { kind: 'lost' } }] }),
      output('evil', hostile),
    ],
    { trusted: false },
  );
  await out(page, 'bad').locator('.pb-render-error', { hasText: 'not a journey payload' }).waitFor();
  await out(page, 'bad2').locator('.pb-render-error', { hasText: 'needs an end of kind consumed, dropped or in_flight' }).waitFor();
  const evilOut = out(page, 'evil');
  await evilOut.locator('.pb-jn').waitFor();
  assert.equal(await evilOut.locator('.pb-jn-summary').textContent(), '<script>window.__pwned=1</script>');
  assert.equal(await evilOut.locator('.pb-jn-step-drop .pb-jn-fn').textContent(), evil);
  assert.equal(await evilOut.locator('.pb-jn-step-drop .pb-jn-layer').textContent(), 'other', 'an unknown layer is shown as other');
  assert.equal(await evilOut.locator('.pb-jn-cmp-drop').textContent(), `✖ dropped at ${evil} (<u>R</u>)`);
  assert.equal(await evilOut.locator('.pb-jn-row.pb-jn-selected .pb-jn-process').textContent(), '<b>bold</b>');
  assert.equal(
    await page
      .locator('[data-output-id="evil"] script, [data-output-id="evil"] img, [data-output-id="evil"] b, [data-output-id="evil"] i, [data-output-id="evil"] u')
      .count(),
    0,
  );
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.deepEqual(
    h.consoleErrors.filter((e) => !e.includes('could not be shown') && !/renderer .* failed/.test(e)),
    [],
  );
});
