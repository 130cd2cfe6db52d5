/**
 * The page offers the cleanup cells of a run that crashed, against the real `probebook serve` in
 * Debian's Chromium. A lab notebook's Run All sets something up (a marker file in the served
 * folder), then runs a long `sleep`; `probebook serve` is killed with SIGKILL mid-run, so its
 * cleanup cell never runs. Its cell processes must not outlive it (the kernel host notices and
 * stops them). A new serve on the same state folder offers the cleanup in a banner, in every tab:
 * "Run cleanup cells" runs it (the marker goes, the banner goes everywhere); after a second crash,
 * "Dismiss" forgets it without running anything. Screenshots: page-cleanup-*.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { needs } from '../support/needs.ts';
import { canRunPageTests, cell, launchBrowser, newPage, openNotebook, screenshot } from '../support/page-browser.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { labFolder, startServe, type ServeHandle } from '../support/probebook-serve.ts';
import { cgroupOf, childrenOf, eventually, pidsMentioning, waitGone } from '../support/processes.ts';

const status = (page: Page, i: number) => cell(page, i).getAttribute('data-status');
const waitStatus = (page: Page, i: number, want: string, timeout = 20_000) =>
  page.waitForFunction(([index, s]) => document.querySelectorAll('.pb-cell')[index as number]?.getAttribute('data-status') === s, [i, want] as const, {
    timeout,
  });
const outputText = async (page: Page, i: number) => (await cell(page, i).locator('.pb-cell-output .pb-line').allInnerTexts()).join('\n');

test('the page offers the cleanup cells of a run that crashed: runs them in every tab, or dismisses them', async (t) => {
  if (!canRunPageTests(t)) return;
  if (!needs(t, { root: true, tools: ['bash', 'sleep'] })) return;
  const dir = labFolder(t);
  // In the command line of the cell's sleep (its argv[0]): how its survival would be found.
  const tag = `pb-e2e-cleanup-${process.pid}-${Date.now().toString(36)}`;
  const marker = join(dir, 'lab-is-set-up');
  const runs = join(dir, '.state/probebook/runs');
  writeNotebook(dir, 'lab.ipynb', [
    { type: 'markdown', source: '# NAT lab\n\nSets a rule up, traces for a while, then undoes the rule.' },
    { source: 'touch lab-is-set-up; echo set up', probebook: { name: 'setup' } },
    { source: `echo tracing; (exec -a ${tag} sleep 300)`, probebook: { name: 'trace' } },
    { source: 'rm -f lab-is-set-up; echo undone', probebook: { name: 'undo', cleanup: true } },
  ]);
  const browser = await launchBrowser(t);
  t.after(() => {
    // Whatever failed above, no cell of this test may outlive it.
    const left = pidsMentioning(tag);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    assert.deepEqual(left, [], `cell processes of ${tag} survived the test`);
  });

  /** Starts Run All from the page, then kills serve while the sleep runs; checks nothing survives it. */
  async function crashMidRun(serve: ServeHandle, expectTrustQuestion: boolean): Promise<void> {
    const { page, errors } = await newPage(browser);
    await openNotebook(page, serve.pageUrl('lab.ipynb'));
    await page.locator('[data-command="notebook.runAll"]').click();
    if (expectTrustQuestion) await page.locator('dialog[open] button', { hasText: 'Trust and run' }).click();
    await waitStatus(page, 2, 'running');
    await page.waitForFunction(() => document.querySelectorAll('.pb-cell')[2]?.textContent?.includes('tracing'));
    assert.equal(await status(page, 1), 'ok');
    assert.ok(existsSync(marker), 'the lab was set up');
    assert.deepEqual(errors, []);

    let sleeps: number[] = [];
    await eventually(() => (sleeps = pidsMentioning(tag)).length === 1, 5000, `the cell's sleep (${tag}) is found`);
    const kernelHosts = childrenOf(serve.pid);
    assert.ok(kernelHosts.length >= 1, 'serve started its kernel host');
    const cgroup = cgroupOf(sleeps[0]!);

    await serve.crash();
    await page.close();
    // The kernel host sees its stdin close (or the heartbeats stop) and stops the cells it ran.
    await waitGone([...sleeps, ...kernelHosts], 10_000);
    assert.deepEqual(pidsMentioning(tag), []);
    if (cgroup?.includes('probebook')) await eventually(() => !existsSync(cgroup), 5000, `the cell's cgroup ${cgroup} is removed`);
    assert.ok(existsSync(marker), 'the crash skipped the cleanup cell');
    assert.equal(readdirSync(runs).filter((f) => f.endsWith('.json')).length, 1, 'the ledger holds the unfinished run');
  }

  const banner = (page: Page) => page.locator('[data-banner="cleanup"]');

  await t.test('a crashed run: serve killed with SIGKILL mid-run, its cells stopped with it, the cleanup left undone', async () => {
    await crashMidRun(await startServe(t, dir), true);
  });

  const serve = await startServe(t, dir);
  const first = await newPage(browser);
  const second = await newPage(browser);

  await t.test('opened again, the page offers its cleanup cells in a banner and marks them', async () => {
    await openNotebook(first.page, serve.pageUrl('lab.ipynb'));
    const text = await banner(first.page).innerText();
    assert.match(text, /A run of this notebook on .+ did not finish: its cleanup cell \(cell 4 “undo”\) never ran\./);
    assert.match(text, /Run cleanup cells/);
    assert.match(text, /Dismiss/);
    assert.deepEqual(
      await first.page.locator('.pb-cell[data-pending-cleanup="true"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['cellId'])),
      ['c0000003'],
    );
    assert.equal(await cell(first.page, 3).locator('.pb-pending-cleanup').isVisible(), true);
    assert.equal(await cell(first.page, 1).locator('.pb-pending-cleanup').isVisible(), false);
    assert.match(await cell(first.page, 3).locator('.pb-name').innerText(), /undo · cleanup/);
    assert.equal(await first.page.evaluate(() => window.probebookTest!.commandEnabled('notebook.runPendingCleanup')), true, 'the palette has it too');
    await screenshot(first.page, 'cleanup-offer');

    await openNotebook(second.page, serve.pageUrl('lab.ipynb'));
    await banner(second.page).waitFor();
  });

  await t.test('"Run cleanup cells" runs only the cleanup cell; its output and the banner going reach every tab', async () => {
    await banner(first.page).locator('button', { hasText: 'Run cleanup cells' }).click();
    for (const { page } of [first, second]) {
      await waitStatus(page, 3, 'ok');
      assert.equal((await outputText(page, 3)).trim(), 'undone');
      await banner(page).waitFor({ state: 'detached' });
      assert.equal(await page.locator('.pb-cell[data-pending-cleanup]').count(), 0, 'the cells are no longer marked');
      assert.equal(await status(page, 1), 'idle', 'the setup cell did not run again');
      assert.equal(await status(page, 2), 'idle');
    }
    assert.match(await first.page.locator('.pb-toast').last().innerText(), /Cleanup done: ran cell 4 “undo”/);
    assert.equal(existsSync(marker), false, 'the cleanup cell removed the marker');
    assert.deepEqual(
      readdirSync(runs).filter((f) => f.endsWith('.json')),
      [],
      'the run left the ledger',
    );
    await screenshot(first.page, 'cleanup-done');
    assert.deepEqual(first.errors, []);
    assert.deepEqual(second.errors, []);
  });

  await t.test('after another crash, "Dismiss" forgets the run without running its cleanup', async () => {
    await first.page.close();
    await second.page.close();
    await crashMidRun(serve, false);
    const again = await startServe(t, dir);
    const { page, errors } = await newPage(browser);
    await openNotebook(page, again.pageUrl('lab.ipynb'));
    await banner(page).locator('button', { hasText: 'Dismiss' }).click();
    await banner(page).waitFor({ state: 'detached' });
    assert.equal(await page.locator('.pb-cell[data-pending-cleanup]').count(), 0);
    assert.equal(await status(page, 3), 'idle', 'the cleanup cell did not run');
    assert.ok(existsSync(marker), 'dismissed: what the lab set up is still there');
    assert.deepEqual(
      readdirSync(runs).filter((f) => f.endsWith('.json')),
      [],
    );
    await page.reload();
    await page.waitForSelector('.pb-cell');
    assert.equal(await banner(page).count(), 0, 'not offered again');
    assert.deepEqual(errors, []);
  });
});
