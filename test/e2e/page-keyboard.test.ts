/**
 * Jupyter's keyboard model on the notebook page, against the real `probebook serve`: command
 * mode keys (J/K, arrows, A, B, D D, Z, M, Y, C, X, V, Enter, I I, 0 0, H), edit mode (Esc,
 * Shift+Enter, Ctrl+Enter, Alt+Enter), Ctrl+S and the command palette.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { MENU_COMMANDS } from '../../core/common/bridge.ts';
import { canRunPageTests, cell, editorReady, launchBrowser, newPage, openNotebook, screenshot } from '../support/page-browser.ts';
import { joinSource, readNotebookJson, writeNotebook } from '../support/notebooks.ts';
import { labFolder, startServe } from '../support/probebook-serve.ts';

/** The page's cells as [kind, source] pairs, and which one is selected. */
async function state(page: Page): Promise<{ cells: string[]; selected: number; mode: string }> {
  return page.evaluate(() => {
    const hook = window.probebookTest!;
    const cells = hook.cells()!.map((c) => `${c.cellType === 'code' ? 'code' : c.cellType}:${c.source}`);
    const selected = hook.cells()!.findIndex((c) => c.id === hook.activeCellId());
    return { cells, selected, mode: hook.mode()! };
  });
}

async function press(page: Page, ...keys: string[]): Promise<void> {
  for (const k of keys) await page.keyboard.press(k);
}

test('the keyboard drives the notebook like Jupyter', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  const file = writeNotebook(dir, 'keys.ipynb', [{ source: 'echo one' }, { source: 'echo two' }, { type: 'markdown', source: '# Notes' }]);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const { page, errors } = await newPage(browser);
  await openNotebook(page, serve.pageUrl('keys.ipynb'));
  await editorReady(page);

  await t.test('J, K and the arrows move the selection in command mode', async () => {
    assert.deepEqual(await state(page), { cells: ['code:echo one', 'code:echo two', 'markdown:# Notes'], selected: 0, mode: 'command' });
    await press(page, 'j');
    assert.equal((await state(page)).selected, 1);
    await press(page, 'ArrowDown');
    assert.equal((await state(page)).selected, 2);
    await press(page, 'ArrowDown');
    assert.equal((await state(page)).selected, 2, 'stays on the last cell');
    await press(page, 'k', 'ArrowUp');
    assert.equal((await state(page)).selected, 0);
  });

  await t.test('A and B insert cells; D D deletes; Z brings the cell back', async () => {
    await press(page, 'b');
    let s = await state(page);
    assert.deepEqual(s.cells, ['code:echo one', 'code:', 'code:echo two', 'markdown:# Notes']);
    assert.equal(s.selected, 1);
    await press(page, 'a');
    s = await state(page);
    assert.equal(s.cells.length, 5);
    assert.equal(s.selected, 1);
    await press(page, 'd');
    assert.equal((await state(page)).cells.length, 5, 'one D does nothing');
    await press(page, 'd');
    assert.equal((await state(page)).cells.length, 4);
    await press(page, 'z');
    assert.equal((await state(page)).cells.length, 5);
    await press(page, 'd', 'd', 'd', 'd');
    assert.deepEqual((await state(page)).cells, ['code:echo one', 'code:echo two', 'markdown:# Notes']);
  });

  await t.test('M and Y switch a cell between markdown and code', async () => {
    await press(page, 'ArrowUp', 'ArrowUp');
    await press(page, 'm');
    assert.equal((await state(page)).cells[0], 'markdown:echo one');
    await page.locator('.pb-cell.pb-md-rendered').first().waitFor();
    await press(page, 'y');
    assert.equal((await state(page)).cells[0], 'code:echo one');
    assert.equal(await cell(page, 0).locator('.pb-kind').inputValue(), 'shell');
  });

  await t.test('C and V copy and paste a cell; X cuts it', async () => {
    await press(page, 'c', 'v');
    let s = await state(page);
    assert.deepEqual(s.cells, ['code:echo one', 'code:echo one', 'code:echo two', 'markdown:# Notes']);
    assert.equal(s.selected, 1);
    await press(page, 'x');
    s = await state(page);
    assert.deepEqual(s.cells, ['code:echo one', 'code:echo two', 'markdown:# Notes']);
  });

  await t.test('Enter edits the cell, Esc leaves the editor with the text kept', async () => {
    await press(page, 'ArrowUp');
    await press(page, 'Enter');
    await page.waitForFunction(() => !!document.activeElement?.closest('.pb-cell.pb-selected .monaco-editor'));
    assert.equal((await state(page)).mode, 'edit');
    assert.equal(await page.locator('.pb-sb-mode').textContent(), 'Edit');
    await page.keyboard.type(' && echo three');
    await screenshot(page, 'keys-edit-mode');
    // Monaco may open its completion list while typing, or a moment later (its word list comes
    // from a worker): an Esc then closes that first (as in Jupyter and VS Code), the next Esc
    // leaves the editor. No wait can tell whether the list is still coming, so the page notes,
    // as each Esc arrives, whether a list was open (what the app's own key handler checks).
    await page.evaluate(() => {
      const w = window as unknown as { pbEscMetWidget: boolean[] };
      w.pbEscMetWidget = [];
      window.addEventListener(
        'keydown',
        (e) => {
          if (e.key !== 'Escape') return;
          const editor = (e.target as Element | null)?.closest?.('.monaco-editor');
          w.pbEscMetWidget.push(!!editor?.querySelector('.suggest-widget.visible, .find-widget.visible, .parameter-hints-widget.visible'));
        },
        true,
      );
    });
    const escMetWidget = () => page.evaluate(() => (window as unknown as { pbEscMetWidget: boolean[] }).pbEscMetWidget.at(-1) === true);
    await press(page, 'Escape');
    for (let i = 0; i < 3 && (await escMetWidget()); i++) {
      assert.equal((await state(page)).mode, 'edit', 'an Esc that met the completions only closed them');
      await press(page, 'Escape');
    }
    const s = await state(page);
    assert.equal(s.mode, 'command');
    assert.equal(s.cells[0], 'code:echo one && echo three');
    // A letter without a binding types nothing in command mode.
    await press(page, 'q');
    assert.equal((await state(page)).cells[0], 'code:echo one && echo three');
  });

  await t.test('Shift+Enter runs and selects the next cell; Ctrl+Enter runs in place; Alt+Enter adds a cell', async () => {
    await press(page, 'Shift+Enter');
    await page.locator('dialog[open] button', { hasText: 'Trust and run' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.pb-cell')[0]!.getAttribute('data-status') === 'ok', undefined, { timeout: 15_000 });
    assert.equal((await state(page)).selected, 1);
    assert.match(await cell(page, 0).locator('.pb-cell-output').innerText(), /one\s+three/);
    await press(page, 'Control+Enter');
    await page.waitForFunction(() => document.querySelectorAll('.pb-cell')[1]!.getAttribute('data-status') === 'ok', undefined, { timeout: 15_000 });
    assert.equal((await state(page)).selected, 1, 'Ctrl+Enter stays');
    await press(page, 'Alt+Enter');
    await page.waitForFunction(() => window.probebookTest!.mode() === 'edit');
    const s = await state(page);
    assert.equal(s.cells.length, 4);
    assert.equal(s.selected, 2);
    assert.equal(s.cells[2], 'code:');
    await page.keyboard.type('sleep 30');
    await press(page, 'Escape');
  });

  await t.test('I I stops every running cell; 0 0 restarts', async () => {
    await press(page, 'Control+Enter');
    await page.waitForFunction(() => document.querySelectorAll('.pb-cell')[2]!.getAttribute('data-status') === 'running', undefined, { timeout: 15_000 });
    await press(page, 'i', 'i');
    await page.waitForFunction(() => document.querySelectorAll('.pb-cell')[2]!.getAttribute('data-status') === 'interrupted', undefined, { timeout: 10_000 });
    await press(page, '0', '0');
    await page.locator('.pb-toast', { hasText: 'Restarted' }).waitFor();
  });

  await t.test('Ctrl+S saves what the keys did', async () => {
    await press(page, 'Control+s');
    await page.locator('.pb-toast', { hasText: 'Saved keys.ipynb' }).waitFor();
    const saved = readNotebookJson(file);
    assert.deepEqual(
      saved.cells.map((c) => `${c.cell_type}:${joinSource(c.source)}`),
      ['code:echo one && echo three', 'code:echo two', 'code:sleep 30', 'markdown:# Notes'],
    );
  });

  await t.test('the command palette lists every command with its shortcut and runs the chosen one', async () => {
    await press(page, 'Control+Shift+P');
    const palette = page.locator('dialog[open].pb-palette');
    await palette.waitFor();
    const all = await palette.locator('.pb-palette-item').evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset['command']!));
    const registered = await page.evaluate(() => window.probebookTest!.commandIds());
    assert.deepEqual([...all].sort(), [...registered].sort(), 'every command is listed');
    for (const id of MENU_COMMANDS) assert.ok(all.includes(id), `the menu command ${id} is in the palette`);
    assert.equal(await palette.locator('[data-command="cell.delete"] .pb-palette-keys').textContent(), 'D, D');
    assert.equal(await palette.locator('[data-command="cell.runAndAdvance"] .pb-palette-keys').textContent(), 'Shift+Enter');
    await page.keyboard.type('insert markdown');
    assert.deepEqual(await palette.locator('.pb-palette-item').evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset['command'])), [
      'cell.insertMarkdownBelow',
    ]);
    await screenshot(page, 'keys-palette');
    const before = (await state(page)).cells.length;
    await press(page, 'Enter');
    await palette.waitFor({ state: 'detached' });
    // The command runs once the dialog has closed and focus is back on the notebook: wait for it.
    await page.waitForFunction((n) => window.probebookTest!.cells()!.length === n, before + 1, { timeout: 5000 });
    assert.equal((await state(page)).cells[(await state(page)).selected], 'markdown:');
  });

  await t.test('H shows the keyboard reference', async () => {
    await press(page, 'Escape');
    await press(page, 'h');
    const ref = page.locator('dialog[open].pb-keys');
    await ref.waitFor();
    assert.ok((await ref.locator('tr').count()) >= 25);
    assert.match(await ref.innerText(), /D, D\s+Delete cell/);
    await screenshot(page, 'keys-reference');
    await press(page, 'Escape');
  });

  assert.deepEqual(errors, []);
});
