/**
 * Packets in the page, end to end, against the real `probebook serve` and its kernel host: a
 * cell running `tcpdump -U -w -` fills the packet list while it captures (the capture is read in
 * the unprivileged session, never as root), selecting a packet shows its header tree and lights
 * its bytes, tshark's full dissection of it comes from the host on request, and a `tcpdump -d`
 * cell shows its BPF program with the filter it came from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canRunPageTests, cell, launchBrowser, newPage, openNotebook, screenshot } from '../support/page-browser.ts';
import { needs } from '../support/needs.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { labFolder, repoRoot, startServe } from '../support/probebook-serve.ts';

test('a live tcpdump capture fills the packet list while it runs; a packet shows its tree and bytes; tcpdump -d shows its program', async (t) => {
  if (!canRunPageTests(t) || !needs(t, { root: true, tools: ['tcpdump', 'tshark'] })) return;
  const dir = labFolder(t);
  const port = 21000 + (process.pid % 20000);
  const capture = [
    `tcpdump -i lo -U -w - -nn udp port ${port} 2>tcpdump.err &`,
    'until grep -q "listening on" tcpdump.err 2>/dev/null; do sleep 0.02; done',
    // One datagram, then the rest only once the page has shown the first (the file says when).
    `echo first > /dev/udp/127.0.0.1/${port}`,
    'until [ -e go ]; do sleep 0.02; done',
    `for i in 2 3 4 5; do echo "datagram $i" > /dev/udp/127.0.0.1/${port}; done`,
    'until [ -e stop ]; do sleep 0.02; done',
    'kill -INT %1; wait',
  ].join('\n');
  writeNotebook(dir, 'capture.ipynb', [{ source: capture }, { source: "tcpdump -y EN10MB -d 'udp dst port 53'" }]);
  const serve = await startServe(t, dir);
  const { page, errors } = await newPage(await launchBrowser(t));
  await openNotebook(page, serve.pageUrl('capture.ipynb'));
  await cell(page, 0).locator('.pb-run').click();
  await page.locator('dialog[open] button', { hasText: 'Trust and run' }).click();

  // Live: the first packet shows while the cell still runs.
  const rows = cell(page, 0).locator('.pb-pk-rows .pb-pk-row');
  await rows.first().waitFor({ timeout: 20_000 });
  assert.equal(await cell(page, 0).getAttribute('data-status'), 'running');
  assert.equal(await rows.count(), 1);
  writeFileSync(join(dir, 'go'), '');
  await page.waitForFunction(() => document.querySelectorAll('.pb-cell .pb-pk-rows .pb-pk-row').length === 5, undefined, { timeout: 20_000 });
  assert.equal(await cell(page, 0).getAttribute('data-status'), 'running', 'the list grew while the capture ran');
  writeFileSync(join(dir, 'stop'), '');
  await page.waitForFunction(() => document.querySelector('.pb-cell')?.getAttribute('data-status') === 'ok', undefined, { timeout: 20_000 });

  const columns = await rows.nth(2).locator('.pb-pk-c').allTextContents();
  assert.equal(columns[0], '3');
  assert.equal(columns[2], '127.0.0.1');
  assert.equal(columns[4], 'UDP');
  await rows.nth(2).click();
  const view = cell(page, 0);
  const tree = await view.locator('.pb-pk-nodes > .pb-pk-node > .pb-pk-line .pb-pk-label').allTextContents();
  assert.ok(
    tree.some((l) => l.startsWith('User Datagram Protocol')),
    tree.join(' | '),
  );
  await view.locator('.pb-pk-nodes > .pb-pk-node > .pb-pk-line .pb-pk-label', { hasText: /^User Datagram Protocol/ }).click();
  const lit = await view.locator('.pb-pk-hex .pb-pk-lit').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset['byte'])));
  assert.deepEqual(lit, [34, 35, 36, 37, 38, 39, 40, 41], 'the UDP header: 8 bytes after Ethernet (14) and IPv4 (20)');

  // tshark's full dissection of that packet, run by the host on the file beside the notebook.
  await view.getByRole('button', { name: /tshark -V of packet 3/ }).click();
  const dissection = view.locator('.pb-pk-tshark-text');
  await dissection.waitFor({ timeout: 20_000 });
  const text = (await dissection.textContent()) ?? '';
  assert.match(text, /^Frame 3: 53 bytes on wire/m, text.slice(0, 300));
  assert.match(text, new RegExp(`User Datagram Protocol, Src Port: \\d+, Dst Port: ${port}`));
  assert.match(text, /datagram 3/, 'the payload, as tshark shows it');

  // The capture is beside the notebook, written by the session.
  const captures = readdirSync(join(dir, 'capture.captures'));
  assert.equal(captures.length, 1);
  assert.ok(existsSync(join(dir, 'capture.captures', captures[0]!)));

  await cell(page, 1).locator('.pb-run').click();
  const program = cell(page, 1).locator('.pb-bpf-row');
  await program.first().waitFor({ timeout: 20_000 });
  assert.equal(await cell(page, 1).locator('.pb-bpf-expression code').textContent(), 'udp dst port 53');
  assert.ok((await program.count()) > 5);
  await screenshot(page, 'capture-live');
  assert.deepEqual(errors, []);
});

test('a capture bigger than the notebook keeps: the page reads the rest from the file beside the notebook', async (t) => {
  if (!canRunPageTests(t) || !needs(t, { root: true })) return;
  const dir = labFolder(t);
  // 40,000 real packets (tcpdump-usec.pcap's SYN and SYN-ACK, repeated): ~3.6 MB, past the 2 MiB kept.
  const sample = readFileSync(join(repoRoot, '../shared/reference/samples/tcpdump-usec.pcap'));
  const pair = sample.subarray(24, 24 + 180);
  writeFileSync(join(dir, 'big.pcap'), Buffer.concat([sample.subarray(0, 24), ...Array(20_000).fill(pair)]));
  writeNotebook(dir, 'big.ipynb', [{ source: 'cat big.pcap' }]);
  const serve = await startServe(t, dir);
  const { page, errors } = await newPage(await launchBrowser(t));
  await openNotebook(page, serve.pageUrl('big.ipynb'));
  await cell(page, 0).locator('.pb-run').click();
  await page.locator('dialog[open] button', { hasText: 'Trust and run' }).click();
  const view = cell(page, 0);
  await view.locator('.pb-note', { hasText: /the rest was read from big\.captures\/c0000000-\S+\.pcap\./ }).waitFor({ timeout: 30_000 });
  await view.locator('.pb-pk-count', { hasText: /^40,000 packets$/ }).waitFor({ timeout: 30_000 });
  assert.match((await view.locator('.pb-note').first().textContent()) ?? '', /^Only the first [\d,]+ of 40,000 packets are in the notebook/);
  // The last packet is there, read from the file: End in the list, and it is selected.
  await view.locator('.pb-pk-list').focus();
  await page.keyboard.press('End');
  await view.locator('.pb-pk-row.pb-pk-selected[data-no="40000"]').waitFor();
  assert.deepEqual(errors, []);
});
