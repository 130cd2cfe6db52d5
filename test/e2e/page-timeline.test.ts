/**
 * The run timeline against the real `probebook serve`, in Debian's Chromium: a Run All with a
 * background cell, two foreground cells and a cleanup cell drawn on one axis (the background bar
 * overlaps both foreground bars, which follow each other), bars that grow while the run goes on,
 * a click that selects the cell, the panel from the palette and the T key, the timeline after a
 * save and reload, and a notebook run headless by `probebook run` showing its run when opened.
 * Screenshots: test-artifacts/screenshots/page-timeline-*.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { canRunPageTests, launchBrowser, newPage, openNotebook, screenshot } from '../support/page-browser.ts';
import { readNotebookJson, writeNotebook } from '../support/notebooks.ts';
import { labFolder, repoRoot, startServe } from '../support/probebook-serve.ts';

interface Box {
  x: number;
  width: number;
  right: number;
}

/** The bars of the timeline's rows, top to bottom, with their row's state. */
async function bars(page: Page): Promise<{ name: string; status: string; background: boolean; cleanup: boolean; stop: string | null; box: Box }[]> {
  return page.locator('.pb-tl-row').evaluateAll((rows) =>
    rows.map((row) => {
      const bar = row.querySelector('.pb-tl-bar')!.getBoundingClientRect();
      const stop = row.querySelector<HTMLElement>('.pb-tl-stop');
      return {
        name: row.querySelector('.pb-tl-name')!.textContent!,
        status: row.getAttribute('data-status')!,
        background: row.classList.contains('pb-tl-background'),
        cleanup: row.classList.contains('pb-tl-cleanup'),
        stop: stop && !stop.hidden ? stop.dataset['stop']! : null,
        box: { x: bar.x, width: bar.width, right: bar.right },
      };
    }),
  );
}

/** Whether two bars share some horizontal stretch (in pixels, more than a hairline). */
const overlap = (a: Box, b: Box) => Math.min(a.right, b.right) - Math.max(a.x, b.x);

test('the timeline shows overlapping background cells', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  const file = writeNotebook(dir, 'experiment.ipynb', [
    { type: 'markdown', source: '# Tracer, load, rule\n\nThe tracer runs in the background while the load runs.' },
    // Longer than any run of the rest, however slow the machine: the end of the run stops it.
    { source: 'echo tracing; sleep 60; echo never', probebook: { name: 'tracer', background: true } },
    { source: 'sleep 1; echo load one', probebook: { name: 'load one' } },
    { source: 'sleep 1; echo load two', probebook: { name: 'load two' } },
    { source: 'echo rule removed', probebook: { name: 'remove rule', cleanup: true } },
  ]);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const { page, errors } = await newPage(browser, { width: 1280, height: 900 });
  const panel = page.locator('.pb-timeline');

  await t.test('opens from the toolbar and says what to do before anything ran', async () => {
    await openNotebook(page, serve.pageUrl('experiment.ipynb'));
    await page.locator('.pb-tool[data-command="view.runTimeline"]').click();
    await panel.waitFor();
    assert.equal(await page.locator('.pb-tool[data-command="view.runTimeline"]').getAttribute('aria-pressed'), 'true');
    assert.match(await panel.locator('.pb-tl-empty').innerText(), /Run cells to see them on a time axis/);
    await screenshot(page, 'timeline-empty');
  });

  await t.test('a Run All draws its cells live; a running bar grows', async () => {
    await page.locator('.pb-tool[data-command="notebook.runAll"]').click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    await dialog.locator('button', { hasText: 'Trust and run' }).click();
    await page.waitForFunction(
      () => document.querySelectorAll('.pb-tl-row').length >= 2 && document.querySelector('.pb-tl-row[data-status="running"]') !== null,
    );
    const tracer = page.locator('.pb-tl-row', { hasText: 'tracer' }).locator('.pb-tl-bar');
    const first = (await tracer.boundingBox())!;
    assert.match(await panel.locator('.pb-tl-summary').innerText(), /^Running · /);
    // Nothing reports the clock: the page redraws running bars on a timer. Watch the bar for
    // 0.6 s (no cell starts or ends then): it grows in several steps, not only at run events.
    // (A string: tsx would wrap named functions in a helper the page does not have.)
    const widths = await page.evaluate<number[]>(`new Promise((resolve) => {
      const bar = [...document.querySelectorAll('.pb-tl-row')].find((r) => r.textContent.includes('tracer')).querySelector('.pb-tl-bar');
      const seen = [];
      const end = performance.now() + 600;
      requestAnimationFrame(function sample() {
        seen.push(bar.getBoundingClientRect().width);
        if (performance.now() < end) requestAnimationFrame(sample);
        else resolve(seen);
      });
    })`);
    const steps = new Set(widths.map((w) => w.toFixed(1))).size;
    assert.ok(steps >= 4 && widths.at(-1)! > widths[0]! + 20, `the running tracer bar grew in ${steps} steps: ${widths[0]}px to ${widths.at(-1)}px`);
    assert.ok(
      widths.every((w, i) => i === 0 || w >= widths[i - 1]! - 0.01),
      'and never shrank',
    );
    assert.equal(await page.locator('.pb-tl-row', { hasText: 'tracer' }).getAttribute('data-status'), 'running');
    const later = (await tracer.boundingBox())!;
    assert.ok(Math.abs(later.x - first.x) < 1, 'and its start stays put');
    await page.waitForFunction(() => document.querySelectorAll('.pb-tl-row').length === 3);
    await screenshot(page, 'timeline-running');
  });

  await t.test('the background bar overlaps both foreground bars, which follow each other, then the cleanup', async () => {
    await page.waitForFunction(
      () => document.querySelectorAll('.pb-tl-row').length === 4 && !document.querySelector('.pb-tl-row[data-status="running"]'),
      undefined,
      { timeout: 20_000 },
    );
    const rows = await bars(page);
    assert.deepEqual(
      rows.map((r) => [r.name, r.status, r.background, r.cleanup, r.stop]),
      [
        ['tracer', 'ok', true, false, 'run-ended'],
        ['load one', 'ok', false, false, null],
        ['load two', 'ok', false, false, null],
        ['remove rule', 'ok', false, true, null],
      ],
    );
    const [tracer, one, two, cleanup] = rows.map((r) => r.box) as [Box, Box, Box, Box];
    assert.ok(overlap(tracer, one) > 0.8 * one.width, `the tracer ran alongside load one: ${JSON.stringify({ tracer, one })}`);
    assert.ok(overlap(tracer, two) > 0.8 * two.width, `the tracer ran alongside load two: ${JSON.stringify({ tracer, two })}`);
    assert.ok(one.right <= two.x + 1, `load two started after load one ended: ${JSON.stringify({ one, two })}`);
    for (const name of ['load one', 'load two']) {
      const tip = (await page.locator('.pb-tl-row', { hasText: name }).getAttribute('title'))!;
      const seconds = Number(/\nDuration ([\d.]+) s\n/.exec(tip)?.[1]);
      // At least its sleep; more on a loaded machine (the shell's start is part of the cell's time).
      assert.ok(seconds >= 1 && seconds < 10, `a one-second cell takes a second or more: ${tip}`);
    }
    assert.ok(cleanup.x >= tracer.right - 1 && cleanup.x >= two.right - 1, 'the cleanup ran after the run ended, the tracer stopped');
    assert.equal(
      await page.locator('.pb-tl-row.pb-tl-background .pb-tl-bar').evaluate((b) => getComputedStyle(b).backgroundImage.includes('repeating-linear-gradient')),
      true,
      'a background bar is hatched',
    );
    await page.locator('.pb-tl-row.pb-tl-background').hover();
    assert.equal(
      await page.locator('.pb-tl-row.pb-tl-background .pb-tl-bar').evaluate((b) => getComputedStyle(b).backgroundImage.includes('repeating-linear-gradient')),
      true,
      'hovered, it stays hatched',
    );
    await page.mouse.move(0, 0);
    assert.match(await panel.locator('.pb-tl-summary').innerText(), /^[\d.]+ s · 4 cells$/);
    assert.match(await panel.locator('.pb-tl-picker option').first().innerText(), /^Run all · \d\d:\d\d:\d\d · 4 cells$/);
    const tip = (await page.locator('.pb-tl-row', { hasText: 'tracer' }).getAttribute('title'))!;
    assert.match(
      tip,
      /^tracer \(cell 2, shell, background\)\nStarted \d{4}-\d\d-\d\dT[\d:.]+Z \(\+0 ms\)\nDuration [\d.]+ s\nSucceeded, stopped when the run ended/,
    );
    const ticks = await panel.locator('.pb-tl-tick').allInnerTexts();
    assert.ok(ticks.length >= 4 && ticks[0] === '0' && ticks.slice(1).every((l) => / s$/.test(l)), `ticks in seconds: ${JSON.stringify(ticks)}`);
    await screenshot(page, 'timeline-done');
  });

  await t.test('clicking a row selects its cell in the notebook', async () => {
    await page.locator('.pb-tl-row', { hasText: 'load two' }).click();
    await page.waitForFunction(() => window.probebookTest!.activeCellId() === window.probebookTest!.cells()![3]!.id);
    await page.locator('.pb-tl-row.pb-tl-selected', { hasText: 'load two' }).waitFor();
    const cellBox = (await page.locator('.pb-cell').nth(3).boundingBox())!;
    const panelBox = (await panel.boundingBox())!;
    assert.ok(cellBox.y + 20 < panelBox.y, 'the cell is scrolled into view above the panel');
  });

  await t.test('closes with its button, opens from the palette and with T', async () => {
    await panel.locator('.pb-tl-close').click();
    await panel.waitFor({ state: 'detached' });
    await page.keyboard.press('Control+Shift+P');
    await page.keyboard.type('run timeline');
    await page.locator('.pb-palette-item.pb-active', { hasText: 'Show or hide the run timeline' }).waitFor();
    await page.keyboard.press('Enter');
    await panel.waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.pb-tl-row').length === 4);
    await page.keyboard.press('t');
    await panel.waitFor({ state: 'detached' });
    await page.keyboard.press('t');
    await panel.waitFor();
  });

  await t.test('after a save and a reload the timeline is still there', async () => {
    const before = await bars(page);
    await page.keyboard.press('Control+s');
    await page.locator('.pb-toast', { hasText: 'Saved experiment.ipynb' }).waitFor();
    const saved = readNotebookJson(file).cells[1]!.metadata.execution as Record<string, string>;
    assert.equal(saved['probebook.background'], 'true');
    assert.equal(saved['probebook.stop'], 'run-ended');
    await page.reload();
    await page.waitForSelector('.pb-cell');
    await page.waitForFunction(() => document.querySelectorAll('.pb-tl-row').length === 4);
    const after = await bars(page);
    assert.deepEqual(
      after.map((r) => [r.name, r.status, r.stop]),
      before.map((r) => [r.name, r.status, r.stop]),
    );
    for (let i = 0; i < 4; i++)
      assert.ok(Math.abs(after[i]!.box.x - before[i]!.box.x) < 2 && Math.abs(after[i]!.box.width - before[i]!.box.width) < 2, `bar ${i} is where it was`);
    await page.locator('.pb-md h1').waitFor();
    await screenshot(page, 'timeline-reloaded');
  });

  await t.test('reads well in the dark theme', async () => {
    const dark = await newPage(browser, { dark: true, width: 1280, height: 900 });
    // The open panel is remembered per browser profile; this context is a new one.
    await openNotebook(dark.page, serve.pageUrl('experiment.ipynb'));
    await dark.page.keyboard.press('t');
    await dark.page.waitForFunction(() => document.querySelectorAll('.pb-tl-row').length === 4);
    await dark.page.locator('.pb-tl-row', { hasText: 'load one' }).hover();
    await screenshot(dark.page, 'timeline-dark');
    assert.deepEqual(dark.errors, []);
    await dark.context.close();
  });

  await t.test('a notebook run headless by probebook run shows its run when opened', async () => {
    writeNotebook(dir, 'headless.ipynb', [
      { source: 'sleep 60', probebook: { name: 'capture', background: true } },
      { source: 'sleep 0.3; echo setup', probebook: { name: 'setup' } },
      { source: 'sleep 10', probebook: { name: 'bounded', timeout: '700ms' } },
      { source: 'sleep 0.2; exit 3', probebook: { name: 'check' } },
    ]);
    const run = await execa(process.execPath, ['bin/probebook.mjs', 'run', join(dir, 'headless.ipynb'), '--inplace', '--allow-errors', '--quiet'], {
      cwd: repoRoot,
      reject: false,
    });
    assert.equal(run.exitCode, 1, `the check cell fails the run: ${run.stderr}`);
    await openNotebook(page, serve.pageUrl('headless.ipynb'));
    await page.waitForFunction(() => document.querySelectorAll('.pb-tl-row').length === 4);
    const rows = await bars(page);
    assert.deepEqual(
      rows.map((r) => [r.name, r.status, r.background, r.stop]),
      [
        ['capture', 'ok', true, 'run-ended'],
        ['setup', 'ok', false, null],
        ['bounded', 'ok', false, 'timeout'],
        ['check', 'failed', false, null],
      ],
    );
    const [capture, setup, bounded, check] = rows.map((r) => r.box) as [Box, Box, Box, Box];
    for (const fg of [setup, bounded, check]) assert.ok(overlap(capture, fg) > 0.8 * fg.width, 'the capture ran alongside every foreground cell');
    assert.ok(setup.right <= bounded.x + 1 && bounded.right <= check.x + 1, 'the foreground cells ran in order');
    assert.match(await panel.locator('.pb-tl-summary').innerText(), /4 cells · 1 failed$/);
    await screenshot(page, 'timeline-headless');
  });

  assert.deepEqual(errors, [], 'no errors in the page console');
});
