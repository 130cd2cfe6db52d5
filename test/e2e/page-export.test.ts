/**
 * File → Export in the page against a real `probebook serve`: the palette's "Export as HTML
 * report…" and "Export as PDF report…" download the report the host made from the notebook as it
 * is, drawn with its trust; the HTML opens offline with its figures drawn. "Export as Markdown…"
 * writes NAME.md and NAME_files/ beside the notebook. Saving adds PNGs of the figures.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { serializeNotebook } from '../../core/common/notebook/ipynb.ts';
import { canRunPageTests, launchBrowser, newPage, openNotebook } from '../support/page-browser.ts';
import { labFolder, startServe } from '../support/probebook-serve.ts';
import { reportNotebook } from '../support/report-notebook.ts';

async function runFromPalette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Control+Shift+P');
  await page.locator('dialog[open].pb-palette').waitFor();
  await page.keyboard.type(title);
  await page.keyboard.press('Enter');
}

async function exportFrom(page: Page, title: string): Promise<{ name: string; path: string }> {
  const download = page.waitForEvent('download', { timeout: 60_000 });
  await runFromPalette(page, title);
  const file = await download;
  return { name: file.suggestedFilename(), path: await file.path() };
}

test('File → Export downloads the HTML and PDF reports the host makes', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  writeFileSync(join(dir, 'lab.ipynb'), serializeNotebook(reportNotebook()));
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const { page, errors } = await newPage(browser);
  await openNotebook(page, serve.pageUrl('lab.ipynb'));
  await page.locator('.pb-cell').first().click();
  await page.keyboard.press('Escape');

  const html = await exportFrom(page, 'Export as HTML');
  assert.equal(html.name, 'lab.html');
  const text = readFileSync(html.path, 'utf8');
  assert.match(text, /<meta http-equiv="Content-Security-Policy" content="default-src/);
  // The notebook is not trusted by this user: the report says so, as the page does.
  const report = await browser.newPage();
  const requests: string[] = [];
  report.on('request', (r) => requests.push(r.url()));
  const copy = join(dir, 'copy.html');
  writeFileSync(copy, text);
  await report.goto(pathToFileURL(copy).href);
  await report.waitForFunction(() => document.documentElement.dataset['pbReport'] === 'ready', undefined, { timeout: 60_000 });
  assert.equal(await report.locator('.pb-report-plot[data-pb-drawn="true"]').count(), 2);
  assert.ok(await report.getByText('This notebook was not trusted where it was exported').isVisible());
  assert.deepEqual(requests, [pathToFileURL(copy).href]);

  const pdf = await exportFrom(page, 'Export as PDF');
  assert.equal(pdf.name, 'lab.pdf');
  assert.equal(readFileSync(pdf.path).subarray(0, 5).toString(), '%PDF-');

  // Saving puts a PNG beside each figure, for Jupyter and GitHub.
  await page.keyboard.press('Control+s');
  const pngs = (): number => (readFileSync(join(dir, 'lab.ipynb'), 'utf8').match(/"image\/png": "iVBOR/g) ?? []).length;
  const deadline = Date.now() + 60_000;
  while (pngs() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.equal(pngs(), 2, serve.stderr());
  assert.deepEqual(errors, []);
});

/** A TypeScript notebook of these cells. */
function writeNotebook(path: string, cells: object[]): void {
  writeFileSync(path, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { probebook: { language: 'typescript' } }, cells }));
}

test('File → Export as Markdown writes NAME.md and its figures beside the notebook, never over an earlier export', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  const figure = { data: [{ type: 'bar', x: ['a', 'b'], y: [2, 1] }], layout: { title: { text: 'Drops' }, height: 300 } };
  writeNotebook(join(dir, 'plot.ipynb'), [
    { id: 'intro', cell_type: 'markdown', metadata: {}, source: '# Drops per queue' },
    {
      id: 'fig',
      cell_type: 'code',
      metadata: {},
      source: "plot([{ type: 'bar', x: ['a', 'b'], y: [2, 1] }], { title: 'Drops' });",
      outputs: [{ output_type: 'display_data', data: { 'application/vnd.plotly.v1+json': figure, 'text/plain': ['<Figure>'] }, metadata: {} }],
      execution_count: 1,
    },
  ]);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const { page, errors } = await newPage(browser);
  await openNotebook(page, serve.pageUrl('plot.ipynb'));
  await page.locator('.pb-cell').first().click();
  await page.keyboard.press('Escape');

  await runFromPalette(page, 'Export as Markdown');
  await page.getByText('Exported plot.md and 1 file in plot_files/, beside the notebook').waitFor({ timeout: 90_000 });
  const first = readFileSync(join(dir, 'plot.md'), 'utf8');
  assert.match(first, /^# Drops per queue/m);
  const links = [...first.matchAll(/!\[[^\]]*\]\(([^)]+\.png)\)/g)].map((l) => l[1]!);
  assert.equal(links.length, 1, first);
  assert.match(links[0]!, /^plot_files\/figure-[^/]+\.png$/);
  const png = readFileSync(join(dir, links[0]!));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a real PNG');
  assert.ok(png.readUInt32BE(16) > 100 && png.readUInt32BE(20) > 100, 'the figure drawn at its size');

  // Again: the first export stays as it was; the second gets the next free name.
  await runFromPalette(page, 'Export as Markdown');
  await page.getByText('Exported plot-2.md and 1 file in plot-2_files/, beside the notebook').waitFor({ timeout: 90_000 });
  assert.equal(readFileSync(join(dir, 'plot.md'), 'utf8'), first);
  assert.ok(readFileSync(join(dir, 'plot.md'), 'utf8').includes(links[0]!));
  const second = readFileSync(join(dir, 'plot-2.md'), 'utf8');
  const link2 = /\((plot-2_files\/figure-[^)]+\.png)\)/.exec(second)?.[1];
  assert.ok(link2 && existsSync(join(dir, link2)), second);

  // A new notebook has no folder yet: refused, nothing written.
  await runFromPalette(page, 'New notebook');
  await page.waitForFunction(() => window.probebookTest!.cells()?.length === 1, undefined, { timeout: 30_000 });
  await page.keyboard.press('Escape');
  await runFromPalette(page, 'Export as Markdown');
  await page.getByText('The Markdown could not be made: Save the notebook first').waitFor({ timeout: 30_000 });
  assert.equal(existsSync(join(dir, 'notebook.md')), false);
  assert.equal(existsSync(join(dir, 'plot-3.md')), false);
  assert.deepEqual(errors, [], serve.stderr());
});

test('a save sends the page’s own PNGs of the figures, shown or collapsed: the host starts no browser, the file stays trusted', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  const figure = { data: [{ type: 'scatter', x: [1, 2, 3], y: [3, 1, 2] }], layout: { title: { text: 'Kept' }, height: 300 } };
  writeNotebook(join(dir, 'plot.ipynb'), [
    {
      id: 'run',
      cell_type: 'code',
      metadata: {},
      source: "plot([{ type: 'bar', x: ['a', 'b'], y: [2, 1] }], { title: 'Drops' });",
      outputs: [],
      execution_count: null,
    },
    // A figure the page never draws: its outputs are collapsed.
    {
      id: 'kept',
      cell_type: 'code',
      metadata: { jupyter: { outputs_hidden: true } },
      source: '// drawn before',
      outputs: [{ output_type: 'display_data', data: { 'application/vnd.plotly.v1+json': figure, 'text/plain': ['<Figure>'] }, metadata: {} }],
      execution_count: null,
    },
  ]);
  // The host cannot start a browser: any PNG in the file came from the page.
  const serve = await startServe(t, dir, { env: { PROBEBOOK_CHROMIUM: join(dir, 'no-chromium-here') } });
  const browser = await launchBrowser(t);
  const { page, errors } = await newPage(browser);
  await openNotebook(page, serve.pageUrl('plot.ipynb'));
  assert.equal(await page.locator('.pb-cell').nth(1).locator('.pb-plot').isVisible(), false, 'the collapsed figure is not shown on the page');
  await page.locator('.pb-cell').first().locator('.pb-run').click();
  await page.locator('dialog[open]').locator('button', { hasText: 'Trust and run' }).click();
  await page.locator('.pb-cell').first().locator('.pb-plot-ready').waitFor({ timeout: 60_000 });

  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+s');
  await page.getByText('Saved plot.ipynb').waitFor({ timeout: 60_000 });
  const saved = JSON.parse(readFileSync(join(dir, 'plot.ipynb'), 'utf8')) as {
    cells: { outputs: { data?: Record<string, string>; metadata?: Record<string, never> }[] }[];
  };
  const figures = saved.cells.flatMap((c) => c.outputs).filter((o) => o.data?.['application/vnd.plotly.v1+json']);
  assert.equal(figures.length, 2);
  for (const o of figures) {
    assert.match(String(o.data?.['image/png']), /^iVBOR/, serve.stderr());
    assert.match(o.metadata?.['probebook']?.['pngOf'] ?? '', /^[0-9a-f]{16}$/);
  }
  assert.deepEqual(
    figures.map((o) => o.metadata?.['image/png']),
    [
      { width: 800, height: 420 },
      { width: 800, height: 300 },
    ],
  );
  assert.doesNotMatch(serve.stderr(), /without PNG fallbacks|needs Chromium/);

  // Run again: the same figure in a new output, which needs its own PNG at the next save.
  const firstOutput = await page.evaluate(() => window.probebookTest!.cells()![0]!.outputs[0]!.outputId);
  await page.locator('.pb-cell').first().locator('.pb-run').click();
  await page.waitForFunction(
    (before) => {
      const o = window.probebookTest!.cells()![0]!.outputs[0];
      return o && o.outputId !== before && o.items.some((i) => i.mime === 'application/vnd.plotly.v1+json');
    },
    firstOutput,
    { timeout: 60_000 },
  );
  await page.waitForFunction(() => document.querySelectorAll('.pb-cell')[0]?.getAttribute('data-status') !== 'running', undefined, { timeout: 60_000 });
  const firstSave = readFileSync(join(dir, 'plot.ipynb'), 'utf8');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+s');
  // The second save writes the new execution count; wait for it, then read what it wrote.
  const until = Date.now() + 60_000;
  while (readFileSync(join(dir, 'plot.ipynb'), 'utf8') === firstSave && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  const second = JSON.parse(readFileSync(join(dir, 'plot.ipynb'), 'utf8')) as {
    cells: { execution_count: number; outputs: { data?: Record<string, string> }[] }[];
  };
  assert.equal(second.cells[0]!.execution_count, 2, 'the second save was written');
  assert.match(String(second.cells[0]!.outputs[0]?.data?.['image/png']), /^iVBOR/, serve.stderr());
  assert.doesNotMatch(serve.stderr(), /without PNG fallbacks|needs Chromium/);

  // Signed again with its PNGs: reopened (another window), the notebook is trusted.
  const reopened = await newPage(browser);
  await openNotebook(reopened.page, serve.pageUrl('plot.ipynb'));
  assert.equal(await reopened.page.evaluate(() => window.probebookTest!.trusted()), true);
  assert.deepEqual([...errors, ...reopened.errors], []);
});
