/**
 * A live event table in the page, end to end against the real `probebook serve` and its kernel
 * host: a bpftrace cell in the style of execsnoop (a header from BEGIN, one printf row per exec of
 * a marker program this test runs) fills a table while it traces; the table filters and sorts,
 * and the raw text is a click away.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { canRunPageTests, cell, launchBrowser, newPage, openNotebook, screenshot } from '../support/page-browser.ts';
import { needs } from '../support/needs.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { labFolder, startServe } from '../support/probebook-serve.ts';

const run = promisify(execFile);

test('an execsnoop-like bpftrace cell fills a live table while it traces; filter, sort and raw text work', async (t) => {
  const tracefs = () =>
    existsSync('/sys/kernel/tracing/events/syscalls') ? null : 'tracefs at /sys/kernel/tracing (mount -t tracefs nodev /sys/kernel/tracing)';
  if (!canRunPageTests(t) || !needs(t, { root: true, tools: ['bpftrace'], check: tracefs })) return;
  const dir = labFolder(t);
  // Only this program's execs are traced: whatever else runs on the machine stays out of the table.
  const marker = join(dir, 'mark');
  copyFileSync('/bin/true', marker);
  chmodSync(marker, 0o755);
  const program = [
    'BEGIN { printf("%-8s %-7s %-16s %s\\n", "TIME(s)", "PID", "COMM", "ARGS"); }',
    `tracepoint:syscalls:sys_enter_execve /str(args->filename) == "${marker}"/ {`,
    '  printf("%-8d %-7d %-16s ", elapsed / 1000000000, pid, comm);',
    '  join(args->argv);',
    '}',
  ].join('\n');
  writeNotebook(dir, 'snoop.ipynb', [{ source: program, probebook: { language: 'bpftrace' } }]);
  const serve = await startServe(t, dir);
  const { page, errors } = await newPage(await launchBrowser(t));
  await openNotebook(page, serve.pageUrl('snoop.ipynb'));
  await cell(page, 0).locator('.pb-run').click();
  await page.locator('dialog[open] button', { hasText: 'Trust and run' }).click();

  // Exec the marker until the page shows a table: that needs the probe attached and two events.
  let n = 0;
  const ticker = setInterval(() => execFile(marker, ['warm-up', String(++n)], () => {}), 150);
  t.after(() => clearInterval(ticker));
  const rows = cell(page, 0).locator('.pb-events-table tbody tr');
  await rows.nth(1).waitFor({ timeout: 30_000 });
  clearInterval(ticker);
  assert.equal(await cell(page, 0).getAttribute('data-status'), 'running', 'the table is there while the cell traces');
  const headers = await cell(page, 0).locator('.pb-events-table thead th').allTextContents();
  assert.deepEqual(
    headers.map((s) => s.trim()),
    ['TIME(s)', 'PID', 'COMM', 'ARGS'],
  );
  for (const i of [1, 2, 3]) await run(marker, ['final', String(i), 'with spaces']);
  await cell(page, 0)
    .locator('.pb-events-table td', { hasText: `${marker} final 3 with spaces` })
    .waitFor({ timeout: 10_000 });
  assert.equal(await cell(page, 0).getAttribute('data-status'), 'running', 'the new events came while it ran');

  await cell(page, 0).locator('.pb-events-table input.pb-filter').fill('final');
  assert.deepEqual(
    await cell(page, 0).locator('.pb-events-table tbody td:nth-child(4)').allTextContents(),
    [1, 2, 3].map((i) => `${marker} final ${i} with spaces`),
  );
  // PIDs show as printed and sort in numeric order (the finals ran one after another); TIME(s) is an amount, right-aligned.
  await cell(page, 0).locator('.pb-events-table th button', { hasText: 'PID' }).click();
  await cell(page, 0).locator('.pb-events-table th button', { hasText: 'PID' }).click();
  const pids = await cell(page, 0).locator('.pb-events-table tbody td:nth-child(2)').allTextContents();
  assert.ok(
    pids.every((p) => /^\d+$/.test(p)),
    pids.join(),
  );
  assert.deepEqual(
    pids.map(Number),
    pids.map(Number).sort((a, b) => b - a),
    'a second click sorts descending',
  );
  assert.equal(await cell(page, 0).locator('.pb-events-table tbody td:nth-child(1)').first().getAttribute('class'), 'pb-num');
  await screenshot(page, 'event-table-live');

  await cell(page, 0).locator('.pb-events-toggle').click();
  const raw = cell(page, 0).locator('.pb-events-raw');
  await raw.locator('.pb-line', { hasText: 'TIME(s)  PID     COMM             ARGS' }).waitFor();
  assert.ok(await cell(page, 0).locator('.pb-events-table').isHidden());
  await raw.locator('.pb-line', { hasText: 'final 2 with spaces' }).waitFor();
  await cell(page, 0).locator('.pb-events-toggle', { hasText: 'Table' }).click();
  assert.ok(await cell(page, 0).locator('.pb-events-table').isVisible());

  await cell(page, 0).locator('.pb-run').click();
  await page.waitForFunction(() => document.querySelector('.pb-cell')?.getAttribute('data-status') !== 'running', undefined, { timeout: 20_000 });
  assert.equal(await cell(page, 0).getAttribute('data-status'), 'ok', 'a stopped trace is a trace that ended');
  assert.deepEqual(errors, []);
});
