/**
 * The notebook page against the real `probebook serve`, in Debian's Chromium: open, edit, the
 * trust question, a shell cell's output while it runs, stopping a cell, a bpftrace tracepoint
 * cell's table, save and reload. Screenshots: test-artifacts/screenshots/page-*.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { needs } from '../support/needs.ts';
import { canRunPageTests, cell, cellSource, editorReady, launchBrowser, newPage, openNotebook, screenshot, typeIntoCell } from '../support/page-browser.ts';
import { joinSource, readNotebookJson, writeNotebook } from '../support/notebooks.ts';
import { labFolder, startServe } from '../support/probebook-serve.ts';

test('the notebook page opens, edits, runs, streams, stops, traces, saves and reloads', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  const file = writeNotebook(dir, 'lab.ipynb', [
    { type: 'markdown', source: '# Loopback lab\n\nRun the cells **in order**.' },
    { source: 'echo hello' },
    { source: 'for i in 1 2 3; do echo "line $i"; sleep 0.6; done', probebook: { name: 'stream' } },
    { source: 'echo started; sleep 30; echo never' },
    {
      source: 'tracepoint:net:net_dev_queue { @bytes[str(args->name)] = sum(args->len); @packets = count(); }',
      probebook: { language: 'bpftrace', timeout: '2s' },
    },
    { source: 'BEGIN {\n  @x = count(;\n}', probebook: { language: 'bpftrace' } },
  ]);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const { page, errors } = await newPage(browser);
  const status = (i: number) => cell(page, i).getAttribute('data-status');
  const waitStatus = (i: number, want: string, timeout = 15_000) =>
    page.waitForFunction(([index, s]) => document.querySelectorAll('.pb-cell')[index as number]?.getAttribute('data-status') === s, [i, want] as const, {
      timeout,
    });
  const outputText = async (i: number) => (await cell(page, i).locator('.pb-cell-output .pb-line').allInnerTexts()).join('\n');

  await t.test('opens the notebook named by ?open= with its cells, rendered markdown and the trust banner', async () => {
    await openNotebook(page, serve.pageUrl('lab.ipynb'));
    assert.equal(await page.locator('.pb-cell').count(), 6);
    assert.equal(await page.locator('.pb-title-text').textContent(), 'lab.ipynb');
    assert.equal(await page.locator('.pb-md h1').textContent(), 'Loopback lab');
    assert.equal(await cell(page, 4).locator('.pb-kind').inputValue(), 'bpftrace');
    assert.match(await page.locator('[data-banner="trust"]').innerText(), /not written or trusted on this machine/);
    assert.equal(new URL(page.url()).searchParams.get('token'), null, 'the token is gone from the address bar');
    // What loads after the first paint was asked for at once, the editor's chunks beside editor.js.
    const preloaded = await page.locator('link[rel="modulepreload"]').evaluateAll((links) => links.map((l) => new URL((l as HTMLLinkElement).href).pathname));
    assert.ok(preloaded.includes('/editor.js') && preloaded.some((p) => p.startsWith('/chunks/outputs-')), `preloaded: ${preloaded.join(' ')}`);
    await screenshot(page, 'open');
  });

  await t.test('highlights bpftrace probes, maps, builtins and functions', async () => {
    await editorReady(page);
    const code = cell(page, 4).locator('.pb-static-text');
    await code.locator('.tok-type-probe').first().waitFor();
    const tokens = await code.evaluate((el) => [...el.querySelectorAll('span')].map((s) => `${s.className}:${s.textContent}`));
    for (const want of [
      'tok-type-probe:tracepoint',
      'tok-tag-probe:net:net_dev_queue',
      'tok-variable-map:@bytes',
      'tok-predefined:str',
      'tok-variable-predefined:args',
      'tok-predefined:count',
    ]) {
      assert.ok(tokens.includes(want), `${want} in ${JSON.stringify(tokens)}`);
    }
  });

  await t.test('edits a cell in its editor; the page holds the new source and shows it unsaved', async () => {
    await typeIntoCell(page, 1, 'echo "edited in the page"', { replace: true });
    await page.keyboard.press('Escape');
    assert.equal(await cellSource(page, 1), 'echo "edited in the page"');
    await page.locator('.pb-dirty').waitFor({ state: 'visible' });
    assert.equal(await page.locator('.pb-sb-mode').textContent(), 'Command');
    await screenshot(page, 'edit');
  });

  await t.test('asks before the first run with the exact code of the root cells, then runs', async () => {
    await cell(page, 1).locator('.pb-run').click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    assert.match((await dialog.locator('.pb-dialog-title').textContent()) ?? '', /Trust this notebook/);
    const codes = await dialog.locator('.pb-trust-code').allTextContents();
    assert.ok(codes.includes('echo "edited in the page"'), `the dialog shows the code as edited: ${JSON.stringify(codes)}`);
    assert.ok(
      codes.some((c) => c.startsWith('tracepoint:net:net_dev_queue')),
      'bpftrace cells run as root too',
    );
    await screenshot(page, 'trust-question');
    await dialog.locator('button', { hasText: 'Trust and run' }).click();
    await waitStatus(1, 'ok');
    assert.equal((await outputText(1)).trim(), 'edited in the page');
    assert.equal(await cell(page, 1).locator('.pb-count').textContent(), '[1]');
    await page.locator('[data-banner="trust"]').waitFor({ state: 'detached' });
  });

  await t.test("shows a shell cell's output while it is still running", async () => {
    await cell(page, 2).locator('.pb-run').click();
    await page.waitForFunction(() => {
      const c = document.querySelectorAll('.pb-cell')[2]!;
      return c.getAttribute('data-status') === 'running' && c.querySelector('.pb-cell-output')?.textContent?.includes('line 1');
    });
    assert.doesNotMatch(await outputText(2), /line 3/, 'the last line comes later');
    assert.match(await cell(page, 2).locator('.pb-status').innerText(), /\d\.\ds/);
    await screenshot(page, 'streaming');
    await waitStatus(2, 'ok');
    assert.equal((await outputText(2)).trim(), 'line 1\nline 2\nline 3');
  });

  await t.test('stops a running cell with its stop button', async () => {
    await cell(page, 3).locator('.pb-run').click();
    await page.waitForFunction(() => document.querySelectorAll('.pb-cell')[3]!.querySelector('.pb-cell-output')?.textContent?.includes('started'));
    assert.equal(await status(3), 'running');
    assert.equal(await cell(page, 3).locator('.pb-run').getAttribute('title'), 'Stop the cell (I, I stops everything)');
    const stoppedAt = Date.now();
    await cell(page, 3).locator('.pb-run').click();
    await waitStatus(3, 'interrupted', 10_000);
    assert.ok(Date.now() - stoppedAt < 8000, 'stopped well before the 30 s sleep ended');
    assert.doesNotMatch(await outputText(3), /never/);
    assert.match(await cell(page, 3).locator('.pb-status').innerText(), /Stopped/);
    await screenshot(page, 'stopped');
  });

  await t.test('stops a queued cell: it leaves the queue and never runs', async () => {
    await cell(page, 3).locator('.pb-run').click();
    await waitStatus(3, 'running');
    await cell(page, 1).locator('.pb-run').click();
    await waitStatus(1, 'queued');
    assert.equal(await cell(page, 1).locator('.pb-run').getAttribute('title'), 'Stop the cell (I, I stops everything)');
    await screenshot(page, 'queued');
    await cell(page, 1).locator('.pb-run').click();
    await waitStatus(1, 'ok', 5000); // back to how it was before it was queued
    assert.equal(await status(3), 'running', 'the running cell goes on');
    await cell(page, 3).locator('.pb-run').click();
    await waitStatus(3, 'interrupted', 10_000);
    // A window in which the stopped queued cell must not start after the running one ended.
    await page.waitForTimeout(500);
    assert.equal(await status(1), 'ok', 'the stopped queued cell did not run after the running one ended');
    assert.equal(await cell(page, 1).locator('.pb-count').textContent(), '[1]', 'its execution count is still the one of its last real run');
  });

  await t.test('runs a bpftrace tracepoint cell with a timeout and shows its maps as a table', async (tt) => {
    if (!needs(tt, { root: true, tools: ['bpftrace', 'ping'] })) return;
    await execa('sh', ['-c', 'mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing'], { reject: false });
    await cell(page, 4).locator('.pb-run').click();
    await waitStatus(4, 'running');
    // Loopback traffic for the tracepoint while the cell traces (its 2 s timeout ends it).
    await execa('ping', ['-c', '12', '-i', '0.2', '127.0.0.1'], { reject: false });
    await waitStatus(4, 'ok', 20_000);
    const bytes = cell(page, 4).locator('.pb-output', { has: page.locator('.pb-bt-name', { hasText: /^@bytes$/ }) });
    await bytes.locator('table').waitFor();
    const keys = await bytes.locator('tbody tr td:first-child').allTextContents();
    assert.ok(keys.includes('lo'), `a row for lo: ${JSON.stringify(keys)}`);
    assert.match(await outputText(4), /stopped by its 2s timeout/);
    await cell(page, 4).scrollIntoViewIfNeeded();
    await screenshot(page, 'bpftrace');
  });

  await t.test("marks a bpftrace error at its line in the cell's code, and its link opens the editor there", async (tt) => {
    if (!needs(tt, { root: true, tools: ['bpftrace'] })) return;
    await cell(page, 5).locator('.pb-run').click();
    await waitStatus(5, 'failed', 20_000);
    const mark = cell(page, 5).locator('.pb-static-error');
    await mark.waitFor();
    const top = await mark.evaluate((e) => (e as HTMLElement).style.top);
    assert.match(top, /\+ 1 \*/, `the mark is on line 2: ${top}`);
    await cell(page, 5).scrollIntoViewIfNeeded();
    await screenshot(page, 'error-marker');
    await cell(page, 5)
      .locator('.pb-error-loc', { hasText: /^line 2/ })
      .click();
    await page.waitForFunction(() => window.probebookTest!.mode() === 'edit');
    await cell(page, 5).locator('.monaco-editor .squiggly-error').first().waitFor();
    assert.equal(await page.evaluate(() => window.probebookTest!.activeCellId()), await page.evaluate(() => window.probebookTest!.cells()![5]!.id));
    await page.keyboard.press('Escape');
  });

  await t.test('completes probe names from bpftrace -l while writing a probe', async (tt) => {
    if (!needs(tt, { root: true, tools: ['bpftrace'] })) return;
    await cell(page, 4)
      .locator('.pb-code')
      .click({ position: { x: 60, y: 10 } });
    await page.waitForFunction(() => !!document.activeElement?.closest('.monaco-editor'));
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('t:net:net_dev');
    await page.keyboard.press('Control+Space');
    const suggestion = page.locator('.suggest-widget.visible .monaco-list-row', { hasText: 't:net:net_dev_queue' });
    await suggestion.first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'probe-completion');
    await page.keyboard.press('Escape');
    // Take the typed prefix out again.
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Escape');
    assert.match(await cellSource(page, 4), /^tracepoint:net:net_dev_queue \{/);
  });

  await t.test("a cell's controls: options popover, language picker, hiding code and outputs, clearing outputs", async () => {
    await page.locator('.pb-add-bar .pb-add', { hasText: 'Code' }).click();
    await page.waitForFunction(() => window.probebookTest!.cells()!.length === 7 && window.probebookTest!.mode() === 'edit');
    await page.keyboard.type('echo controls');
    await page.keyboard.press('Escape');
    const c = cell(page, 6);
    await c.hover();
    await c.locator('.pb-options-button').click();
    const pop = page.locator('.pb-popover');
    await pop.locator('input[type="text"]').first().fill('probe');
    await pop.locator('input[type="text"]').nth(1).fill('ten seconds');
    await pop.locator('button', { hasText: 'Apply' }).click();
    assert.match((await pop.locator('.pb-pop-error').textContent()) ?? '', /not a duration/, 'a bad timeout is refused with the reason');
    await pop.locator('input[type="text"]').nth(1).fill('10s');
    await pop.locator('label', { hasText: 'Run in the background' }).locator('input').check();
    await screenshot(page, 'cell-options');
    await pop.locator('button', { hasText: 'Apply' }).click();
    await pop.waitFor({ state: 'detached' });
    assert.equal(await c.locator('.pb-name').textContent(), 'probe · background · timeout 10s');
    // A cell added after a bpftrace cell is a bpftrace cell.
    assert.deepEqual(await page.evaluate(() => window.probebookTest!.cells()![6]!.metadata.probebook), {
      language: 'bpftrace',
      name: 'probe',
      timeout: '10s',
      background: true,
    });

    await c.locator('.pb-kind').selectOption('typescript');
    await page.waitForFunction(() => (window.probebookTest!.cells()![6]!.metadata.probebook as { language?: string }).language === 'typescript');
    await c.locator('.pb-kind').selectOption('shell');
    await page.waitForFunction(() => (window.probebookTest!.cells()![6]!.metadata.probebook as { language?: string }).language === 'shell');

    await c.hover();
    await c.locator('.pb-cell-actions button[title="Hide the code"]').click();
    await c.locator('.pb-cell-input .pb-hidden-note', { hasText: '1 lines of code hidden' }).waitFor();
    assert.equal(await c.locator('.pb-code').isVisible(), false);
    await c.locator('.pb-cell-input .pb-hidden-note').click();
    await c.locator('.pb-code').waitFor();

    const stopped = cell(page, 3);
    await stopped.hover();
    await stopped.locator('.pb-output-tools button').click();
    await stopped.locator('.pb-cell-outputs > .pb-hidden-note', { hasText: '1 output hidden' }).waitFor();
    await stopped.locator('.pb-cell-outputs > .pb-hidden-note').click();
    await stopped.locator('.pb-cell-output .pb-line', { hasText: 'started' }).waitFor();
    await stopped.hover();
    await stopped.locator('.pb-clear-output').click();
    await page.waitForFunction(() => window.probebookTest!.cells()![3]!.outputs.length === 0);
    assert.equal(await stopped.locator('.pb-count').textContent(), '[ ]');
  });

  await t.test('saves with Ctrl+S and shows the same outputs after a reload', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+s');
    await page.locator('.pb-toast', { hasText: 'Saved lab.ipynb' }).waitFor();
    await page.locator('.pb-dirty').waitFor({ state: 'hidden' });
    const saved = readNotebookJson(file);
    assert.equal(joinSource(saved.cells[1]!.source), 'echo "edited in the page"');
    assert.match(JSON.stringify(saved.cells[1]!.outputs), /edited in the page/);
    assert.match(JSON.stringify(saved.cells[2]!.outputs), /line 3/);

    await page.reload();
    await page.waitForSelector('.pb-cell');
    await page.waitForFunction(() => document.querySelectorAll('.pb-cell')[2]?.querySelector('.pb-cell-output')?.textContent?.includes('line 3'));
    assert.equal((await outputText(1)).trim(), 'edited in the page');
    assert.equal(await status(1), 'ok');
    assert.equal(await cell(page, 6).locator('.pb-name').textContent(), 'probe · background · timeout 10s');
    assert.equal(await page.locator('.pb-dirty').isVisible(), false);
    await screenshot(page, 'reloaded', true);
  });

  assert.deepEqual(errors, [], 'no errors in the page console');
});
