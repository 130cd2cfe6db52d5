/**
 * Links in markdown: `#Heading` links (Jupyter's anchors) and links to ids in the notebook scroll
 * to their place in the page; outside links open outside the app.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canRunPageTests, launchBrowser, newPage, openNotebook, screenshot } from '../support/page-browser.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { labFolder, startServe } from '../support/probebook-serve.ts';

test('markdown links to headings and anchors stay in the notebook and scroll there; outside links open outside', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  writeNotebook(dir, 'links.ipynb', [
    {
      type: 'markdown',
      source:
        '# Lab\n\nJump to [the results](#Results-and-plots), to [the note](#note) or to [nowhere](#Nope). Read [the manual](https://example.invalid/bpftrace).',
    },
    ...Array.from({ length: 30 }, (_, i) => ({ source: `echo step ${i}` })),
    { type: 'markdown', source: '<a id="note"></a>A note with an anchor.' },
    ...Array.from({ length: 10 }, (_, i) => ({ source: `echo more ${i}` })),
    { type: 'markdown', source: '## Results and *plots*\n\nThe end.' },
  ]);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const { page, context, errors } = await newPage(browser);
  await openNotebook(page, serve.pageUrl('links.ipynb'));
  const url = page.url();
  const selectedText = () => page.locator('.pb-cell.pb-selected').innerText();
  const inView = (text: string) =>
    page
      .locator('.pb-cell', { hasText: text })
      .first()
      .evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.top >= 0 && r.top < innerHeight;
      });

  assert.equal(await page.locator('.pb-md a', { hasText: 'the manual' }).getAttribute('target'), '_blank', 'outside links open outside the app');
  assert.equal(await page.locator('.pb-md a', { hasText: 'the results' }).getAttribute('target'), null);

  await page.locator('.pb-md a', { hasText: 'the results' }).click();
  await page.waitForFunction(() => document.querySelector('.pb-cell.pb-selected')?.textContent?.includes('The end.'));
  assert.ok(await inView('The end.'), 'the heading cell scrolled into view');
  assert.match(await selectedText(), /Results and plots/);
  await screenshot(page, 'links-heading');

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator('.pb-md a', { hasText: 'the note' }).click();
  await page.waitForFunction(() => document.querySelector('.pb-cell.pb-selected')?.textContent?.includes('A note with an anchor.'));
  const anchorTop = await page.locator('#user-content-note').evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(anchorTop >= -1 && anchorTop < 50, `the anchor is at the top of the window (${anchorTop})`);

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator('.pb-md a', { hasText: 'nowhere' }).click();
  await page.locator('.pb-toast', { hasText: 'No heading or anchor "Nope" in this notebook.' }).waitFor();

  assert.equal(page.url(), url, 'the address did not change');
  assert.equal(context.pages().length, 1, 'no other tab opened');
  assert.deepEqual(errors, []);
});
