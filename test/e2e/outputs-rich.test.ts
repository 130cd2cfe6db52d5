/**
 * The other rich outputs in Chromium: images, JSON trees, `table+json`, markdown, unknown
 * types, trust changes switching renderers, and in-place display updates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apply, mount, openHarness, screenshot } from '../support/outputs-harness.ts';
import { MIME } from '../../core/common/mime.ts';
import type { Output } from '../../core/common/notebook/model.ts';

// An 8×4 red PNG made for this test.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAECAIAAAA8r+mnAAAAEUlEQVR4nGM4YWODFTFQTwIA4k0oATuABEUAAAAASUVORK5CYII=';

function o(id: string, items: { mime: string; data: unknown }[], extra: Partial<Output> = {}): Output {
  return { outputId: id, kind: 'display_data', items: items as Output['items'], ...extra };
}

test('images, JSON, tables, markdown and unknown types render; trust and updates switch in place', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  const outputs: Output[] = [
    o('png', [{ mime: MIME.png, data: `${PNG}\n` }], { metadata: { [MIME.png]: { width: 64 } } }),
    o('json', [{ mime: MIME.json, data: { iperf3: { intervals: Array.from({ length: 250 }, (_, i) => ({ t: i, bps: i * 1e6 })) }, ok: true } }]),
    o('table', [
      {
        mime: MIME.table,
        data: {
          columns: ['rules', { name: 'Mbit/s', type: 'number' }],
          rows: [
            [0, 941.2],
            [1000, 610.5],
            [5000, 88.1],
          ],
        },
      },
    ]),
    o('md', [{ mime: MIME.markdown, data: '## Result\n\n| rules | Mbit/s |\n|---|---|\n| 0 | 941 |\n\n`nf_hook_slow` dominates.' }]),
    o('unknown', [{ mime: 'application/x-custom', data: { a: 1 } }]),
    o('html', [
      { mime: MIME.html, data: '<table><tr><th>a</th></tr><tr><td id="cell">1</td></tr></table>' },
      { mime: MIME.plain, data: 'a\n1' },
    ]),
  ];
  await mount(page, outputs, { trusted: true });

  const img = page.locator('[data-output-id="png"] img');
  await img.evaluate((e: HTMLImageElement) => e.decode());
  assert.equal(await img.evaluate((e: HTMLImageElement) => [e.naturalWidth, e.width].join('x')), '8x64');

  // JSON: two levels open, big arrays paged and built on demand.
  const json = page.locator('[data-output-id="json"]');
  assert.equal(await json.locator('summary', { hasText: '250 items' }).count(), 1);
  await json.locator('summary', { hasText: '250 items' }).click();
  assert.equal(await json.locator('.pb-json-more:not([hidden])').textContent(), 'Show 100 more of 150');
  assert.equal(await json.locator('.pb-json-bool').textContent(), 'true');

  // table+json: declared number column sorts numerically.
  const table = page.locator('[data-output-id="table"]');
  await table.locator('th button', { hasText: 'Mbit/s' }).click();
  assert.deepEqual(await table.locator('tbody td:first-child').allTextContents(), ['0', '1,000', '5,000']);
  await table.locator('th button', { hasText: 'Mbit/s' }).click();
  assert.deepEqual(await table.locator('tbody td:nth-child(2)').allTextContents(), ['88.1', '610.5', '941.2']);

  assert.equal(await page.locator('[data-output-id="md"] h2').textContent(), 'Result');
  assert.equal(await page.locator('[data-output-id="md"] td').first().textContent(), '0');
  assert.match((await page.locator('[data-output-id="unknown"] .pb-output-notice').textContent())!, /cannot show this output \(application\/x-custom\)/);

  // Trusted HTML is inline (shadow root); making the notebook untrusted moves it into a sandboxed frame.
  const body = page.locator('[data-output-id="html"] .pb-output-body');
  assert.equal(await body.getAttribute('data-renderer'), 'html');
  await page.evaluate(() => window.pbHarness.setTrusted(false));
  assert.equal(await body.getAttribute('data-renderer'), 'html-frame');
  await page.frameLocator('[data-output-id="html"] iframe').locator('#cell').waitFor();

  // A display update replaces the output in place.
  await apply(page, {
    kind: 'replace',
    output: o('table', [
      {
        mime: MIME.table,
        data: {
          columns: ['rules', { name: 'Mbit/s', type: 'number' }],
          rows: [
            [0, 941.2],
            [9000, 12.5],
          ],
        },
      },
    ]),
  });
  assert.deepEqual(await table.locator('tbody td:nth-child(2)').allTextContents(), ['12.5', '941.2'], 'new rows, same sort');
  await screenshot(page, 'rich');
  // Clearing removes everything.
  await page.evaluate(() => window.pbHarness.apply({ kind: 'clear' }));
  assert.equal(await page.locator('.pb-output').count(), 0);
  assert.deepEqual(h.consoleErrors, []);
});
