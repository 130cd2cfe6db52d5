/**
 * A background cell that says when it is ready, in Chromium against the real `probebook serve`:
 * during Run All its status says what it waits for while the next cell stays queued, then how long
 * it took to be ready, and the next cell runs. Screenshot: test-artifacts/screenshots/page-ready-waiting.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canRunPageTests, cell, launchBrowser, newPage, openNotebook, screenshot } from '../support/page-browser.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { labFolder, startServe } from '../support/probebook-serve.ts';

test('Run All: a background cell shows "waiting until ready", the next cell waits queued, then "ready after" and the next cell runs', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  const up = join(dir, 'up');
  writeNotebook(dir, 'ready.ipynb', [
    // It becomes ready only once this test makes the file "go".
    {
      source: `until [ -e ${join(dir, 'go')} ]; do sleep 0.05; done\ntouch ${up}\nexec sleep 600`,
      probebook: { name: 'server', background: true, ready: { file: up } },
    },
    { source: 'echo next ran', probebook: { name: 'client' } },
  ]);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const { page, errors } = await newPage(browser);
  await openNotebook(page, serve.pageUrl('ready.ipynb'));
  await page.locator('[data-command="notebook.runAll"]').click();
  await page.locator('dialog[open] button', { hasText: 'Trust and run' }).click();

  await cell(page, 0)
    .locator('.pb-status', { hasText: `waiting until ready: file ${up}` })
    .waitFor({ timeout: 15_000 });
  assert.equal(await cell(page, 1).getAttribute('data-status'), 'queued', 'the next cell waits for the server');
  await screenshot(page, 'ready-waiting');

  writeFileSync(join(dir, 'go'), '');
  await cell(page, 1).locator('.pb-cell-output .pb-line', { hasText: 'next ran' }).waitFor({ timeout: 15_000 });
  // The run ended after the client: the server was stopped then, and its status says how it ended.
  await page.waitForFunction(() => document.querySelector('.pb-cell')?.getAttribute('data-status') === 'ok', undefined, { timeout: 15_000 });
  assert.match(await cell(page, 0).locator('.pb-status').innerText(), /stopped at the end of the run/);
  assert.deepEqual(errors, []);
});

test('a background cell run by hand shows when it is ready, and blocks nothing', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  writeNotebook(dir, 'by-hand.ipynb', [
    { source: 'echo "listening on 7"\nexec sleep 600', probebook: { background: true, ready: { output: '^listening on \\d+$' } } },
  ]);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const { page, errors } = await newPage(browser);
  await openNotebook(page, serve.pageUrl('by-hand.ipynb'));
  const run = cell(page, 0).locator('.pb-run');
  await run.click();
  await page.locator('dialog[open] button', { hasText: 'Trust and run' }).click();
  await cell(page, 0)
    .locator('.pb-status', { hasText: /ready after \d/ })
    .waitFor({ timeout: 15_000 });
  assert.equal(await cell(page, 0).getAttribute('data-status'), 'running');
  await run.click();
  await page.waitForFunction(() => document.querySelector('.pb-cell')?.getAttribute('data-status') === 'interrupted', undefined, { timeout: 15_000 });
  assert.doesNotMatch(await cell(page, 0).locator('.pb-status').innerText(), /ready/, 'an ended cell no longer says ready');
  assert.deepEqual(errors, []);
});
