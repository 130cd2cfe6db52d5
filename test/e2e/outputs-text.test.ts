/**
 * Stream, plain-text and error outputs in Chromium: ANSI colours as styled spans, `\r`
 * progress lines, a 2,000,000-line stream that keeps the DOM small, find-in-output, copy all,
 * and error locations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openHarness, screenshot } from '../support/outputs-harness.ts';
import { MIME } from '../../core/common/mime.ts';

test('stream text: ANSI colours, \\r overwrite, stderr tint, error location', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  await page.evaluate((m) => {
    window.pbHarness.mount([
      {
        outputId: 'o1',
        kind: 'stream',
        items: [
          { mime: m.stdout, data: 'plain \x1b[1;31mbold red\x1b[0m \x1b[38;5;208morange\x1b[0m \x1b[48;2;0;128;255mtruecolor bg\x1b[0m\nDownloading  10%\r' },
        ],
      },
      { outputId: 'o2', kind: 'stream', items: [{ mime: m.stderr, data: "ERROR: Unknown error -1: couldn't set RLIMIT_MEMLOCK for bpftrace\n" }] },
      {
        outputId: 'o3',
        kind: 'error',
        items: [
          {
            mime: m.error,
            data: {
              ename: 'BpftraceSyntaxError',
              evalue: 'syntax error, unexpected }, expecting {',
              traceback: [
                'stdin:1:50-52: \x1b[31mERROR:\x1b[0m syntax error',
                'tracepoint:net:net_dev_queue { @[comm] = count() }}',
                '                                                 ~~',
              ],
              location: { line: 1, column: 50, endColumn: 52 },
            },
          },
        ],
      },
    ]);
  }, MIME);
  // More progress in the next chunks: each \r rewinds the line.
  await page.evaluate(() => {
    window.pbHarness.apply({ kind: 'append', outputId: 'o1', text: 'Downloading  55%\r' });
    window.pbHarness.apply({ kind: 'append', outputId: 'o1', text: 'Downloading 100%\n\x1b[32mdone\x1b[0m\n' });
    window.pbHarness.flush();
  });
  const lines = await page.$$eval('[data-output-id="o1"] .pb-line', (els) => els.map((e) => e.textContent));
  assert.deepEqual(lines, ['plain bold red orange truecolor bg', 'Downloading 100%', 'done']);

  const red = page.locator('[data-output-id="o1"] .pb-line span', { hasText: 'bold red' });
  assert.equal(await red.getAttribute('class'), 'pb-fg1 pb-b');
  assert.equal(await red.evaluate((e) => getComputedStyle(e).color), 'rgb(205, 49, 49)');
  assert.equal(await red.evaluate((e) => getComputedStyle(e).fontWeight), '700');
  const orange = page.locator('[data-output-id="o1"] .pb-line span', { hasText: 'orange' });
  assert.equal(await orange.evaluate((e) => getComputedStyle(e).color), 'rgb(255, 135, 0)');
  const bg = page.locator('[data-output-id="o1"] .pb-line span', { hasText: 'truecolor bg' });
  assert.equal(await bg.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(0, 128, 255)');
  // No escape characters reach the page.
  assert.equal(await page.locator('[data-output-id="o1"]').evaluate((e) => e.textContent!.includes('\x1b')), false);

  assert.equal(await page.locator('[data-output-id="o2"] .pb-text-stderr').count(), 1);
  const stderrBg = await page.locator('[data-output-id="o2"] .pb-text-stderr').evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.notEqual(stderrBg, 'rgba(0, 0, 0, 0)', 'stderr is tinted');

  assert.deepEqual(await page.evaluate(() => window.pbHarness.errorLocations()), [{ outputId: 'o3', location: { line: 1, column: 50, endColumn: 52 } }]);
  const revealed = page.evaluate(
    () => new Promise((ok) => document.addEventListener('probebook:reveal-line', (e) => ok((e as CustomEvent).detail), { once: true })),
  );
  await page.click('.pb-error-loc');
  assert.deepEqual(await revealed, { outputId: 'o3', line: 1, column: 50 });
  assert.equal(await page.locator('.pb-error-name').textContent(), 'BpftraceSyntaxError');
  await screenshot(page, 'text-light');
  await page.evaluate(() => window.pbHarness.setTheme('dark'));
  await screenshot(page, 'text-dark');
  assert.deepEqual(h.consoleErrors, []);
});

test('a 2,000,000-line stream keeps the DOM small, scrolls to its last line and finds text', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  await page.evaluate((m) => window.pbHarness.mount([{ outputId: 'big', kind: 'stream', items: [{ mime: m.stdout, data: '' }] }]), MIME);
  const started = Date.now();
  await page.evaluate(() => {
    window.pbHarness.streamLines('big', 2_000_000);
    window.pbHarness.flush();
  });
  const took = Date.now() - started;
  const nodes = await page.locator('[data-output-id="big"] .pb-line').count();
  assert.ok(nodes > 5 && nodes < 200, `${nodes} line nodes in the DOM`);
  // Following the end while streaming: the last line is on screen.
  const viewport = page.locator('[data-output-id="big"] .pb-text-viewport');
  await assert.doesNotReject(page.locator('.pb-line', { hasText: 'line 2000000 of 2000000' }).waitFor());
  // Scroll to the top, then to the end by hand.
  await viewport.evaluate((v) => {
    v.scrollTop = 0;
    v.dispatchEvent(new Event('scroll'));
  });
  await page.locator('.pb-line', { hasText: 'line 1 of 2000000' }).waitFor();
  assert.equal(await page.locator('.pb-line', { hasText: 'line 2000000 of' }).count(), 0);
  await viewport.evaluate((v) => {
    v.scrollTop = v.scrollHeight;
    v.dispatchEvent(new Event('scroll'));
  });
  await page.locator('.pb-line', { hasText: 'line 2000000 of 2000000' }).waitFor();
  // The middle maps to the middle.
  await viewport.evaluate((v) => {
    v.scrollTop = (v.scrollHeight - v.clientHeight) / 2;
    v.dispatchEvent(new Event('scroll'));
  });
  const middle = await page.locator('[data-output-id="big"] .pb-line').first().textContent();
  const n = Number(/line (\d+)/.exec(middle!)![1]);
  assert.ok(Math.abs(n - 1_000_000) < 100, `middle shows line ${n}`);
  assert.ok((await page.locator('[data-output-id="big"] .pb-line').count()) < 200);

  // Scrolling cost: 60 jumps across the whole output, each drawing its rows synchronously.
  const perJump = await viewport.evaluate((v) => {
    const t0 = performance.now();
    for (let i = 0; i < 60; i++) {
      v.scrollTop = (((i * 7919) % 60) / 60) * (v.scrollHeight - v.clientHeight);
      v.dispatchEvent(new Event('scroll'));
      void v.getBoundingClientRect(); // force layout, as a frame would
    }
    return (performance.now() - t0) / 60;
  });
  assert.ok(perJump < 16, `a scroll jump costs ${perJump.toFixed(2)} ms (one frame is 16 ms)`);
  // Scrolled away from the end, new text does not pull the view down; back at the end it follows again.
  const firstShown = () => page.locator('[data-output-id="big"] .pb-line').first().textContent();
  const before = await firstShown();
  await page.evaluate(() => {
    window.pbHarness.apply({ kind: 'append', outputId: 'big', text: 'appended while reading\n' });
    window.pbHarness.flush();
  });
  assert.equal(await firstShown(), before);
  await viewport.evaluate((v) => {
    v.scrollTop = v.scrollHeight;
    v.dispatchEvent(new Event('scroll'));
  });
  await page.evaluate(() => {
    window.pbHarness.apply({ kind: 'append', outputId: 'big', text: 'the newest line\n' });
    window.pbHarness.flush();
  });
  await page.locator('.pb-line', { hasText: 'the newest line' }).waitFor();

  // Find: Ctrl+F inside the output, type, the match is highlighted and counted.
  await viewport.click();
  await page.keyboard.press('Control+f');
  const input = page.locator('[data-output-id="big"] .pb-find-input');
  assert.equal(await input.evaluate((e) => e === document.activeElement), true, 'Ctrl+F focuses the find box');
  await input.fill('line 1234567 of');
  await page.keyboard.press('Enter');
  await page.locator('.pb-find-count', { hasText: '1 of 1' }).waitFor();
  const hit = page.locator('[data-output-id="big"] .pb-find-current');
  await hit.waitFor();
  assert.equal(await hit.textContent(), 'line 1234567 of');
  await screenshot(page, 'text-2m-lines-find');
  await input.fill('value=999');
  await page.keyboard.press('Enter');
  await page.locator('.pb-find-count', { hasText: /of \d+/ }).waitFor();
  const count = await page.locator('.pb-find-count').textContent();
  assert.match(count!, /^\d+ of (\d+)\+?$/);
  t.diagnostic(`appending and drawing 2,000,000 lines took ${took} ms; a scroll jump ${perJump.toFixed(2)} ms; "value=999": ${count}`);
});

test('"Copy" copies every line of the output as plain text', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  await page.evaluate((m) => {
    (window as unknown as { copied: string[] }).copied = [];
    // Record what the page puts on the clipboard (headless has no clipboard to read back).
    navigator.clipboard.writeText = async (s: string) => void (window as unknown as { copied: string[] }).copied.push(s);
    window.pbHarness.mount([{ outputId: 's', kind: 'stream', items: [{ mime: m.stdout, data: 'a \x1b[31mred\x1b[0m line\nsecond\n' }] }]);
  }, MIME);
  await page.hover('[data-output-id="s"]');
  await page.click('[data-output-id="s"] .pb-tools button:has-text("Copy")');
  await page.locator('[data-output-id="s"] .pb-btn-done').waitFor();
  assert.deepEqual(await page.evaluate(() => (window as unknown as { copied: string[] }).copied), ['a red line\nsecond']);
});
