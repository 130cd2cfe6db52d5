/**
 * An nbformat 3 notebook in the page (real `probebook serve`, Debian's Chromium): it opens upgraded,
 * a banner says so, Ctrl+S writes 4.5, keeps the original beside it and says where, and the banner
 * goes. Screenshot: test-artifacts/screenshots/page-nbformat3.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canRunPageTests, launchBrowser, newPage, openNotebook, screenshot } from '../support/page-browser.ts';
import { labFolder, repoRoot, startServe } from '../support/probebook-serve.ts';

test('an nbformat 3 notebook opens with a banner; saving keeps its original and says so', async (t) => {
  if (!canRunPageTests(t)) return;
  const fixture = join(repoRoot, 'test/fixtures/notebooks/nbformat3-python.ipynb');
  const dir = labFolder(t, { 'old-lab.ipynb': fixture });
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const { page, errors } = await newPage(browser);
  await openNotebook(page, serve.pageUrl('old-lab.ipynb'));
  const banner = page.locator('[data-banner="converted"]');
  assert.match(
    await banner.innerText(),
    /This file is nbformat 3\.0: it was upgraded to 4\.5 as Jupyter does\. Saving writes 4\.5 and keeps the original beside it as old-lab\.nbformat3\.ipynb/,
  );
  await page.locator('.pb-cell', { hasText: 'TCP handshake lab' }).first().waitFor(); // the heading cell, now markdown
  await screenshot(page, 'nbformat3');
  await page.locator('.pb-cell').first().click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+s');
  await page.locator('.pb-toast', { hasText: 'the nbformat 3 original is kept as old-lab.nbformat3.ipynb' }).waitFor();
  await banner.waitFor({ state: 'detached' });
  assert.deepEqual(readFileSync(join(dir, 'old-lab.nbformat3.ipynb')), readFileSync(fixture));
  assert.equal(JSON.parse(readFileSync(join(dir, 'old-lab.ipynb'), 'utf8')).nbformat, 4);
  assert.ok(!existsSync(join(dir, 'old-lab.nbformat3-2.ipynb')));
  assert.deepEqual(errors, []);
});
