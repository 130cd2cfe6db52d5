/**
 * Two tabs on one notebook, against the real `probebook serve`: edits, new and deleted cells and
 * a run's live output show in both; a tab reloaded while a cell runs gets everything, output
 * that arrived while it was gone included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { canRunPageTests, cell, editorReady, launchBrowser, newPage, openNotebook, screenshot, typeIntoCell } from '../support/page-browser.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { labFolder, startServe } from '../support/probebook-serve.ts';

const sources = (page: Page) => page.evaluate(() => window.probebookTest!.cells()!.map((c) => c.source));
const lines = async (page: Page, i: number) => (await cell(page, i).locator('.pb-cell-output .pb-line').allInnerTexts()).join('\n');

test('two tabs on one notebook stay in sync', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  writeNotebook(dir, 'shared.ipynb', [
    { source: 'echo first' },
    { source: 'for i in $(seq 1 8); do echo "tick $i"; sleep 0.4; done' },
    { source: 'echo last' },
  ]);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const a = await newPage(browser);
  const b = await newPage(browser, { dark: true });
  await openNotebook(a.page, serve.pageUrl('shared.ipynb'));
  await openNotebook(b.page, serve.pageUrl('shared.ipynb'));
  await editorReady(a.page);

  await t.test("typing in one tab shows in the other's cell", async () => {
    await typeIntoCell(a.page, 0, 'echo "from tab A"', { replace: true });
    await a.page.keyboard.press('Escape');
    await b.page.waitForFunction(() => window.probebookTest!.cells()![0]!.source === 'echo "from tab A"');
    // On screen too, whether the cell shows static code or an editor.
    await b.page.waitForFunction(() =>
      document
        .querySelector('.pb-cell .pb-code')
        ?.textContent?.replace(/\u00a0/g, ' ')
        .includes('echo "from tab A"'),
    );
  });

  await t.test('a cell added in one tab and one deleted in the other show in both', async () => {
    await a.page.keyboard.press('b');
    await b.page.waitForFunction(() => window.probebookTest!.cells()!.length === 4);
    assert.deepEqual(await sources(b.page), await sources(a.page));
    await b.page
      .locator('.pb-cell')
      .nth(3)
      .click({ position: { x: 20, y: 20 } });
    await b.page.keyboard.press('d');
    await b.page.keyboard.press('d');
    await a.page.waitForFunction(() => window.probebookTest!.cells()!.length === 3);
    assert.deepEqual(await sources(a.page), ['echo "from tab A"', '', 'for i in $(seq 1 8); do echo "tick $i"; sleep 0.4; done']);
    assert.deepEqual(await sources(b.page), await sources(a.page));
  });

  await t.test('a run started in one tab streams into the other, and a reloaded tab gets what it missed', async () => {
    await cell(a.page, 2).locator('.pb-run').click();
    await a.page.locator('dialog[open] button', { hasText: 'Trust and run' }).click();
    await b.page.waitForFunction(() => document.querySelectorAll('.pb-cell')[2]?.getAttribute('data-status') === 'running', undefined, { timeout: 15_000 });
    await b.page.waitForFunction(() => document.querySelectorAll('.pb-cell')[2]?.querySelector('.pb-cell-output')?.textContent?.includes('tick 2'));
    await screenshot(b.page, 'sync-tab-b-running');
    // Tab B goes away for a while and comes back while the cell still runs.
    await b.page.goto('about:blank');
    await a.page.waitForFunction(() => document.querySelectorAll('.pb-cell')[2]?.querySelector('.pb-cell-output')?.textContent?.includes('tick 5'));
    await openNotebook(b.page, serve.pageUrl('shared.ipynb'));
    await b.page.waitForFunction(() => document.querySelectorAll('.pb-cell')[2]?.getAttribute('data-status') === 'ok', undefined, { timeout: 15_000 });
    const expected = Array.from({ length: 8 }, (_, i) => `tick ${i + 1}`).join('\n');
    // The status can arrive a frame before the output view has drawn its lines.
    await b.page.waitForFunction(() => document.querySelectorAll('.pb-cell')[2]?.querySelector('.pb-cell-output')?.textContent?.includes('tick 8'));
    assert.equal(await lines(b.page, 2), expected);
    await a.page.waitForFunction(() => document.querySelectorAll('.pb-cell')[2]?.getAttribute('data-status') === 'ok');
    assert.equal(await lines(a.page, 2), expected);
    assert.equal(await cell(b.page, 2).locator('.pb-count').textContent(), await cell(a.page, 2).locator('.pb-count').textContent());
    await screenshot(a.page, 'sync-tab-a');
    await screenshot(b.page, 'sync-tab-b');
  });

  await t.test('a tab whose connection drops reconnects by itself and catches up with what it missed', async () => {
    await cell(a.page, 0).locator('.pb-run').click();
    await a.page.waitForFunction(() => document.querySelectorAll('.pb-cell')[0]?.getAttribute('data-status') === 'ok', undefined, { timeout: 15_000 });
    // Tab B loses its socket (as when a laptop sleeps) while tab A changes the notebook and runs a cell.
    await b.page.evaluate(() => window.probebookTest!.dropConnection());
    await b.page.locator('[data-banner="connection"]').waitFor();
    await cell(a.page, 2).locator('.pb-run').click();
    await typeIntoCell(a.page, 1, 'echo "typed while B was away"');
    await a.page.keyboard.press('Escape');
    await b.page.locator('[data-banner="connection"]').waitFor({ state: 'detached', timeout: 15_000 });
    await b.page.waitForFunction(() => window.probebookTest!.cells()![1]!.source === 'echo "typed while B was away"', undefined, { timeout: 15_000 });
    await b.page.waitForFunction(() => document.querySelectorAll('.pb-cell')[2]?.getAttribute('data-status') === 'ok', undefined, { timeout: 20_000 });
    assert.equal(await lines(b.page, 2), Array.from({ length: 8 }, (_, i) => `tick ${i + 1}`).join('\n'));
    assert.equal(await b.page.locator('.pb-sb-connection').textContent(), 'Connected to probebook serve');
  });

  assert.deepEqual(a.errors, []);
  assert.deepEqual(
    b.errors.filter((e) => !/WebSocket/.test(e)),
    [],
  );
});
