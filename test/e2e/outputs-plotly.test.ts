/**
 * Plotly figures in Chromium: drawn inside the sandboxed frame under the app's CSP, themed,
 * updated in place, big traces switched to WebGL (or SVG with a note), PNG/SVG export.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { apply, mount, openHarness, screenshot } from '../support/outputs-harness.ts';
import { MIME } from '../../core/common/mime.ts';
import type { Output } from '../../core/common/notebook/model.ts';

function plot(id: string, figure: unknown): Output {
  return {
    outputId: id,
    kind: 'display_data',
    items: [
      { mime: MIME.plotly, data: figure as never },
      { mime: MIME.plain, data: '<Figure>' },
    ],
  };
}

test('a plotly figure draws in a sandboxed frame, follows the theme, updates in place and exports PNG', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  const figure = {
    data: [{ x: [0, 1, 2, 3, 4], y: [10, 12, 9, 14, 20], type: 'scatter', name: 'Mbit/s' }],
    layout: { title: { text: 'iperf3 throughput' }, height: 320 },
  };
  await mount(page, [plot('p1', figure)]);
  const iframe = page.locator('[data-output-id="p1"] iframe.pb-frame');
  assert.equal(await iframe.getAttribute('sandbox'), 'allow-scripts', 'scripts only: no allow-same-origin');
  const frame = page.frameLocator('[data-output-id="p1"] iframe.pb-frame');
  await frame.locator('.main-svg').first().waitFor({ timeout: 20_000 });
  await page.locator('[data-output-id="p1"] .pb-plot-ready').waitFor();
  assert.equal(await frame.locator('.scatterlayer .trace').count(), 1);
  assert.equal(await frame.locator('.gtitle').textContent(), 'iperf3 throughput');
  assert.match(
    await frame
      .locator('.main-svg')
      .first()
      .evaluate((e) => getComputedStyle(e).background),
    /rgb\(255, 255, 255\)/,
  );
  // The frame grew to the figure's height.
  const height = await iframe.evaluate((e) => e.getBoundingClientRect().height);
  assert.ok(height >= 320 && height < 360, `frame height ${height}`);
  await screenshot(page, 'plotly-light');
  // It resizes with its container.
  const plotWidth = () =>
    frame
      .locator('.main-svg')
      .first()
      .evaluate((e) => e.getBoundingClientRect().width);
  const wide = await plotWidth();
  await page.evaluate(() => (document.getElementById('stage')!.style.maxWidth = '600px'));
  await page.waitForFunction(async () => {
    const f = document.querySelector<HTMLIFrameElement>('[data-output-id="p1"] iframe')!;
    return f.getBoundingClientRect().width <= 600;
  });
  // The plot redraws inside its frame a while after the frame narrowed: wait for that (a loaded
  // machine takes longer than a few seconds), then check.
  const plotFrame = (await (await iframe.elementHandle())!.contentFrame())!;
  // (Polled on a timer: a frame out of view gets no animation frames.)
  await plotFrame
    .waitForFunction(() => (document.querySelector('.main-svg')?.getBoundingClientRect().width ?? Infinity) <= 600, undefined, {
      polling: 100,
      timeout: 20_000,
    })
    .catch(() => undefined);
  const narrow = await plotWidth();
  assert.ok(narrow <= 600 && narrow < wide, `plot width ${wide} → ${narrow} (frame ${await iframe.evaluate((e) => e.getBoundingClientRect().width)})`);
  await page.evaluate(() => (document.getElementById('stage')!.style.maxWidth = ''));

  // Theme follows the page.
  await page.evaluate(() => window.pbHarness.setTheme('dark'));
  await plotFrame
    .waitForFunction(
      () => {
        const svg = document.querySelector('.main-svg');
        return !!svg && /30, 30, 30/.test(getComputedStyle(svg).background);
      },
      undefined,
      { polling: 100, timeout: 20_000 },
    )
    .catch(() => undefined);
  assert.match(
    await frame
      .locator('.main-svg')
      .first()
      .evaluate((e) => getComputedStyle(e).background),
    /rgb\(30, 30, 30\)/,
  );
  await screenshot(page, 'plotly-dark');

  // Update in place: same frame, new data.
  const before = await iframe.elementHandle();
  await apply(page, {
    kind: 'replace',
    output: plot('p1', { data: [...figure.data, { x: [0, 4], y: [5, 5], type: 'scatter', name: 'target' }], layout: figure.layout }),
  });
  await frame.locator('.scatterlayer .trace:nth-child(2)').waitFor();
  assert.equal(await frame.locator('.scatterlayer .trace').count(), 2);
  assert.equal(await page.evaluate((el) => el!.isConnected, before), true, 'the same frame was updated');

  // PNG export through the page (the sandbox has no downloads).
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-output-id="p1"] button', { hasText: 'PNG' }).click()]);
  const png = readFileSync((await download.path())!);
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.ok(png.length > 5000, `a real image (${png.length} bytes)`);
  const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-output-id="p1"] button', { hasText: 'SVG' }).click()]);
  assert.match(readFileSync((await svgDownload.path())!, 'utf8'), /<svg[^>]*>/);
  assert.deepEqual(h.consoleErrors, []);
});

test('scatter traces past 10,000 points use WebGL where it works, else SVG with a note', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  const n = 20_000;
  await page.evaluate(
    ({ n, m }) => {
      const x = Array.from({ length: n }, (_, i) => i);
      const y = x.map((i) => Math.sin(i / 500) * 100 + (i % 17));
      window.pbHarness.mount([
        { outputId: 'big', kind: 'display_data', items: [{ mime: m, data: { data: [{ x, y, type: 'scatter', mode: 'lines' }], layout: { height: 300 } } }] },
      ]);
    },
    { n, m: MIME.plotly },
  );
  const frame = page.frameLocator('[data-output-id="big"] iframe.pb-frame');
  await page.locator('[data-output-id="big"] .pb-plot-ready').waitFor({ timeout: 30_000 });
  const gl = await frame.locator('.gl-canvas-context, canvas.gl-canvas').count();
  const note = (await page.locator('[data-output-id="big"] .pb-frame-status').textContent()) ?? '';
  if (gl > 0) assert.equal(note, '', 'drawn with WebGL, no note');
  else {
    assert.match(note, /WebGL is not available here/);
    assert.equal(await frame.locator('.scatterlayer .trace').count(), 1, 'drawn as SVG instead');
  }
  t.diagnostic(gl > 0 ? 'WebGL (scattergl) used' : `SVG fallback: ${note}`);
  await screenshot(page, 'plotly-big');
});

test('a bar chart over named categories has a numeric value axis, bars as tall as their values', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  const figure = { data: [{ type: 'bar', x: ['lo', 'eth0', 'veth0'], y: [1, 3, 2] }], layout: { height: 300 } };
  await mount(page, [plot('bars', figure)]);
  const frame = page.frameLocator('[data-output-id="bars"] iframe.pb-frame');
  await page.locator('[data-output-id="bars"] .pb-plot-ready').waitFor({ timeout: 20_000 });
  // The y axis's tick labels read upwards in numeric order (a category axis would list 1, 3, 2).
  const ticks = await frame.locator('.ytick text').evaluateAll((els) => els.map((e) => ({ text: e.textContent, y: e.getBoundingClientRect().y })));
  const values = ticks.sort((a, b) => b.y - a.y).map((tk) => Number(tk.text));
  assert.ok(values.length >= 3 && values.every((v, i) => i === 0 || v > values[i - 1]!), `y ticks bottom to top: ${values.join(', ')}`);
  // Bars are as tall as their values: 3 is three times 1.
  const heights = await frame.locator('.bars .point path').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
  assert.equal(heights.length, 3);
  assert.ok(Math.abs(heights[1]! / heights[0]! - 3) < 0.1 && Math.abs(heights[2]! / heights[0]! - 2) < 0.1, `bar heights ${heights.join(', ')}`);
  await screenshot(page, 'plotly-bars');
});
