/**
 * Hostile outputs in Chromium, under the app's CSP: HTML, SVG, JavaScript, markdown, plotly and
 * bpftrace data that try to run script never set the canary `window.__pwned` (in the page or in
 * any frame); untrusted HTML goes to a sandboxed frame; the page ignores frame messages that do
 * not come from the frame or do not have the expected shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mount, openHarness, screenshot } from '../support/outputs-harness.ts';
import { MIME } from '../../core/common/mime.ts';
import type { Output } from '../../core/common/notebook/model.ts';

const ATTACK = `<img src=x onerror="window.__pwned='img';try{top.__pwned='img-top'}catch(e){}"><script>window.__pwned='script'</script><svg onload="window.__pwned='svg'"></svg><a href="javascript:window.__pwned='link'">click me</a><iframe src="javascript:parent.__pwned='iframe'"></iframe><b id="visible">bold text</b>`;

function hostile(): Output[] {
  const o = (id: string, mime: string, data: unknown, more: { mime: string; data: unknown }[] = []): Output => ({
    outputId: id,
    kind: 'display_data',
    items: [{ mime, data: data as never }, ...(more as never[])],
  });
  return [
    o('html', MIME.html, ATTACK),
    o(
      'svg',
      MIME.svg,
      `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" onload="window.__pwned='svg-img'"><script>window.__pwned='svg-script'</script><rect width="120" height="40" fill="#c33"/></svg>`,
    ),
    o('js', MIME.javascript, "window.__pwned = 'javascript'"),
    o('md', MIME.markdown, `# Title\n\n${ATTACK}\n\n[link](javascript:window.__pwned='md')`),
    o('plot', MIME.plotly, {
      data: [{ y: [1, 2], type: 'scatter', name: `<img src=x onerror="window.__pwned='plotly'">` }],
      layout: { title: { text: `<img src=x onerror="top.__pwned='plotly-title'">t` }, height: 240 },
    }),
    o('json', MIME.json, { html: ATTACK }),
    o('table', MIME.table, { rows: [{ name: ATTACK, n: 1 }] }),
    o('bt', MIME.bpftrace, {
      version: 1,
      name: '@x',
      kind: 'map',
      keyless: false,
      printIndex: 0,
      time: 0,
      entries: [{ key: [ATTACK], rawKey: ATTACK, value: { type: 'scalar', value: 1 } }],
    }),
    o('both', MIME.javascript, "window.__pwned='bundle-js'", [{ mime: MIME.plain, data: 'the plain fallback' }]),
  ];
}

async function canaries(page: import('playwright-core').Page): Promise<unknown[]> {
  const found: unknown[] = [];
  for (const frame of page.frames()) found.push(await frame.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned ?? null).catch(() => null));
  return found.filter((v) => v !== null);
}

// Without a CSP too: the renderers must not depend on the policy to stay safe (browser mode, other hosts).
for (const [trusted, csp] of [
  [false, true],
  [false, false],
  [true, false],
] as const) {
  test(`hostile outputs never run script (${trusted ? 'trusted' : 'untrusted'} notebook, ${csp ? 'app CSP' : 'no CSP'})`, async (t) => {
    const h = await openHarness(t, { csp });
    if (!h) return;
    const { page } = h;
    await mount(page, hostile(), { trusted });
    // Let every frame draw: the plot, and (untrusted) the HTML frame.
    await page.locator('[data-output-id="plot"] .pb-plot-ready').waitFor({ timeout: 20_000 });
    const renderer = (id: string) => page.locator(`[data-output-id="${id}"] .pb-output-body`).getAttribute('data-renderer');
    if (trusted) {
      assert.equal(await renderer('html'), 'html');
      assert.equal(await page.locator('[data-output-id="html"] .pb-html').evaluate((e) => e.shadowRoot!.getElementById('visible')!.textContent), 'bold text');
      assert.equal(
        await page.locator('[data-output-id="html"] .pb-html').evaluate((e) => e.shadowRoot!.querySelectorAll('script, iframe, [onerror], [onload]').length),
        0,
      );
    } else {
      assert.equal(await renderer('html'), 'html-frame');
      const frame = page.locator('[data-output-id="html"] iframe');
      assert.equal(await frame.getAttribute('sandbox'), 'allow-scripts');
      await page.frameLocator('[data-output-id="html"] iframe').locator('#visible').waitFor();
      assert.equal(await page.frameLocator('[data-output-id="html"] iframe').locator('#root script, #root iframe, #root [onerror], #root svg').count(), 0);
    }
    // SVG only as an image; JavaScript only as text.
    const img = page.locator('[data-output-id="svg"] img');
    assert.match((await img.getAttribute('src'))!, /^data:image\/svg\+xml/);
    assert.equal(await page.locator('[data-output-id="svg"] svg').count(), 0, 'never inline SVG');
    assert.equal(await page.locator('[data-output-id="js"] .pb-note').textContent(), 'JavaScript output is shown as text: Probebook never runs it.');
    assert.equal(await page.locator('[data-output-id="js"] .pb-line').textContent(), "window.__pwned = 'javascript'");
    assert.equal(await page.locator('[data-output-id="both"] .pb-line').textContent(), 'the plain fallback', 'text/plain is preferred over JavaScript');
    // Markdown: sanitised, no javascript: links.
    assert.equal(await page.locator('[data-output-id="md"] h1').textContent(), 'Title');
    assert.equal(
      await page
        .locator('[data-output-id="md"] a[href^="javascript"], [data-output-id="md"] script, [data-output-id="md"] [onerror], [data-output-id="md"] svg')
        .count(),
      0,
    );
    // Data shown as data.
    assert.match((await page.locator('[data-output-id="bt"] tbody td').first().textContent())!, /^<img src=x onerror=/);
    assert.match((await page.locator('[data-output-id="table"] tbody td').first().textContent())!, /^<img src=x/);
    await page
      .locator('[data-output-id="md"] a', { hasText: 'click me' })
      .first()
      .click()
      .catch(() => {});
    await page.waitForTimeout(300); // onerror/onload handlers fire asynchronously; give them the chance to (not) run
    assert.deepEqual(await canaries(page), []);
    assert.equal(await page.evaluate(() => location.pathname), '/');
    await screenshot(page, `security-${trusted ? 'trusted' : 'untrusted'}${csp ? '' : '-no-csp'}`);
  });
}

test('the page ignores frame messages from other sources and clamps sizes from its frame', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  await page.evaluate(
    (m) => window.pbHarness.mount([{ outputId: 'h', kind: 'display_data', items: [{ mime: m, data: '<p id="p">hi</p>' }] }], { trusted: false }),
    MIME.html,
  );
  const frameEl = page.locator('[data-output-id="h"] iframe');
  await page.frameLocator('[data-output-id="h"] iframe').locator('#p').waitFor();
  const height = () => frameEl.evaluate((e) => e.getBoundingClientRect().height);
  const settled = await height();
  // A message from the page itself (or any other window) is not the frame's.
  await page.evaluate(() => window.postMessage({ type: 'pb-size', height: 3000 }, '*'));
  // A window for the message to (not) resize the frame: ignoring it has no event.
  await page.waitForTimeout(100);
  assert.equal(await height(), settled);
  // From the frame: malformed is dropped, huge is clamped.
  const frame = page.frames().find((f) => f.url().endsWith('html-frame.html'))!;
  await frame.evaluate(() => parent.postMessage({ type: 'pb-size', height: 'tall' }, '*'));
  await frame.evaluate(() => parent.postMessage({ type: 'pb-size', height: 1e7 }, '*'));
  await page.waitForFunction(() => document.querySelector<HTMLIFrameElement>('[data-output-id="h"] iframe')!.getBoundingClientRect().height === 5000);
  // The frame has an opaque origin: the app's storage and DOM are out of reach.
  assert.equal(await frame.evaluate(() => origin), 'null');
  assert.equal(
    await frame.evaluate(() => {
      try {
        return String(parent.document.title);
      } catch {
        return 'blocked';
      }
    }),
    'blocked',
  );
});
