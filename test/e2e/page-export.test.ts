/**
 * File → Export in the page against a real `probebook serve`: the palette's "Export as HTML
 * report…" and "Export as PDF report…" download the report the host made from the notebook as it
 * is, drawn with its trust; the HTML opens offline with its figures drawn. Saving adds PNGs of the figures.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { serializeNotebook } from '../../core/common/notebook/ipynb.ts';
import { canRunPageTests, launchBrowser, newPage, openNotebook } from '../support/page-browser.ts';
import { labFolder, startServe } from '../support/probebook-serve.ts';
import { reportNotebook } from '../support/report-notebook.ts';

async function exportFrom(page: Page, title: string): Promise<{ name: string; path: string }> {
  await page.keyboard.press('Control+Shift+P');
  const palette = page.locator('dialog[open].pb-palette');
  await palette.waitFor();
  await page.keyboard.type(title);
  const download = page.waitForEvent('download', { timeout: 60_000 });
  await page.keyboard.press('Enter');
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
