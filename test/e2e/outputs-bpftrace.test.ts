/**
 * bpftrace outputs in Chromium, from real bpftrace 0.17 captures: map tables (sort, filter, CSV),
 * histograms labelled like bpftrace, stats tables, and interval prints folded into one live chart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { apply, fixture, mount, openHarness, payloadsFromNdjson, screenshot } from '../support/outputs-harness.ts';
import { MIME } from '../../core/common/mime.ts';
import type { Output } from '../../core/common/notebook/model.ts';
import type { BpftraceMapPayload } from '../../core/common/parsers/bpftrace/types.ts';

function asOutput(p: BpftraceMapPayload, i: number): Output {
  return {
    outputId: `bt${i}`,
    kind: 'display_data',
    items: [
      { mime: MIME.bpftrace, data: p as never },
      { mime: MIME.plain, data: `${p.name}` },
    ],
  };
}

test('maps, histograms and stats from real captures render as tables and labelled charts', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  const payloads = [...payloadsFromNdjson(fixture('bt017-json-maps.ndjson')), ...payloadsFromNdjson(fixture('bt017-bloat-lab-baseline.ndjson'))];
  const outputs = payloads.map(asOutput);
  await page.evaluate(() => {
    (window as unknown as { copied: string[] }).copied = [];
    navigator.clipboard.writeText = async (s: string) => void (window as unknown as { copied: string[] }).copied.push(s);
  });
  await mount(page, outputs);
  const byName = (name: string) => page.locator('.pb-output', { has: page.locator('.pb-bt-name', { hasText: new RegExp(`^${name}$`) }) });

  // @x[comm, pid]: one column per key part, sortable, filterable.
  const x = byName('@x');
  assert.deepEqual(await x.locator('th').allTextContents(), ['key 1', 'key 2', 'value']);
  const col = (i: number) => x.locator(`tbody tr td:nth-child(${i})`).allTextContents();
  assert.deepEqual(await col(2), ['15030', '15032', '15033', '15034', '15031', '15035'], 'source order first');
  await x.locator('th button', { hasText: 'value' }).click();
  assert.deepEqual(await col(3), ['10', '2', '2', '2', '2', '2'], 'numbers sort biggest first');
  await x.locator('th button', { hasText: 'key 2' }).click();
  assert.deepEqual(await col(2), ['15030', '15031', '15032', '15033', '15034', '15035']);
  await x.locator('th button', { hasText: 'key 2' }).click();
  assert.deepEqual(await col(2), ['15035', '15034', '15033', '15032', '15031', '15030']);
  assert.equal(await x.locator('th[aria-sort="descending"]').textContent(), 'key 2▼');
  await x.locator('.pb-filter').fill('python');
  assert.deepEqual(await col(1), ['python3']);
  assert.equal(await x.locator('.pb-table-count').textContent(), '1 of 6 rows');
  // The value cell of the biggest value carries a full-width bar.
  assert.equal(
    await x
      .locator('tbody td.pb-bar')
      .first()
      .evaluate((e) => (e as HTMLElement).style.getPropertyValue('--pb-bar-width')),
    '100.0%',
  );
  await x.locator('.pb-filter').fill('');
  await x.locator('button', { hasText: 'CSV' }).click();
  await x.locator('.pb-btn-done').waitFor();
  assert.equal(
    (await page.evaluate(() => (window as unknown as { copied: string[] }).copied)).at(-1),
    'key 1,key 2,value\r\npython3,15035,10\r\ncurl,15034,2\r\ncurl,15033,2\r\ncurl,15032,2\r\ncurl,15031,2\r\ncurl,15030,2\r\n',
  );

  // hist(): labels exactly as bpftrace prints them.
  const sendto = byName('@sendto_ns');
  const labels = await sendto.locator('.pb-chart-label').allTextContents();
  assert.deepEqual(labels, ['[1K, 2K)', '[2K, 4K)', '[4K, 8K)', '[8K, 16K)', '[16K, 32K)', '[32K, 64K)', '[64K, 128K)', '[128K, 256K)']);
  assert.deepEqual(await sendto.locator('.pb-chart-value').allTextContents(), ['19952', '27', '5', '1', '11', '3', '0', '1']);
  const bars = await sendto.locator('.pb-hist-bar').evaluateAll((els) => els.map((e) => Number(e.getAttribute('width'))));
  assert.ok(bars[0]! > 100 && bars[6] === 0 && bars[7]! >= 1, `bar widths follow counts: ${bars.join(', ')}`);
  // lhist(): linear labels with the open upper end.
  const l = await byName('@l').locator('.pb-chart-label').allTextContents();
  assert.equal(l[0], '[0, 100)');
  assert.equal(l.at(-1), '[1500, ...)');
  assert.equal(l.length, 16);
  // The histogram copies as bpftrace's text.
  await byName('@h').locator('button', { hasText: 'Text' }).click();
  const text = (await page.evaluate(() => (window as unknown as { copied: string[] }).copied)).at(-1)!;
  assert.match(text, /^@h:\n\[32, 64\) +6 \|@{52}\|\n/);
  assert.match(text, /\[512, 1K\) +4 \|@{35} {17}\|/);
  // ... and as a bucket table.
  await byName('@h').locator('button', { hasText: 'Table' }).click();
  assert.deepEqual(await byName('@h').locator('tbody tr:first-child td').allTextContents(), ['[32, 64)', '32', '63', '6']);

  // stats(): count / average / total per key; avg(): the average alone.
  const drop = byName('@drop_reason_ns');
  assert.deepEqual(await drop.locator('th').allTextContents(), ['key', 'count', 'average', 'total']);
  assert.deepEqual(await drop.locator('tbody td').allTextContents(), ['12', '20,000', '487', '9,755,831']);
  assert.equal(await byName('@a').locator('th').textContent(), 'average');
  // Keyless count map `@` keyed by comm, and the plain-text fallback never shows.
  assert.deepEqual(await byName('@').locator('tbody td:first-child').allTextContents(), ['curl', 'python3']);
  assert.equal(await page.locator('.pb-render-error').count(), 0);
  await screenshot(page, 'bpftrace-light');
  await page.evaluate(() => window.pbHarness.setTheme('dark'));
  await screenshot(page, 'bpftrace-dark');
  assert.deepEqual(h.consoleErrors, []);
});

test('a map printed every second becomes one live line chart that grows, next to its latest table', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  // As `interval:s:1 { print(@); clear(@); }` over tracepoint:net:net_dev_queue { @[comm] = count(); } prints it.
  const runStart = 1_700_000_000_000;
  const print = (i: number): Output => {
    const counts: Record<string, number> = { iperf3: 900 + 40 * i, curl: i % 3 === 0 ? 12 : 0, sshd: 3 + (i % 2) };
    const entries = Object.entries(counts)
      .filter(([, v]) => v > 0)
      .sort((a, b) => a[1] - b[1])
      .map(([k, v]) => ({ key: [k], rawKey: k, value: { type: 'scalar' as const, value: v } }));
    const p: BpftraceMapPayload = { version: 1, name: '@', kind: 'map', keyless: false, entries, printIndex: i, time: runStart + (i + 1) * 1000, runStart };
    return asOutput(p, i);
  };
  const stdout: Output = { outputId: 'out', kind: 'stream', items: [{ mime: MIME.stdout, data: 'Attaching 2 probes...\n' }] };
  await mount(page, [stdout, print(0)]);
  assert.equal(await page.locator('.pb-bt-series').count(), 0, 'one print is a table');
  assert.equal(await page.locator('.pb-table').count(), 1);
  for (let i = 1; i < 4; i++) await apply(page, { kind: 'add', output: print(i) });
  await page.evaluate(() => window.pbHarness.flush());
  assert.equal(await page.locator('.pb-bt-series').count(), 1, 'repeated prints fold into one view');
  assert.equal(await page.locator('.pb-output').count(), 2, 'the stream and the series; no table per print');
  assert.equal(await page.locator('.pb-bt-series .pb-bt-when').textContent(), '4 prints · 4s');
  const points = () => page.locator('.pb-bt-series circle.pb-series-0').count();
  assert.equal(await points(), 4);
  for (let i = 4; i < 12; i++) await apply(page, { kind: 'add', output: print(i) });
  await page.evaluate(() => window.pbHarness.flush());
  assert.equal(await points(), 12, 'the chart grew');
  assert.deepEqual(await page.locator('.pb-bt-series .pb-legend-item').allTextContents(), ['iperf3', 'sshd', 'curl']);
  // The latest print is the table beside the chart.
  assert.deepEqual(await page.locator('.pb-bt-series-latest tbody td:first-child').allTextContents(), ['sshd', 'iperf3']);
  assert.deepEqual(await page.locator('.pb-bt-series-latest tbody td:nth-child(2)').allTextContents(), ['4', '1,340']);
  assert.deepEqual(
    await page
      .locator('.pb-bt-series .pb-chart-tick')
      .allTextContents()
      .then((t) => t.filter((s) => s.endsWith('s'))),
    ['0s', '5s', '10s'],
    'x axis: seconds since the run start (prints at 1s … 12s)',
  );
  // Hover shows the values at that time.
  const box = (await page.locator('.pb-bt-series svg.pb-line-chart').boundingBox())!;
  await page.mouse.move(box.x + box.width - 16, box.y + 60);
  await page.locator('.pb-tip:not([hidden])').waitFor();
  assert.match((await page.locator('.pb-tip').textContent()) ?? '', /\+12s.*iperf3.*1,340/);
  await screenshot(page, 'bpftrace-live-chart');
  // The chart downloads as PNG.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.pb-bt-series .pb-bt-head button', { hasText: 'PNG' }).click()]);
  const png = readFileSync((await download.path())!);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(download.suggestedFilename(), 'map-over-time.png');
  // Ctrl-C 0.15 s after the last interval: bpftrace prints the map once more, holding 0.15 s of
  // counts. That point is drawn as partial (dashed to a hollow dot), and does not rank the keys.
  const exit = print(12);
  const exitPayload = exit.items[0]!.data as unknown as BpftraceMapPayload;
  exitPayload.time = runStart + 12_150;
  exitPayload.entries = [
    { key: ['curl'], rawKey: 'curl', value: { type: 'scalar', value: 40 } },
    { key: ['iperf3'], rawKey: 'iperf3', value: { type: 'scalar', value: 31 } },
  ];
  await apply(page, { kind: 'add', output: exit });
  await page.evaluate(() => window.pbHarness.flush());
  assert.match((await page.locator('.pb-bt-series .pb-bt-when').textContent()) ?? '', /^13 prints · .* · last one partial \(dashed\)$/);
  assert.match((await page.locator('.pb-bt-series .pb-bt-when').getAttribute('title')) ?? '', /covers 0.15s of a 1s interval/);
  assert.equal(await page.locator('.pb-bt-series path.pb-series-partial').count(), 3, 'one dashed tail per series');
  assert.equal(await page.locator('.pb-bt-series circle.pb-dot-partial').count(), 3);
  assert.equal(await page.locator('.pb-bt-series circle.pb-series-0:not(.pb-dot-partial)').count(), 12);
  assert.deepEqual(await page.locator('.pb-bt-series .pb-legend-item').allTextContents(), ['iperf3', 'sshd', 'curl'], 'ranked by the last full interval');
  await page.mouse.move(box.x + box.width - 12, box.y + 60);
  await page.waitForFunction(() => /covers/.test(document.querySelector('.pb-tip:not([hidden])')?.textContent ?? ''));
  await screenshot(page, 'bpftrace-live-chart-partial');
  assert.deepEqual(h.consoleErrors, []);
});

test('a damaged output shows an error box with its raw data and the others still render', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  await page.evaluate((m) => {
    window.pbHarness.mount([
      { outputId: 'bad', kind: 'display_data', items: [{ mime: m.bpftrace, data: { name: '@broken', kind: 'map' } }] },
      { outputId: 'ok', kind: 'stream', items: [{ mime: m.stdout, data: 'still here\n' }] },
    ]);
  }, MIME);
  const box = page.locator('[data-output-id="bad"] .pb-render-error');
  assert.match((await box.textContent())!, /could not be shown.*not a bpftrace map payload/);
  await box.locator('button', { hasText: 'Show raw data' }).click();
  assert.match((await box.locator('.pb-raw').textContent())!, /"name": "@broken"/);
  assert.equal(await page.locator('[data-output-id="ok"] .pb-line').textContent(), 'still here');
});
