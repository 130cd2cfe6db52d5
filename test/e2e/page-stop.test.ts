/**
 * Stopping a cell that does not stop on Ctrl-C, in Chromium against the real `probebook serve`:
 * the cell says it is stopping, and stopping it again kills it at once instead of after the
 * ladder's graces. Screenshot: test-artifacts/screenshots/page-stopping.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canRunPageTests, cell, launchBrowser, newPage, openNotebook, screenshot } from '../support/page-browser.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { labFolder, startServe } from '../support/probebook-serve.ts';

test('a cell that ignores Ctrl-C shows it is stopping, and a second stop kills it at once', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  // Ignores SIGINT and SIGTERM, and so does its sleep (ignored signals are inherited): with the
  // default 3 s grace only SIGKILL, 6 s after the first stop, would end it.
  writeNotebook(dir, 'stubborn.ipynb', [{ source: "trap '' INT TERM; echo started; sleep 60; echo never" }]);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const { page, errors } = await newPage(browser);
  const run = cell(page, 0).locator('.pb-run');
  const status = () => cell(page, 0).getAttribute('data-status');

  await openNotebook(page, serve.pageUrl('stubborn.ipynb'));
  await run.click();
  await page.locator('dialog[open] button', { hasText: 'Trust and run' }).click();
  await cell(page, 0).locator('.pb-cell-output .pb-line', { hasText: 'started' }).waitFor({ timeout: 15_000 });

  const firstStop = Date.now();
  await run.click();
  await cell(page, 0).locator('.pb-status', { hasText: 'stopping… stop again to kill it' }).waitFor();
  assert.equal(await run.getAttribute('title'), 'Stopping: click again to kill the cell now');
  assert.equal(await cell(page, 0).getAttribute('data-stopping'), 'true');
  // A window in which SIGINT alone must not end it: the point is that nothing happens.
  await page.waitForTimeout(700);
  assert.equal(await status(), 'running', 'SIGINT did not stop it');
  await screenshot(page, 'stopping');

  await run.click();
  await page.waitForFunction(() => document.querySelector('.pb-cell')?.getAttribute('data-status') === 'interrupted', undefined, { timeout: 10_000 });
  const took = Date.now() - firstStop;
  assert.ok(took < 5000, `ended ${took} ms after the first stop; without the second it takes 6 s`);
  assert.equal(await cell(page, 0).getAttribute('data-stopping'), null, 'no longer stopping');
  assert.match(await cell(page, 0).locator('.pb-status').innerText(), /Stopped/);
  const text = (await cell(page, 0).locator('.pb-cell-output .pb-line').allInnerTexts()).join('\n');
  assert.match(text, /stopped again while stopping; it ignored SIGINT and SIGTERM, so it was killed with SIGKILL/);
  assert.doesNotMatch(text, /never/);
  assert.deepEqual(errors, []);
});
